import { isIP } from 'node:net';
import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import type { KnownHostsRead, RootSshTrustFacts } from '../decide/root-ssh-trust.js';
import type { RevokedFileRead } from '../decide/revoked-host-keys.js';
import type { RouteAddresses } from '../decide/toolstack-route.js';
import { knownHostsName } from '../parse/known-hosts-name.js';
import type { SshHostKeyOptions } from '../parse/ssh-g-host-keys.js';
import type { SshRoute } from '../parse/ssh-g.js';

/**
 * One known_hosts file root's ssh reads, read here (REAL maps a host path under a simulated host
 * root; the identity on a real Dom0). A file that does not exist is what ssh skips silently; one
 * that cannot be read is said, never taken as empty.
 */
export function readKnownHostsFile(real: (path: string) => string, file: string): KnownHostsRead {
  const r = readRegularFileSync(real(file), { symlinks: 'follow', display: file });
  if (r.ok) return { file, text: r.value };
  return r.error.errno === 'ENOENT' ? { file, missing: true } : { file, problem: r.error.message };
}

type HostKeyRoute = SshRoute & { readonly hostKeys: SshHostKeyOptions };

/**
 * RevokedHostKeys' file as root's ssh opens it: as `ssh -G` printed it (OpenSSH 9.2 expands no `~`
 * or `%` token in it; 9.4 and later print it expanded), so a path that is not absolute is opened
 * from wherever ssh runs, which is not known here.
 */
function readRevoked(printed: string | null, read: (file: string) => KnownHostsRead): RevokedFileRead | null {
  if (printed === null) return null;
  return printed.startsWith('/') ? read(printed) : { file: printed, relative: true };
}

/**
 * The address root's ssh checks under CheckHostIP (sshconnect.c check_host_key): the one it
 * connects to, which is the first of the name's addresses (of AddressFamily's family), in the
 * resolver's order, to accept a TCP connection at the port within ConnectTimeout (or the kernel's
 * own connect timeout without one) (ssh_connect_direct; ssh's getaddrinfo answers as the resolver here
 * does), never the others. None through a proxy, when that address is a loopback one
 * (sockaddr_is_local: 127/8 and ::1), or when its known_hosts name is the hostname itself (a
 * hostname that is an address, at port 22); none either when no address accepts, as ssh then
 * connects nowhere and the sshd checks say why.
 */
export async function checkHostIpAddresses(
  route: HostKeyRoute,
  resolve: (name: string) => Promise<RouteAddresses>,
  accepts: (address: string, port: number, timeoutMs: number | null) => Promise<boolean>,
): Promise<readonly string[]> {
  if (!route.hostKeys.checkHostIp || route.proxy !== null) return [];
  // a name ssh canonicalized it resolved as the absolute NAME., in DNS alone (parse/ssh-g.ts)
  const name = route.canonicalizedFrom !== undefined ? `${route.hostname}.` : route.hostname;
  const r = isIP(route.hostname) !== 0 ? { ok: true as const, addresses: [route.hostname] } : await resolve(name);
  if (!r.ok) return [];
  // AddressFamily inet or inet6: ssh asks getaddrinfo for that family alone
  const family = route.hostKeys.addressFamily;
  const addresses = family === undefined ? r.addresses : r.addresses.filter((a) => isIP(a) === (family === 'inet' ? 4 : 6));
  for (const address of addresses) {
    // each address given ssh's own patience: ConnectTimeout, else (null) the kernel's connect
    if (addresses.length > 1 && !(await accepts(address, route.port, route.connectTimeoutSeconds === undefined ? null : route.connectTimeoutSeconds * 1000))) continue;
    const loopback = address === '::1' || address.startsWith('127.');
    return loopback || knownHostsName(address, route.port) === route.hostname.toLowerCase() ? [] : [address];
  }
  return [];
}

/**
 * A GlobalKnownHostsFile path as root's ssh opens it (misc.c tilde_expand, after -G printed it):
 * `~`, `~/` and `~/PATH` under HOME, root's home as getpwuid gives it. `~USER/…` names another
 * user's home, looked up in the password database, which is not read here: said, not guessed.
 */
function globalFile(printed: string, home: string): { readonly path: string } | { readonly file: string; readonly problem: string } {
  if (!printed.startsWith('~')) return { path: printed };
  const m = /^~(?:\/+(.*))?$/.exec(printed);
  if (m === null) return { file: printed, problem: `ssh expands ${printed.split('/')[0] ?? printed} to that user's home, which is not looked up here: give the whole path in root's ssh_config` };
  return { path: `${home.replace(/\/+$/, '')}/${m[1] ?? ''}` };
}

/**
 * Whether a cut the parser made in KEY's list (ssh -G prints the paths joined by blanks and a
 * path's own blanks as they are, so it cuts where a blank starts a path) may be a blank inside one
 * path: `/srv/kh /x` is one path only if a directory `/srv/kh ` (its name ending in a blank)
 * exists, and then which files ssh opens cannot be told. FIRST is a piece as ssh opens it (a
 * global one's `~` expanded); what follows the blank stays as printed, as ssh expands no `~`
 * inside a path. Null when no cut is in doubt.
 */
function cutInDoubt(key: string, first: readonly string[], printed: readonly string[], read: (file: string) => KnownHostsRead): string | null {
  for (const [i, a] of first.entries()) {
    const b = printed[i + 1];
    if (b === undefined) break;
    // the joined path's first component holding the blank: a directory (read as no regular
    // file) when a slash follows, else the joined path itself, a file of any kind
    const head = `${a} ${b.split('/')[0] ?? ''}`;
    const r = read(head);
    if ('missing' in r || (b.includes('/') && 'text' in r)) continue;
    return `ssh -G prints ${key} as paths joined by blanks, and "${printed[i]} ${b}" may be one path (the blank inside it: "${head}" exists) or two: which files ssh reads cannot be told; rename "${head}" to a name without that blank, or name the files so in root's ssh_config`;
  }
  return null;
}

/**
 * The facts root's ssh decides PEER's host key on (agent/decide/root-ssh-trust.ts): the files
 * `ssh -G PEER` names, user's first as ssh loads them (a global one's `~` under HOME, root's
 * home), the RevokedHostKeys file, the addresses CheckHostIP looks up, and the keys the agent's
 * own known_hosts vouches for the peer with.
 */
export function readRootTrust(
  peer: string,
  route: HostKeyRoute,
  read: (file: string) => KnownHostsRead,
  vouched: { readonly keys: readonly Buffer[]; readonly by: string },
  addresses: readonly string[],
  home = '/root',
): RootSshTrustFacts {
  // ssh looks the key up under the name it connects to, the `hostname` line (HostName applied,
  // canonicalized if it was, lower-cased), not the `host` line's name as asked: tried with
  // OpenSSH 9.2, `Host xen3 / HostName 127.0.0.1` finds no key listed as xen3 ("No ED25519 host
  // key is known for [127.0.0.1]:22999")
  const globals = route.hostKeys.globalFiles.map((g) => globalFile(g, home));
  const o = { ...route.hostKeys, host: route.hostname.toLowerCase(), globalFiles: globals.flatMap((g) => ('path' in g ? [g.path] : [])) };
  const unexpanded = globals.flatMap((g) => ('problem' in g ? [g] : []));
  const files = [...[...new Set([...o.userFiles, ...o.globalFiles])].map(read), ...unexpanded];
  const firstGlobals = globals.map((g, i) => ('path' in g ? g.path : (route.hostKeys.globalFiles[i] ?? '')));
  const doubt = cutInDoubt('userknownhostsfile', o.userFiles, o.userFiles, read) ?? cutInDoubt('globalknownhostsfile', firstGlobals, route.hostKeys.globalFiles, read);
  const facts = { peer, hostname: route.hostname, port: route.port, options: o, files, vouched: vouched.keys, vouchedBy: vouched.by, revokedFile: readRevoked(o.revokedHostKeys, read), addresses };
  return doubt === null ? facts : { ...facts, listInDoubt: doubt };
}
