import { createHmac } from 'node:crypto';
import { knownHostsName } from '../parse/known-hosts-name.js';

/**
 * The peers' ssh host keys, OpenSSH known_hosts format (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
 * plain host lists with `*`/`?` wildcards and `!` negation, hashed `|1|salt|hash` hosts, and the
 * `@revoked` marker. A peer whose key is not listed is refused, never trusted on first use; a key
 * marked `@revoked` is never accepted, even if another line lists it (as OpenSSH does).
 * `@cert-authority` lines are not read: xenherd checks plain host keys only.
 */

/** a listed key and the 1-based line it is on, so a refusal can name the line to look at */
export interface ListedKey {
  readonly blob: Buffer;
  readonly line: number;
}

export interface HostKeys {
  /** listed for one of the names, without a marker, and not revoked */
  readonly trusted: readonly Buffer[];
  /** on an `@revoked` line for one of the names */
  readonly revoked: readonly ListedKey[];
}

/** `|1|base64(salt)|base64(HMAC-SHA1(salt, host))` (OpenSSH hostfile.c, HASH_MAGIC "|1|") */
function matchesHashed(entry: string, name: string): boolean {
  const [, , salt, hash] = entry.split('|');
  if (salt === undefined || hash === undefined) return false;
  const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return mac.equals(Buffer.from(hash, 'base64'));
}

/** OpenSSH match_pattern: `*` any run, `?` one character, nothing else special */
const wildcard = (pattern: string): RegExp =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

/** OpenSSH match_hostname: a negated pattern that matches excludes the name whatever else matches */
function matchesList(list: string, name: string): boolean {
  let hit = false;
  for (const raw of list.toLowerCase().split(',')) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (!wildcard(pattern).test(name)) continue;
    if (negated) return false;
    hit = true;
  }
  return hit;
}

const hostsMatch = (hosts: string, names: readonly string[]): boolean =>
  // ssh lowercases the host name before looking it up (and before hashing it)
  names.some((n) => (hosts.startsWith('|1|') ? matchesHashed(hosts, n.toLowerCase()) : matchesList(hosts, n.toLowerCase())));

/** The keys the known_hosts text lists for any of these names, trusted and revoked. */
export function hostKeys(text: string, names: readonly string[]): HostKeys {
  const listed: Buffer[] = [];
  const revoked: ListedKey[] = [];
  text.split('\n').forEach((line, i) => {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === '' || fields[0]?.startsWith('#')) return;
    const marker = fields[0]?.startsWith('@') ? fields.shift() : undefined;
    const [hosts, , blob] = fields;
    if (!hosts || !blob || !hostsMatch(hosts, names)) return;
    if (marker === '@revoked') revoked.push({ blob: Buffer.from(blob, 'base64'), line: i + 1 });
    else if (marker === undefined) listed.push(Buffer.from(blob, 'base64'));
  });
  const trusted = listed.filter((k) => !revoked.some((r) => r.blob.equals(k)));
  return { trusted, revoked };
}

/** Keys (raw blobs) the known_hosts file lists for any of these names, revoked ones left out. */
export const knownKeys = (text: string, names: readonly string[]): Buffer[] => [...hostKeys(text, names).trusted];

/**
 * The names a peer's key may be listed under for the agent's own connection to it: its name, its
 * address, and both with the port (a bare name vouches for the peer's sshd at any port).
 */
export const peerHostNames = (p: { readonly name: string; readonly address: string; readonly port: number }): string[] => [p.name, p.address, `[${p.address}]:${p.port}`, `[${p.name}]:${p.port}`];

/**
 * The names OpenSSH itself looks the peer's key up under at PORT (`xl migrate`'s ssh): its name and
 * address bare at port 22, else only as `[name]:port` and `[address]:port`.
 */
export const sshLookupNames = (p: { readonly name: string; readonly address: string; readonly port: number }): string[] => [...new Set([knownHostsName(p.name, p.port), knownHostsName(p.address, p.port)])];
