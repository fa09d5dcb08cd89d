import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import { ensurePrivateDir } from '../../shared/fs/private-dir.js';
import { asideName, setAside } from '../../shared/fs/set-aside.js';
import { HostNameSchema } from '../../shared/protocol/agent-link-values.js';
import { ROLL_RECORDS_NAME, type RollProgress, type RollRecords } from '../plan/roll-record.js';
import { writeOwnFile } from './atomic-write.js';

export const ROLL_RECORDS_FILE = ROLL_RECORDS_NAME;

const BootId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/);
const RollProgressSchema = z.strictObject({
  controller: z.string().min(1).max(300),
  hosts: z.array(HostNameSchema).max(256),
  at: z.number().int().nonnegative(),
  finished: z.record(HostNameSchema, BootId),
});
const RollRecordsSchema = z.strictObject({ version: z.literal(1), rolls: z.array(RollProgressSchema).max(64) });

// the schema is the type: a record read back is the pure room's RollProgress
const asProgress: (r: z.infer<typeof RollProgressSchema>) => RollProgress = (r) => r;

/** What is read back: the records, why the file is not used (null: it is, or there is none), and whether that is its content's fault. */
interface Read {
  readonly records: readonly RollProgress[];
  readonly problem: string | null;
  /** a file is there that is not a record of rolls: set aside before anything is written in its place */
  readonly unreadable: boolean;
}

/**
 * The roll records in DIR/roll-progress.json (roll-record.ts says what they are). Written whole
 * (atomic, 0600) in a directory that is the controller's alone; read back only from such a
 * directory (one others can write to could hold a planted record that skips a host's reboot),
 * as a regular file, checked against the schema. A record that cannot be read is said and
 * treated as none: the roll then drains and reboots its hosts again, as it did before records.
 * The file is moved to roll-progress.json.unreadable (shared/fs/set-aside.ts) before the next save
 * writes in its place: it may hold other stopped rolls' progress, for a person to mend; a file
 * that cannot be moved is not written over.
 */
export function rollRecordsFile(dir: string): RollRecords {
  const file = join(dir, ROLL_RECORDS_FILE);
  const unreadable = (problem: string): Read => ({ records: [], problem: `${problem}; the next save of a roll's progress moves it to ${asideName(file)}`, unreadable: true });
  const read = (): Read => {
    const d = ensurePrivateDir(dirname(file), { create: false, repair: false });
    if (!d.ok) return { records: [], problem: d.error.problem === 'missing' ? null : d.error.message, unreadable: false };
    const got = readRegularFileSync(file);
    if (!got.ok) return got.error.errno === 'ENOENT' ? { records: [], problem: null, unreadable: false } : unreadable(got.error.message);
    let raw: unknown;
    try {
      raw = JSON.parse(got.value);
    } catch {
      return unreadable(`${file}: not valid JSON`);
    }
    const parsed = RollRecordsSchema.safeParse(raw);
    if (!parsed.success) return unreadable(`${file}: not a record of rolls (${parsed.error.issues[0]?.message ?? 'unreadable'})`);
    return { records: parsed.data.rolls.map(asProgress), problem: null, unreadable: false };
  };
  return {
    load: () => {
      const { records, problem } = read();
      return { records, problem };
    },
    save: (records) => {
      if (read().unreadable) {
        const failed = setAside(file);
        if (failed !== null) return `${file} is not a record of rolls and could not be moved to ${asideName(file)} (${failed}): not written over`;
      }
      if (records.length === 0) {
        try {
          rmSync(file, { force: true });
          return null;
        } catch (e) {
          return `${file}: ${(e as Error).message}`;
        }
      }
      const w = writeOwnFile(file, `${JSON.stringify({ version: 1, rolls: records }, null, 2)}\n`);
      return w.ok ? null : w.error.message;
    },
  };
}
