import { err, ok, type Result } from '../../shared/result.js';
import { parseFailure, type ParseFailure } from './parse-failure.js';
import { repeatedKey } from './repeated-key.js';

/** ssh_config(5) StrictHostKeyChecking, in its own words (`ssh -G` prints yes as true, no as false). */
export type StrictHostKeys = 'yes' | 'accept-new' | 'no' | 'ask';

/** How root's ssh checks a host's key, as `ssh -G NAME` prints it after every ssh_config applied. */
export interface SshHostKeyOptions {
  /**
   * the `host` line: the name ssh looks the key up under when no HostKeyAlias is set (lower case,
   * canonicalized if ssh did); null when the release prints none (then it is the name asked)
   */
  readonly host: string | null;
  /** HostKeyAlias: looked up instead of the host, with no port added */
  readonly hostKeyAlias: string | null;
  readonly strict: StrictHostKeys;
  /** UserKnownHostsFile, `~` and `%` tokens expanded by ssh; the first is where ssh adds a key */
  readonly userFiles: readonly string[];
  readonly globalFiles: readonly string[];
  /** KnownHostsCommand (OpenSSH 8.5): its output counts as one more known_hosts file */
  readonly knownHostsCommand: string | null;
}

const STRICT: Readonly<Record<string, StrictHostKeys>> = { true: 'yes', yes: 'yes', false: 'no', no: 'no', ask: 'ask', 'accept-new': 'accept-new' };
const KEYS = ['host', 'hostkeyalias', 'stricthostkeychecking', 'userknownhostsfile', 'globalknownhostsfile', 'knownhostscommand'] as const;
type Key = (typeof KEYS)[number];
const isKey = (k: string): k is Key => (KEYS as readonly string[]).includes(k);

/**
 * A file list as ssh -G prints it: paths joined by spaces, `none` for none. ssh prints a path
 * holding a space unquoted, so a piece that is not an absolute path cannot be told apart: refused
 * rather than read as two files, which would check another file than ssh reads.
 */
function fileList(value: string): readonly string[] | null {
  if (value === 'none') return [];
  const files = value.split(' ').filter((f) => f !== '');
  return files.length > 0 && files.every((f) => f.startsWith('/')) ? files : null;
}

/**
 * The host-key lines of `ssh -G NAME` (OpenSSH 6.8 and later print `stricthostkeychecking`,
 * `userknownhostsfile` and `globalknownhostsfile` always, `hostkeyalias` and `knownhostscommand`
 * only when set). Null when no `stricthostkeychecking` line is there: the output is not a whole
 * dump of a release that prints it (the fleet simulator's `ssh -G` prints the route alone), and
 * nothing can be said of the host key. A value outside ssh's own words, or a key given twice with
 * two values, is refused naming the line.
 */
export function parseSshGHostKeys(stdout: string): Result<SshHostKeyOptions | null, ParseFailure> {
  const seen = new Map<Key, { value: string; line: number }>();
  for (const [i, raw] of stdout.split('\n').entries()) {
    const line = raw.replace(/\r$/, '');
    const m = /^([a-z]+) (.*)$/.exec(line);
    const key = m?.[1];
    if (key === undefined || !isKey(key)) continue;
    const value = (m?.[2] ?? '').trim();
    const twice = repeatedKey(key, seen.get(key)?.value, value);
    if (twice !== null) return err(parseFailure('ssh -G', i + 1, line, twice));
    if (value === '') return err(parseFailure('ssh -G', i + 1, line, `${key} VALUE`));
    seen.set(key, { value, line: i + 1 });
  }
  const strictLine = seen.get('stricthostkeychecking');
  if (strictLine === undefined) return ok(null);
  const strict = STRICT[strictLine.value];
  if (strict === undefined) return err(parseFailure('ssh -G', strictLine.line, `stricthostkeychecking ${strictLine.value}`, 'stricthostkeychecking true, false, ask or accept-new'));
  const files = (key: 'userknownhostsfile' | 'globalknownhostsfile'): Result<readonly string[], ParseFailure> => {
    const at = seen.get(key);
    if (at === undefined) return err(parseFailure('ssh -G', 0, stdout.slice(0, 200), `a "${key}" line beside "stricthostkeychecking"`));
    const list = fileList(at.value);
    if (list === null) return err(parseFailure('ssh -G', at.line, `${key} ${at.value}`, `${key} with absolute paths without spaces, or none (ssh prints a path holding a space unquoted: rename the file in ssh_config)`));
    return ok(list);
  };
  const userFiles = files('userknownhostsfile');
  if (!userFiles.ok) return userFiles;
  const globalFiles = files('globalknownhostsfile');
  if (!globalFiles.ok) return globalFiles;
  const host = seen.get('host');
  if (host !== undefined && /\s/.test(host.value)) return err(parseFailure('ssh -G', host.line, `host ${host.value}`, 'host NAME'));
  const alias = seen.get('hostkeyalias')?.value ?? null;
  const command = seen.get('knownhostscommand')?.value ?? null;
  return ok({ host: host?.value.toLowerCase() ?? null, hostKeyAlias: alias, strict, userFiles: userFiles.value, globalFiles: globalFiles.value, knownHostsCommand: command === 'none' ? null : command });
}
