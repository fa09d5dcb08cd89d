import { lstatSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { duplicateKeyText, findDuplicateKey } from '../../shared/json-duplicate-keys.js';
import { DOMU_NAME_RE, DRBD_RESOURCE_RE } from '../../shared/names.js';
import { err, ok, type Result } from '../../shared/result.js';
import { writeFileAtomic } from '../../shared/fs/atomic-file.js';
import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import { ensurePrivateDir } from '../../shared/fs/private-dir.js';

/**
 * A start in flight, on disk: `<stateDir>/starting/NAME.json` holds the pid of the `xl create`
 * running for NAME (of the agent itself while it takes the domU's DRBD resources Primary first).
 * An agent killed mid-start leaves it behind; the next agent waits while that process lives (it
 * may still be creating the domain, and `xl list` may not show it yet) instead of starting the
 * domU a second time. The create's pid is written before the create may run (the runner starts
 * it held, adapters/held-start.ts), so a record naming only a dead agent means no create of it
 * runs: written after the spawn, an agent killed in between left the create running unrecorded,
 * which KillMode=process (the unit) and a plain restart both leave alive.
 *
 * Every field read back is checked as strictly as live input: a record whose `name` held
 * `../../…` once made the daemon delete a file outside the state dir (it removes leftovers by
 * name). So the name must be a domU name and the record's own file name, paths are absolute and
 * printable, and `starting/` must be xenherd's own directory (not a symlink to somewhere else);
 * otherwise nothing in it is read, written or removed.
 */
const IntentSchema = z.strictObject({
  name: z.string().regex(DOMU_NAME_RE, 'a domU name'),
  // a pid_t (a positive 32-bit int); the in-process harness uses fake pids above any real one
  pid: z.number().int().positive().max(2_147_483_647),
  configPath: z.string().max(4096).regex(/^\/[^\x00-\x1f\x7f]*$/, 'an absolute path without control characters'),
  at: z.iso.datetime({ offset: true }),
  /**
   * the DRBD resources the start took Primary before its `xl create` (core/claims.ts): an agent
   * that died between the two left them Primary with nothing running; the next one gives them back
   */
  claimed: z.array(z.string().regex(DRBD_RESOURCE_RE, 'a DRBD resource name')).max(64).optional(),
});
export type StartIntent = z.infer<typeof IntentSchema>;

const MAX_RECORD_BYTES = 64 * 1024;

export class StartIntents {
  private readonly dir: string;
  constructor(stateDir: string) {
    this.dir = join(stateDir, 'starting');
  }

  /** Records a start; throws an Error naming the file and the fix when it cannot. */
  write(intent: StartIntent): void {
    const checked = IntentSchema.safeParse(intent);
    if (!checked.success) throw new Error(`refusing to record a start for ${JSON.stringify(intent.name)}: ${checked.error.issues[0]?.message ?? 'invalid'}`);
    const dir = ensurePrivateDir(this.dir, { create: true, repair: false });
    if (!dir.ok) throw new Error(dir.error.message);
    const w = writeFileAtomic(join(this.dir, `${intent.name}.json`), JSON.stringify(checked.data));
    if (!w.ok) throw new Error(w.error.message);
  }

  /** Removes NAME's record; false when nothing was removed (NAME is not a domU name, starting/ is missing or not xenherd's own). */
  remove(name: string): boolean {
    if (!DOMU_NAME_RE.test(name) || !ensurePrivateDir(this.dir, { create: false, repair: false }).ok) return false;
    return unlink(join(this.dir, `${name}.json`));
  }

  /**
   * Every valid record. An invalid one never started anything we know of: it is removed (only its
   * name in starting/; a planted symlink's target is not touched) and reported to `onProblem`.
   */
  readAll(onProblem: (message: string) => void = () => undefined): StartIntent[] {
    try {
      lstatSync(this.dir);
    } catch {
      return [];
    }
    const dir = ensurePrivateDir(this.dir, { create: false, repair: false });
    if (!dir.ok) {
      onProblem(`${dir.error.message}; start records there are ignored`);
      return [];
    }
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.json'));
    } catch (e) {
      onProblem(`${this.dir}: ${(e as Error).message}`);
      return [];
    }
    const out: StartIntent[] = [];
    for (const n of names.sort()) {
      const file = join(this.dir, n);
      const r = check(file, n.slice(0, -'.json'.length));
      if (r.ok) out.push(r.value);
      else onProblem(`${r.error}: ${unlink(file) ? 'removed' : 'cannot be removed: remove it'}`);
    }
    return out;
  }
}

/** the record in `file`, or a sentence naming `file` and why it is not a valid record for `name` */
function check(file: string, name: string): Result<StartIntent, string> {
  const text = readRegularFileSync(file, { maxBytes: MAX_RECORD_BYTES });
  if (!text.ok) return err(text.error.message);
  let raw: unknown;
  try {
    raw = JSON.parse(text.value);
  } catch {
    return err(`${file}: not JSON`);
  }
  // JSON.parse would take the last of the two: which domU or process the record means is a guess
  const twice = findDuplicateKey(text.value);
  if (twice !== null) return err(`${duplicateKeyText(file, twice)}: not a start record`);
  const r = IntentSchema.safeParse(raw);
  if (!r.success) return err(`${file}: not a start record (${r.error.issues[0]?.path.join('.') || 'record'}: ${r.error.issues[0]?.message ?? 'invalid'})`);
  if (r.data.name !== name) return err(`${file}: names ${JSON.stringify(r.data.name)}, not ${name}`);
  return ok(r.data);
}

/** unlink (never recursive): true when the name is gone */
function unlink(file: string): boolean {
  try {
    unlinkSync(file);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * Whether pid is a live (not zombie) process of the agent's own user (OWN_UID, its real and
 * effective uid) whose command line mentions the config path: the holding shell's (its argv
 * carries the create's) until it execs `xl create` under the same pid. The owner matters once the
 * create has ended: any user on the Dom0 may get its pid again with a process whose arguments say
 * `create` and the config path, and would hold that domU for as long as that process lives.
 */
export function createStillRunning(intent: StartIntent, ownUid: number = process.geteuid?.() ?? 0): boolean {
  try {
    const stat = readFileSync(`/proc/${intent.pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(readFileSync(`/proc/${intent.pid}/status`, 'utf8'));
    if (uids === null || Number(uids[1]) !== ownUid || Number(uids[2]) !== ownUid) return false;
    const cmdline = readFileSync(`/proc/${intent.pid}/cmdline`, 'utf8').split('\0');
    return cmdline.includes(intent.configPath) && cmdline.includes('create');
  } catch {
    return false;
  }
}
