import * as z from 'zod';
import { err, ok, type Result } from '../../shared/result.js';
import { parseFailure, type ParseFailure } from './parse-failure.js';
import { jsonRepeatedKey } from './repeated-key.js';
import { DrbdConnectionWordSchema, DrbdDiskStateSchema, DrbdReplicationWordSchema, DrbdRoleSchema } from '../../shared/drbd-words.js';

/**
 * `drbdsetup status --json [R]` (DRBD 9 only; an 8.4 drbdsetup answers
 * `unrecognized option '--json'`, exit 20 — see drbd-tool-error.ts).
 *
 * Keys are those of user/v9/drbdsetup.c (resource_status_json, device_status_json,
 * connection_status_json, peer_device_status_json). Objects are loose: keys were added over the
 * years (suspended-user…, tls, paths, open) and more will come; the state words we act on are
 * strict enums. Older utils (9.6) lack `open`, `suspended-*`, `paths`: those are optional.
 */

const n = z.number();

export const DrbdJsonPeerDeviceSchema = z.looseObject({
  volume: z.number().int().nonnegative(),
  'replication-state': DrbdReplicationWordSchema,
  'peer-disk-state': DrbdDiskStateSchema,
  'peer-client': z.boolean().optional(),
  'resync-suspended': z.string().optional(),
  'out-of-sync': n.optional(),
  'has-sync-details': z.boolean().optional(),
  'percent-in-sync': n.nullable().optional(),
  /** only while resyncing; null when the tool printed nan */
  'percent-resync-done': n.nullable().optional(),
});

export const DrbdJsonConnectionSchema = z.looseObject({
  'peer-node-id': z.number().int(),
  name: z.string(),
  'connection-state': DrbdConnectionWordSchema,
  congested: z.boolean().optional(),
  'peer-role': DrbdRoleSchema,
  tls: z.boolean().optional(),
  peer_devices: z.array(DrbdJsonPeerDeviceSchema),
});

export const DrbdJsonDeviceSchema = z.looseObject({
  volume: z.number().int().nonnegative(),
  minor: z.number().int().nonnegative(),
  'disk-state': DrbdDiskStateSchema,
  client: z.boolean().optional(),
  open: z.boolean().optional(),
  quorum: z.boolean().optional(),
});

export const DrbdJsonResourceSchema = z.looseObject({
  name: z.string(),
  'node-id': z.number().int(),
  role: DrbdRoleSchema,
  suspended: z.boolean(),
  'write-ordering': z.string().optional(),
  devices: z.array(DrbdJsonDeviceSchema),
  connections: z.array(DrbdJsonConnectionSchema),
});

export const DrbdStatusJsonSchema = z.array(DrbdJsonResourceSchema);
export type DrbdStatusJson = z.infer<typeof DrbdStatusJsonSchema>;
export type DrbdJsonResource = z.infer<typeof DrbdJsonResourceSchema>;

const TOOL = 'drbdsetup status --json';

/**
 * drbdsetup prints doubles with printf("%.0f"/"%.2f"), so a division by zero prints a bare
 * `nan`, `-nan` or `inf` — not JSON (seen in the wild: `"estimated-seconds-to-finish": nan`,
 * drbd-utils 9.6). Such values become null; they are never in a string because every string
 * value is quoted.
 */
const NON_FINITE = /(:\s*)-?(?:nan|inf)(?=\s*[,\n}\]])/gi;

const lineAt = (text: string, pos: number): number => text.slice(0, pos).split('\n').length;

/**
 * drbd-utils 8.9.8 to 9.5.0 print their "no resources" comment before the JSON too
 * (`# No currently configured DRBD found.`, then `[`, `]`: status_cmd in user/v9/drbdsetup.c,
 * fixed in 9.6.0; Debian 10 ships 9.5.0). Leading comment lines become empty lines, so a line
 * number in an error still counts the tool's lines.
 */
const LEADING_COMMENTS = /^(?:[ \t]*#[^\n]*\n)+/;

export function parseDrbdStatusJson(text: string): Result<DrbdStatusJson, ParseFailure> {
  if (text.trim() === '') return err(parseFailure(TOOL, 0, text, 'a JSON array of resources'));
  const cleaned = text.replace(LEADING_COMMENTS, (c) => '\n'.repeat(c.split('\n').length - 1)).replace(NON_FINITE, '$1null');
  let data: unknown;
  try {
    data = JSON.parse(cleaned);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg);
    const line = pos?.[1] !== undefined ? lineAt(cleaned, Number(pos[1])) : 0;
    const lineText = line > 0 ? (cleaned.split('\n')[line - 1] ?? '') : text;
    return err(parseFailure(TOOL, line, lineText, `valid JSON (${msg})`));
  }
  const repeated = jsonRepeatedKey(cleaned);
  if (repeated !== null) return err(parseFailure(TOOL, repeated.line, repeated.text, repeated.expected));
  const parsed = DrbdStatusJsonSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') : '';
    return err(parseFailure(TOOL, 0, text, `drbdsetup status JSON: ${where || '(root)'}: ${issue?.message ?? 'invalid'}`));
  }
  return ok(parsed.data);
}
