import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import { emptyLedger, LedgerSchema, type Ledger } from '../state/ledger.js';
import { takeLock } from './file-lock.js';

/**
 * The ledger on disk: `<stateDir>/ledger.json`, and `ledger.json.bak`, the last good copy.
 *
 * Write: the new text goes to a temp file (fsync), is renamed over ledger.json, the directory is
 * fsynced; then the same text replaces ledger.json.bak the same way. A kill at any point leaves
 * ledger.json either the old or the new complete file, and the .bak a complete copy too.
 * Read: JSON + the zod schema; a file that fails either is XH_ERR_LEDGER_CORRUPT, the file is
 * left as it is (evidence), and nothing is written until an operator has decided.
 */
export const LEDGER_FILE = 'ledger.json';

export interface LedgerStore {
  readonly path: string;
  read(): Result<Ledger, XhError>;
  /** lock, read, apply, write (seq + 1); `change` returning null writes nothing */
  update(change: (l: Ledger) => Ledger | null): Promise<Result<Ledger, XhError>>;
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** temp, fsync, rename, fsync dir */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

function parse(path: string, text: string): Result<Ledger, XhError> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return err({ code: 'XH_ERR_LEDGER_CORRUPT', message: `${path}: not JSON (${(e as Error).message}); the last good copy is ${path}.bak: refusing to guess` });
  }
  const r = LedgerSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    return err({ code: 'XH_ERR_LEDGER_CORRUPT', message: `${path}: ${i?.path.join('.') || 'ledger'}: ${i?.message ?? 'invalid'}; the last good copy is ${path}.bak: refusing to guess` });
  }
  return ok(r.data);
}

export function ledgerStore(stateDir: string, host: string): LedgerStore {
  const path = join(stateDir, LEDGER_FILE);
  const bak = `${path}.bak`;
  const read = (): Result<Ledger, XhError> => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return err({ code: 'XH_ERR_FILE', message: `${path}: ${(e as Error).message}` });
      // never written: empty. A .bak without the file means someone removed it: do not guess.
      if (existsSync(bak)) return err({ code: 'XH_ERR_LEDGER_CORRUPT', message: `${path} is missing but ${bak} exists: refusing to guess (copy the .bak back if it is right)` });
      return ok(emptyLedger(host));
    }
    return parse(path, text);
  };
  return {
    path,
    read,
    update: async (change) => {
      const lock = await takeLock(`${path}.lock`, 'the ledger', 10_000);
      if (!lock.ok) return lock;
      try {
        const cur = read();
        if (!cur.ok) return cur;
        const next = change(cur.value);
        if (next === null) return cur;
        const text = `${JSON.stringify({ ...next, seq: cur.value.seq + 1 }, null, 2)}\n`;
        const checked = parse(path, text);
        if (!checked.ok) return err({ code: 'XH_ERR_INTERNAL', message: `refusing to write an invalid ledger: ${checked.error.message}` });
        try {
          writeFileAtomic(path, text);
          writeFileAtomic(bak, text);
        } catch (e) {
          rmSync(`${path}.tmp-${process.pid}`, { force: true });
          rmSync(`${bak}.tmp-${process.pid}`, { force: true });
          return err({ code: 'XH_ERR_FILE', message: `${path}: cannot write: ${(e as Error).message}` });
        }
        return checked;
      } finally {
        lock.value.release();
      }
    },
  };
}
