import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../sim/sim.js';
import { buildAgent, runAsync } from '../run/agent-process.js';
import { HOSTILE_COMMANDS } from '../parse/migrate2-corpus.js';
import { DB1_ON_XEN2, pairFleet } from '../../harness/pair-fleet.js';

// The hostile SSH_ORIGINAL_COMMAND corpus through the real `xenherd-agent migrate2 --peer xen1`
// process on simulated xen2: each is rejected with a clear message and the simulator's command
// log shows that no tool ran at all. (Values with a NUL cannot be passed in an environment
// variable, by sshd either: they are covered by the pure grammar test.)
const FLEET = pairFleet({ running: 'xen2', more: DB1_ON_XEN2 });

let sim: Sim;
let agent: { path: string; cleanup: () => void };
beforeAll(async () => {
  agent = buildAgent();
  sim = await startSim({ fleet: FLEET, clock: 'real' });
}, 120_000);
afterAll(async () => {
  await sim?.stop();
  agent?.cleanup();
});

const forced = (cmd: string | undefined, peer = 'xen1') => {
  const env: Record<string, string> = { ...sim.env('xen2') };
  if (cmd !== undefined) env['SSH_ORIGINAL_COMMAND'] = cmd;
  return runAsync(process.execPath, [agent.path, 'migrate2', '--peer', peer], env);
};

async function inBatches<T, R>(items: readonly T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i] as T);
      }
    }),
  );
  return out;
}

describe('migrate2 forced command, end to end on the simulator', () => {
  it('rejects every hostile command before running anything', async () => {
    const corpus = [undefined, ...HOSTILE_COMMANDS.filter((c) => !c.includes('\0'))];
    expect(corpus.length).toBeGreaterThanOrEqual(100);
    const before = sim.commandLog.length;
    const results = await inBatches(corpus, 2, async (c) => ({ c, r: await forced(c) }));
    for (const { c, r } of results) {
      expect({ c, code: r.code }).toEqual({ c, code: 80 });
      expect(JSON.parse(r.stdout)).toMatchObject({ v: 1, t: 'result', ok: false, code: 'XH_ERR_COMMAND_REJECTED', message: expect.stringMatching(/^rejected: .*nothing was run/) });
      expect(r.stderr).toMatch(/XH_ERR_COMMAND_REJECTED/);
    }
    expect(sim.commandLog.slice(before)).toEqual([]);
  }, 240_000);

  it('rejects a forced command line without a valid --peer, running nothing', async () => {
    const before = sim.commandLog.length;
    const r = await forced('ping', 'xen1;id');
    expect(r.code).toBe(64);
    expect(sim.commandLog.slice(before)).toEqual([]);
  });

  it('answers ping (the control case: tools do run for a valid request)', async () => {
    const r = await forced('ping');
    expect(r.stdout).toBe('{"v":1,"t":"pong","host":"xen2"}\n');
    expect(r.code).toBe(0);
  });

  it("refuses another peer's domU and never starts a migration", async () => {
    const r = await forced('migrate2 db1');
    expect(r.code).toBe(77);
    expect(JSON.parse(r.stdout)).toMatchObject({ t: 'result', ok: false, code: 'XH_ERR_REFUSED', message: expect.stringContaining('db1 is not a domU of xen1') });
    const r2 = await forced('migrate2 web1', 'xen3');
    expect(r2.code).toBe(77);
    expect(JSON.parse(r2.stdout)).toMatchObject({ t: 'result', ok: false, message: expect.stringContaining('web1 is not a domU of xen3') });
    expect(sim.commandLog.filter((e) => e.tool === 'xl' && e.argv[0] === 'migrate')).toEqual([]);
  });
});
