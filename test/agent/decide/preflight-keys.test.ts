import { describe, expect, it } from 'vitest';
import { judge, type PreflightFacts } from '../../../agent/decide/preflight.js';

// The migration key check's fix: "--no-peer" is offered only where the command takes it (the
// agent's migrate, named whole with the Dom0 to type it on); a reverse asks the peer to send the
// domU back, and has no way round the key.

const facts = (keyReadable: boolean, knownHost: boolean, keyOpenMode: number | null = null, port = 22): PreflightFacts => ({
  name: 'web1',
  here: undefined,
  resourceHosts: new Map(),
  drbd: { host: 'xen1', resources: new Map() },
  keys: new Map([['xen2', { keyFile: '/etc/xenherd/migrate_key', keyReadable, keyOpenMode, knownHostsFile: '/etc/xenherd/known_hosts', knownHost, address: '10.0.0.2', port }]]),
  sshd: new Map(),
  status: new Map(),
});

describe('preflight: the migration key and the peer\'s host key', () => {
  for (const [keyReadable, knownHost] of [
    [false, false],
    [true, false],
  ] as const) {
    it(`${keyReadable ? 'no host key' : 'no key'}: XH_ERR_FILE; "--no-peer" offered to migrate only`, () => {
      const migrate = judge({ check: 'migration-key', peer: 'xen2', withoutPeer: true }, facts(keyReadable, knownHost));
      const reverse = judge({ check: 'migration-key', peer: 'xen2', withoutPeer: false }, facts(keyReadable, knownHost));
      expect([migrate.ok, migrate.code, reverse.ok, reverse.code]).toEqual([false, 'XH_ERR_FILE', false, 'XH_ERR_FILE']);
      // a whole command for this Dom0: the refusal reaches xenherdctl too, whose migrate has no --no-peer
      expect(migrate.detail).toMatch(/ \(or, on xen1, `xenherd-agent migrate web1 xen2 --no-peer`: xen2 is then not told web1 is its visitor\)$/);
      expect(reverse.detail).not.toMatch(/--no-peer/);
    });
  }
});

describe('preflight: a migration key others may read', () => {
  it('fails with the chmod that fixes it, as OpenSSH refuses such a key, and the peer is not asked', () => {
    const v = judge({ check: 'migration-key', peer: 'xen2', withoutPeer: false }, facts(true, true, 0o644));
    expect([v.ok, v.code]).toEqual([false, 'XH_ERR_FILE']);
    expect(v.detail).toBe('the migration key /etc/xenherd/migrate_key may be read by others than its owner (mode 0644): run `chmod 600 /etc/xenherd/migrate_key`; whoever can read it may ask xen2 for migrations as this Dom0');
  });

  it('passes a key only its owner reads', () => {
    expect(judge({ check: 'migration-key', peer: 'xen2', withoutPeer: false }, facts(true, true)).ok).toBe(true);
  });
});

// The fix scans the sshd the agent connects to (migration.peers.HOST address and port, else the
// name and sshPort): `ssh-keyscan xen2` asks port 22 of a name that may reach another address.
describe('preflight: no host key for the peer', () => {
  const detail = (port: number): string => judge({ check: 'migration-key', peer: 'xen2', withoutPeer: false }, facts(true, false, null, port)).detail;

  it('names the scan of its address, with -p off port 22, appended to the file', () => {
    expect(detail(22)).toBe('/etc/xenherd/known_hosts has no host key for xen2: add it after checking it (ssh-keyscan 10.0.0.2 >> /etc/xenherd/known_hosts)');
    expect(detail(2222)).toBe('/etc/xenherd/known_hosts has no host key for xen2: add it after checking it (ssh-keyscan -p 2222 10.0.0.2 >> /etc/xenherd/known_hosts)');
  });
});
