import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import { emptyLedger, LEDGER_SCHEMA_VERSION, LedgerSchema, type Ledger } from '../state/ledger.js';
import { withoutByteOrderMark } from '../../shared/json-file-text.js';
import { duplicateKeyText, findDuplicateKey } from '../../shared/json-duplicate-keys.js';
import { writeFileAtomic as atomicWrite } from '../../shared/fs/atomic-file.js';
import { holderLineState, takeLock } from '../../shared/fs/file-lock.js';
import { interruptedMigrations } from '../state/interrupted.js';
import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import { ensurePrivateDir } from '../../shared/fs/private-dir.js';
import { isNoRoomErrno, NO_ROOM_TEXT } from '../../shared/protocol/state-disk.js';

/**
 * The ledger on disk: `<stateDir>/ledger.json`, and `ledger.json.bak`, the last good copy.
 *
 * Write (under `ledger.json.lock`): the new text replaces ledger.json through the atomic-file
 * helper (exclusive temp file, fsync, rename, fsync dir), then ledger.json.bak the same way. A
 * kill at any point leaves ledger.json either the old or the new complete file, and the .bak a
 * complete copy too; ledger.json's seq is then equal to the .bak's or one more.
 * Read: only a regular file (never through a symlink, never blocking on a FIFO), JSON with no
 * key twice in one object, the zod schema, written for this Dom0 (`host`), and not older than its
 * .bak. Anything else is XH_ERR_LEDGER_CORRUPT naming the file and the fix; the files are left as
 * they are (evidence), and nothing is written until an operator has decided.
 */
export const LEDGER_FILE = 'ledger.json';
/** 40,000 records at ~200 bytes are 8 MB */
const MAX_LEDGER_BYTES = 64 * 1024 * 1024;

export interface LedgerStore {
  readonly path: string;
  read(): Result<Ledger, XhError>;
  /** lock, read, apply, write (seq + 1); `change` returning null writes nothing */
  update(change: (l: Ledger) => Ledger | null): Promise<Result<Ledger, XhError>>;
}

/** temp, fsync, rename, fsync dir (throws; kept for old callers: use agent/adapters/atomic-file.ts) */
export function writeFileAtomic(path: string, text: string): void {
  const r = atomicWrite(path, text);
  if (!r.ok) throw new Error(r.error.message);
}

const corrupt = (message: string): Result<never, XhError> => err({ code: 'XH_ERR_LEDGER_CORRUPT', message });

/**
 * seq counts writes, and a write stores seq + 1: past Number.MAX_SAFE_INTEGER that sum is no
 * longer exact, and the .bak comparison would compare rounded numbers. Only a hand edit gets
 * there; a seq beyond it is refused when read, and one at it when a write would pass it.
 */
const seqAtEnd = (path: string, seq: number): Result<never, XhError> =>
  corrupt(`${path}: "seq" is ${seq}, but writes are counted only up to ${Number.MAX_SAFE_INTEGER}, so none can follow: set "seq" to 1 in ${path} and in the .bak beside it; nothing was changed`);

/** LAST_GOOD: what to say of the .bak ("the last good copy is …", or that there is none) */
function parse(path: string, text: string, host: string, lastGood: string): Result<Ledger, XhError> {
  let raw: unknown;
  // a byte-order mark (an editor's) is not part of the JSON
  const json = withoutByteOrderMark(text);
  try {
    raw = JSON.parse(json);
  } catch (e) {
    return corrupt(`${path}: not JSON (${(e as Error).message}); ${lastGood}: refusing to guess`);
  }
  // JSON.parse would keep the last of the two, and a record hand-edited above an older one lost
  const twice = findDuplicateKey(json);
  if (twice !== null) return corrupt(`${duplicateKeyText(path, twice)}: keep the right one; ${lastGood}: refusing to guess`);
  const schema = typeof raw === 'object' && raw !== null && 'schema' in raw ? raw.schema : undefined;
  if (typeof schema === 'number' && schema > LEDGER_SCHEMA_VERSION) {
    return corrupt(`${path}: written by a newer xenherd (ledger schema ${schema}; this agent reads schema ${LEDGER_SCHEMA_VERSION}): upgrade xenherd-agent on this Dom0; nothing was changed`);
  }
  const seq = typeof raw === 'object' && raw !== null && 'seq' in raw ? raw.seq : undefined;
  if (typeof seq === 'number' && seq > Number.MAX_SAFE_INTEGER) return seqAtEnd(path, seq);
  const r = LedgerSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    return corrupt(`${path}: ${i?.path.join('.') || 'ledger'}: ${i?.message ?? 'invalid'}; ${lastGood}: refusing to guess`);
  }
  if (r.data.host !== host) {
    return corrupt(
      `${path}: written for host "${r.data.host}", but this Dom0 is "${host}": refusing another Dom0's ledger. ` +
        `If this Dom0 was renamed, set "host" to "${host}" in ${path} and ${path}.bak; if the files were copied here from ${r.data.host}, move them away`,
    );
  }
  return ok(r.data);
}

/** The file's text; empty `unsettled` and `inflight` tables are left out, so agents that never knew them still read the file. */
export function ledgerText(l: Ledger): string {
  const { unsettled, inflight, ...rest } = l;
  const text = { ...rest, ...(Object.keys(unsettled).length > 0 ? { unsettled } : {}), ...(Object.keys(inflight).length > 0 ? { inflight } : {}) };
  return `${JSON.stringify(text, null, 2)}\n`;
}

/** ledger.json must be the regular file xenherd wrote; which errors mean "it is not" */
const NOT_A_LEDGER = new Set(['ELOOP', 'EISDIR', 'ENOTREG', 'EFBIG']);

/**
 * Where a failed .bak write is told. The default is stderr: the daemon's goes to the journal, a
 * command's to the operator; a caller with its own channel (a CLI's io) passes it.
 */
export type LedgerWarn = (message: string) => void;
const warnOnStderr: LedgerWarn = (m) => void process.stderr.write(`xenherd-agent: warning: ${m}\n`);

/**
 * A write of the ledger (or its last good copy) that failed for a full, over-quota or read-only
 * filesystem, WHAT naming it: a command tells the running agent, whose report then names it.
 */
export type LedgerNoRoom = (what: string) => Promise<void>;

export function ledgerStore(stateDir: string, host: string, warn: LedgerWarn = warnOnStderr, noRoom: LedgerNoRoom | null = null): LedgerStore {
  const path = join(stateDir, LEDGER_FILE);
  const bak = `${path}.bak`;
  const exists = (p: string): boolean => {
    try {
      lstatSync(p);
      return true;
    } catch {
      return false;
    }
  };
  /** a valid .bak newer than ledger.json: someone put an older ledger.json back; a record may be missing */
  const newerBak = (cur: Ledger): Result<never, XhError> | null => {
    const text = readRegularFileSync(bak, { maxBytes: MAX_LEDGER_BYTES });
    if (!text.ok) return null;
    const b = parse(bak, text.value, host, '');
    if (!b.ok || b.value.seq <= cur.seq) return null;
    return corrupt(
      `${path} (seq ${cur.seq}) is older than ${bak} (seq ${b.value.seq}): records may be missing from ${path}; refusing to guess which is right: ` +
        `if the .bak is right, cp ${bak} ${path}; if ${path} is, rm ${bak}`,
    );
  };
  const read = (): Result<Ledger, XhError> => {
    const text = readRegularFileSync(path, { maxBytes: MAX_LEDGER_BYTES });
    if (!text.ok) {
      if (NOT_A_LEDGER.has(text.error.errno)) {
        return corrupt(`${text.error.message}; ${path} must be the regular file xenherd writes: move it away (the last good copy is ${bak}: copy it back if it is right)`);
      }
      if (text.error.errno !== 'ENOENT') return err({ code: 'XH_ERR_FILE', message: text.error.message });
      // never written: empty. A .bak without the file means someone removed it: do not guess.
      if (exists(bak)) return corrupt(`${path} is missing but ${bak} exists: refusing to guess (copy the .bak back if it is right)`);
      return ok(emptyLedger(host));
    }
    const cur = parse(path, text.value, host, exists(bak) ? `the last good copy is ${bak}` : `there is no ${bak} to compare with`);
    if (!cur.ok) return cur;
    // a migration whose process is gone reads as unsettled; the next write keeps it so
    return newerBak(cur.value) ?? ok(interruptedMigrations(cur.value, holderLineState));
  };
  /** the ledger changed and written; FAILED hears of each write a full or read-only filesystem refused */
  const write = async (change: (l: Ledger) => Ledger | null, failed: (what: string) => void): Promise<Result<Ledger, XhError>> => {
    // never write into a dir others can write to (they could plant files there); a dir that is
    // only too readable is the daemon's and CLI's to repair and log (openStateDir)
    const dir = ensurePrivateDir(stateDir, { create: true, repair: false });
    if (!dir.ok) return err({ code: dir.error.code, message: `${dir.error.message}; the ledger is not written there` });
    const lock = await takeLock(`${path}.lock`, 'the ledger', 10_000);
    if (!lock.ok) {
      // on a full filesystem the lock's own small file is the first write refused
      if (NO_ROOM_TEXT.test(lock.error.message)) failed("the migration ledger's lock");
      return lock;
    }
    try {
      const cur = read();
      if (!cur.ok) return cur;
      const next = change(cur.value);
      if (next === null) return cur;
      if (cur.value.seq >= Number.MAX_SAFE_INTEGER) return seqAtEnd(path, cur.value.seq);
      const text = ledgerText({ ...next, seq: cur.value.seq + 1 });
      const checked = parse(path, text, host, 'the file on disk is unchanged');
      if (!checked.ok) return err({ code: 'XH_ERR_INTERNAL', message: `refusing to write an invalid ledger: ${checked.error.message}` });
      const w = atomicWrite(path, text);
      if (!w.ok) {
        if (isNoRoomErrno(w.error.errno)) failed('the migration ledger');
        return err({ code: 'XH_ERR_FILE', message: `cannot write the ledger: ${w.error.message}` });
      }
      // ledger.json holds the change now, so it is reported as made even if the copy fails: a
      // .bak one write behind is what a kill between the two renames leaves too, and harmless.
      // Said all the same: a .bak that keeps failing (full disk, a dir in its place) falls ever
      // further behind, and is no last good copy when ledger.json is damaged
      const b = atomicWrite(bak, text);
      if (!b.ok) {
        if (isNoRoomErrno(b.error.errno)) failed(`the migration ledger's last good copy (${LEDGER_FILE}.bak)`);
        warn(`${bak}: the ledger's last good copy was not updated (${b.error.message}); ${path} holds the change (seq ${checked.value.seq}): free space or move away what is at ${bak}, the next ledger write rewrites it`);
      }
      return checked;
    } finally {
      lock.value.release();
    }
  };
  return {
    path,
    read,
    update: async (change) => {
      const failed: string[] = [];
      const r = await write(change, (what) => failed.push(what));
      // told after the lock is let go: the agent told may want the ledger itself
      for (const what of failed) if (noRoom !== null) await noRoom(what);
      return r;
    },
  };
}
