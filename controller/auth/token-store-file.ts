import { statSync } from 'node:fs';
import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import { join } from 'node:path';
import { writeOwnFile } from '../files/atomic-write.js';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import { emptyTokenStore, TokenStoreSchema, type TokenStore } from './tokens.js';

export const tokenStorePath = (stateDir: string): string => join(stateDir, 'tokens.json');

/** Reads STATE_DIR/tokens.json; a missing file is an empty store. */
export function readTokenStore(file: string): Result<TokenStore, XhError> {
  const read = readRegularFileSync(file, { symlinks: 'follow' });
  if (!read.ok) return read.error.errno === 'ENOENT' ? ok(emptyTokenStore()) : err(read.error);
  const text = read.value;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return err({ code: 'XH_ERR_CONFIG', message: `${file}: not valid JSON: restore it from a backup, or remove it and enroll every agent again` });
  }
  const parsed = TokenStoreSchema.safeParse(raw);
  if (!parsed.success) return err({ code: 'XH_ERR_CONFIG', message: `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` });
  return ok(parsed.data);
}

/** Writes owner-only (0600, directory 0700), atomically. */
export const writeTokenStore = (file: string, store: TokenStore): Result<void, XhError> => writeOwnFile(file, `${JSON.stringify(store, null, 2)}\n`);

/**
 * The server's view of tokens.json: re-read whenever the file changed (mtime, size or inode), so
 * `xenherd-controller enroll` takes effect on the running controller without a restart. A file
 * that turns unreadable keeps the last good store (and says so once).
 */
export class TokenBook {
  private store: TokenStore = emptyTokenStore();
  private stamp = '';

  constructor(
    private readonly file: string,
    private readonly onProblem: (message: string) => void,
  ) {}

  current(): TokenStore {
    let stamp = 'missing';
    try {
      const st = statSync(this.file);
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      // a missing file is an empty store
    }
    if (stamp !== this.stamp) {
      const r = readTokenStore(this.file);
      if (r.ok) this.store = r.value;
      else this.onProblem(r.error.message);
      this.stamp = stamp;
    }
    return this.store;
  }
}
