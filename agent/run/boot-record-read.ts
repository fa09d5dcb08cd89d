import { lstatSync } from 'node:fs';
import * as z from 'zod';
import { duplicateKeyText, findDuplicateKey } from '../../shared/json-duplicate-keys.js';
import { DOMU_NAME_RE } from '../../shared/names.js';
import { withoutByteOrderMark } from '../../shared/json-file-text.js';
import { readRegularSync } from '../../shared/fs/regular-file.js';
import { BOOT_ID_RE } from './boot-record-id.js';

/**
 * A boot record read back as strictly as live input (boot-record.ts says why): a regular file (no
 * symlink, no FIFO that would block the daemon), JSON with each key once, every name a domU name.
 */
const RecordSchema = z.strictObject({
  bootId: z.string().regex(BOOT_ID_RE, 'a boot id').optional(),
  handled: z.array(z.string().regex(DOMU_NAME_RE, 'a domU name')).max(100_000),
});

/** A record read: the domUs it names, its boot (null: unknown) and when it was written. */
export interface OnDisk {
  readonly handled: readonly string[];
  /** null: unknown (boot-record.ts, rule 3) */
  readonly bootId: string | null;
  readonly mtimeMs: number;
}

/** A file that is there and is not a record: why, and when it was written (null: not known). */
export interface Unread {
  readonly problem: string;
  readonly mtimeMs: number | null;
}

/** FILE's mtime; undefined when there is no FILE, null when it cannot be read. */
export function mtimeOf(file: string): number | null | undefined {
  try {
    return lstatSync(file).mtimeMs;
  } catch (e) {
    return e instanceof Error && 'code' in e && e.code === 'ENOENT' ? undefined : null;
  }
}

/**
 * The record at FILE; null when there is none. Without an inline `bootId`, its boot is what
 * BOOT_ID_BESIDE says of its text (the id file pairs with the record alone: null for a copy set aside).
 */
export function readRecordFile(file: string, bootIdBeside: ((text: string) => string | null) | null): OnDisk | Unread | null {
  const got = readRegularSync(file, { maxBytes: 8 * 1024 * 1024 });
  if (!got.ok) {
    return got.error.errno === 'ENOENT' ? null : { problem: got.error.message, mtimeMs: mtimeOf(file) ?? null };
  }
  let raw: unknown;
  // a byte-order mark (an editor's) is not part of the JSON
  const json = withoutByteOrderMark(got.value.text);
  try {
    raw = JSON.parse(json);
  } catch (e) {
    return { problem: `${file}: not JSON (${e instanceof Error ? e.message : String(e)})`, mtimeMs: got.value.mtimeMs };
  }
  // xenherd writes each key once; two mean another writer, and the last one is not more right
  const twice = findDuplicateKey(json);
  if (twice !== null) return { problem: `${duplicateKeyText(file, twice)}: not a boot record`, mtimeMs: got.value.mtimeMs };
  const r = RecordSchema.safeParse(raw);
  if (!r.success) {
    return { problem: `${file}: not a boot record (${r.error.issues[0]?.path.join('.') || 'record'}: ${r.error.issues[0]?.message ?? 'invalid'})`, mtimeMs: got.value.mtimeMs };
  }
  if (r.data.bootId !== undefined) return { bootId: r.data.bootId, handled: r.data.handled, mtimeMs: got.value.mtimeMs };
  return { bootId: bootIdBeside === null ? null : bootIdBeside(got.value.text), handled: r.data.handled, mtimeMs: got.value.mtimeMs };
}
