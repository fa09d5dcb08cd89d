import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanDone } from '../../../agent/migrate/plan-executor.js';
import type { XhError } from '../../../shared/errors.js';
import type { Result } from '../../../shared/result.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { ledgerFile } from '../../harness/ledger-file.js';
import { runMove, type MoveRun } from '../../harness/migration-bed.js';
import { pairFleet } from '../../harness/pair-fleet.js';
import { simMigrationPorts, type MigrationWorld } from '../../harness/migration-on-sim.js';
import { writeRootSshConfig } from '../../harness/root-ssh-config.js';

// `xl migrate NAME xen2` runs root's `ssh xen2 xl migrate-receive`: root's ssh_config, /etc/hosts
// and DNS decide the machine, while the preflight asked xen2 through migration.peers. A stale
// entry must refuse the move before anything starts, not send the domU to the Dom0 not checked.
// In the simulator DNS gives xen1, xen2, xen3 192.0.2.1, .2, .3; each host's files are its own.

const fleetOf = (toolstack: 'xl' | 'xm', xen: string): string => pairFleet({ tools: `toolstack=${toolstack} xen=${xen}`, xen3: true });

let fleet: Fleet;
afterEach(async () => fleet?.stop());

const where = (f: Fleet): string[] => f.sim.state().domains.filter((d) => d.name === 'web1').map((d) => d.host);

const move = (f: Fleet, w: MigrationWorld, host: string, kind: 'migrate' | 'reverse'): Promise<MoveRun> => runMove(f, simMigrationPorts(w, host), { kind, operationId: 'op-1' });

/** The preflight's refusal, exit 77, nothing moved. */
const refused = (message: string): Result<PlanDone, XhError> => ({ ok: false, error: { code: 'XH_ERR_REFUSED', message } });

const hostsFile = (f: Fleet, host: string, text: string): void => {
  mkdirSync(join(f.sim.hostRoot(host), 'etc'), { recursive: true });
  writeFileSync(join(f.sim.hostRoot(host), 'etc/hosts'), text);
};

describe('xl migrate goes to the Dom0 the preflight checked', () => {
  it("root's ~/.ssh/config sending xen2 to xen3's address: refused before anything moves, naming both routes and the fixes", async () => {
    fleet = await startFleet(fleetOf('xl', '4.17.7'));
    writeRootSshConfig(fleet.sim.hostRoot('xen1'), { xen2: { address: 'xen3' } });
    const m = await move(fleet, { sim: fleet.sim }, 'xen1', 'migrate');
    expect(m.result).toEqual(refused("preflight: xl migrate (root's ssh) would take xen2 to another machine than the one checked: to xen3 port 22 (192.0.2.3; it shows host key ssh-ed25519 SHA256:mTwgvSQDc6GIf1GpIiS1V0KFKCbVATim9O6RiXyxD7I, which known_hosts does not list for xen2), while the checks reached xen2 port 22 (its name; no migration.peers entry) (192.0.2.2); fix whichever is stale: the Host xen2 entry in root's ~/.ssh/config or /etc/ssh/ssh_config, /etc/hosts, DNS, or migration.peers.xen2.address in the agent's config; `ssh -G xen2 | grep -E '^(hostname|port|proxyjump|proxycommand) '` shows root's ssh route, `getent ahosts NAME` a name's addresses; nothing was moved"));
    expect(m.progress.some((l) => l.startsWith('migrating '))).toBe(false);
    expect(where(fleet)).toEqual(['xen1']);
    // no ledger was written: the refusal came before the move's record
    expect(existsSync(join(fleet.sim.hostRoot('xen1'), 'var/lib/xenherd/ledger.json'))).toBe(false);
  });

  it('migration.peers.xen2.address and the ssh Host entry naming the same machine by different names: the move goes ahead', async () => {
    fleet = await startFleet(fleetOf('xl', '4.17.7'));
    hostsFile(fleet, 'xen1', '127.0.0.1 localhost\n192.0.2.2 xen2-mig.example.org xen2-mig\n');
    writeRootSshConfig(fleet.sim.hostRoot('xen1'), { xen2: { address: 'xen2-mig' } });
    const m = await move(fleet, { sim: fleet.sim, config: { migration: { peers: { xen2: { address: '192.0.2.2' } } } } }, 'xen1', 'migrate');
    expect(m.result).toMatchObject({ ok: true, value: { message: 'web1 migrated from xen1 to xen2' } });
    expect(m.progress[0]).toBe(
      'checking before moving web1: that web1 runs here; that xen2 holds a replica of r1, in step (Connected, UpToDate/UpToDate); that the migration itself goes to this same xen2; the migration key for xen2; that xen2\'s sshd answers; what xen2 says of web1 (its forced command)',
    );
    expect(where(fleet)).toEqual(['xen2']);
  });

  it('through a ProxyJump to another name than the checks use: refused, naming the jump host, though that name resolves here to the address checked', async () => {
    fleet = await startFleet(fleetOf('xl', '4.17.7'));
    // here xen2-mig is xen2's address; the jump host resolves it for itself, maybe to another Dom0
    hostsFile(fleet, 'xen1', '192.0.2.2 xen2-mig\n');
    writeRootSshConfig(fleet.sim.hostRoot('xen1'), { xen2: { address: 'xen2-mig', proxyJump: 'admin@jump1' } });
    const m = await move(fleet, { sim: fleet.sim, config: { migration: { peers: { xen2: { address: '192.0.2.2' } } } } }, 'xen1', 'migrate');
    expect(m.result).toEqual(refused("preflight: xl migrate (root's ssh) would reach xen2 through the jump host admin@jump1 (ProxyJump), which resolves xen2-mig port 22 itself: nothing here can say which machine that is, and the checks reach it at 192.0.2.2 port 22 (migration.peers.xen2.address); fix: set migration.peers.xen2.address to \"xen2-mig\" (the hostname root's ssh uses), or drop the jump for Dom0-to-Dom0 moves (the Host xen2 entry in root's ~/.ssh/config or /etc/ssh/ssh_config); `ssh -G xen2 | grep -E '^(hostname|port|proxyjump|proxycommand) '` shows root's ssh route, `getent ahosts NAME` a name's addresses; nothing was moved"));
    expect(where(fleet)).toEqual(['xen1']);
  });

  it('through a ProxyJump to the very name migration.peers gives: the move goes ahead', async () => {
    fleet = await startFleet(fleetOf('xl', '4.17.7'));
    hostsFile(fleet, 'xen1', '192.0.2.2 xen2-mig\n');
    writeRootSshConfig(fleet.sim.hostRoot('xen1'), { xen2: { address: 'xen2-mig', proxyJump: 'admin@jump1' } });
    const m = await move(fleet, { sim: fleet.sim, config: { migration: { peers: { xen2: { address: 'xen2-mig' } } } } }, 'xen1', 'migrate');
    expect(m.result).toMatchObject({ ok: true, value: { message: 'web1 migrated from xen1 to xen2' } });
    expect(where(fleet)).toEqual(['xen2']);
  });

  it("the peer's own migrate2 (a reverse) is refused the same way when its ssh would take xen1 elsewhere; web1 stays on xen2", async () => {
    fleet = await startFleet(fleetOf('xl', '4.17.7'));
    const w = { sim: fleet.sim };
    expect((await move(fleet, w, 'xen1', 'migrate')).result.ok).toBe(true);
    hostsFile(fleet, 'xen2', '192.0.2.3 xen1-old\n');
    writeRootSshConfig(fleet.sim.hostRoot('xen2'), { xen1: { address: 'xen1-old', port: 2222 } });
    const r = await move(fleet, w, 'xen1', 'reverse');
    expect(r.result.ok).toBe(false);
    expect(r.result.ok ? '' : r.result.error.message).toContain("xl migrate (root's ssh) would take xen1 to another machine than the one checked: to xen1-old port 2222 (192.0.2.3; it shows host key ssh-ed25519 SHA256:mTwgvSQDc6GIf1GpIiS1V0KFKCbVATim9O6RiXyxD7I, which known_hosts does not list for xen1 as ssh takes a key at port 2222: under [xen1]:2222, or bare while no line lists one so), while the checks reached xen1 port 22 (its name; no migration.peers entry) (192.0.2.1)");
    expect(where(fleet)).toEqual(['xen2']);
    expect(ledgerFile(fleet.sim, 'xen1').away['web1']).toMatchObject({ currentHost: 'xen2' });
  });

  it("xm: xend resolves xen2 by /etc/hosts to another address than migration.peers.xen2.address: refused", async () => {
    fleet = await startFleet(fleetOf('xm', '4.1.4'));
    hostsFile(fleet, 'xen1', '192.0.2.3 xen2\n');
    const m = await move(fleet, { sim: fleet.sim, config: { migration: { peers: { xen2: { address: '192.0.2.2' } } } } }, 'xen1', 'migrate');
    expect(m.result).toEqual(refused("preflight: xm migrate (xend, by the system resolver) would take xen2 to another machine than the one checked: to xen2 (192.0.2.3; it shows host key ssh-ed25519 SHA256:mTwgvSQDc6GIf1GpIiS1V0KFKCbVATim9O6RiXyxD7I, which known_hosts does not list for xen2), while the checks reached 192.0.2.2 port 22 (migration.peers.xen2.address) (192.0.2.2); fix whichever is stale: /etc/hosts or DNS for xen2, or migration.peers.xen2.address in the agent's config; `getent ahosts xen2` shows what xend resolves; nothing was moved"));
    expect(where(fleet)).toEqual(['xen1']);
  });

  it("agent.json reaching xen2 over a migration LAN, root's ssh by its DNS name: no address in common, but xen2's own host key there, so the move goes ahead", async () => {
    fleet = await startFleet(fleetOf('xl', '4.17.7'));
    const m = await move(fleet, { sim: fleet.sim, config: { migration: { peers: { xen2: { address: '10.9.0.2' } } } } }, 'xen1', 'migrate');
    expect(m.result).toMatchObject({ ok: true, value: { message: 'web1 migrated from xen1 to xen2' } });
    expect(where(fleet)).toEqual(['xen2']);
  });
});
