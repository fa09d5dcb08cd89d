import { describe, expect, it } from 'vitest';
import { blobType, hostsMatch, readKnownHosts } from '../../../agent/parse/known-hosts-lines.js';

const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIItAA7O3Z2VJBGSE47Eiv4KgLcLy1N5jJgYUKx0D96cG';

describe('known_hosts lines as ssh reads them', () => {
  it('reads plain, @revoked and @cert-authority lines with their key, skipping comments and blank lines', () => {
    const r = readKnownHosts(`# keys\n\nxen2 ssh-ed25519 ${KEY} root@xen2\n@revoked xen3 ssh-ed25519 ${KEY}\n@cert-authority *.example.org ssh-ed25519 ${KEY}\n`);
    expect(r.skipped).toEqual([]);
    expect(r.entries.map((e) => [e.line, e.marker, e.hosts, e.keyType])).toEqual([
      [3, null, 'xen2', 'ssh-ed25519'],
      [4, 'revoked', 'xen3', 'ssh-ed25519'],
      [5, 'cert-authority', '*.example.org', 'ssh-ed25519'],
    ]);
    expect(r.entries[0]?.blob.equals(Buffer.from(KEY, 'base64'))).toBe(true);
  });

  it('skips, with why, what ssh skips: an unknown marker, no key, a key that does not decode or is of another type', () => {
    const r = readKnownHosts(`@trusted xen2 ssh-ed25519 ${KEY}\nxen2 ssh-ed25519\nxen2 ssh-ed25519 not*base64\nxen2 ssh-rsa ${KEY}\nxen2 ssh-ed25519 ${KEY.slice(0, 7)}\nxen2 ssh-ed25519 ${KEY.slice(0, 20)}\nxen2 ssh-ed25519 ${KEY.slice(0, 32)}\n`);
    expect(r.entries).toEqual([]);
    expect(r.skipped).toEqual([
      { line: 1, why: 'unknown marker @trusted (ssh knows @revoked and @cert-authority)', hosts: 'xen2' },
      { line: 2, why: 'expected HOSTS KEYTYPE BASE64-KEY', hosts: 'xen2' },
      { line: 3, why: 'the ssh-ed25519 key does not decode as one', hosts: 'xen2' },
      { line: 4, why: 'the ssh-rsa key does not decode as one', hosts: 'xen2' },
      { line: 5, why: 'the ssh-ed25519 key does not decode as one', hosts: 'xen2' },
      // cut short at a line break, after the type name or inside the key
      { line: 6, why: 'the ssh-ed25519 key does not decode as one', hosts: 'xen2' },
      { line: 7, why: 'the ssh-ed25519 key does not decode as one', hosts: 'xen2' },
    ]);
  });

  it('a blob names its type first; a short or absurd one names none', () => {
    expect(blobType(Buffer.from(KEY, 'base64'))).toBe('ssh-ed25519');
    expect(blobType(Buffer.from([0, 0]))).toBeNull();
    expect(blobType(Buffer.from([255, 255, 255, 255, 1]))).toBeNull();
  });

  it('matches host lists as OpenSSH does: wildcards, negation, case, hashed names', () => {
    expect(hostsMatch('xen1,XEN2', ['xen2'])).toBe(true);
    expect(hostsMatch('xen*,!xen2', ['xen2'])).toBe(false);
    expect(hostsMatch('[xen2]:2222', ['[xen2]:2222'])).toBe(true);
    expect(hostsMatch('[xen2]:2222', ['xen2'])).toBe(false);
    expect(hostsMatch('|1|PGt3XBkRLXfLtHQmlXBfWwS4afM=|cpXRURBvAUqX+49mV1WiY+R5VPM=', ['XEN2'])).toBe(true);
    expect(hostsMatch('|1|broken', ['xen2'])).toBe(false);
  });
});
