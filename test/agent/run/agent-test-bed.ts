import { afterAll, afterEach, beforeAll } from 'vitest';
import { startSim, type Sim } from '../../sim/sim.js';
import { buildAgent, type AgentProcess } from './agent-process.js';

/** Fast timers for daemon tests; the defaults are the seed's 5 min ± 60 s. */
export const FAST_TIMERS = {
  autostart: { deferRecheckSeconds: 30, deferJitterSeconds: 1, retryInitialSeconds: 1, retryMaxSeconds: 5 },
  events: { respawnMaxSeconds: 1 },
};

export interface AgentTestBed {
  /** the agent bundle, built once for the test file */
  agentPath(): string;
  /** a real-time simulator, stopped after the test */
  startSim(fleet: string): Promise<Sim>;
  /** an agent process, stopped after the test (before the simulators) */
  track(agent: AgentProcess): AgentProcess;
}

/**
 * The set-up every daemon test file needs, registered as vitest hooks: call it once at the top
 * of the file. Every agent and simulator a test starts is ended after it, also when it fails.
 */
export function agentTestBed(): AgentTestBed {
  let built: { path: string; cleanup: () => void } | null = null;
  const agents: AgentProcess[] = [];
  const sims: Sim[] = [];
  beforeAll(() => {
    built = buildAgent();
  }, 120_000);
  afterAll(() => built?.cleanup());
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    for (const s of sims.splice(0)) await s.stop();
  });
  return {
    agentPath: () => {
      if (!built) throw new Error('agentTestBed: the bundle is built in beforeAll');
      return built.path;
    },
    startSim: async (fleet) => {
      const s = await startSim({ fleet, clock: 'real' });
      sims.push(s);
      return s;
    },
    track: (a) => {
      agents.push(a);
      return a;
    },
  };
}
