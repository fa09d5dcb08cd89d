import { describe, expect, it } from 'vitest';
import { readRoute } from '../../../agent/migrate/route-read.js';
import type { MigrationPorts } from '../../../agent/migrate/ports.js';
import { ok } from '../../../shared/result.js';
import { simMigrationPorts } from '../../harness/migration-on-sim.js';
import { simPerTest } from '../../sim/sim-per-test.js';

// What readRoute asks the resolver: ssh looks a name it canonicalized up as the absolute NAME.
// (in DNS alone: glibc's /etc/hosts lookup does not match a trailing dot), any other name as given.
const startSim = simPerTest();
const FLEET = 'host xen1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4\nhost xen2 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4\n';

describe('readRoute', () => {
  it("resolves a hostname root's ssh canonicalized as the absolute name, even the one the checks use; others as given", async () => {
    const sim = await startSim({ fleet: FLEET });
    const asked: string[] = [];
    const base = simMigrationPorts({ sim, config: { migration: { peers: { xen2: { address: 'xen2.example.org' } } } } }, 'xen1');
    const route = (canonicalizedFrom?: string): MigrationPorts => ({
      ...base,
      route: {
        ssh: async () => ok(canonicalizedFrom === undefined ? { hostname: 'xen2.example.org', port: 22, proxy: null } : { hostname: 'xen2.example.org', port: 22, proxy: null, canonicalizedFrom }),
        resolve: async (name) => (asked.push(name), { ok: true, addresses: [name.endsWith('.') ? '192.0.2.3' : '10.9.0.2'] }),
        hostKey: async () => ({ listed: false, fingerprint: 'ssh-ed25519 SHA256:xyz' }),
      },
    });
    const canonical = await readRoute(route('xen2'), 'xen2');
    expect(asked.sort()).toEqual(['xen2.example.org', 'xen2.example.org.']);
    expect(canonical).toMatchObject({ checked: { addresses: { ok: true, addresses: ['10.9.0.2'] } }, tool: { hostname: 'xen2.example.org', canonicalizedFrom: 'xen2', addresses: { ok: true, addresses: ['192.0.2.3'] } }, toolKey: { listed: false } });
    asked.length = 0;
    // not canonicalized: one name, one resolver, nothing asked
    expect(await readRoute(route(), 'xen2')).toMatchObject({ tool: { addresses: null }, toolKey: null });
    expect(asked).toEqual([]);
  });

  it("xl: root's ssh's host-key options are handed to the port that reads its known_hosts files; without them nothing is read", async () => {
    const sim = await startSim({ fleet: FLEET });
    const base = simMigrationPorts({ sim }, 'xen1');
    const hostKeys = { host: 'xen2', hostKeyAlias: 'xen2-mig', strict: 'yes' as const, userFiles: ['/root/.ssh/known_hosts'], globalFiles: [], knownHostsCommand: null, checkHostIp: false, verifyHostKeyDns: 'no' as const, revokedHostKeys: null };
    const asked: string[] = [];
    const withKeys = (keys: boolean): MigrationPorts => ({
      ...base,
      route: {
        ...base.route,
        ssh: async () => ok(keys ? { hostname: 'xen2', port: 22, proxy: null, hostKeys } : { hostname: 'xen2', port: 22, proxy: null }),
        trust: async (peer, r) => (asked.push(`${peer} ${r.hostKeys.hostKeyAlias ?? ''}`), { peer, hostname: r.hostname, port: r.port, options: r.hostKeys, files: [], vouched: [], vouchedBy: '/etc/xenherd/known_hosts', revokedFile: null, addresses: [] }),
      },
    });
    expect(await readRoute(withKeys(true), 'xen2')).toMatchObject({ trust: { peer: 'xen2', options: { hostKeyAlias: 'xen2-mig' } } });
    expect(asked).toEqual(['xen2 xen2-mig']);
    expect(await readRoute(withKeys(false), 'xen2')).not.toHaveProperty('trust');
    expect(asked).toHaveLength(1);
  });

  it("IdentityFile and CertificateFile ${VAR}s: those the environment xl migrate's ssh gets leaves unset are handed to the verdict, the others not", async () => {
    const sim = await startSim({ fleet: FLEET });
    const base = simMigrationPorts({ sim }, 'xen1');
    const later = [
      { option: 'IdentityFile', variable: 'KEYS', value: '${KEYS}/id_xen2' },
      { option: 'CertificateFile', variable: 'CERTS', value: '${CERTS}/id_xen2-cert.pub' },
    ];
    const ports: MigrationPorts = { ...base, route: { ...base.route, ssh: async () => ok({ hostname: 'xen2', port: 22, proxy: null, expandedOnceConnected: later }) } };
    expect(await readRoute(ports, 'xen2', { KEYS: '/root/keys' })).toMatchObject({ tool: { unsetOnceConnected: [later[1]] } });
    expect((await readRoute(ports, 'xen2', { KEYS: '/root/keys', CERTS: '' })).tool).not.toHaveProperty('unsetOnceConnected');
  });
});
