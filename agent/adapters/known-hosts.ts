import { knownHostsName } from '../parse/known-hosts-name.js';
import { hostsMatch, readKnownHosts, type KnownHostsLines } from '../parse/known-hosts-lines.js';

/**
 * The peers' ssh host keys, OpenSSH known_hosts format (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
 * plain host lists with `*`/`?` wildcards and `!` negation, hashed `|1|salt|hash` hosts, and the
 * `@revoked` marker. A peer whose key is not listed is refused, never trusted on first use; a key
 * marked `@revoked` is never accepted, even if another line lists it (as OpenSSH does).
 * `@cert-authority` lines are not read: xenherd checks plain host keys only. The lines are read by
 * parse/known-hosts-lines.ts, as root's ssh check reads them: a line ssh skips (a key cut short,
 * an unknown marker) lists no key here either, so it neither vouches for a peer nor sets a bare
 * key aside, and a refusal names it.
 */

/** a peer as the agent reaches it: its name, and the address and port of its sshd */
type Peer = { readonly name: string; readonly address: string; readonly port: number };

/** a listed key and the 1-based line it is on, so a refusal can name the line to look at */
export interface ListedKey {
  readonly blob: Buffer;
  readonly line: number;
}

export interface HostKeys {
  /** listed for one of the names, without a marker, and not revoked */
  readonly trusted: readonly Buffer[];
  /** every line listing a key for one of the names without a marker, revoked or not */
  readonly listed: readonly ListedKey[];
  /**
   * at another port than 22 (keysAtPort): keys listed under the bare names that do not count,
   * because a line lists a key under `[host]:port`; a refusal names them
   */
  readonly bareSetAside: readonly ListedKey[];
  /** on an `@revoked` line for one of the names */
  readonly revoked: readonly ListedKey[];
  /** lines naming one of the names that ssh skips, and why (`the ssh-ed25519 key does not decode as one`) */
  readonly skipped: readonly { readonly line: number; readonly why: string }[];
}

/** The keys the known_hosts text lists for any of these names, trusted and revoked. */
export const hostKeys = (text: string, names: readonly string[]): HostKeys => keysIn(readKnownHosts(text), names);

function keysIn(read: KnownHostsLines, names: readonly string[]): HostKeys {
  const mine = read.entries.filter((e) => hostsMatch(e.hosts, names));
  const listed = mine.filter((e) => e.marker === null).map((e) => ({ blob: e.blob, line: e.line }));
  const revoked = mine.filter((e) => e.marker === 'revoked').map((e) => ({ blob: e.blob, line: e.line }));
  const skipped = read.skipped.filter((x) => x.hosts !== null && hostsMatch(x.hosts, names)).map((x) => ({ line: x.line, why: x.why }));
  const trusted = listed.filter((k) => !revoked.some((r) => r.blob.equals(k.blob))).map((k) => k.blob);
  return { trusted, listed, revoked, bareSetAside: [], skipped };
}

/**
 * The keys known_hosts vouches with for a host's sshd as OpenSSH's ssh checks one (sshconnect.c
 * check_host_key; `ssh -v` says "checking without port identifier" and "found matching key w/out
 * port"): the keys listed under the names for its port (AT: `[host]:port` off port 22) and, only
 * when no line lists one there at all, the keys listed under the bare names (BARE: port 22's). One
 * sshd listening on two ports shows one host key, so a bare line vouches for it; a `[host]:port`
 * line with another key says the sshd at that port is another, and then the bare key is refused,
 * as ssh refuses it ("REMOTE HOST IDENTIFICATION HAS CHANGED"). A key revoked under any of the
 * names is never taken.
 */
export function keysAtPort(text: string, at: readonly string[], bare: readonly string[]): HostKeys {
  const read = readKnownHosts(text);
  const here = keysIn(read, at);
  if (bare.length === 0) return here;
  const without = keysIn(read, bare);
  const revoked = [...here.revoked, ...without.revoked];
  const portListed = here.listed.length > 0;
  const taken = portListed ? here : without;
  return {
    trusted: taken.trusted.filter((k) => !revoked.some((r) => r.blob.equals(k))),
    listed: taken.listed,
    revoked,
    bareSetAside: portListed ? without.listed.filter((k) => !here.listed.some((h) => h.line === k.line)) : [],
    skipped: [...here.skipped, ...without.skipped.filter((k) => !here.skipped.some((h) => h.line === k.line))],
  };
}

/**
 * The names the agent's own connection to a peer (ssh2, `peer-ssh.ts`) looks its key up under
 * first: those OpenSSH does (sshLookupNames), and at port 22 also `[host]:22`, which ssh itself
 * skips but which names that very sshd. Off port 22 the bare names follow (peerKeys).
 */
export const peerHostNames = (p: Peer): string[] => (p.port === 22 ? [...new Set([p.name, p.address, `[${p.address}]:22`, `[${p.name}]:22`])] : sshLookupNames(p));

/**
 * The names OpenSSH itself looks the peer's key up under first at PORT (`xl migrate`'s ssh): its
 * name and address bare at port 22, else as `[name]:port` and `[address]:port`, the bare ones
 * following only while no line lists a key so (sshKeys, keysAtPort).
 */
export const sshLookupNames = (p: Peer): string[] => [...new Set([knownHostsName(p.name, p.port), knownHostsName(p.address, p.port)])];

/** the bare names a key at another port than 22 falls back to (none at port 22) */
const bareNames = (p: Peer): string[] => (p.port === 22 ? [] : [...new Set([p.name, p.address])]);

/** The keys the agent's own connection to a peer takes, as ssh would (keysAtPort). */
export const peerKeys = (text: string, p: Peer): HostKeys => keysAtPort(text, peerHostNames(p), bareNames(p));

/** The keys `xl migrate`'s own ssh takes for the peer at PORT (keysAtPort): what the route check compares. */
export const sshKeys = (text: string, p: Peer): HostKeys => keysAtPort(text, sshLookupNames(p), bareNames(p));

/**
 * Bare lines for the peer whose keys are set aside at its port because a `[host]:port` line lists
 * another key (peerKeys), with those port lines; null when there are none. A peer that shows the
 * bare key is refused, as ssh refuses it: said at the agent's start, before a migration meets it.
 */
export function bareKeysSetAside(text: string, p: Peer): { readonly bare: readonly ListedKey[]; readonly port: readonly ListedKey[] } | null {
  const k = peerKeys(text, p);
  const bare = k.bareSetAside.filter((b) => !k.trusted.some((t) => t.equals(b.blob)));
  return bare.length === 0 ? null : { bare, port: k.listed };
}
