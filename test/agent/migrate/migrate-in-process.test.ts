import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readMigrationFacts } from '../../../agent/migrate/facts.js';
import { executePlan } from '../../../agent/migrate/plan-executor.js';
import type { MigrationPorts } from '../../../agent/migrate/ports.js';
import { runPreflight } from '../../../agent/migrate/preflight-run.js';
import { serveForcedCommand } from '../../../agent/migrate/forced-command.js';
import { withUnsettled, type Ledger } from '../../../agent/state/ledger.js';
import { processIdentity } from '../../../shared/fs/file-lock.js';
import type { PeerLine } from '../../../shared/protocol/peer.js';
import { ok } from '../../../shared/result.js';
import { classifyXmMigrate } from '../../../agent/parse/xm-migrate.js';
import { readFixture } from '../../fixture.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { drive } from '../../harness/drive.js';
import { ledgerFile } from '../../harness/ledger-file.js';
import { mustPlan, planMove, runMove } from '../../harness/migration-bed.js';
import { pairFleet, type PairFleetOptions } from '../../harness/pair-fleet.js';
import { simMigrationPorts, type MigrationWorld } from '../../harness/migration-on-sim.js';

// Migrations as plans, run by the one plan executor, in process: the simulator plays both Dom0s
// and "ssh to the peer's forced command" is the peer's forced-command code called directly.

// the pair with xen3 (no replica of r1) and db1 homed on xen2
const fleetText = (o: PairFleetOptions = {}): string => pairFleet({ xen3: true, more: 'domu db1 mem=4096 vcpus=4 home=xen2 peer=xen1 drbd=r2 running=xen2\n', ...o });
const FLEET = fleetText();

let fleet: Fleet;
afterEach(async () => fleet?.stop());

const world = (f: Fleet, over: Partial<MigrationWorld> = {}): MigrationWorld => ({ sim: f.sim, ...over });
const ports = (w: MigrationWorld, host: string): MigrationPorts => simMigrationPorts(w, host);
const ledger = (f: Fleet, host: string): Ledger => ledgerFile(f.sim, host);
const hasLedger = (f: Fleet, host: string): Ledger | null => {
  try {
    return ledger(f, host);
  } catch {
    return null;
  }
};
const xlNames = (f: Fleet, host: string): string[] => f.sim.state().domains.filter((d) => d.host === host).map((d) => d.name).sort();

describe('migrate and reverse as plans (in process)', () => {
  it('migrates web1 to its peer, both ledgers record it, and reverse brings it back; ledgers end clean', async () => {
    fleet = await startFleet(FLEET);
    const w = world(fleet);
    const m = await runMove(fleet, ports(w, 'xen1'));
    expect(m.result).toMatchObject({ ok: true, value: { message: 'web1 migrated from xen1 to xen2', lines: ['xen2 confirmed it runs web1'] } });
    // what is checked before anything moves, then the move
    expect(m.progress.slice(0, 2)).toEqual([
      "checking before moving web1: that web1 runs here; that xen2 holds a replica of r1, in step (Connected, UpToDate/UpToDate); that the migration itself goes to this same xen2; the migration key for xen2; that xen2's sshd answers; what xen2 says of web1 (its forced command)",
      'migrating web1 from xen1 to xen2 (operation op-xen1-1)',
    ]);
    expect(m.progress).toContain('Migration successful.');
    expect(xlNames(fleet, 'xen2')).toContain('web1');
    expect(ledger(fleet, 'xen1').away['web1']).toMatchObject({ home: 'xen1', currentHost: 'xen2', reason: 'manual', operationId: 'op-xen1-1' });
    expect(ledger(fleet, 'xen2').visitors['web1']).toMatchObject({ home: 'xen1' });

    const r = await runMove(fleet, ports(w, 'xen1'), { kind: 'reverse' });
    expect(r.result).toMatchObject({ ok: true, value: { message: 'web1 is back on xen1; ledger updated', peerResult: { ok: true, message: 'web1 migrated from xen2 to xen1' } } });
    expect(r.progress.slice(0, 2)).toEqual(["checking before moving web1: the migration key for xen2; that xen2's sshd answers; what xen2 says of web1 (its forced command)", 'asking xen2 to migrate web1 back to xen1 (migrate2 over ssh)']);
    // xen2's forced command runs a preflight of its own, and its lines come through too
    expect(r.progress).toContain("xen2: checking before moving web1: that web1 runs here; that xen1 holds a replica of r1, in step (Connected, UpToDate/UpToDate); that the migration itself goes to this same xen1; that xen1's sshd answers");
    expect(r.progress).toContain('xen2: Migration successful.');
    expect(xlNames(fleet, 'xen1')).toContain('web1');
    expect(ledger(fleet, 'xen1').away).toEqual({});
    expect(ledger(fleet, 'xen2').visitors).toEqual({});
    expect(fleet.sim.violations).toEqual([]);
  });

  it.each([
    ['before', 'XH_ERR_MIGRATION_FAILED'],
    ['target', 'XH_ERR_MIGRATION_FAILED'],
    ['handshake', 'XH_ERR_MIGRATION_UNKNOWN'],
  ] as const)('a migration failing at %s ends %s with the ledger unchanged', async (phase, code) => {
    fleet = await startFleet(FLEET);
    fleet.sim.migrationFault('web1', phase);
    const m = await runMove(fleet, ports(world(fleet), 'xen1'));
    expect(m.result).toMatchObject({ ok: false, error: { code } });
    if (phase === 'handshake') expect(!m.result.ok && m.result.error.message).toMatch(/^ALARM: .*listed on both hosts/);
    else expect(xlNames(fleet, 'xen1')).toContain('web1');
    expect(hasLedger(fleet, 'xen1')?.away ?? {}).toEqual({});
  });

  it("xend's relocation server refusing this host: the failure names the settings on the target to look at", async () => {
    fleet = await startFleet(FLEET);
    const p = ports(world(fleet), 'xen1');
    // the simulated Dom0s run xl: xm's answer is given to the executor as the adapter reads it
    const stderr = readFixture('xm/migrate-reset-3.2-gen.stderr.txt').body;
    const refused: MigrationPorts = { ...p, toolstack: { ...p.toolstack, migrate: async () => ok({ outcome: classifyXmMigrate(stderr, 1), transcript: stderr }) } };
    const m = await runMove(fleet, refused);
    expect(!m.result.ok && m.result.error.code).toBe('XH_ERR_MIGRATION_FAILED');
    expect(!m.result.ok && m.result.error.message).toMatch(/^web1 was not migrated to xen2 \(failed-at-target: Error: \(104, 'Connection reset by peer'\); the target's xend closed the connection at once: .*xend-relocation-hosts-allow .*\); it still runs on xen1/);
  });

  it('a slow preflight says every 10 s that it is still checking, then the move goes on', async () => {
    fleet = await startFleet(FLEET);
    const p = ports(world(fleet), 'xen1');
    // the peer's sshd takes 25 s to accept (a loaded Dom0): nothing has moved yet
    const slow: MigrationPorts = { ...p, peer: { ...p.peer, sshd: async (peer) => (await p.clock.sleep(25_000), p.peer.sshd(peer)) } };
    const m = await runMove(fleet, slow);
    expect(m.result).toMatchObject({ ok: true });
    const first = m.progress.findIndex((l) => l.startsWith('migrating '));
    expect(m.progress.slice(1, first)).toEqual(['still checking before moving web1 (10 s)', 'still checking before moving web1 (20 s)']);
    expect(m.progress[0]).toMatch(/^checking before moving web1: /);
  });

  it('each migration is in the ledger while it runs (written before it moves anything, naming this process) and leaves with its outcome', async () => {
    fleet = await startFleet(FLEET);
    const w = world(fleet);
    const me = processIdentity();
    const seen: Array<Ledger['inflight'] | undefined> = [];
    const watch = async (p: MigrationPorts, kind: 'migrate' | 'reverse') => {
      const pl = await mustPlan(p, { kind });
      // the line of the step that moves the domU comes as that step begins (the preflight's before it)
      const moving = (l: string): boolean => l.startsWith('migrating ') || l.startsWith('asking ');
      return drive(fleet, executePlan(p, pl, (l) => void (seen.length === 0 && moving(l) && seen.push(ledger(fleet, 'xen1').inflight))));
    };
    expect(await watch(ports(w, 'xen1'), 'migrate')).toMatchObject({ ok: true });
    expect(seen[0]).toEqual({ web1: { peer: 'xen2', since: expect.any(String), operationId: 'op-xen1-1', operation: 'migrate', holder: me } });
    expect(ledger(fleet, 'xen1').inflight).toBeUndefined();
    seen.length = 0;
    expect(await watch(ports(w, 'xen1'), 'reverse')).toMatchObject({ ok: true });
    expect(seen[0]).toEqual({ web1: expect.objectContaining({ peer: 'xen2', operation: 'reverse', holder: me }) });
    expect(ledger(fleet, 'xen1').inflight).toBeUndefined();
    // the forced command on xen2 wrote none: xen1's record covers the whole reverse
    expect(ledger(fleet, 'xen2').inflight).toBeUndefined();
    // a failure that left web1 here ends the record and is no ALARM; an unknown ending becomes one
    fleet.sim.migrationFault('web1', 'before');
    expect(await watch(ports(w, 'xen1'), 'migrate')).toMatchObject({ ok: false, error: { code: 'XH_ERR_MIGRATION_FAILED' } });
    expect([ledger(fleet, 'xen1').inflight, ledger(fleet, 'xen1').unsettled]).toEqual([undefined, undefined]);
    fleet.sim.migrationFault('web1', 'handshake');
    expect(await watch(ports(w, 'xen1'), 'migrate')).toMatchObject({ ok: false, error: { code: 'XH_ERR_MIGRATION_UNKNOWN' } });
    expect(ledger(fleet, 'xen1').inflight).toBeUndefined();
    expect(ledger(fleet, 'xen1').unsettled).toEqual({ web1: expect.objectContaining({ operation: 'migrate', message: expect.stringMatching(/^ALARM: migration of web1 to xen2 ended undefined/) }) });
  });

  it('a plan stopped by an internal error after it began moving is kept as an unsettled ALARM, and the error still reaches the caller', async () => {
    fleet = await startFleet(FLEET);
    const p = ports(world(fleet), 'xen1');
    const broken: MigrationPorts = { ...p, toolstack: { ...p.toolstack, migrate: () => Promise.reject(new Error('the toolstack adapter broke')) } };
    const pl = await mustPlan(broken);
    await expect(drive(fleet, executePlan(broken, pl, () => undefined).catch((e: unknown) => e))).resolves.toMatchObject({ message: 'the toolstack adapter broke' });
    expect(ledger(fleet, 'xen1').inflight).toBeUndefined();
    expect(ledger(fleet, 'xen1').unsettled).toEqual({ web1: expect.objectContaining({ peer: 'xen2', operation: 'migrate', message: 'ALARM: the migrate of web1 stopped on an internal error (the toolstack adapter broke) before its outcome was known: check both hosts' }) });
  });

  it('a reverse whose way back ends in an ALARM is kept as unsettled by the home that asked, not by the forced command', async () => {
    fleet = await startFleet(FLEET);
    const w = world(fleet);
    expect((await runMove(fleet, ports(w, 'xen1'))).result).toMatchObject({ ok: true });
    fleet.sim.migrationFault('web1', 'handshake');
    const r = await runMove(fleet, ports(w, 'xen1'), { kind: 'reverse' });
    expect(r.result).toMatchObject({ ok: false, error: { code: 'XH_ERR_MIGRATION_UNKNOWN', message: expect.stringMatching(/xen1's ledger keeps it as unsettled until `xenherd-agent reconcile web1` on xen1$/) } });
    expect(ledger(fleet, 'xen1').unsettled).toEqual({ web1: expect.objectContaining({ peer: 'xen2', operation: 'reverse' }) });
    // xen2's forced command answered its own ALARM to xen1: one record, where the operation began
    expect(ledger(fleet, 'xen2').unsettled ?? {}).toEqual({});
  });

  it('an ALARM is kept as unsettled; a later migration that sees where the domU runs answers it, and only that record goes', async () => {
    fleet = await startFleet(FLEET);
    const w = world(fleet);
    const p1 = ports(w, 'xen1');
    fleet.sim.migrationFault('web1', 'before');
    expect((await runMove(fleet, p1)).result).toMatchObject({ ok: false, error: { code: 'XH_ERR_MIGRATION_FAILED' } });
    expect(hasLedger(fleet, 'xen1')?.unsettled ?? {}).toEqual({}); // a failure that left it here is no ALARM
    const alarm = { peer: 'xen2', since: '2025-01-01T00:00:00.000Z', operationId: 'op-old', operation: 'migrate' as const, message: 'ALARM: an older ending nobody knew' };
    expect((await p1.store.update((l) => withUnsettled(withUnsettled(l, 'web1', alarm), 'db1', { ...alarm, operation: 'reverse' }))).ok).toBe(true);
    const m = await runMove(fleet, p1);
    expect(m.result).toMatchObject({ ok: true });
    expect(Object.keys(ledger(fleet, 'xen1').unsettled ?? {})).toEqual(['db1']);
    expect(ledger(fleet, 'xen1').away['web1']).toMatchObject({ currentHost: 'xen2' });
  });

  it("on xm hosts, xend's migrating-NAME left standing at the sender is NAME still here: an ALARM, never a move recorded", async () => {
    fleet = await startFleet(fleetText({ tools: 'toolstack=xm xen=4.1.4' }));
    const w = world(fleet);
    fleet.sim.migrationFault('web1', 'handshake');
    const m = await runMove(fleet, ports(w, 'xen1'));
    expect((await fleet.sim.run('xen1', 'xm', ['list'])).stdout).toMatch(/^migrating-web1 /m);
    expect(m.result).toMatchObject({ ok: false, error: { code: 'XH_ERR_MIGRATION_UNKNOWN', message: expect.stringContaining('(xen1 lists it, xen2 lists it)') } });
    expect(hasLedger(fleet, 'xen1')?.away ?? {}).toEqual({});
    expect(ledger(fleet, 'xen1').unsettled).toEqual({ web1: expect.objectContaining({ peer: 'xen2', operation: 'migrate' }) });
  });

  it("on xm hosts, a migrate xm ended silently while the domU stayed (xend 3.1 swallows a failed save) names xend's log on the source as where its reason is", async () => {
    fleet = await startFleet(fleetText({ tools: 'toolstack=xm xen=3.1.4' }));
    const p = ports(world(fleet), 'xen1');
    // xend 3.1 resumed web1 at the sender and returned as if it had gone: xm printed nothing, exit 0
    const silent: MigrationPorts = { ...p, toolstack: { ...p.toolstack, migrate: async () => ok({ outcome: classifyXmMigrate(readFixture('xm/migrate-save-failed-silent-3.1.txt').body, 0), transcript: '' }) } };
    const m = await runMove(fleet, silent);
    expect(m.result).toMatchObject({ ok: false, error: { code: 'XH_ERR_MIGRATION_FAILED', message: 'web1 was not migrated to xen2 (xm migrate exited 0 saying nothing, yet xen1 still lists it; the reason is in /var/log/xen/xend.log on xen1); it still runs on xen1, the ledger is unchanged' } });
    expect(xlNames(fleet, 'xen1')).toContain('web1');
  });

  it("on xm hosts, configs are read by xend's rules: a w! disk in xl-valid syntax names its resource, and web1 migrates", async () => {
    fleet = await startFleet(fleetText({ tools: 'toolstack=xm xen=4.1.4' }));
    const cfg = `name = "web1"\nmemory = 2048\nvcpus = 2\ndisk = [ 'drbd:r1,xvda,w!' ]\n`;
    for (const [host, path] of [['xen1', 'etc/xen/drbd-auto/web1.cfg'], ['xen1', 'etc/xen/web1.cfg'], ['xen2', 'etc/xen/web1.cfg']] as const) writeFileSync(join(fleet.sim.hostRoot(host), path), cfg);
    const p = ports(world(fleet), 'xen1');
    const facts = await readMigrationFacts(p, 'web1');
    expect(facts.ok ? { resources: facts.value.resources, home: facts.value.homes.get('web1')?.drbdResources, partner: facts.value.drbdPartner } : facts.error).toEqual({ resources: ['r1'], home: ['r1'], partner: 'xen2' });
    const m = await runMove(fleet, p);
    expect(m.result).toMatchObject({ ok: true, value: { message: 'web1 migrated from xen1 to xen2' } });
    expect(fleet.sim.violations).toEqual([]);
  });

  it('preflight: a target without a replica, without the memory, or already running it is refused before anything moves', async () => {
    fleet = await startFleet(FLEET.replace('host xen2 mem=32768', 'host xen2 mem=6144 dom0mem=1024'));
    const w = world(fleet);
    const toXen3 = await runMove(fleet, ports(w, 'xen1'), { target: 'xen3' });
    expect(toXen3.result).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED', message: expect.stringMatching(/xen3 holds no replica of r1 \(.*r1\.res.* names xen1, xen2\).*nothing was moved/) } });
    const noMem = await runMove(fleet, ports(w, 'xen1'));
    expect(noMem.result).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED', message: expect.stringMatching(/xen2 has \d+ MiB free, web1 needs 2048 MiB/) } });
    expect(fleet.sim.commandLog.filter((c) => c.argv[0] === 'migrate')).toEqual([]);
  });

  it('preflight: no migration keys is a file problem naming `keys setup`; an unreachable sshd is XH_ERR_PEER_UNREACHABLE', async () => {
    fleet = await startFleet(FLEET);
    const noKeys = await runMove(fleet, ports(world(fleet, { keysInstalled: () => false }), 'xen1'));
    expect(noKeys.result).toMatchObject({ ok: false, error: { code: 'XH_ERR_FILE', message: expect.stringContaining('xenherd-agent keys setup xen2') } });
    const down = await runMove(fleet, ports(world(fleet, { sshdUp: () => false }), 'xen1'));
    expect(down.result).toMatchObject({ ok: false, error: { code: 'XH_ERR_PEER_UNREACHABLE' } });
    expect(xlNames(fleet, 'xen1')).toContain('web1');
  });

  it('--no-peer moves it, records it here, and ends XH_ERR_MIGRATION_PARTIAL with the command that finishes it', async () => {
    fleet = await startFleet(FLEET);
    const m = await runMove(fleet, ports(world(fleet, { keysInstalled: () => false, sshdUp: () => false }), 'xen1'), { noPeer: true });
    expect(m.result).toMatchObject({ ok: false, error: { code: 'XH_ERR_MIGRATION_PARTIAL', message: expect.stringContaining('to finish: on xen2: xenherd-agent reconcile web1 --home xen1') } });
    expect(xlNames(fleet, 'xen2')).toContain('web1');
    expect(ledger(fleet, 'xen1').away['web1']).toMatchObject({ currentHost: 'xen2' });
  });

  it('names the real reason: unknown domU, not running here, a visitor can only go home', async () => {
    fleet = await startFleet(FLEET);
    const w = world(fleet);
    expect(await planMove(ports(w, 'xen1'), { name: 'nosuch' })).toMatchObject({ ok: false, error: { code: 'XH_ERR_NOT_FOUND', message: expect.stringMatching(/^unknown domU nosuch: .*config dir$/) } });
    expect(await planMove(ports(w, 'xen1'), { name: 'Web1' })).toMatchObject({ ok: false, error: { code: 'XH_ERR_NOT_FOUND', message: expect.stringMatching(/^unknown domU Web1: .* \(domU names are case-sensitive: did you mean web1\?\)$/) } });
    expect(await planMove(ports(w, 'xen1'), { name: 'db1' })).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED', message: expect.stringContaining('db1 does not run on xen1') } });
    expect((await runMove(fleet, ports(w, 'xen1'))).result.ok).toBe(true);
    expect(await planMove(ports(w, 'xen2'), { target: 'xen3' })).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED', message: expect.stringContaining('web1 is a visitor from xen1: it can only go back there') } });
    // sent home from the visiting host, the home learns the return from the status question
    const home = await runMove(fleet, ports(w, 'xen2'));
    expect(home.result).toMatchObject({ ok: true, value: { lines: ['xen1 confirmed it runs web1'] } });
    expect(ledger(fleet, 'xen1').away).toEqual({});
    expect(ledger(fleet, 'xen2').visitors).toEqual({});
  });

  it('a migrate-tab that does not parse refuses what depends on it, naming file, line and fix; the peer cannot claim the domU', async () => {
    fleet = await startFleet(FLEET);
    const tab = join(fleet.sim.hostRoot('xen2'), 'etc/xen/migrate-tab.txt');
    writeFileSync(tab, `${readFileSync(tab, 'utf8')}web+2 xen1\n`);
    const w = world(fleet);
    const refused = await planMove(ports(w, 'xen2'), { name: 'db1' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'XH_ERR_CONFIG', message: expect.stringMatching(/migrate-tab\.txt.*:\d+:1: "web\+2" is not a valid domU name/) } });
    // xen1 asks xen2's forced command for db1 (home xen2, known only from xen2's tab): refused
    const lines: PeerLine[] = [];
    const code = await drive(fleet, serveForcedCommand(ports(w, 'xen2'), 'xen1', { op: 'migrate2', name: 'db1', live: false }, (l) => lines.push(l)));
    expect(code).toBe(78);
    expect(lines.at(-1)).toMatchObject({ t: 'result', ok: false, code: 'XH_ERR_CONFIG' });
    expect(xlNames(fleet, 'xen2')).toContain('db1');
  });

  it('dry run: the preflight verdict is computed and nothing moves', async () => {
    fleet = await startFleet(FLEET);
    const p = ports(world(fleet), 'xen1');
    const pl = await mustPlan(p);
    const pf = pl.steps.find((s) => s.do === 'preflight');
    const checked = pf && pf.do === 'preflight' ? await runPreflight(p, 'web1', pf.checks) : null;
    expect(checked && 'verdicts' in checked && checked.verdicts.every((v) => v.ok)).toBe(true);
    expect(pl.steps.map((s) => s.do)).toEqual(['hold', 'preflight', 'migrate', 'verify', 'record', 'tell', 'replication']);
    expect(fleet.sim.commandLog.filter((c) => c.argv[0] === 'migrate')).toEqual([]);
  });
});
