import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { err, ok } from '../../shared/result.js';
import type { FileFailure, HostFiles } from '../../agent/host/files.js';

/**
 * The host's files for an agent core inside a test, read synchronously: a read then completes
 * within the same turn of the event loop, so the deterministic clock's `advance` never overtakes
 * it and a run replays exactly.
 */
const failure = (path: string, e: unknown): FileFailure => {
  const errno = (e as NodeJS.ErrnoException).code ?? 'EIO';
  return { code: 'XH_ERR_FILE', path, errno, message: `${path}: ${errno === 'ENOENT' ? 'does not exist' : errno}` };
};

export function syncHostFiles(root: string): HostFiles {
  const real = (p: string): string => join(root, p);
  const display = (p: string): string => `${p} (under ${root})`;
  const readTextSync: HostFiles['readTextSync'] = (p) => {
    try {
      return ok(readFileSync(real(p), 'utf8'));
    } catch (e) {
      return err(failure(display(p), e));
    }
  };
  return {
    display,
    readText: async (p) => readTextSync(p),
    readTextSync,
    access: (p) => {
      const st = statSync(real(p), { throwIfNoEntry: false });
      return st === undefined ? null : { mode: st.mode, uid: st.uid };
    },
    list: async (p) => {
      try {
        return ok(readdirSync(real(p)).sort());
      } catch (e) {
        return err(failure(display(p), e));
      }
    },
  };
}
