import { createHash } from 'node:crypto';
import { bareKeysSetAside, type HostKeys } from './known-hosts.js';
import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import type { PeerTarget } from './peer-ssh.js';

/** The peer as the refusals below name it. */
type RefusedPeer = Pick<PeerTarget, 'name' | 'address' | 'port' | 'user' | 'keyFile' | 'knownHostsFile'>;

/** "ssh-ed25519 SHA256:…", as `ssh-keygen -lf` shows a key: what an operator compares on the peer. */
export function keyFingerprint(blob: Buffer): string {
  // an ssh public key blob starts with its type as a length-prefixed string
  const len = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const type = len > 0 && len <= 64 && blob.length >= 4 + len ? blob.subarray(4, 4 + len).toString('latin1') : 'key';
  return `${type.replace(/[^\x21-\x7e]/g, '?')} SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * The peer shows a host key the agent's known_hosts does not list for it (ssh2 says only "Host
 * denied (verification failed)"): reinstalled, re-keyed, or another machine answering at that
 * address. Which one only a person can tell, so the key is never taken: the message says how to
 * check and how to replace the line once checked. It names the agent's own connection (ssh2, with
 * the migration key) as the one that refused, so it is not read as root's ssh, `xl migrate`'s,
 * whose known_hosts files the preflight judges apart.
 */
export function hostKeyMismatch(p: RefusedPeer, shown: Buffer, known?: Pick<HostKeys, 'listed' | 'bareSetAside' | 'skipped'>): string {
  const keyscan = `ssh-keyscan -p ${p.port} ${p.address}`;
  // ssh-keygen -R names a host as its line does: by name or by address, [host]:port off port 22
  const listed = (h: string): string => (p.port === 22 ? h : `'[${h}]:${p.port}'`);
  const remove = [...new Set([p.name, p.address])].map((h) => `\`ssh-keygen -R ${listed(h)} -f ${p.knownHostsFile}\``).join(' or ');
  return (
    `the agent's own connection to ${p.name} refused it: ${p.name} (${p.address}:${p.port}) shows host key ${keyFingerprint(shown)}, which the agent's known_hosts ${p.knownHostsFile} (not root's) does not list for it${setAside(p, shown, known)}${skippedLines(p.knownHostsFile, known?.skipped ?? [])}: ` +
    `the peer was reinstalled or re-keyed, or another machine answers there. Compare it with \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` on ${p.name}; ` +
    `if it matches, remove the old line (${remove}, as it is listed), then \`${keyscan} >> ${p.knownHostsFile}\``
  );
}

/** "line 3" or "lines 2, 5": where in known_hosts to look */
const lines = (ks: readonly { readonly line: number }[]): string => {
  const at = [...new Set(ks.map((k) => k.line))];
  return `${at.length === 1 ? 'line' : 'lines'} ${at.join(', ')}`;
};

/**
 * Lines naming the peer that the agent skips as ssh does (a key cut short at a line break, an
 * unknown marker): such a line is no key to trust, and an operator who sees it there would take
 * it for one, so the refusal names it.
 */
export function skippedLines(file: string, skipped: readonly { readonly line: number; readonly why: string }[]): string {
  if (skipped.length === 0) return '';
  const each = skipped.map((k) => `${file}:${k.line}, ${k.why}`).join('; ');
  return skipped.length === 1 ? ` (a line naming it is skipped, as ssh skips it: ${each})` : ` (${skipped.length} lines naming it are skipped, as ssh skips them: ${each})`;
}

/**
 * The shown key listed bare while a `[host]:port` line lists another: an older agent took it, and
 * ssh does not, so the refusal says why the line that lists it does not count.
 */
function setAside(p: RefusedPeer, shown: Buffer, known: Pick<HostKeys, 'listed' | 'bareSetAside'> | undefined): string {
  const bare = known?.bareSetAside.filter((k) => k.blob.equals(shown)) ?? [];
  if (known === undefined || bare.length === 0) return '';
  return (
    ` at port ${p.port}: it is listed bare (${lines(bare)}), as port 22's key, which counts at another port only while no line lists a key for that port, ` +
    `and another is listed as ${[...new Set([p.address, p.name])].map((h) => `[${h}]:${p.port}`).join(' or ')} (${lines(known.listed)}); OpenSSH's ssh given this file refuses it too (REMOTE HOST IDENTIFICATION HAS CHANGED)`
  );
}

/**
 * No known_hosts file at all, as on a Dom0 set up for the first time: the line that makes it,
 * ed25519 because ssh2 asks for that host key first, then the check only a person can make.
 */
export function knownHostsMissing(p: RefusedPeer): string {
  const scan = `ssh-keyscan -t ed25519${p.port === 22 ? '' : ` -p ${p.port}`} ${p.address} >> ${p.knownHostsFile}`;
  return `add ${p.name}'s host key with \`${scan}\` on this Dom0, then compare its fingerprint (\`ssh-keygen -lf ${p.knownHostsFile}\`) with \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` on ${p.name}`;
}

/** The peer's sshd refused the migration key (ssh2: "All configured authentication methods failed"). */
export function migrationKeyRefused(p: RefusedPeer): string {
  const home = p.user === 'root' ? '/root' : `~${p.user}`;
  return (
    `${p.name} (${p.user}@${p.address}:${p.port}) refused the migration key ${p.keyFile}: ` +
    `its ${home}/.ssh/authorized_keys lacks the line \`xenherd-agent keys setup ${p.name}\` prints here; run that, and append the line it prints there`
  );
}

/** getaddrinfo's codes for a name that does not resolve (ENOTFOUND: no such name; EAI_AGAIN: no answer from DNS). */
export const UNRESOLVED_CODES: readonly string[] = ['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_NODATA'];

/** The peer's address is a name this Dom0 cannot resolve: no key can be scanned nor ssh reach it until it does. */
export function peerNameUnresolved(p: RefusedPeer, code: string): string {
  const where = p.address === p.name ? `or give its address as migration.peers.${p.name}.address in the agent config` : `or mend migration.peers.${p.name}.address in the agent config`;
  return `${p.name}: the name ${p.address} does not resolve here (${code}): make it resolve on this Dom0 (DNS, /etc/hosts) ${where}`;
}

/**
 * For each peer at another port than 22, the warning that known_hosts lists it bare with a key ssh
 * and the agent set aside there (a `[host]:port` line lists another): agents before this rule took
 * that key, so a peer showing it worked until an upgrade and is refused after. Unreadable file:
 * nothing to say here, every connection names it.
 */
export function bareKeyWarnings(knownHostsFile: string, peers: readonly { readonly name: string; readonly address: string; readonly port: number }[]): string[] {
  const text = readRegularFileSync(knownHostsFile, { symlinks: 'follow' });
  if (!text.ok) return [];
  return peers.flatMap((p) => {
    const found = p.port === 22 ? null : bareKeysSetAside(text.value, p);
    if (found === null) return [];
    return [
      `${p.name} (${p.address}:${p.port}): ${knownHostsFile} lists a key for it bare (${lines(found.bare)}) that does not count at port ${p.port}, ` +
        `as another is listed for that port (${lines(found.port)}); ssh takes a bare key at another port only while no line lists one for it. ` +
        `If ${p.name}'s sshd at port ${p.port} shows the bare key, ping, reverse and migrations to it are refused: \`xenherd-agent ping ${p.name}\` tells; ` +
        `then remove the stale line (\`ssh-keygen -R '[${p.address}]:${p.port}' -f ${knownHostsFile}\`) or the bare one`,
    ];
  });
}
