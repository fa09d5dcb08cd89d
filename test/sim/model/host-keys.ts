import { createHash } from 'node:crypto';

/**
 * Each simulated Dom0's sshd host key: an ed25519 public key as the SSH wire carries it (its type,
 * then 32 bytes), the bytes drawn from the Dom0's name so every run and every process agrees on it.
 * Nothing signs with it: it is what known_hosts lines list and what the preflight compares.
 */
export function simHostKeyBlob(host: string): Buffer {
  const type = Buffer.from('ssh-ed25519', 'latin1');
  const key = createHash('sha256').update(`xenherd-sim-host-key:${host.toLowerCase()}`).digest();
  const len = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  return Buffer.concat([len(type.length), type, len(key.length), key]);
}

/** `ssh-ed25519 AAAA…`: the key as a known_hosts line or an .pub file holds it */
export const simHostKeyText = (host: string): string => `ssh-ed25519 ${simHostKeyBlob(host).toString('base64')}`;

/**
 * Root's known_hosts on a simulated Dom0 as an operator leaves it after a first ssh to each peer
 * with CheckHostIP on: every other Dom0 listed by its name and by the address DNS gives it
 * (test/harness/sim-resolver.ts: 192.0.2.N by the sorted names), plain, not hashed.
 */
export function simRootKnownHosts(hosts: readonly string[], self: string): string {
  const sorted = [...hosts].sort();
  return sorted.flatMap((h, i) => (h === self ? [] : [`${h},192.0.2.${i + 1} ${simHostKeyText(h)}\n`])).join('');
}
