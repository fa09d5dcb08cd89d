import { err, ok, type Result } from '../../shared/result.js';
import { parseFailure, type ParseFailure } from './parse-failure.js';
import type { SshHostKeyOptions } from './ssh-g-host-keys.js';
import { variablesExpandedOnceConnected, type OptionWithVariable } from './ssh-g-env.js';

/**
 * A jump between this host and the name: `ProxyJump` (the jump hosts, as written) or
 * `ProxyCommand` (the command). Through one, the hostname is resolved and reached from the far
 * end, not here.
 */
export interface SshProxy {
  readonly kind: 'proxyjump' | 'proxycommand';
  readonly value: string;
}

/** Where root's ssh goes for a name, as `ssh -G NAME` prints it after applying every ssh_config. */
export interface SshRoute {
  /** the `hostname` line: what ssh connects to (a name or an address), after Host/Match rules */
  readonly hostname: string;
  readonly port: number;
  /** null: ssh connects to hostname from here */
  readonly proxy: SshProxy | null;
  /**
   * the name asked when ssh canonicalized it into hostname (CanonicalizeHostname with
   * CanonicalDomains, or a CNAME it may follow); absent when it did not. ssh then connects to the
   * addresses it found for the absolute name `hostname.`, which glibc looks up in DNS alone, not in
   * /etc/hosts: the name resolved the usual way may lead elsewhere
   */
  readonly canonicalizedFrom?: string;
  /**
   * ConnectTimeout in seconds: how long ssh waits for each address to accept before it tries the
   * next (sshconnect.c ssh_connect_direct); absent for `none` or 0, where its connect(2) waits as
   * long as the kernel retries a SYN (Linux tcp_syn_retries 6: about 127 s)
   */
  readonly connectTimeoutSeconds?: number;
  /**
   * the `${VAR}`s of IdentityFile and CertificateFile, which ssh expands only once connected and
   * -G prints as written (parse/ssh-g-env.ts); absent when there are none
   */
  readonly expandedOnceConnected?: readonly OptionWithVariable[];
  /**
   * how ssh checks the host's key there (parse/ssh-g-host-keys.ts), read by the adapter from the
   * same dump; absent when the dump has no host-key lines (the fleet simulator's)
   */
  readonly hostKeys?: SshHostKeyOptions;
}

/**
 * ssh -v's word that it canonicalized a name (debug1, since OpenSSH 6.5; the CNAME one is
 * verbose): the last one is the name it connects to.
 */
function canonicalized(stderr: string, hostname: string): string | null {
  let from: string | null = null;
  for (const raw of stderr.split('\n')) {
    const m = /^(?:debug1: )?Canonicalized (?:DNS aliased )?hostname "([^"]*)" => "([^"]*)"\r?$/.exec(raw);
    if (m) from = m[2]?.toLowerCase() === hostname.toLowerCase() ? (m[1] ?? null) : null;
  }
  return from;
}

/**
 * `ssh -G NAME` prints one lower-case `key value` line per option (OpenSSH 6.8 and later) and
 * connects nowhere. Read: `hostname`, `port`, and `proxyjump`/`proxycommand`, which OpenSSH 9.2
 * prints only when one is set (the first one set wins, `none` unsets; an older release may print
 * `none`, read as unset). Every other line is left alone, as releases add options. STDERR, of
 * `ssh -v -G`, says whether ssh canonicalized the name (OpenSSH 9.2 does so under -G too, asking
 * DNS, and prints the canonical name as hostname).
 */
export function parseSshG(stdout: string, stderr = ''): Result<SshRoute, ParseFailure> {
  let hostname: string | null = null;
  let port: number | null = null;
  let proxy: SshProxy | null = null;
  let connectTimeout = 0;
  const lines = stdout.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '');
    const m = /^(hostname|port|proxyjump|proxycommand|connecttimeout) (.*)$/.exec(line);
    if (!m) continue;
    const key = m[1];
    const value = (m[2] ?? '').trim();
    if (key === 'proxyjump' || key === 'proxycommand') {
      if (value === '') return err(parseFailure('ssh -G', i + 1, line, `${key} VALUE`));
      if (proxy === null && value.toLowerCase() !== 'none') proxy = { kind: key, value };
    } else if (key === 'connecttimeout') {
      if (value !== 'none' && !/^\d{1,9}$/.test(value)) return err(parseFailure('ssh -G', i + 1, line, 'connecttimeout SECONDS or none'));
      connectTimeout = value === 'none' ? 0 : Number(value);
    } else if (key === 'hostname') {
      if (value === '' || /\s/.test(value)) return err(parseFailure('ssh -G', i + 1, line, 'hostname NAME-OR-ADDRESS'));
      hostname = value;
    } else {
      const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
      if (!(n >= 1 && n <= 65535)) return err(parseFailure('ssh -G', i + 1, line, 'port 1-65535'));
      port = n;
    }
  }
  if (hostname === null || port === null) return err(parseFailure('ssh -G', 0, stdout.slice(0, 200), `"hostname" and "port" lines (${hostname === null ? 'no hostname' : 'no port'})`));
  const from = canonicalized(stderr, hostname);
  const later = variablesExpandedOnceConnected(stdout);
  const extra = { ...(connectTimeout > 0 ? { connectTimeoutSeconds: connectTimeout } : {}), ...(later.length > 0 ? { expandedOnceConnected: later } : {}) };
  return ok(from === null ? { hostname, port, proxy, ...extra } : { hostname, port, proxy, canonicalizedFrom: from, ...extra });
}
