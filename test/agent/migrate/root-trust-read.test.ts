import { describe, expect, it } from 'vitest';
import type { KnownHostsRead } from '../../../agent/decide/root-ssh-trust.js';
import { checkHostIpAddresses, readRootTrust } from '../../../agent/migrate/root-trust-read.js';
import type { SshHostKeyOptions } from '../../../agent/parse/ssh-g-host-keys.js';

const hostKeys: SshHostKeyOptions = {
  host: 'xen2',
  hostKeyAlias: null,
  strict: 'ask',
  userFiles: ['/root/.ssh/known_hosts', '/etc/ssh/ssh_known_hosts'],
  globalFiles: ['/etc/ssh/ssh_known_hosts'],
  knownHostsCommand: null,
  checkHostIp: false,
  verifyHostKeyDns: 'no',
  revokedHostKeys: null,
};
const read = (file: string): KnownHostsRead => ({ file, missing: true });
const vouched = { keys: [], by: '/etc/xenherd/known_hosts' };

describe("the facts root's ssh decides a peer's key on", () => {
  it("reads each file ssh names once, the user's first", () => {
    const f = readRootTrust('xen2', { hostname: '10.0.0.2', port: 22, proxy: null, hostKeys }, read, vouched, []);
    expect(f.files.map((x) => x.file)).toEqual(['/root/.ssh/known_hosts', '/etc/ssh/ssh_known_hosts']);
    expect([f.hostname, f.port]).toEqual(['10.0.0.2', 22]);
  });

  it('the key is looked up under the HostName ssh connects to, not the name asked (OpenSSH 9.2, tried against an sshd)', () => {
    expect(readRootTrust('xen2', { hostname: '10.0.0.2', port: 22, proxy: null, hostKeys }, read, vouched, []).options.host).toBe('10.0.0.2');
    expect(readRootTrust('xen2', { hostname: 'Xen2-Mig.example.org', port: 22, proxy: { kind: 'proxyjump', value: 'jump1' }, hostKeys }, read, vouched, []).options.host).toBe('xen2-mig.example.org');
  });

  it('a name ssh canonicalized is looked up as the canonical name, which -G prints as hostname only', () => {
    const f = readRootTrust('xen2', { hostname: 'Xen2.example.org', port: 22, proxy: null, canonicalizedFrom: 'xen2', hostKeys }, read, vouched, []);
    expect(f.options.host).toBe('xen2.example.org');
  });

  it('RevokedHostKeys: opened as -G prints it, as OpenSSH 9.2 expands nothing in it; a path that is not absolute is named', () => {
    const at = (revokedHostKeys: string): unknown => readRootTrust('xen2', { hostname: 'xen2', port: 22, proxy: null, hostKeys: { ...hostKeys, revokedHostKeys } }, read, vouched, []).revokedFile;
    expect(at('~/.ssh/revoked')).toEqual({ file: '~/.ssh/revoked', relative: true });
    expect(at('/etc/ssh/revoked')).toEqual({ file: '/etc/ssh/revoked', missing: true });
    expect(at('/etc/ssh/revoked_%h')).toEqual({ file: '/etc/ssh/revoked_%h', missing: true });
    expect(at('/etc/ssh/revoked ${X}')).toEqual({ file: '/etc/ssh/revoked ${X}', missing: true });
    expect(at('revoked')).toEqual({ file: 'revoked', relative: true });
    expect(readRootTrust('xen2', { hostname: 'xen2', port: 22, proxy: null, hostKeys }, read, vouched, []).revokedFile).toBeNull();
  });

  it('RevokedHostKeys /root/a /b (a blank before a slash) is one path, as ssh parses and opens it', () => {
    const seen: string[] = [];
    const readAll = (file: string): KnownHostsRead => (seen.push(file), { file, text: '' });
    readRootTrust('xen2', { hostname: 'xen2', port: 22, proxy: null, hostKeys: { ...hostKeys, revokedHostKeys: '/root/a /b' } }, readAll, vouched, []);
    expect(seen).toContain('/root/a /b');
  });
});

describe('GlobalKnownHostsFile as ssh opens it', () => {
  it("a leading ~ is the home ssh runs in (root's); no % token expanded; another user's ~ named as not read", () => {
    const route = { hostname: 'xen2', port: 22, proxy: null, hostKeys: { ...hostKeys, userFiles: [], globalFiles: ['~/.ssh/g_%h', '~', '~//kh', '/etc/a b', '~xen/kh'] } };
    const f = readRootTrust('xen2', route, read, vouched, [], '/home/root/');
    expect(f.files).toEqual([
      { file: '/home/root/.ssh/g_%h', missing: true },
      { file: '/home/root/', missing: true },
      { file: '/home/root/kh', missing: true },
      { file: '/etc/a b', missing: true },
      { file: '~xen/kh', problem: "ssh expands ~xen to that user's home, which is not looked up here: give the whole path in root's ssh_config" },
    ]);
    expect(f.options.globalFiles).toEqual(['/home/root/.ssh/g_%h', '/home/root/', '/home/root/kh', '/etc/a b']);
  });
});

describe('a file list ssh -G prints joined by blanks', () => {
  const route = (userFiles: string[], globalFiles: string[]) => ({ hostname: 'xen2', port: 22, proxy: null, hostKeys: { ...hostKeys, userFiles, globalFiles } });
  const existing = (...there: string[]) => (file: string): KnownHostsRead => (there.includes(file) ? { file, problem: 'a directory' } : { file, missing: true });
  it('a cut where a directory ending in a blank exists may be inside one path: named, with the fix', () => {
    const f = readRootTrust('xen2', route(['/srv/kh', '/x'], []), existing('/srv/kh '), vouched, []);
    expect(f.listInDoubt).toBe('ssh -G prints userknownhostsfile as paths joined by blanks, and "/srv/kh /x" may be one path (the blank inside it: "/srv/kh " exists) or two: which files ssh reads cannot be told; rename "/srv/kh " to a name without that blank, or name the files so in root\'s ssh_config');
    expect(readRootTrust('xen2', route(['/srv/kh', '/x'], []), existing('/srv/kh', '/x'), vouched, []).listInDoubt).toBeUndefined();
    // a regular file named so has no files under it
    expect(readRootTrust('xen2', route(['/srv/kh', '/x'], []), (file) => ({ file, text: '' }), vouched, []).listInDoubt).toBeUndefined();
  });

  it("a global list's ~ expanded before the check; a ~ after the blank stays as printed", () => {
    expect(readRootTrust('xen2', route([], ['~/g', '~x/k']), existing('/h/g ~x'), vouched, [], '/h').listInDoubt).toContain('"~/g ~x/k" may be one path (the blank inside it: "/h/g ~x" exists)');
    expect(readRootTrust('xen2', route([], ['~/g', '/k']), existing(), vouched, [], '/h').listInDoubt).toBeUndefined();
    // "/etc/a ~b" joined names a file: one of any kind there is enough
    expect(readRootTrust('xen2', route([], ['/etc/a', '~b']), (file) => (file === '/etc/a ~b' ? { file, text: '' } : { file, missing: true }), vouched, []).listInDoubt).toContain('"/etc/a ~b" may be one path');
  });
});

describe('the address CheckHostIP has ssh look up', () => {
  const resolve = async (): Promise<{ ok: true; addresses: string[] }> => ({ ok: true, addresses: ['198.51.100.9', '192.0.2.2', '127.0.1.1', '::1'] });
  const route = (o: Partial<SshHostKeyOptions>, hostname = 'xen2', proxy: { kind: 'proxyjump'; value: string } | null = null, port = 22) => ({ hostname, port, proxy, hostKeys: { ...hostKeys, ...o } });
  const tried: string[] = [];
  const accepts = (...up: string[]) => async (address: string, port: number): Promise<boolean> => (tried.push(`${address}:${port}`), up.includes(address));
  it('the one ssh connects to, the first address that accepts at the port, not every address the name has', async () => {
    tried.length = 0;
    expect(await checkHostIpAddresses(route({ checkHostIp: true }, 'xen2', null, 2222), resolve, accepts('192.0.2.2', '127.0.1.1'))).toEqual(['192.0.2.2']);
    expect(tried).toEqual(['198.51.100.9:2222', '192.0.2.2:2222']);
    expect(await checkHostIpAddresses(route({ checkHostIp: true }), resolve, accepts())).toEqual([]);
  });

  it("each address given as long as ssh gives it: ConnectTimeout's seconds, else (null) the kernel's own connect", async () => {
    const bounds: (number | null)[] = [];
    const waits = async (_address: string, _port: number, timeoutMs: number | null): Promise<boolean> => (bounds.push(timeoutMs), false);
    await checkHostIpAddresses({ ...route({ checkHostIp: true }), connectTimeoutSeconds: 7 }, resolve, waits);
    await checkHostIpAddresses(route({ checkHostIp: true }), resolve, waits);
    expect(bounds).toEqual([7000, 7000, 7000, 7000, null, null, null, null]);
  });

  it('none when that address is a loopback one, under CheckHostIP no, through a proxy, or to an address at port 22', async () => {
    expect(await checkHostIpAddresses(route({ checkHostIp: true }), resolve, accepts('127.0.1.1'))).toEqual([]);
    expect(await checkHostIpAddresses(route({ checkHostIp: true }), resolve, accepts('::1'))).toEqual([]);
    expect(await checkHostIpAddresses(route({ checkHostIp: false }), resolve, accepts('192.0.2.2'))).toEqual([]);
    expect(await checkHostIpAddresses(route({ checkHostIp: true }, 'xen2', { kind: 'proxyjump', value: 'j' }), resolve, accepts('192.0.2.2'))).toEqual([]);
    expect(await checkHostIpAddresses(route({ checkHostIp: true }, '10.0.0.2'), resolve, accepts('10.0.0.2'))).toEqual([]);
    expect(await checkHostIpAddresses(route({ checkHostIp: true }), async () => ({ ok: false, why: 'ENOTFOUND' }), accepts('192.0.2.2'))).toEqual([]);
  });

  it('AddressFamily inet or inet6: only addresses of that family, as ssh asks getaddrinfo for no other', async () => {
    const both = async (): Promise<{ ok: true; addresses: string[] }> => ({ ok: true, addresses: ['2001:db8::2', '192.0.2.2'] });
    expect(await checkHostIpAddresses(route({ checkHostIp: true }), both, accepts('2001:db8::2', '192.0.2.2'))).toEqual(['2001:db8::2']);
    expect(await checkHostIpAddresses(route({ checkHostIp: true, addressFamily: 'inet' }), both, accepts('2001:db8::2', '192.0.2.2'))).toEqual(['192.0.2.2']);
    expect(await checkHostIpAddresses(route({ checkHostIp: true, addressFamily: 'inet6' }), both, accepts('2001:db8::2', '192.0.2.2'))).toEqual(['2001:db8::2']);
  });

  it('a name ssh canonicalized is resolved as the absolute NAME., as ssh resolves it', async () => {
    const asked: string[] = [];
    const r = { ...route({ checkHostIp: true }, 'xen2.example.org'), canonicalizedFrom: 'xen2' };
    expect(await checkHostIpAddresses(r, async (name) => (asked.push(name), { ok: true, addresses: ['192.0.2.2'] }), accepts('192.0.2.2'))).toEqual(['192.0.2.2']);
    expect(asked).toEqual(['xen2.example.org.']);
  });

  it('an address hostname at another port: ssh checks it as [address]:port (strcmp of the two names differs), connecting to it alone', async () => {
    expect(await checkHostIpAddresses(route({ checkHostIp: true, hostKeyAlias: 'xen2-mig' }, '10.0.0.2', null, 2222), resolve, accepts())).toEqual(['10.0.0.2']);
  });
});
