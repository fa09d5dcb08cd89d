import * as z from 'zod';
import { MsSchema as Ms } from './ctl-api-base.js';
import { DomuNameSchema, HostNameSchema } from './agent-link-values.js';

/** POST /v1/jobs/cancel (ctl-jobs.ts): stop a running job by its id. */
export const CancelRequestSchema = z.strictObject({ jobId: z.string().min(1).max(100) });

/**
 * A job that was stopping already when a cancel came (its running moves finishing): a second
 * cancel is told so, not answered as if it had stopped the job. REASON: what stopped it
 * (cancelled, timeout, …: a word xenherdctl shows as sent); AT and BY: when and by which operator
 * the first cancel was asked (null when not by a cancel); WAITSFOR: the moves it waits for.
 */
export const StoppingAlreadySchema = z.strictObject({
  reason: z.string(),
  at: Ms.nullable(),
  by: z.string().nullable(),
  waitsFor: z.array(z.strictObject({ name: DomuNameSchema, from: HostNameSchema, to: HostNameSchema })),
});
export type StoppingAlready = z.infer<typeof StoppingAlreadySchema>;

/** ALREADY: set when the job was stopping before this cancel; absent from older controllers. */
export const CancelAnswerSchema = z.strictObject({ jobId: z.string(), stopping: z.boolean(), inFlight: z.number().int().nonnegative(), already: StoppingAlreadySchema.optional() });
export type CancelAnswer = z.infer<typeof CancelAnswerSchema>;
