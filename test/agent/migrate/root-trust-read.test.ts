import { describe, expect, it } from 'vitest';
import type { KnownHostsRead } from '../../../agent/decide/root-ssh-trust.js';
import { readRootTrust } from '../../../agent/migrate/root-trust-read.js';
import type { SshHostKeyOptions } from '../../../agent/parse/ssh-g-host-keys.js';

const hostKeys: SshHostKeyOptions = { host: 'xen2', hostKeyAlias: null, strict: 'ask', userFiles: ['/root/.ssh/known_hosts', '/etc/ssh/ssh_known_hosts'], globalFiles: ['/etc/ssh/ssh_known_hosts'], knownHostsCommand: null };
const read = (file: string): KnownHostsRead => ({ file, missing: true });
const vouched = { keys: [], by: '/etc/xenherd/known_hosts' };

describe("the facts root's ssh decides a peer's key on", () => {
  it("reads each file ssh names once, the user's first", () => {
    const f = readRootTrust('xen2', { hostname: '10.0.0.2', port: 22, proxy: null, hostKeys }, read, vouched);
    expect(f.files.map((x) => x.file)).toEqual(['/root/.ssh/known_hosts', '/etc/ssh/ssh_known_hosts']);
    expect([f.hostname, f.port]).toEqual(['10.0.0.2', 22]);
  });

  it('the key is looked up under the HostName ssh connects to, not the name asked (OpenSSH 9.2, tried against an sshd)', () => {
    expect(readRootTrust('xen2', { hostname: '10.0.0.2', port: 22, proxy: null, hostKeys }, read, vouched).options.host).toBe('10.0.0.2');
    expect(readRootTrust('xen2', { hostname: 'Xen2-Mig.example.org', port: 22, proxy: { kind: 'proxyjump', value: 'jump1' }, hostKeys }, read, vouched).options.host).toBe('xen2-mig.example.org');
  });

  it('a name ssh canonicalized is looked up as the canonical name, which -G prints as hostname only', () => {
    const f = readRootTrust('xen2', { hostname: 'Xen2.example.org', port: 22, proxy: null, canonicalizedFrom: 'xen2', hostKeys }, read, vouched);
    expect(f.options.host).toBe('xen2.example.org');
  });
});
