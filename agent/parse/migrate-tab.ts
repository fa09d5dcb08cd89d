import { DOMU_NAME_RE, HOST_NAME_RE } from '../../shared/names.js';
import { err, ok, type Result } from '../../shared/result.js';
import { configError, type ConfigFileError } from './domu-config-error.js';

/**
 * `/etc/xen/migrate-tab.txt` as the xen-migrate script keeps it, read unchanged. fstab-like:
 *
 *   # <domu_name>  <host_name>  <options>
 *   my-domu-1       dom0-alpha      --live
 *
 * Columns are separated by spaces or tabs: the domU, its migration peer (a Dom0), then the rest as
 * `xm migrate` options, one token each. Blank lines and lines starting with `#` are comments; a
 * token starting with `#` starts a trailing comment too (no option or name can begin with `#`).
 */
export interface MigrateTabEntry {
  readonly domu: string;
  readonly peer: string;
  readonly options: readonly string[];
  /** 1-based line in the file */
  readonly line: number;
}

export interface MigrateTab {
  readonly file: string;
  /** in file order */
  readonly entries: readonly MigrateTabEntry[];
  readonly byDomu: ReadonlyMap<string, MigrateTabEntry>;
}

export function parseMigrateTab(text: string, file: string): Result<MigrateTab, ConfigFileError> {
  const entries: MigrateTabEntry[] = [];
  const byDomu = new Map<string, MigrateTabEntry>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i] as string;
    const tokens: { text: string; column: number }[] = [];
    for (const m of raw.matchAll(/[^ \t\r\f\v]+/g)) {
      if (m[0].startsWith('#')) break;
      tokens.push({ text: m[0], column: (m.index ?? 0) + 1 });
    }
    const [domu, peer, ...rest] = tokens;
    if (domu === undefined) continue;
    if (!DOMU_NAME_RE.test(domu.text)) {
      return err(configError(file, lineNo, domu.column, `${JSON.stringify(domu.text)} is not a valid domU name`, 'column 1 is the domU name: letters, digits, . _ - (starting with a letter or digit, at most 64 characters)'));
    }
    if (peer === undefined) {
      return err(configError(file, lineNo, null, `domU ${domu.text} has no peer Dom0`, 'write "<domU> <peer-dom0> [xm-migrate-options…]" separated by spaces'));
    }
    if (!HOST_NAME_RE.test(peer.text)) {
      return err(configError(file, lineNo, peer.column, `${JSON.stringify(peer.text)} is not a valid host name`, 'column 2 is the peer Dom0 host name: letters, digits, . and -'));
    }
    const first = byDomu.get(domu.text);
    if (first !== undefined) {
      return err(configError(file, lineNo, domu.column, `domU ${domu.text} is listed twice (lines ${first.line} and ${lineNo})`, 'keep one line per domU'));
    }
    const entry: MigrateTabEntry = { domu: domu.text, peer: peer.text, options: rest.map((t) => t.text), line: lineNo };
    entries.push(entry);
    byDomu.set(entry.domu, entry);
  }
  return ok({ file, entries, byDomu });
}
