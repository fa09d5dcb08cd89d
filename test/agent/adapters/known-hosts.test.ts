import { describe, expect, it } from 'vitest';
import { bareKeysSetAside, hostKeys, keysAtPort, peerHostNames, peerKeys, sshKeys, sshLookupNames } from '../../../agent/adapters/known-hosts.js';

/**
 * known_hosts as OpenSSH reads it (sshd(8) SSH_KNOWN_HOSTS FILE FORMAT): the hashed lines below
 * were written by `ssh-keygen -H` from `xen2 KEY` and `[10.0.0.2]:2222 KEY`.
 */
const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIItAA7O3Z2VJBGSE47Eiv4KgLcLy1N5jJgYUKx0D96cG';
const blob = Buffer.from(KEY, 'base64');
const OTHER = 'AAAAC3NzaC1lZDI1NTE5AAAAIOJ0bJpBy9n7I9QZn1mOJ3tT1Hq2v3C0aQm3nq6kq1b2';
const otherBlob = Buffer.from(OTHER, 'base64');
const HASHED_XEN2 = `|1|PGt3XBkRLXfLtHQmlXBfWwS4afM=|cpXRURBvAUqX+49mV1WiY+R5VPM= ssh-ed25519 ${KEY}`;
const HASHED_PORT = `|1|1vMSZAaXWJAnTYNvHxiJfbunvM4=|fm2Eu2TfSsPKCVmlPs4bcD3sx3Q= ssh-ed25519 ${KEY}`;
const XEN2 = { name: 'xen2', address: '10.0.0.2', port: 22 };

describe('peerKeys at port 22: the keys the agent trusts for a peer', () => {
  it('reads a plain host list', () => {
    expect(peerKeys(`xen1,xen2 ssh-ed25519 ${KEY}\n`, XEN2).trusted).toEqual([blob]);
    expect(peerKeys(`xen1 ssh-ed25519 ${KEY}\n`, XEN2).trusted).toEqual([]);
  });

  it('reads hashed hosts (ssh-keygen -H), by name and as [address]:port', () => {
    expect(peerKeys(`${HASHED_XEN2}\n`, XEN2).trusted).toEqual([blob]);
    expect(peerKeys(`${HASHED_PORT}\n`, { ...XEN2, port: 2222 }).trusted).toEqual([blob]);
    expect(peerKeys(`${HASHED_XEN2}\n`, { name: 'xen3', address: '10.0.0.3', port: 22 }).trusted).toEqual([]);
  });

  it('never trusts a key marked @revoked, even when another line lists it', () => {
    const text = `@revoked xen2 ssh-ed25519 ${KEY}\nxen2 ssh-ed25519 ${KEY}\n`;
    expect(peerKeys(text, XEN2).trusted).toEqual([]);
    expect(peerKeys(text, XEN2).revoked).toEqual([{ blob, line: 1 }]);
    expect(peerKeys(`@revoked * ssh-ed25519 ${KEY}\n${HASHED_XEN2}\n`, XEN2).trusted).toEqual([]);
  });

  it('honours wildcards and negation, and ignores @cert-authority lines', () => {
    expect(peerKeys(`xen* ssh-ed25519 ${KEY}\n`, XEN2).trusted).toEqual([blob]);
    expect(peerKeys(`xen*,!xen2 ssh-ed25519 ${KEY}\n`, XEN2).trusted).toEqual([]);
    expect(peerKeys(`@cert-authority xen2 ssh-ed25519 ${KEY}\n`, XEN2).trusted).toEqual([]);
  });
});

// The names ssh looks a key up under first (`ssh-keygen -F '[10.0.0.2]:2222'` finds no bare
// `10.0.0.2` line); the bare ones follow only while no line lists a key so (sshKeys, peerKeys below).
describe('sshLookupNames', () => {
  const at = (port: number): string[] => sshLookupNames({ name: 'xen2', address: '10.0.0.2', port });

  it('are the bare name and address at port 22, and only [host]:port at another port', () => {
    expect(at(22)).toEqual(['xen2', '10.0.0.2']);
    expect(at(2222)).toEqual(['[xen2]:2222', '[10.0.0.2]:2222']);
  });

  it('name a peer reached by its own name (no migration.peers address) once', () => {
    expect(sshLookupNames({ name: 'xen2', address: 'xen2', port: 2222 })).toEqual(['[xen2]:2222']);
  });

  it('find a key listed bare at port 22 alone, and one listed with the port at that port alone', () => {
    expect(hostKeys(`10.0.0.2 ssh-ed25519 ${KEY}\n`, at(22)).trusted).toEqual([blob]);
    expect(hostKeys(`10.0.0.2 ssh-ed25519 ${KEY}\n`, at(2222)).trusted).toEqual([]);
    expect(hostKeys(`xen2 ssh-ed25519 ${KEY}\n`, at(2222)).trusted).toEqual([]);
    expect(hostKeys(`[xen2]:2222 ssh-ed25519 ${KEY}\n`, at(2222)).trusted).toEqual([blob]);
    expect(hostKeys(`${HASHED_PORT}\n`, at(2222)).trusted).toEqual([blob]);
    expect(hostKeys(`[10.0.0.2]:2222 ssh-ed25519 ${KEY}\n`, at(2223)).trusted).toEqual([]);
  });
});

// ssh itself (sshconnect.c check_host_key; `ssh -v`: "found matching key w/out port") takes a key
// at another port than 22 as listed under [host]:port and, only while no line lists one there,
// as listed bare. test/ssh/peer-ssh-refusals-sshd.test.ts holds the same cases against real ssh.
describe('peerKeys: the keys the agent takes for a peer, as ssh does', () => {
  const other = Buffer.from(OTHER, 'base64');
  const at = (port: number): { name: string; address: string; port: number } => ({ name: 'xen2', address: '10.0.0.2', port });

  it('at another port: a key listed bare counts while no line lists one for that port', () => {
    expect(peerKeys(`xen2 ssh-ed25519 ${KEY}\n`, at(2222)).trusted).toEqual([blob]);
    expect(peerKeys(`${HASHED_XEN2}\n`, at(2222)).trusted).toEqual([blob]);
    expect(peerKeys(`10.0.0.2 ssh-ed25519 ${KEY}\n[10.0.0.9]:2222 ssh-ed25519 ${OTHER}\n`, at(2222)).trusted).toEqual([blob]);
  });

  it('at another port: a line for that port sets the bare ones aside, naming them', () => {
    const text = `xen2 ssh-ed25519 ${KEY}\n[10.0.0.2]:2222 ssh-ed25519 ${OTHER}\n`;
    const k = peerKeys(text, at(2222));
    expect([k.trusted, k.listed, k.bareSetAside]).toEqual([[other], [{ blob: other, line: 2 }], [{ blob, line: 1 }]]);
    // only revoked keys for the port: nothing taken, the bare key neither (ssh: REVOKED or CHANGED)
    expect(peerKeys(`xen2 ssh-ed25519 ${KEY}\n@revoked [xen2]:2222 ssh-ed25519 ${OTHER}\n[xen2]:2222 ssh-ed25519 ${OTHER}\n`, at(2222)).trusted).toEqual([]);
  });

  it('a key revoked under any of the names is not taken through the other', () => {
    expect(peerKeys(`@revoked [xen2]:2222 ssh-ed25519 ${KEY}\nxen2 ssh-ed25519 ${KEY}\n`, at(2222)).trusted).toEqual([]);
    expect(peerKeys(`@revoked xen2 ssh-ed25519 ${KEY}\n[xen2]:2222 ssh-ed25519 ${KEY}\n`, at(2222)).trusted).toEqual([]);
  });

  it('at port 22: bare or [host]:22, no other port', () => {
    expect(peerKeys(`[xen2]:22 ssh-ed25519 ${KEY}\n`, at(22)).trusted).toEqual([blob]);
    expect(peerKeys(`[xen2]:2222 ssh-ed25519 ${KEY}\n`, at(22)).trusted).toEqual([]);
    expect(keysAtPort(`xen2 ssh-ed25519 ${KEY}\n`, peerHostNames(at(22)), []).bareSetAside).toEqual([]);
  });
});

describe('sshKeys: the keys xl migrate\'s own ssh takes for the peer', () => {
  it('at another port: [host]:port, else bare; at port 22 bare alone', () => {
    expect(sshKeys(`10.0.0.2 ssh-ed25519 ${KEY}\n`, { name: 'xen2', address: '10.0.0.2', port: 2222 }).trusted).toEqual([blob]);
    expect(sshKeys(`10.0.0.2 ssh-ed25519 ${KEY}\n[xen2]:2222 ssh-ed25519 ${OTHER}\n`, { name: 'xen2', address: '10.0.0.2', port: 2222 }).trusted).toEqual([otherBlob]);
    expect(sshKeys(`[xen2]:22 ssh-ed25519 ${KEY}\n`, { name: 'xen2', address: '10.0.0.2', port: 22 }).trusted).toEqual([]);
  });
});

describe('bareKeysSetAside: what the agent warns of at start', () => {
  const at = (port: number): { name: string; address: string; port: number } => ({ name: 'xen2', address: '10.0.0.2', port });

  it('a bare key another [host]:port line outvotes, with both lines; none when the keys agree, at port 22, or with no port line', () => {
    expect(bareKeysSetAside(`[10.0.0.2]:2222 ssh-ed25519 ${OTHER}\n${HASHED_XEN2}\n`, at(2222))).toEqual({ bare: [{ blob, line: 2 }], port: [{ blob: otherBlob, line: 1 }] });
    expect(bareKeysSetAside(`[10.0.0.2]:2222 ssh-ed25519 ${KEY}\nxen2 ssh-ed25519 ${KEY}\n`, at(2222))).toBeNull();
    expect(bareKeysSetAside(`[10.0.0.2]:22 ssh-ed25519 ${OTHER}\nxen2 ssh-ed25519 ${KEY}\n`, at(22))).toBeNull();
    expect(bareKeysSetAside(`xen2 ssh-ed25519 ${KEY}\n`, at(2222))).toBeNull();
  });
});

describe('a key cut short (a line broken when pasted): no key, as ssh reads it', () => {
  // 30 bytes of the 51 the ed25519 key has: its type whole, its key field cut
  const CUT = KEY.slice(0, 40);
  const at = (port: number): { name: string; address: string; port: number } => ({ name: 'xen2', address: '10.0.0.2', port });

  it('vouches for nothing, and is kept with why so a refusal can name its line', () => {
    const k = peerKeys(`xen1 ssh-ed25519 ${KEY}\nxen2 ssh-ed25519 ${CUT}\n`, XEN2);
    expect(k.trusted).toEqual([]);
    expect(k.listed).toEqual([]);
    expect(k.skipped).toEqual([{ line: 2, why: 'the ssh-ed25519 key does not decode as one' }]);
    // cut where base64 cannot end, or with another type's name before a whole key
    expect(peerKeys(`xen2 ssh-ed25519 ${KEY.slice(0, 42)}\n`, XEN2).trusted).toEqual([]);
    expect(peerKeys(`xen2 ssh-rsa ${KEY}\n`, XEN2).trusted).toEqual([]);
  });

  it('under [host]:port it sets no bare key aside: ssh finds no key there and takes the bare one', () => {
    const text = `xen2 ssh-ed25519 ${KEY}\n[xen2]:2222 ssh-ed25519 ${CUT}\n`;
    expect(peerKeys(text, at(2222)).trusted).toEqual([blob]);
    expect(sshKeys(text, at(2222)).trusted).toEqual([blob]);
    expect(bareKeysSetAside(text, at(2222))).toBeNull();
  });
});
