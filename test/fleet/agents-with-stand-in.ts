import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMigrationCommand } from '../../agent/migrate/command.js';
import type { Ledger } from '../../agent/state/ledger.js';
import type { CommandBody, ResultMessage } from '../../shared/protocol/agent-link.js';
import { startAgentOnSim, TEST_TIMERS, type SimAgent } from '../harness/agent-on-sim.js';
import { startFleet, type Fleet } from '../harness/fleet.js';
import { simMigrationPorts, type MigrationWorld } from '../harness/migration-on-sim.js';
import { SimProcesses } from '../harness/sim-tools.js';
import { ControllerStandIn, type SentCommand } from './controller-stand-in.js';

/**
 * Agent cores on the fleet simulator, each linked (in memory, on the simulator's clock) to one
 * controller stand-in that sends them commands: the agent's side of every op, end to end in the
 * test's process — the in-process `runCommand` plays the agent's CLI child, a peer's forced
 * command is called directly.
 */
export interface AgentsBed {
  readonly fleet: Fleet;
  readonly ctl: ControllerStandIn;
  agent(host: string): SimAgent;
  /** (re)starts the agent of host: a crash first when one runs */
  start(host: string): SimAgent;
  /** sends a command and advances simulated time until its result came */
  run(host: string, body: CommandBody, maxMs?: number): Promise<ResultMessage & { progress: string[] }>;
  send(host: string, body: CommandBody): SentCommand;
  ledger(host: string): Ledger | null;
  stop(): Promise<void>;
}

const LINK = { controller: { url: 'wss://controller.test:7443', token: 'xh1.000000000000.testtokentesttokentesttoken' } };

export async function agentsBed(fleetText: string, hosts: readonly string[]): Promise<AgentsBed> {
  const fleet = await startFleet(fleetText);
  const ctl = new ControllerStandIn(fleet.sim.clock);
  const agents = new Map<string, SimAgent>();
  const procs = new Map<string, SimProcesses>();
  const world: MigrationWorld = { sim: fleet.sim, agentOn: (h) => agents.get(h) };
  let seed = 1;
  const start = (host: string): SimAgent => {
    agents.get(host)?.core.abandon();
    const p = procs.get(host) ?? new SimProcesses();
    procs.set(host, p);
    const a = startAgentOnSim(fleet.sim, host, { ...TEST_TIMERS, ...LINK }, seed++, p, {
      connectController: ctl.connectFor(host),
      runCommand: (c, progress) => runMigrationCommand(simMigrationPorts(world, host), c, progress),
    });
    agents.set(host, a);
    return a;
  };
  const bed: AgentsBed = {
    fleet,
    ctl,
    agent: (h) => {
      const a = agents.get(h);
      if (!a) throw new Error(`no agent on ${h}`);
      return a;
    },
    start,
    send: (host, body) => ctl.command(host, body),
    run: async (host, body, maxMs = 120_000) => {
      const c = ctl.command(host, body);
      await fleet.until(() => c.result() !== null, `${host}: the result of ${body.op}`, maxMs);
      return { ...(c.result() as ResultMessage), progress: c.progress };
    },
    ledger: (host) => {
      try {
        return JSON.parse(readFileSync(join(fleet.sim.hostRoot(host), 'var/lib/xenherd/ledger.json'), 'utf8')) as Ledger;
      } catch {
        return null;
      }
    },
    stop: async () => {
      for (const a of agents.values()) a.core.abandon();
      await fleet.stop();
    },
  };
  for (const h of hosts) start(h);
  // the agents decide once their controller's view came: an empty one is enough here
  await fleet.until(() => hosts.every((h) => ctl.state(h) !== null), 'every agent reported its snapshot');
  for (const h of hosts) ctl.fleet(h, {});
  await fleet.until(() => hosts.every((h) => agents.get(h)?.core.current.phase === 'running'), 'every agent deciding');
  return bed;
}
