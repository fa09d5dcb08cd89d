import { join } from 'node:path';
import * as z from 'zod';
import { writeFileAtomic } from '../../shared/fs/atomic-file.js';
import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import { HOST_NAME_RE } from '../../shared/names.js';
import { parseJsonLine } from '../../shared/protocol/json-line.js';

/**
 * The name `xl info` gave this host, kept in the state dir beside the kernel's name at the time.
 * The next start (after a reboot, usually) takes it while the kernel's name is unchanged, so the
 * first decisions wait for no `xl info` run: `xl info` is read right after READY, and a different
 * answer wins (logged, decided again). On a real Dom0 `xl info` prints the kernel's node name, so
 * the two differ only where something stands in for the toolstack, as the fleet simulator does.
 *
 * Read back as strictly as live input (a regular file, both names host names); a record that
 * fails is not used, and the first read asks `xl info` as it would without one.
 */
const RecordSchema = z.strictObject({ kernel: z.string().regex(HOST_NAME_RE), host: z.string().regex(HOST_NAME_RE) });
type HostNameRecordData = z.infer<typeof RecordSchema>;

export const hostNameRecordFile = (stateDirReal: string): string => join(stateDirReal, 'host-name.json');

function read(file: string): { record: HostNameRecordData | null; problem: string | null } {
  const text = readRegularFileSync(file, { maxBytes: 4096 });
  if (!text.ok) return { record: null, problem: text.error.errno === 'ENOENT' ? null : text.error.message };
  const r = parseJsonLine(text.value, RecordSchema);
  if (r.ok) return { record: r.value, problem: null };
  return { record: null, problem: `${file}: not a host-name record (${r.error.kind === 'schema' ? r.error.issues : 'not JSON'}); asking xl info before the first decisions` };
}

/** The recorded `xl info` name while the kernel still has the name it had then; null otherwise. */
export function recordedHostName(file: string, kernel: string): { host: string | null; problem: string | null } {
  const { record, problem } = read(file);
  return { host: record !== null && record.kernel === kernel ? record.host : null, problem };
}

/** Records `host` for `kernel`, writing only when the record says something else. */
export function saveHostName(file: string, kernel: string, host: string): string | null {
  // a name the record could not be read back with is not written
  if (!HOST_NAME_RE.test(kernel) || !HOST_NAME_RE.test(host)) return null;
  const { record } = read(file);
  if (record !== null && record.kernel === kernel && record.host === host) return null;
  const w = writeFileAtomic(file, `${JSON.stringify({ kernel, host })}\n`);
  return w.ok ? null : w.error.message;
}
