import { lstatSync, readlinkSync, statSync } from 'node:fs';
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

/** Where FILE links to when it is a symbolic link; null when it is not one (or is not there). */
function linkTarget(file: string): string | null {
  try {
    return lstatSync(file).isSymbolicLink() ? readlinkSync(file) : null;
  } catch {
    return null;
  }
}

/**
 * Reads STATE_DIR/tokens.json; a missing file is an empty store. A symbolic link to a missing file
 * is not: a store kept on another disk that is not mounted would read as "no tokens", and the next
 * enroll would write a store holding its one token, every other agent's and operator's lost.
 */
export function readTokenStore(file: string): Result<TokenStore, XhError> {
  const read = readRegularFileSync(file, { symlinks: 'follow' });
  if (!read.ok && read.error.errno === 'ENOENT') {
    const to = linkTarget(file);
    if (to === null) return ok(emptyTokenStore());
    return err({ code: 'XH_ERR_CONFIG', message: `${file} is a symbolic link to ${JSON.stringify(to)}, which does not exist: mount or restore it, or remove the link to start with no tokens` });
  }
  if (!read.ok) return err(read.error);
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
    // the write replaces FILE whole (temp file, rename): a link there would be cut, and its target
    // left behind with the tokens a running controller reads through the link
    const to = linkTarget(file);
    if (to !== null) {
      return err({ code: 'XH_ERR_CONFIG', message: `${file} is a symbolic link to ${JSON.stringify(to)}: tokens.json is rewritten whole, which would replace the link with a file and leave ${JSON.stringify(to)} behind; set stateDir to the directory the link points into, or replace the link with the file itself; nothing was changed` });
    }
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
 * `xenherd-controller enroll` takes effect on the running controller without a restart (but for a
 * copy made at start: copiedAtStart). A file that turns unreadable keeps the last good store (and
 * says so once).
 */
export class TokenBook {
  private store: TokenStore = emptyTokenStore();
  private stamp = '';

  constructor(
    private readonly file: string,
    /** 'tokens-unreadable' (the last good store is kept) or 'tokens-gone' (the store is empty now), and what to say */
    private readonly onProblem: (event: 'tokens-unreadable' | 'tokens-gone', message: string) => void,
    /**
     * FILE is a copy made when the controller started (a systemd credential): a token enrolled
     * since is not in it until a restart, which every refusal of a token then says
     */
    readonly copiedAtStart = false,
  ) {}

  /** What a refused token's answer adds: '' unless the tokens are a copy made at start. */
  refusalNote(): string {
    return this.copiedAtStart ? '; a token made (enroll, operator) after this controller started is not known to it until `systemctl restart xenherd-controller`: it reads its tokens, a systemd credential, only at start' : '';
  }

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
