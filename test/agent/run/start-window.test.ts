import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StartIntentStore } from '../../../agent/run/ports.js';
import { startAgentOnSim, TEST_TIMERS, type SimAgent } from '../../harness/agent-on-sim.js';
import { creates, runsOn } from '../../harness/fleet.js';
import { SimProcesses } from '../../harness/sim-tools.js';
import { startSim, type Sim } from '../../sim/sim.js';
import { pairFleet } from '../../harness/pair-fleet.js';
import { onClock, until } from '../../helpers/until.js';

// An agent killed in the middle of starting web1, and the agent started after it, on the
// deterministic clock. The start record names the agent itself while it takes r1 Primary, then
// the `xl create`; wherever the kill lands, web1 is created once: the next agent either finds the
// create's pid on disk and waits for it, or no create of the dead agent runs at all.

const FLEET = pairFleet({ connectDelay: 300, migrateTab: [], running: 'no' });
/** the pid startAgentOnSim gives every agent: the claim's record names it */
const AGENT_PID = 4242;
/** long enough that the next agent has long decided while the first create still runs */
const CREATE_MS = 20_000;

let sim: Sim | null = null;
const agents: SimAgent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) a.core.abandon();
  await sim?.stop();
  sim = null;
});

type KillPoint = 'before the record of the create lands' | 'after it lands, before the create is let go';

/**
 * The start records of an agent killed (abandoned, as a SIGKILL leaves it) at KILL while it
 * records the create's pid: from then on it writes and removes nothing, as a dead process cannot.
 */
function killedWhileRecording(kill: KillPoint, agent: () => SimAgent): (store: StartIntentStore) => StartIntentStore {
  let dead = false;
  return (store) => ({
    ...store,
    write: (i) => {
      if (dead) return;
      if (i.pid === AGENT_PID) return store.write(i);
      if (kill === 'after it lands, before the create is let go') store.write(i);
      dead = true;
      agent().core.abandon();
      throw new Error('killed');
    },
    remove: (name) => {
      if (!dead) store.remove(name);
    },
  });
}

async function pairWithWeb1Down(): Promise<{ s: Sim; procs: SimProcesses; record: string }> {
  const s = (sim = await startSim({ fleet: FLEET, clock: 'deterministic' }));
  // one slow create: the first one of web1, whichever agent runs it
  s.toolFault('xen1', 'xl', { kind: 'slow', ms: CREATE_MS }, { argvPrefix: ['create', '/etc/xen/drbd-auto/web1.cfg'], times: 1 });
  return { s, procs: new SimProcesses(), record: join(s.hostRoot('xen1'), 'var/lib/xenherd/starting/web1.json') };
}

const start = (s: Sim, procs: SimProcesses, seed: number, wiring: Parameters<typeof startAgentOnSim>[5] = {}): SimAgent => {
  const a = startAgentOnSim(s, 'xen1', TEST_TIMERS, seed, procs, wiring);
  agents.push(a);
  return a;
};

describe('an agent killed mid-start, and the next one', () => {
  it.each<KillPoint>(['before the record of the create lands', 'after it lands, before the create is let go'])('killed %s: no create of it runs, the next agent gives r1 back and starts web1 once', async (kill) => {
    const { s, procs, record } = await pairWithWeb1Down();
    let first: SimAgent | null = null;
    first = start(s, procs, 1, { intents: killedWhileRecording(kill, () => first as SimAgent) });
    await until(() => !first.core.alive, 'the first agent killed while recording its xl create', onClock(s, 120_000, 10));
    // what it left: its claim's record (or the create's, its pid never let go), r1 Primary
    expect(existsSync(record)).toBe(true);
    expect((JSON.parse(readFileSync(record, 'utf8')) as { claimed?: string[] }).claimed).toEqual(['r1']);

    const second = start(s, procs, 2);
    await until(() => runsOn(s, 'web1').length > 0, 'web1 running', onClock(s, 120_000, 10));
    await s.advance(CREATE_MS * 2);
    // one create in all, the second agent's: the slow one, as the first to run at all
    expect(creates(s, 'xen1', 'web1')).toBe(1);
    expect(runsOn(s, 'web1')).toEqual(['xen1']);
    expect(second.logs.some((l) => l.msg.includes('still running: waiting for it'))).toBe(false);
    expect(second.logs.some((l) => l.msg.startsWith('a start of web1 from before this agent started had taken r1 Primary'))).toBe(true);
    expect(s.violations).toEqual([]);
  });

  it('killed once the create runs: the next agent waits for the pid on disk, and web1 is created once', async () => {
    const { s, procs, record } = await pairWithWeb1Down();
    const first = start(s, procs, 1);
    await until(() => creates(s, 'xen1', 'web1') === 1, 'the first xl create of web1', onClock(s, 120_000, 10));
    // the create's own pid, recorded before it ran
    const pid = (JSON.parse(readFileSync(record, 'utf8')) as { pid: number }).pid;
    expect(pid).not.toBe(AGENT_PID);
    expect(procs.alive(pid)).toBe(true);
    first.core.abandon();

    const second = start(s, procs, 2);
    await until(() => second.logs.some((l) => l.msg.includes('an xl create for web1 from before this agent started is still running: waiting for it')), 'the next agent waits', onClock(s, 120_000, 10));
    await until(() => second.logs.some((l) => l.domu === 'web1' && l.decision === 'running'), 'the next agent sees web1 running', onClock(s, 120_000, 10));
    expect(creates(s, 'xen1', 'web1')).toBe(1);
    expect(runsOn(s, 'web1')).toEqual(['xen1']);
    expect(s.violations).toEqual([]);
  });
});
