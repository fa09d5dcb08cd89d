import { lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import type { XhError } from '../../shared/errors.js';
import { ensurePrivateDir, octal } from '../../shared/fs/private-dir.js';

/**
 * tokens.json decides who may operate the fleet and report as which Dom0: a file, or a dir holding
 * it, that other users can write lets any of them add a token of their own. `enroll` already
 * refuses such a dir; `serve` refuses to start on one too (files given by systemd credentials are
 * its own copies, and are not checked here). A missing dir or file is no problem: no tokens yet.
 */
export function tokensWritableByOthers(file: string): XhError | null {
  const dir = ensurePrivateDir(dirname(file), { create: false, repair: false });
  if (!dir.ok && (dir.error.problem === 'writable-by-others' || dir.error.problem === 'wrong-owner')) {
    return { code: 'XH_ERR_CONFIG', message: `${dir.error.message}; ${file} there decides who may operate the fleet, so the controller does not start on it` };
  }
  let mode: number;
  try {
    mode = lstatSync(file).mode;
  } catch {
    return null;
  }
  if ((mode & 0o022) === 0) return null;
  return { code: 'XH_ERR_CONFIG', message: `${file} has mode ${octal(mode)}: other users can write to it and could have added a token of their own: check its contents, then chmod 600 ${file}` };
}
