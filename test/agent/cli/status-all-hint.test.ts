import { afterEach, describe, expect, it, vi } from 'vitest';
import { agentCommands } from '../../../agent/cli/commands.js';
import type { ProcessHooks } from '../../../agent/cli/run.js';
import { startSim, type Sim } from '../../sim/sim.js';
import { pairFleet } from '../../harness/pair-fleet.js';

const hooks: ProcessHooks = { onSignal: () => undefined, onHangUp: () => false, pid: 1, self: (env) => ({ node: process.execPath, args: [], env }) };
const FLEET = pairFleet({ bandwidth: 65536 });

let sim: Sim | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await sim?.stop();
  sim = undefined;
});

async function status(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const cmd = agentCommands(hooks).find((c) => c.name === 'status');
  const out: string[] = [];
  const err: string[] = [];
  const code = (await cmd?.run(args, { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s), env })) ?? -1;
  return { code, out: out.join(''), err: err.join('') };
}

describe('xenherd-agent status with a wrong argument names its usage', () => {
  it('status all (a domU named "all" nothing knows): not found, pointing to status ALL', async () => {
    sim = await startSim({ fleet: FLEET, clock: 'real' });
    // the toolstack is run with the process's own environment, as the installed binary runs it
    for (const [k, v] of Object.entries(sim.env('xen1'))) vi.stubEnv(k, v);
    const r = await status(['all'], { ...process.env } as Record<string, string>);
    expect(r).toEqual({
      code: 1,
      out: '',
      err: 'xenherd-agent: XH_ERR_NOT_FOUND: all is not known on xen1: not homed here, not in the ledger, not running here, no standby replica here; every domU is listed by `xenherd-agent status ALL` (ALL in capitals: xenherd-agent status [ALL|NAME])\n',
    });
    expect((await status(['web1'], { ...process.env } as Record<string, string>)).code).toBe(0);
  });

  it('a word that is no domU name, or an unknown option: usage error (64) naming status [ALL|NAME] and its --help', async () => {
    const env = { XENHERD_HOST_ROOT: '/nonexistent' };
    expect(await status(['*'], env)).toEqual({ code: 64, out: '', err: 'xenherd-agent: XH_ERR_USAGE: status [ALL|NAME]: "*" is neither a domU name nor ALL (see xenherd-agent status --help)\n' });
    expect(await status(['--all'], env)).toEqual({ code: 64, out: '', err: 'xenherd-agent: XH_ERR_USAGE: status [ALL|NAME]: unknown option "--all" (see xenherd-agent status --help)\n' });
  });
});
