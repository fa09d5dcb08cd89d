import { createHmac } from 'node:crypto';

/**
 * OpenSSH known_hosts lines (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT", hostfile.c): an optional
 * `@revoked` or `@cert-authority` marker, a host list (patterns with `*`/`?` and `!` negation, or
 * one hashed `|1|salt|hash`), the key type and the base64 key. Read as ssh reads them: a line ssh
 * would skip (an unknown marker, no key, a key that does not decode) is skipped here too and kept
 * with why, so a refusal can name the file's line to look at.
 */
export interface KnownHostsEntry {
  /** 1-based */
  readonly line: number;
  readonly marker: 'revoked' | 'cert-authority' | null;
  readonly hosts: string;
  readonly keyType: string;
  /** the key as the wire carries it (its type string first): equal blobs, equal keys */
  readonly blob: Buffer;
}

export interface KnownHostsLines {
  readonly entries: readonly KnownHostsEntry[];
  /** HOSTS: the line's host list where it has one, so a refusal can name a skipped line for the host */
  readonly skipped: readonly { readonly line: number; readonly why: string; readonly hosts: string | null }[];
}

/** the key type an SSH wire blob names first (uint32 length, then the name) */
export function blobType(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const n = blob.readUInt32BE(0);
  return n > 0 && n <= 64 && blob.length >= 4 + n ? blob.subarray(4, 4 + n).toString('latin1') : null;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Whether BLOB is a key of TYPE as far as its framing tells: the type string, then at least one
 * whole length-prefixed field (every plain key type's first field is one), which a key cut short
 * at a line break lacks; ssh cannot decode such a line and skips it.
 */
export function keyOfType(blob: Buffer, type: string): boolean {
  if (blobType(blob) !== type) return false;
  const at = 4 + Buffer.byteLength(type, 'latin1');
  return blob.length >= at + 4 && blob.length >= at + 4 + blob.readUInt32BE(at);
}

export function readKnownHosts(text: string): KnownHostsLines {
  const entries: KnownHostsEntry[] = [];
  const skipped: { line: number; why: string; hosts: string | null }[] = [];
  text.split('\n').forEach((raw, i) => {
    const fields = raw.trim().split(/[ \t]+/);
    if (fields[0] === '' || fields[0]?.startsWith('#')) return;
    const first = fields[0] ?? '';
    const marker = first === '@revoked' ? 'revoked' : first === '@cert-authority' ? 'cert-authority' : null;
    if (first.startsWith('@') && marker === null) return void skipped.push({ line: i + 1, why: `unknown marker ${first} (ssh knows @revoked and @cert-authority)`, hosts: fields[1] ?? null });
    const [hosts, keyType, b64] = marker === null ? fields : fields.slice(1);
    if (hosts === undefined || keyType === undefined || b64 === undefined) return void skipped.push({ line: i + 1, why: 'expected HOSTS KEYTYPE BASE64-KEY', hosts: hosts ?? null });
    const blob = BASE64.test(b64) && b64.length % 4 === 0 ? Buffer.from(b64, 'base64') : null;
    if (blob === null || !keyOfType(blob, keyType)) return void skipped.push({ line: i + 1, why: `the ${keyType} key does not decode as one`, hosts });
    entries.push({ line: i + 1, marker, hosts, keyType, blob });
  });
  return { entries, skipped };
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

/** Whether a line's host list names any of NAMES (ssh lowercases the name before looking it up, and before hashing it). */
export const hostsMatch = (hosts: string, names: readonly string[]): boolean =>
  names.some((n) => (hosts.startsWith('|1|') ? matchesHashed(hosts, n.toLowerCase()) : matchesList(hosts, n.toLowerCase())));
