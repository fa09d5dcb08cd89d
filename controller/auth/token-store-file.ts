import { statSync } from 'node:fs';
import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import { join } from 'node:path';
import { writeOwnFile } from '../files/atomic-write.js';
import { takeLock } from '../../shared/fs/file-lock.js';
import type { XhError } from '../../shared/errors.js';
import { describeIssue } from '../../shared/json-config.js';
import { duplicateKeyText, findDuplicateKey } from '../../shared/json-duplicate-keys.js';
import { withoutByteOrderMark } from '../../shared/json-file-text.js';
import { err, ok, type Result } from '../../shared/result.js';
import { emptyTokenStore, TokenStoreSchema, type TokenStore } from './tokens.js';

export const tokenStorePath = (stateDir: string): string => join(stateDir, 'tokens.json');

/** Reads STATE_DIR/tokens.json; a missing file is an empty store. */
export function readTokenStore(file: string): Result<TokenStore, XhError> {
  const read = readRegularFileSync(file, { symlinks: 'follow' });
  if (!read.ok) return read.error.errno === 'ENOENT' ? ok(emptyTokenStore()) : err(read.error);
  const text = read.value;
  let raw: unknown;
  const json = withoutByteOrderMark(text);
  try {
    raw = JSON.parse(json);
  } catch {
    return err({ code: 'XH_ERR_CONFIG', message: `${file}: not valid JSON: restore it from a backup, or remove it and enroll every agent again` });
  }
  // JSON.parse would quietly keep the last of the two: a "role": "read" written above an older
  // "operate" would leave the token able to operate. Refused, an enroll does not write over it.
  const twice = findDuplicateKey(json);
  if (twice !== null) return err({ code: 'XH_ERR_CONFIG', message: `${duplicateKeyText(file, twice)}: keep one (the right one), or restore the file from a backup` });
  const parsed = TokenStoreSchema.safeParse(raw);
  if (!parsed.success) {
    // a hand edit gone wrong: name the key, and how to get a good file back
    const what = parsed.error.issues.slice(0, 3).map((i) => describeIssue(file, i, 'README, "The controller and xenherdctl"'));
    const more = parsed.error.issues.length > 3 ? ` (and ${parsed.error.issues.length - 3} more)` : '';
    return err({ code: 'XH_ERR_CONFIG', message: `${what.join('; ')}${more}: fix it, or restore the file from a backup` });
  }
  return ok(parsed.data);
}

/** Writes owner-only (0600, directory 0700), atomically. */
export const writeTokenStore = (file: string, store: TokenStore): Result<void, XhError> => writeOwnFile(file, `${JSON.stringify(store, null, 2)}\n`);

/** How long an enroll waits for another enroll (or operator) to finish with tokens.json. */
export const TOKEN_STORE_LOCK_WAIT_MS = 10_000;

/**
 * Reads tokens.json, lets CHANGE edit it, and writes it back, holding FILE.lock throughout: two
 * enrolls at once would otherwise each write the store as it was before the other's token, and
 * one printed token would never work. CHANGE's error leaves the file as it was.
 */
export async function updateTokenStore<T>(file: string, change: (store: TokenStore) => Result<T, XhError>): Promise<Result<T, XhError>> {
  const lock = await takeLock(`${file}.lock`, 'tokens.json', TOKEN_STORE_LOCK_WAIT_MS);
  if (!lock.ok) return lock;
  try {
    const store = readTokenStore(file);
    if (!store.ok) return store;
    const changed = change(store.value);
    if (!changed.ok) return changed;
    const w = writeTokenStore(file, store.value);
    return w.ok ? changed : w;
  } finally {
    lock.value.release();
  }
}

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
    /** 'tokens-unreadable' (the last good store is kept) or 'tokens-gone' (the store is empty now), and what to say */
    private readonly onProblem: (event: 'tokens-unreadable' | 'tokens-gone', message: string) => void,
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
      else this.onProblem('tokens-unreadable', `tokens unreadable, keeping the last good ones: ${r.error.message}`);
      // a store that held tokens and is now gone empties the book: said, as a revocation should be
      if (stamp === 'missing' && r.ok && this.stamp !== '' && this.stamp !== 'missing') this.onProblem('tokens-gone', `${this.file} is gone: no token works until it is back (restore it from a backup, or enroll again)`);
      this.stamp = stamp;
    }
    return this.store;
  }
}
