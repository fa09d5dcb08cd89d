import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandBody } from '../../shared/protocol/agent-link.js';
import { creates, runsOn } from '../harness/fleet.js';
import type { Sim } from '../sim/sim.js';
import { agentsBed, type AgentsBed } from './agents-with-stand-in.js';
import { pairFleet } from '../harness/pair-fleet.js';

// The two halves of a cold move (`shutdown` at the source, `start` at the target) as the agents
// run them for a controller: in process on the fleet simulator's deterministic clock.

const FLEET = pairFleet({ connectDelay: 300, migrateTab: ['xen1', 'xen2', 'xen3'], xen3: true, more: 'domu plain1 mem=512 vcpus=1 home=xen1 running=xen1\n' });

let bed: AgentsBed;
afterEach(async () => bed?.stop());

const role = (sim: Sim, res: string, host: string): string | undefined => sim.state().drbd[res]?.replicas[host]?.role;
const shutdown = (name: string, target: string): CommandBody => ({ op: 'shutdown', name, target, operationId: 'drain-7', by: 'ctl:admin' });
const start = (name: string, from: string): CommandBody => ({ op: 'start', name, from, operationId: 'drain-7', by: 'ctl:admin' });
// a controller shuts a domU down only for the drain that set its Dom0 draining (the agent refuses any other)
const draining: CommandBody = { op: 'maintenance', state: 'draining', from: ['online', 'draining'], operationId: 'drain-7', owner: 'ctl-a', leaseMs: 600_000, by: 'ctl:admin' };
async function stop(host: string, name: string, target: string, maxMs?: number): ReturnType<AgentsBed['run']> {
  expect(await bed.run(host, draining)).toMatchObject({ ok: true });
  return bed.run(host, shutdown(name, target), maxMs);
}

describe('cold move: shutdown here, start there', () => {
  it('moves web1 from xen1 to xen2: ledger away at the source, demoted, started under the DRBD rules, visitor at the target', async () => {
    bed = await agentsBed(FLEET, ['xen1', 'xen2']);
    const down = await stop('xen1', 'web1', 'xen2');
    expect(down, JSON.stringify(down)).toMatchObject({ ok: true, code: null });
    expect(down.progress[0]).toMatch(/^shutting web1 down on xen1 for a cold move to xen2/);
    expect(runsOn(bed.fleet.sim, 'web1')).toEqual([]);
    expect(role(bed.fleet.sim, 'r1', 'xen1')).toBe('Secondary');
    expect(bed.ledger('xen1')?.away['web1']).toMatchObject({ home: 'xen1', currentHost: 'xen2', reason: 'drain', operationId: 'drain-7' });
    // nothing on xen1 starts it again by itself: its ledger says it left
    await bed.fleet.advance(5_000);
    expect(creates(bed.fleet.sim, 'xen1', 'web1')).toBe(0);

    const up = await bed.run('xen2', start('web1', 'xen1'));
    expect(up, JSON.stringify(up)).toMatchObject({ ok: true, code: null, message: expect.stringContaining('recorded as a visitor from xen1') });
    expect(runsOn(bed.fleet.sim, 'web1')).toEqual(['xen2']);
    expect(role(bed.fleet.sim, 'r1', 'xen2')).toBe('Primary');
    expect(bed.ledger('xen2')?.visitors['web1']).toMatchObject({ home: 'xen1', operationId: 'drain-7' });
    await bed.fleet.until(() => bed.ctl.state('xen2')?.domains.some((d) => d.name === 'web1') === true, 'xen2 reports web1');
    expect(bed.fleet.sim.violations).toEqual([]);
  });

  it('brings a visitor home cold: the source forgets it, the home ends its away record', async () => {
    bed = await agentsBed(FLEET, ['xen1', 'xen2']);
    await stop('xen1', 'web1', 'xen2');
    await bed.run('xen2', start('web1', 'xen1'));
    const back = await stop('xen2', 'web1', 'xen1');
    expect(back).toMatchObject({ ok: true });
    expect(bed.ledger('xen2')?.visitors['web1']).toBeUndefined();
    // xen1's drain is over: it is back in service to take web1 home
    expect(await bed.run('xen1', { ...draining, state: 'online', from: ['draining'] })).toMatchObject({ ok: true });
    const home = await bed.run('xen1', start('web1', 'xen2'));
    expect(home).toMatchObject({ ok: true, message: expect.stringContaining('home again') });
    expect(bed.ledger('xen1')?.away['web1']).toBeUndefined();
    expect(runsOn(bed.fleet.sim, 'web1')).toEqual(['xen1']);
  });

  it('refuses a target that holds no replica: nothing is shut down, the ledger is untouched', async () => {
    bed = await agentsBed(FLEET, ['xen1']);
    const r = await stop('xen1', 'web1', 'xen3');
    expect(r).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', message: expect.stringContaining('xen3 holds no replica of r1') });
    expect(runsOn(bed.fleet.sim, 'web1')).toEqual(['xen1']);
    expect(bed.ledger('xen1')?.away['web1']).toBeUndefined();
  });

  it('bounds xl shutdown -w: after the timeout web1 still runs, the ledger change is undone, progress came every 10 s', async () => {
    bed = await agentsBed(FLEET, ['xen1']);
    bed.fleet.sim.toolFault('xen1', 'xl', { kind: 'hang' }, { argvPrefix: ['shutdown'] });
    const r = await stop('xen1', 'web1', 'xen2', 400_000);
    expect(r).toMatchObject({ ok: false, code: 'XH_ERR_TOOL_TIMEOUT', message: expect.stringContaining('the ledger change is undone') });
    expect(runsOn(bed.fleet.sim, 'web1')).toEqual(['xen1']);
    expect(bed.ledger('xen1')?.away['web1']).toBeUndefined();
    expect(role(bed.fleet.sim, 'r1', 'xen1')).toBe('Primary');
    expect(r.progress.filter((l) => /^waiting for web1 to shut down \(\d+ s\)$/.test(l)).length).toBeGreaterThanOrEqual(17);
  });

  it('start refuses while a peer holds the disk Primary (a deferral is a refusal), and creates nothing', async () => {
    bed = await agentsBed(FLEET, ['xen1', 'xen2']);
    const r = await bed.run('xen2', start('web1', 'xen1'));
    expect(r).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', message: expect.stringContaining('Primary on the peer') });
    bed.fleet.sim.drbd('r1', 'disconnect');
    await stop('xen1', 'web1', 'xen2');
    const cut = await bed.run('xen2', start('web1', 'xen1'));
    expect(cut).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED' });
    expect(creates(bed.fleet.sim, 'xen2', 'web1')).toBe(0);
  });

  it('start refuses what the controller sees running elsewhere, before any child runs', async () => {
    bed = await agentsBed(FLEET, ['xen1', 'xen2']);
    await stop('xen1', 'web1', 'xen2');
    bed.ctl.fleet('xen2', { web1: ['xen3'] });
    const r = await bed.run('xen2', start('web1', 'xen1'));
    expect(r).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', message: expect.stringContaining('the controller sees web1 running on xen3') });
    expect(r.progress).toEqual([]);
    expect(creates(bed.fleet.sim, 'xen2', 'web1')).toBe(0);
  });

  it('a failed xl create demotes the resources again; no config is NOT_FOUND', async () => {
    bed = await agentsBed(FLEET, ['xen1', 'xen2']);
    await stop('xen1', 'web1', 'xen2');
    bed.fleet.sim.toolFault('xen2', 'xl', { kind: 'garbage', text: 'libxl: error: something broke\n', exitCode: 3 }, { argvPrefix: ['create'], times: 1 });
    const r = await bed.run('xen2', start('web1', 'xen1'));
    expect(r).toMatchObject({ ok: false, code: 'XH_ERR_TOOL_FAILED', message: expect.stringContaining('r1 demoted to Secondary again') });
    expect(role(bed.fleet.sim, 'r1', 'xen2')).toBe('Secondary');
    expect(bed.ledger('xen2')?.visitors['web1']).toBeUndefined();
    // plain1 has a config on xen1 only
    expect(await bed.run('xen2', start('plain1', 'xen1'))).toMatchObject({ ok: false, code: 'XH_ERR_NOT_FOUND' });
  });

  it('start refuses a domU two files of the guarded dir define, naming both, and creates nothing', async () => {
    bed = await agentsBed(FLEET, ['xen1', 'xen2']);
    await stop('xen1', 'web1', 'xen2');
    const cfg = readFileSync(join(bed.fleet.sim.hostRoot('xen1'), 'etc/xen/drbd-auto/web1.cfg'), 'utf8');
    const guardedDir = join(bed.fleet.sim.hostRoot('xen2'), 'etc/xen/drbd-auto');
    mkdirSync(guardedDir, { recursive: true });
    for (const f of ['web1.cfg', 'a-web1.cfg']) writeFileSync(join(guardedDir, f), cfg);
    const before = creates(bed.fleet.sim, 'xen2', 'web1');
    const r = await bed.run('xen2', start('web1', 'xen1'));
    expect(r).toMatchObject({ ok: false, code: 'XH_ERR_CONFIG', message: 'web1 is defined by 2 files of the guarded dir (/etc/xen/drbd-auto/a-web1.cfg, /etc/xen/drbd-auto/web1.cfg): keep one file per domU; not started' });
    expect(creates(bed.fleet.sim, 'xen2', 'web1')).toBe(before);
    expect(runsOn(bed.fleet.sim, 'web1')).toEqual([]);
  });
});
