import { describe, expect, it } from 'vitest';
import { judge, type PreflightFacts } from '../../../agent/decide/preflight.js';

// The migration key check's fix: "--no-peer" is offered only where the command takes it (migrate);
// a reverse asks the peer to send the domU back, and has no way round the key.

const facts = (keyReadable: boolean, knownHost: boolean): PreflightFacts => ({
  name: 'web1',
  here: undefined,
  resourceHosts: new Map(),
  keys: new Map([['xen2', { keyFile: '/etc/xenherd/migrate_key', keyReadable, knownHostsFile: '/etc/xenherd/known_hosts', knownHost }]]),
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
      expect(migrate.detail).toMatch(/ \(or pass --no-peer\)$/);
      expect(reverse.detail).not.toMatch(/--no-peer/);
    });
  }
});
