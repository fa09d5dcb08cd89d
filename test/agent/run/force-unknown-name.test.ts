import { afterEach, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../../shared/errors.js';
import { TEST_TIMERS } from '../../harness/agent-on-sim.js';
import { creates, startFleet, type Fleet } from '../../harness/fleet.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// `xenherd-agent autostart start --force NAME` for a NAME no guarded domU of this Dom0 has: the
// command is well formed, the name is unknown here (often a typo). Not a usage error (64): not
// found (1), naming where guarded domUs come from and the name likely meant. Agent core in process.

const FLEET = pairFleet({ optionLine: false, migrateTab: [], running: 'no', more: 'domu db1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r2 running=xen2\n' });

let fleet: Fleet;
afterEach(async () => fleet?.stop());

// the harness hands its agents their config in process: no file was read
const WHERE = 'no config in the guarded dir /etc/xen/drbd-auto (the default: this agent read no config file, /etc/xenherd/agent.json being absent) defines it';

describe('forcing the start of a name guarded nowhere here', () => {
  it('is not found (exit 1, not 64), names the guarded dir and offers the guarded name likely meant', async () => {
    fleet = await startFleet(FLEET);
    const f = fleet;
    f.sim.power('xen1', 'off');
    f.sim.power('xen1', 'on');
    f.sim.drbd('r1', 'disconnect');
    f.startAgent('xen1', TEST_TIMERS);
    await f.log('xen1', (l) => String(l.msg).startsWith('ready'), 'ready');
    const force = (name: string) => f.agent('xen1').control({ op: 'force', name, reason: 'checked the peer', operator: 'root' });

    expect(await force('wbe1')).toEqual({ v: 1, ok: false, error: { code: 'XH_ERR_NOT_FOUND', message: `wbe1 is not a guarded domU on xen1: ${WHERE}; did you mean web1?` } });
    expect(exitCodeFor('XH_ERR_NOT_FOUND')).toBe(1);
    expect(await force('DB1')).toMatchObject({ ok: false, error: { code: 'XH_ERR_NOT_FOUND', message: expect.stringMatching(/; did you mean db1\?$/) } });
    // nothing close: where to see the guarded names
    expect(await force('mail7')).toMatchObject({ ok: false, error: { code: 'XH_ERR_NOT_FOUND', message: `mail7 is not a guarded domU on xen1: ${WHERE}; \`xenherd-agent autostart status\` lists the 2 guarded here` } });
    expect(creates(f.sim, 'xen1', 'web1')).toBe(0);
  });

  it('on a Dom0 that guards nothing, says so', async () => {
    fleet = await startFleet(FLEET);
    const f = fleet;
    f.startAgent('xen2', TEST_TIMERS);
    await f.log('xen2', (l) => String(l.msg).startsWith('ready'), 'ready');
    const r = await f.agent('xen2').control({ op: 'force', name: 'mail7', reason: 'checked', operator: 'root' });
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_NOT_FOUND', message: `mail7 is not a guarded domU on xen2: ${WHERE}; no domU is guarded here` } });
  });
});
