import { describe, expect, it } from 'vitest';
import { memoryLinkPair } from '../../../shared/link/memory-link.js';
import { err, ok } from '../../../shared/result.js';
import { renderAutostartStatus } from '../../../agent/cli/autostart-render.js';
import { LINKED_CONFIG, simForTest, VM1_PAIR, WELCOME } from '../../harness/linked-agent.js';
import { startAgentOnSim, TEST_TIMERS, type SimAgent } from '../../harness/agent-on-sim.js';

// A refused token or an untrusted certificate leaves the agent working on as if all were well:
// `autostart status` and systemd's STATUS= line say the link is down and why, and stop saying
// so once it is up.
const REFUSAL = 'token refused: enroll this host (xenherd-controller enroll HOST) and use the token it prints';

async function statusText(a: SimAgent): Promise<{ text: string; controller: unknown }> {
  const r = await a.control({ op: 'status' });
  if (!r.ok || r.status === undefined) throw new Error(JSON.stringify(r));
  return { text: renderAutostartStatus(r.status), controller: r.status.controller };
}

describe('the controller link in autostart status and STATUS=', () => {
  it('a refused token: down, with the refusal; then up once the controller takes it', async () => {
    const { s, track } = await simForTest(VM1_PAIR);
    let accept = false;
    const connectController = async () => {
      if (!accept) return err({ kind: 'refused' as const, status: 401, code: 'XH_ERR_AUTH', message: REFUSAL });
      const pair = memoryLinkPair({ name: 'ctl', clock: s.clock });
      pair.controller.onMessage((t) => {
        const m = JSON.parse(t) as { type: string };
        if (m.type === 'hello') pair.controller.send(JSON.stringify(WELCOME));
        if (m.type === 'snapshot' || m.type === 'delta') pair.controller.send(JSON.stringify({ type: 'fleet', at: s.clock.now(), runningOn: {} }));
      });
      return ok(pair.agent);
    };
    const a = track(startAgentOnSim(s, 'xen1', LINKED_CONFIG, 1, undefined, { connectController }));
    await s.advance(12_000);
    const down = await statusText(a);
    expect(down.controller).toMatchObject({ link: 'down', problem: `cannot connect (refused): ${REFUSAL}` });
    expect(down.text).toMatch(/^ {2}controller: {5}link DOWN \(\d+ tr(y|ies in a row) failed\): cannot connect \(refused\): token refused: enroll this host/m);
    expect(a.notified.at(-1)?.status).toMatch(/controller link down \(xenherd-agent autostart status says why\)$/);

    accept = true;
    await s.advance(6 * 60_000);
    const up = await statusText(a);
    expect(up.controller).toEqual({ link: 'up', problem: null, failures: 0 });
    expect(up.text).toContain('  controller:     link up, reporting this host\n');
    expect(a.notified.at(-1)?.status).not.toContain('controller link down');
  });

  it('a controller that refuses the agent after hello: its own words are kept, not the close that follows', async () => {
    const { s, track } = await simForTest(VM1_PAIR);
    const connectController = async () => {
      const pair = memoryLinkPair({ name: 'ctl', clock: s.clock });
      pair.controller.onMessage((t) => {
        if ((JSON.parse(t) as { type: string }).type !== 'hello') return;
        pair.controller.send(JSON.stringify({ type: 'error', code: 'XH_ERR_AUTH', message: 'the token of xen1.example.org was used to report as xen1' }));
        pair.controller.close(1008, 'refused');
      });
      return ok(pair.agent);
    };
    const a = track(startAgentOnSim(s, 'xen1', LINKED_CONFIG, 1, undefined, { connectController }));
    await s.advance(5_000);
    expect((await statusText(a)).controller).toMatchObject({ link: 'down', problem: 'refused by the controller: the token of xen1.example.org was used to report as xen1' });
  });

  it('no controller section: none, and nothing about a link in STATUS=', async () => {
    const { s, track } = await simForTest(VM1_PAIR);
    const a = track(startAgentOnSim(s, 'xen1', TEST_TIMERS, 1));
    await s.advance(2_000);
    const r = await statusText(a);
    expect(r.controller).toEqual({ link: 'off', problem: null, failures: 0 });
    expect(r.text).toContain('  controller:     none (no controller section in the agent config)\n');
    expect(a.notified.at(-1)?.status).not.toContain('controller');
  });
});
