import * as z from 'zod';

/** One request per connection from a fake tool; the daemon answers with {o}/{e} lines and one {x}. */
export const ToolRequestSchema = z.strictObject({
  host: z.string().min(1),
  tool: z.string().min(1),
  argv: z.array(z.string()),
});
export type ToolRequest = z.infer<typeof ToolRequestSchema>;

export const out = (o: string): string => `${JSON.stringify({ o })}\n`;
export const err = (e: string): string => `${JSON.stringify({ e })}\n`;
export const exit = (x: number): string => `${JSON.stringify({ x })}\n`;
