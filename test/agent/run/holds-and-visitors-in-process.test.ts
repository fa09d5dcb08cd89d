import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ledgerStore } from '../../../agent/adapters/ledger-store.js';
import { withAway, withVisitor } from '../../../agent/state/ledger.js';
import { TEST_TIMERS } from '../../harness/agent-on-sim.js';
import { creates, runsOn, startFleet, type Fleet } from '../../harness/fleet.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// Holds (a migration command keeps the agent from starting its domU) and visitors (a domU whose
// home is another Dom0, recorded in this Dom0's ledger): agent cores in process.

const FLEET = (running: 'xen2' | 'no'): string => pairFleet({ connectDelay: 300, running });

let fleet: Fleet;
afterEach(async () => fleet?.stop());

const store = (f: Fleet, host: string) => ledgerStore(join(f.sim.hostRoot(host), 'var/lib/xenherd'), host);
const since = '2025-01-01T00:00:00Z';

describe('holds', () => {
  it('a held domU is neither started nor force-started; a second holder is refused; released, it is decided again and started', async () => {
    fleet = await startFleet(FLEET('no'));
    const f = fleet;
    const a = f.startAgent('xen1', { ...TEST_TIMERS, autostart: { ...TEST_TIMERS.autostart, enabled: false } });
    await f.log('xen1', (l) => l.msg.startsWith('ready'), 'ready');
    const held = await a.hold('web1', 'migrate');
    expect(held.response).toMatchObject({ ok: true, hold: { name: 'web1', purpose: 'migrate', by: 'the test' } });
    expect(held.response).not.toHaveProperty('status');
    const st = await a.control({ op: 'status' });
    expect(st.ok && st.status?.holds).toEqual([expect.objectContaining({ name: 'web1', purpose: 'migrate', by: 'the test' })]);

    await a.control({ op: 'start' });
    const forced = await a.control({ op: 'force', name: 'web1', reason: 'testing the hold', operator: null });
    expect(forced).toMatchObject({ ok: false, error: { code: 'XH_ERR_LOCKED' } });
    await f.advance(10_000);
    expect(creates(f.sim, 'xen1', 'web1')).toBe(0);

    const second = await a.hold('web1', 'reverse', 'someone else');
    expect(second.response).toMatchObject({ ok: false, error: { code: 'XH_ERR_LOCKED', message: expect.stringContaining('held by the test') } });

    held.release();
    await f.log('xen1', (l) => l.domu === 'web1' && l.msg.startsWith('web1 released by the test'), 'released');
    await f.log('xen1', (l) => l.msg === 'started web1', 'started web1');
    expect(creates(f.sim, 'xen1', 'web1')).toBe(1);
    const after = await a.control({ op: 'status' });
    expect(after.ok && after.status?.holds).toEqual([]);
  });

  it('a hold asked while the agent starts that domU is refused', async () => {
    fleet = await startFleet(FLEET('no'));
    const f = fleet;
    f.sim.toolFault('xen1', 'xl', { kind: 'slow', ms: 2_000 }, { argvPrefix: ['create'], times: 1 });
    const a = f.startAgent('xen1');
    await f.until(() => creates(f.sim, 'xen1', 'web1') === 1, 'xl create of web1 running');
    const h = await a.hold('web1', 'migrate');
    expect(h.response).toMatchObject({ ok: false, error: { code: 'XH_ERR_LOCKED', message: expect.stringContaining('xl create of web1') } });
  });
});

describe('visitors after a reboot of the Dom0 hosting them', () => {
  it('the visiting host starts its visitor; the home skips it (migrated away)', async () => {
    fleet = await startFleet(FLEET('xen2'));
    const f = fleet;
    await store(f, 'xen1').update((l) => withAway(l, 'web1', { home: 'xen1', currentHost: 'xen2', since, operationId: 'op1', reason: 'drain' }));
    await store(f, 'xen2').update((l) => withVisitor(l, 'web1', { home: 'xen1', since, operationId: 'op1' }));
    f.sim.power('xen2', 'off');
    f.sim.power('xen2', 'on');
    f.startAgent('xen1');
    await f.log('xen1', (l) => l.domu === 'web1' && l.reason === 'migrated-away', 'home skips web1');
    f.startAgent('xen2');
    // right after the reboot the visitor is not running: its record is kept (never rewritten from
    // xl list), and the start ends the mismatch before it has stood long enough to be a warning
    await f.log('xen2', (l) => l.msg === 'started web1', 'visitor started');
    expect(runsOn(f.sim, 'web1')).toEqual(['xen2']);
    const ledger = await store(f, 'xen2').read();
    expect(ledger.ok && ledger.value.visitors['web1']).toMatchObject({ home: 'xen1', operationId: 'op1' });
    await f.advance(60_000);
    expect(f.agent('xen2').logs.filter((l) => l.code === 'XH_ERR_LEDGER_MISMATCH')).toEqual([]);
    expect(f.sim.violations).toEqual([]);
  });

  it('a corrupt ledger: nothing is started, the reason says why', async () => {
    fleet = await startFleet(FLEET('no'));
    const f = fleet;
    writeFileSync(join(f.sim.hostRoot('xen1'), 'var/lib/xenherd/ledger.json'), '{"schema":1,');
    f.startAgent('xen1');
    await f.log('xen1', (l) => l.domu === 'web1' && l.reason === 'ledger-unreadable', 'deferred: ledger unreadable');
    await f.advance(30_000);
    expect(runsOn(f.sim, 'web1')).toEqual([]);
  });
});

