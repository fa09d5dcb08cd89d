import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';

/**
 * Writes a file whole or not at all: temp file (created with MODE whatever the umask), fsync,
 * rename, fsync of the directory. Directories it creates are owner-only (0700). Everything the
 * controller writes (state, keys, tokens) is owner-only (0600); certificates may be 0644.
 */
export function writeFileAtomic(file: string, content: string, mode = 0o600): Result<void, XhError> {
  const dir = dirname(file);
  const tmp = `${file}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    rmSync(tmp, { force: true }); // a leftover could have other permissions: start afresh
    const fd = openSync(tmp, 'wx', mode);
    try {
      fchmodSync(fd, mode);
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    const d = openSync(dir, 'r');
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
    return ok(undefined);
  } catch (e) {
    return err({ code: 'XH_ERR_FILE', message: `${file}: ${(e as Error).message}` });
  }
}
