import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../../shared/fs/atomic-file.js';
import { readRegularFileSync, type FileFailure } from '../../shared/fs/regular-file.js';
import type { Result } from '../../shared/result.js';

/**
 * The boot a boot record belongs to, kept beside it (`autostart-boot.id` next to
 * `autostart-boot.json`) rather than in it: agents older than the boot id read the record with a
 * strict schema that refuses any key but `handled`, and an agent downgraded mid-boot that cannot
 * read the record starts again the domUs an operator stopped. Older agents cannot be changed, so
 * the record stays in their format and the boot id goes to a file they never look at.
 *
 * The id file says which record it was written with: one line, `<boot id> sha256:<hex of the
 * record's bytes>`. The agent writes it after each record; an older agent rewrites only the record
 * (and only after adding a name, so never the same bytes). A record whose digest is not the one in
 * the id file was therefore written by someone else after the id file (or the id file's write was
 * cut short): the id file says nothing of it. Pairing by content, not by mtime, because a step of
 * the system clock between the two writes would make mtimes lie about which came last.
 */
export const BOOT_ID_RE = /^[A-Za-z0-9-]{1,64}$/;
const ID_LINE_RE = /^([A-Za-z0-9-]{1,64}) sha256:([0-9a-f]{64})\n?$/;

/** autostart-boot.json → autostart-boot.id, same dir */
export const bootIdFileOf = (recordFile: string): string => join(dirname(recordFile), `${basename(recordFile, '.json')}.id`);

export const recordDigest = (recordText: string): string => createHash('sha256').update(recordText, 'utf8').digest('hex');

/** What the id file says: the boot of the record with that digest; null when absent; a problem when it is not an id file. */
export function readBootIdFile(recordFile: string): { readonly bootId: string; readonly digest: string } | { readonly problem: string } | null {
  const file = bootIdFileOf(recordFile);
  // a few dozen bytes when xenherd wrote it
  const text = readRegularFileSync(file, { maxBytes: 1024 });
  if (!text.ok) return text.error.errno === 'ENOENT' ? null : { problem: `${text.error.message}; the boot of the record is judged without it` };
  const m = ID_LINE_RE.exec(text.value);
  if (m === null) return { problem: `${file}: not a boot id file (one line: a boot id, "sha256:" and the record's digest); the boot of the record is judged without it` };
  return { bootId: m[1]!, digest: m[2]! };
}

/** Writes the id file for the record just written as RECORDTEXT (after it: a crash between leaves a record the id file does not name). */
export function writeBootIdFile(recordFile: string, bootId: string, recordText: string): Result<void, FileFailure> {
  return writeFileAtomic(bootIdFileOf(recordFile), `${bootId} sha256:${recordDigest(recordText)}\n`);
}
