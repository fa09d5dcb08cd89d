import { err, ok, type Result } from '../../shared/result.js';
import { parseFailure, type ParseFailure } from './parse-failure.js';
import { repeatedKey } from './repeated-key.js';

/** ssh_config(5) StrictHostKeyChecking, in its own words (`ssh -G` prints yes as true, no as false). */
export type StrictHostKeys = 'yes' | 'accept-new' | 'no' | 'ask';

/** How root's ssh checks a host's key, as `ssh -G NAME` prints it after every ssh_config applied. */
export interface SshHostKeyOptions {
  /**
   * the `host` line, lower-cased: the name as asked (OpenSSH 9.2 prints it so even under a
   * HostName); ssh looks the key up under the `hostname` line instead, which the route carries.
   * Null when the release prints none.
   */
  readonly host: string | null;
  /** HostKeyAlias: looked up instead of the host, with no port added */
  readonly hostKeyAlias: string | null;
  readonly strict: StrictHostKeys;
  /** UserKnownHostsFile, `~` and `%` tokens expanded by ssh; the first is where ssh adds a key */
  readonly userFiles: readonly string[];
  /**
   * GlobalKnownHostsFile as -G prints them, before ssh expands a leading `~` to a home (OpenSSH
   * 9.2 does that after -G, with getpwuid/getpwnam, and expands no `%` token in these)
   */
  readonly globalFiles: readonly string[];
  /** KnownHostsCommand (OpenSSH 8.5): its output counts as one more known_hosts file */
  readonly knownHostsCommand: string | null;
  /** CheckHostIP: the address's own known_hosts lines checked too (default no since OpenSSH 8.5) */
  readonly checkHostIp: boolean;
  /** VerifyHostKeyDNS: under yes a DNSSEC-signed SSHFP record is taken instead of known_hosts */
  readonly verifyHostKeyDns: 'yes' | 'no' | 'ask';
  /**
   * RevokedHostKeys as printed, one path however many blanks it holds: the file ssh opens, as
   * OpenSSH 9.2 expands nothing in it (9.4 and later expand `~`, `%` tokens and `${VAR}` before
   * -G prints it)
   */
  readonly revokedHostKeys: string | null;
  /** AddressFamily inet or inet6: the only addresses ssh asks getaddrinfo for; absent for any */
  readonly addressFamily?: 'inet' | 'inet6';
}

const STRICT: Readonly<Record<string, StrictHostKeys>> = { true: 'yes', yes: 'yes', false: 'no', no: 'no', ask: 'ask', 'accept-new': 'accept-new' };
const FLAG: Readonly<Record<string, boolean>> = { yes: true, true: true, no: false, false: false };
const YES_NO_ASK: Readonly<Record<string, 'yes' | 'no' | 'ask'>> = { yes: 'yes', true: 'yes', no: 'no', false: 'no', ask: 'ask' };
const FAMILY: Readonly<Record<string, 'inet' | 'inet6' | null>> = { any: null, inet: 'inet', inet6: 'inet6' };
const KEYS = ['host', 'hostkeyalias', 'stricthostkeychecking', 'userknownhostsfile', 'globalknownhostsfile', 'knownhostscommand', 'checkhostip', 'verifyhostkeydns', 'revokedhostkeys', 'addressfamily'] as const;
type Key = (typeof KEYS)[number];
const isKey = (k: string): k is Key => (KEYS as readonly string[]).includes(k);

/**
 * A file list as ssh -G prints it: paths joined by spaces, `none` for none. ssh prints a path
 * holding a space as it is, unquoted and unescaped (OpenSSH 9.2: `UserKnownHostsFile "/root/my
 * hosts"` prints `userknownhostsfile /root/my hosts`), so the list is cut only where a space is
 * followed by what starts a path here: `/`, and for GlobalKnownHostsFile, which -G prints before
 * ssh expands its `~` (TILDE), `~` too; a blank inside one stays in it. A path holding " /" (a
 * file under a directory whose name ends in a blank) is cut here too: the reader refuses a list
 * where such a directory exists (agent/migrate/root-trust-read.ts cutInDoubt). A list not
 * starting so is refused, as no file of it can be told apart.
 */
function fileList(value: string, tilde: boolean): readonly string[] | null {
  if (value === 'none') return [];
  const files = value.split(tilde ? / (?=[/~])/ : / (?=\/)/);
  return files.length > 0 && files.every((f) => f.startsWith('/') || (tilde && f.startsWith('~'))) ? files : null;
}

/**
 * The host-key lines of `ssh -G NAME` (OpenSSH 6.8 and later print `stricthostkeychecking`,
 * `checkhostip`, `verifyhostkeydns`, `userknownhostsfile` and `globalknownhostsfile` always,
 * `hostkeyalias`, `revokedhostkeys` and `knownhostscommand` only when set). Null when no
 * `stricthostkeychecking` line is there: the output is not a whole dump of a release that prints
 * it, and nothing can be said of the host key. A value outside ssh's own words, or a key given
 * twice with two values, is refused naming the line.
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
  if (!seen.has('stricthostkeychecking')) return ok(null);
  const missing = (key: Key): ParseFailure => parseFailure('ssh -G', 0, stdout.slice(0, 200), `a "${key}" line beside "stricthostkeychecking"`);
  function word<T>(key: Key, words: Readonly<Record<string, T>>, expected: string): Result<T, ParseFailure> {
    const at = seen.get(key);
    if (at === undefined) return err(missing(key));
    const w = words[at.value];
    return w === undefined ? err(parseFailure('ssh -G', at.line, `${key} ${at.value}`, `${key} ${expected}`)) : ok(w);
  }
  const strict = word('stricthostkeychecking', STRICT, 'true, false, ask or accept-new');
  if (!strict.ok) return strict;
  const checkHostIp = word('checkhostip', FLAG, 'yes or no');
  if (!checkHostIp.ok) return checkHostIp;
  const dns = word('verifyhostkeydns', YES_NO_ASK, 'true, false or ask');
  if (!dns.ok) return dns;
  const files = (key: 'userknownhostsfile' | 'globalknownhostsfile'): Result<readonly string[], ParseFailure> => {
    const at = seen.get(key);
    if (at === undefined) return err(missing(key));
    const tilde = key === 'globalknownhostsfile';
    const list = fileList(at.value, tilde);
    if (list === null) return err(parseFailure('ssh -G', at.line, `${key} ${at.value}`, `${key} with absolute paths${tilde ? ' or ~/ ones' : ''}, or none (ssh opens a relative one from wherever it was started: give the whole path in ssh_config)`));
    return ok(list);
  };
  const userFiles = files('userknownhostsfile');
  if (!userFiles.ok) return userFiles;
  const globalFiles = files('globalknownhostsfile');
  if (!globalFiles.ok) return globalFiles;
  const family = seen.has('addressfamily') ? word('addressfamily', FAMILY, 'any, inet or inet6') : ok(null);
  if (!family.ok) return family;
  const host = seen.get('host');
  if (host !== undefined && /\s/.test(host.value)) return err(parseFailure('ssh -G', host.line, `host ${host.value}`, 'host NAME'));
  const alias = seen.get('hostkeyalias')?.value ?? null;
  const command = seen.get('knownhostscommand')?.value ?? null;
  const revoked = seen.get('revokedhostkeys')?.value ?? null;
  return ok({
    host: host?.value.toLowerCase() ?? null,
    hostKeyAlias: alias,
    strict: strict.value,
    userFiles: userFiles.value,
    globalFiles: globalFiles.value,
    knownHostsCommand: command === 'none' ? null : command,
    checkHostIp: checkHostIp.value,
    verifyHostKeyDns: dns.value,
    revokedHostKeys: revoked === 'none' ? null : revoked,
    ...(family.value === null ? {} : { addressFamily: family.value }),
  });
}
