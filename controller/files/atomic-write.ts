import { dirname } from 'node:path';
import type { XhError } from '../../shared/errors.js';
import { writeFileAtomic } from '../../shared/fs/atomic-file.js';
import { ensurePrivateDir } from '../../shared/fs/private-dir.js';
import type { Result } from '../../shared/result.js';

/**
 * A controller file (state, keys, tokens; certificates may be 0644) written whole or not at all,
 * in a directory that is the controller user's alone (created 0700; one others can write to is
 * refused, as anyone who can write there could swap the files).
 */
export function writeOwnFile(file: string, content: string, mode = 0o600): Result<void, XhError> {
  const dir = ensurePrivateDir(dirname(file), { create: true, repair: true });
  if (!dir.ok) return dir;
  return writeFileAtomic(file, content, { mode });
}
