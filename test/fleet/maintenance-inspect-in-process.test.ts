import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CAPABILITY, type CommandBody } from '../../shared/protocol/agent-link.js';
import { agentsBed, type AgentsBed } from './agents-with-stand-in.js';
import { DB1_ON_XEN2, pairFleet } from '../harness/pair-fleet.js';

// The controller's `maintenance` and `inspect` commands as the agent answers them: agent cores on
// the fleet simulator, a controller stand-in on a memory link, one deterministic clock.

const FLEET = pairFleet({ connectDelay: 300, more: DB1_ON_XEN2 });

let bed: AgentsBed;
afterEach(async () => bed?.stop());

const flagFile = (b: AgentsBed, host: string): string => join(b.fleet.sim.hostRoot(host), 'var/lib/xenherd/maintenance.json');
const onDisk = (b: AgentsBed, host: string): unknown => JSON.parse(readFileSync(flagFile(b, host), 'utf8'));
const maintenance = (b: AgentsBed, state: 'online' | 'draining' | 'maintenance' | 'restoring', from: ('online' | 'draining' | 'maintenance' | 'restoring')[], over: Partial<Extract<CommandBody, { op: 'maintenance' }>> = {}): CommandBody => ({
  op: 'maintenance',
  state,
  from,
  operationId: 'drain-1',
  owner: 'ctl-a',
  leaseMs: 60_000,
  by: 'ctl:admin',
  ...over,
});

describe('maintenance: the owner rules with the lease on the agent\'s clock', () => {
  it('announces the new capabilities in hello', async () => {
    bed = await agentsBed(FLEET, ['xen1']);
    const hello = bed.ctl.received.find((r) => r.message.type === 'hello')?.message;
    expect(hello).toMatchObject({ capabilities: expect.arrayContaining([CAPABILITY.migrate, CAPABILITY.reverse, CAPABILITY.maintenance, CAPABILITY.inspect, CAPABILITY.coldMigrate]) });
  });

  it('sets draining on disk before answering, reports it in a delta, locks out another owner until the lease lapses', async () => {
    bed = await agentsBed(FLEET, ['xen1']);
    const r = await bed.run('xen1', maintenance(bed, 'draining', ['online']));
    expect(r).toMatchObject({ ok: true, code: null, data: { kind: 'maintenance', maintenance: { state: 'draining', operationId: 'drain-1', owner: 'ctl-a' }, leaseLeftMs: 60_000 } });
    expect(onDisk(bed, 'xen1')).toMatchObject({ state: 'draining', operationId: 'drain-1', owner: 'ctl-a' });
    await bed.fleet.until(() => bed.ctl.state('xen1')?.maintenance.state === 'draining', 'the delta with maintenance');
    // autostart starts nothing while draining
    await bed.fleet.until(() => bed.agent('xen1').core.current.records.size > 0, 'decisions');

    await bed.fleet.advance(20_000);
    const other = await bed.run('xen1', maintenance(bed, 'draining', ['draining'], { owner: 'ctl-b' }));
    expect(other).toMatchObject({ ok: false, code: 'XH_ERR_LOCKED', data: { kind: 'maintenance', maintenance: { state: 'draining', owner: 'ctl-a' } } });
    const left = other.data?.kind === 'maintenance' ? other.data.leaseLeftMs : -1;
    expect(left).toBeGreaterThan(35_000);
    expect(left).toBeLessThanOrEqual(40_000);

    // the owner renews: the flag is already on disk, only the lease moves
    const renewed = await bed.run('xen1', maintenance(bed, 'draining', ['draining']));
    expect(renewed).toMatchObject({ ok: true, data: { leaseLeftMs: 60_000 } });

    await bed.fleet.advance(61_000);
    const resumed = await bed.run('xen1', maintenance(bed, 'draining', ['draining'], { owner: 'ctl-b' }));
    expect(resumed).toMatchObject({ ok: true, data: { maintenance: { state: 'draining', operationId: 'drain-1', owner: 'ctl-b' } } });
    expect(onDisk(bed, 'xen1')).toMatchObject({ owner: 'ctl-b' });
    expect(bed.ctl.garbage).toEqual([]);
  });

  it('refuses maintenance while anything runs, and a stale compare-and-set; online is anyone\'s', async () => {
    bed = await agentsBed(FLEET, ['xen1']);
    const busy = await bed.run('xen1', maintenance(bed, 'maintenance', ['online']));
    expect(busy).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', message: expect.stringContaining('web1'), data: { maintenance: { state: 'online' }, leaseLeftMs: 0 } });
    expect(existsSync(flagFile(bed, 'xen1'))).toBe(false);

    expect(await bed.run('xen1', maintenance(bed, 'draining', ['online']))).toMatchObject({ ok: true });
    const late = await bed.run('xen1', maintenance(bed, 'draining', ['online'], { operationId: 'drain-2' }));
    expect(late).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', data: { maintenance: { state: 'draining', operationId: 'drain-1' } } });

    const off = await bed.run('xen1', maintenance(bed, 'online', ['draining'], { owner: 'ctl:admin', operationId: 'op-off' }));
    expect(off).toMatchObject({ ok: true, data: { maintenance: { state: 'online', operationId: null, owner: null }, leaseLeftMs: 0 } });
    expect(onDisk(bed, 'xen1')).toMatchObject({ state: 'online' });
  });

  it('judges rule 4 on an xl list read after the command came: a domU that just arrived refuses maintenance', async () => {
    bed = await agentsBed(pairFleet({ connectDelay: 300, running: 'xen2', more: DB1_ON_XEN2 }), ['xen1']);
    await bed.run('xen1', maintenance(bed, 'draining', ['online']));
    // a domain appears without the agent having listed it yet
    bed.fleet.sim.force('web1 arrives', (s) => ({ ...s, domains: [...s.domains, { ...s.domains.find((d) => d.name === 'web1')!, host: 'xen1', domid: 42 }] }));
    expect(bed.agent('xen1').core.current.domains?.some((d) => d.name === 'web1')).toBe(false);
    const r = await bed.run('xen1', maintenance(bed, 'maintenance', ['draining']));
    expect(r).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', message: expect.stringContaining('web1') });
  });

  it('serves concurrent commands one at a time: the second is judged on what the first wrote', async () => {
    bed = await agentsBed(FLEET, ['xen1']);
    const a = bed.send('xen1', maintenance(bed, 'draining', ['online'], { owner: 'ctl-a', operationId: 'drain-a' }));
    const b = bed.send('xen1', maintenance(bed, 'draining', ['online'], { owner: 'ctl-b', operationId: 'drain-b' }));
    await bed.fleet.until(() => a.result() !== null && b.result() !== null, 'both answered');
    expect(a.result()).toMatchObject({ ok: true });
    expect(b.result()).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', data: { maintenance: { operationId: 'drain-a', owner: 'ctl-a' } } });
    expect(onDisk(bed, 'xen1')).toMatchObject({ operationId: 'drain-a' });
  });

  it('a flag that cannot be written is XH_ERR_FILE and the state stays as it was', async () => {
    bed = await agentsBed(FLEET, ['xen1']);
    // a directory where the file goes: the atomic rename onto it fails, as a full disk or a read-only dir would
    mkdirSync(join(flagFile(bed, 'xen1'), 'blocker'), { recursive: true });
    const r = await bed.run('xen1', maintenance(bed, 'draining', ['online']));
    expect(r).toMatchObject({ ok: false, code: 'XH_ERR_FILE', data: { maintenance: { state: 'online' } } });
    expect(bed.agent('xen1').core.current.maintenance.state).toBe('online');
  });

  it('an agent started with an active flag gives its owner 60 s from its start', async () => {
    bed = await agentsBed(FLEET, ['xen1']);
    writeFileSync(flagFile(bed, 'xen1'), JSON.stringify({ state: 'draining', operationId: 'drain-1', owner: 'ctl-a', since: '2025-01-01T00:00:00.000Z' }));
    bed.start('xen1');
    const startedAt = bed.agent('xen1').core.current.startedAt;
    await bed.fleet.until(() => bed.ctl.state('xen1')?.maintenance.state === 'draining' && bed.agent('xen1').core.current.link.phase === 'up', 'the restarted agent reporting draining');
    const early = await bed.run('xen1', maintenance(bed, 'draining', ['draining'], { owner: 'ctl-b' }));
    expect(early).toMatchObject({ ok: false, code: 'XH_ERR_LOCKED' });
    const left = early.data?.kind === 'maintenance' ? early.data.leaseLeftMs : -1;
    expect(left).toBe(startedAt + 60_000 - bed.fleet.sim.clock.now());
    await bed.fleet.until(() => bed.fleet.sim.clock.now() > startedAt + 60_000, 'the restart lease lapsed', 70_000, 1_000);
    expect(await bed.run('xen1', maintenance(bed, 'draining', ['draining'], { owner: 'ctl-b' }))).toMatchObject({ ok: true });
  });
});

describe('inspect: fresh reads of one domU', () => {
  it('answers xl list rows and DRBD roles on both hosts, and whether something holds the domU', async () => {
    bed = await agentsBed(FLEET, ['xen1', 'xen2']);
    const here = await bed.run('xen1', { op: 'inspect', name: 'web1', by: 'ctl:admin' });
    expect(here).toMatchObject({ ok: true, data: { kind: 'inspect', host: 'xen1', name: 'web1', rows: [{ name: 'web1', baseName: 'web1', migration: null }], busy: false } });
    expect(here.data?.kind === 'inspect' ? here.data.resources : []).toEqual([expect.objectContaining({ name: 'r1', role: 'Primary', peers: [expect.objectContaining({ role: 'Secondary', connection: 'Connected' })] })]);
    const there = await bed.run('xen2', { op: 'inspect', name: 'web1', by: 'ctl:admin' });
    expect(there).toMatchObject({ ok: true, data: { host: 'xen2', rows: [], resources: [expect.objectContaining({ name: 'r1', role: 'Secondary', peers: [expect.objectContaining({ role: 'Primary' })] })], busy: false } });

    const h = await bed.agent('xen1').hold('web1', 'migrate');
    expect(h.response.ok).toBe(true);
    expect(await bed.run('xen1', { op: 'inspect', name: 'web1', by: 'ctl:admin' })).toMatchObject({ ok: true, data: { busy: true } });
    h.release();
  });

  it('reads fresh, not the last snapshot; an unknown domU is simply not here', async () => {
    bed = await agentsBed(FLEET, ['xen1']);
    bed.fleet.sim.force('a stranger', (s) => ({ ...s, domains: [...s.domains, { ...s.domains.find((d) => d.name === 'web1')!, name: 'ghost1', domid: 77, drbd: [] }] }));
    expect(await bed.run('xen1', { op: 'inspect', name: 'ghost1', by: 'ctl:admin' })).toMatchObject({ ok: true, data: { rows: [{ name: 'ghost1' }], resources: [] } });
    expect(await bed.run('xen1', { op: 'inspect', name: 'nobody', by: 'ctl:admin' })).toMatchObject({ ok: true, data: { rows: [], resources: [], busy: false } });
  });

  it('a tool failure is its code', async () => {
    bed = await agentsBed(FLEET, ['xen1']);
    bed.fleet.sim.toolFault('xen1', 'drbdadm', { kind: 'garbage', text: 'drbdadm: no such luck\n', exitCode: 11 }, { argvPrefix: ['status'] });
    const r = await bed.run('xen1', { op: 'inspect', name: 'web1', by: 'ctl:admin' });
    expect(r).toMatchObject({ ok: false, code: 'XH_ERR_TOOL_FAILED', message: expect.stringContaining('drbdadm status r1') });
    expect(r.data ?? null).toBeNull();
  });
});
