import { err, ok, type Result } from '../../shared/result.js';
import { parseFailure, type ParseFailure } from './parse-failure.js';
import { repeatedKey } from './repeated-key.js';
import { splitLines } from './tool-lines.js';

/**
 * `drbdadm --version` (v9 drbdadm_main.c, case 'V'): shell assignments, one per line:
 *   DRBDADM_BUILDTAG=GIT-hash:\ …   DRBDADM_API_VERSION=1   DRBD_KERNEL_VERSION_CODE=0x08040b
 *   DRBD_KERNEL_VERSION=8.4.11      DRBDADM_VERSION_CODE=0x091600   DRBDADM_VERSION=9.22.0
 * DRBD_KERNEL_VERSION appeared in later utils (9.15 prints only the _CODE). The kernel version
 * comes from /proc/drbd or, when the module is not loaded, from `modinfo -F version drbd`
 * (never modprobe); 0 / 0x000000 means none was found.
 */
export interface DrbdadmVersion {
  readonly utilsVersion: string | null;
  /** "8.4.11"; null when drbdadm found no module at all */
  readonly kernelVersion: string | null;
  readonly vars: Readonly<Record<string, string>>;
}

const TOOL = 'drbdadm --version';

export function parseDrbdadmVersion(text: string): Result<DrbdadmVersion, ParseFailure> {
  const vars: Record<string, string> = {};
  const lines = splitLines(text);
  for (const [i, line] of lines.entries()) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m || m[1] === undefined || m[2] === undefined) return err(parseFailure(TOOL, i + 1, line, 'NAME=value'));
    const repeated = repeatedKey(m[1], vars[m[1]], m[2]);
    if (repeated !== null) return err(parseFailure(TOOL, i + 1, line, repeated));
    vars[m[1]] = m[2];
  }
  if (vars['DRBDADM_VERSION'] === undefined && vars['DRBD_KERNEL_VERSION_CODE'] === undefined) {
    return err(parseFailure(TOOL, 0, text, 'DRBDADM_VERSION= and DRBD_KERNEL_VERSION_CODE='));
  }
  return ok({ utilsVersion: vars['DRBDADM_VERSION'] ?? null, kernelVersion: kernelVersionOf(vars), vars });
}

function kernelVersionOf(vars: Readonly<Record<string, string>>): string | null {
  const plain = vars['DRBD_KERNEL_VERSION'];
  if (plain !== undefined && /^\d+\.\d+\.\d+$/.test(plain) && plain !== '0.0.0') return plain;
  const code = vars['DRBD_KERNEL_VERSION_CODE'];
  if (code === undefined || !/^0x[0-9a-f]{6}$/i.test(code)) return null;
  const n = Number.parseInt(code.slice(2), 16);
  if (n === 0) return null;
  return `${(n >> 16) & 0xff}.${(n >> 8) & 0xff}.${n & 0xff}`;
}

/** Which output dialect a kernel version means; null for anything else (8.3, 10.x): not guessed. */
export function drbdSeries(version: string): '8.4' | '9' | null {
  if (/^8\.4\./.test(version)) return '8.4';
  if (/^9\.\d/.test(version)) return '9';
  return null;
}
