/**
 * The peers' ssh host keys, OpenSSH known_hosts format (plain host lists; hashed `|1|` entries and
 * `@`-markers are not read): a peer whose key is not listed is refused, never trusted on first use.
 */

/** Keys (raw blobs) the known_hosts file lists for any of these names. */
export function knownKeys(text: string, names: readonly string[]): Buffer[] {
  const keys: Buffer[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith('@')) continue;
    const [hosts, , blob] = t.split(/\s+/);
    if (!hosts || !blob) continue;
    if (hosts.split(',').some((h) => names.includes(h))) keys.push(Buffer.from(blob, 'base64'));
  }
  return keys;
}

/** The names a peer's key may be listed under: its name, its address, and both with the port. */
export const peerHostNames = (p: { readonly name: string; readonly address: string; readonly port: number }): string[] => [p.name, p.address, `[${p.address}]:${p.port}`, `[${p.name}]:${p.port}`];
