import type { Clock } from '../../shared/clock/clock.js';
import { dirname, join } from 'node:path';
import type { AgentConfigInput } from '../../agent/config/schema.js';
import { AgentConfigSchema } from '../../agent/config/schema.js';
import { AgentCore } from '../../agent/run/agent-core.js';
import type { AgentPorts, StartIntentStore } from '../../agent/run/ports.js';
import { BootRecord, bootRecordAtReload, type ThisBoot } from '../../agent/run/boot-record.js';
import { StartIntents } from '../../agent/run/start-intents.js';
import type { ControlRequest, ControlResponse } from '../../shared/protocol/agent-control.js';
import { CONTROL_PROTOCOL_VERSION } from '../../shared/protocol/agent-control.js';
import type { Sim } from '../sim/sim.js';
import { memoryLogger, type LogLine } from './memory-log.js';
import { simSpawnStream, simToolRunner, SimProcesses } from './sim-tools.js';
import { syncHostFiles } from './sync-host-files.js';
import { runMigrationCommand } from '../../agent/migrate/command.js';
import { simMigrationPorts } from './migration-on-sim.js';
import { simStateDisks } from '../sim/model/state-disk.js';

/**
 * One agent core "on" a simulated Dom0, in the test's own process: the fleet simulator answers
 * its tools, its files are the host's directory, its clock is the simulator's. Only the process
 * shell (argv, signals, the control socket, sd_notify's datagram) is left out; those are proven by
 * the few child-process tests.
 */
export interface SimAgent {
  readonly host: string;
  readonly core: AgentCore;
  readonly logs: LogLine[];
  /** what the agent told systemd (READY=1, STATUS=…) */
  readonly notified: { ready: boolean; status: string }[];
  /** the processes it ran: alive until their tool returns */
  readonly procs: SimProcesses;
  control(req: DistributiveOmit<ControlRequest, 'v'>): Promise<ControlResponse>;
  /** a hold as a migration command takes it; release() closes its connection */
  hold(name: string, purpose: 'migrate' | 'migrate2' | 'reverse', by?: string): Promise<{ response: ControlResponse; release: () => void }>;
}

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

/** Fast timers for tests: the defaults are the seed's 5 min ± 60 s. */
export const TEST_TIMERS: AgentConfigInput = {
  autostart: { deferRecheckSeconds: 30, deferJitterSeconds: 1, retryInitialSeconds: 1, retryMaxSeconds: 5 },
  events: { respawnMaxSeconds: 1 },
};

/**
 * What only a test wires: the controller link and how controller commands run. Without
 * runCommand, a controller's migrate, reverse, shutdown and start run in this process as the
 * agent's own CLI would run them: the simulator's tools, this agent's holds, a peer's forced
 * command called directly.
 */
export interface SimAgentWiring {
  readonly connectController?: AgentPorts['connectController'];
  readonly probePrimary?: AgentPorts['probePrimary'];
  readonly runCommand?: AgentPorts['runCommand'];
  /** the name a host-name record gave: the agent starts as it, `xl info` read only after READY */
  readonly recordedHost?: string;
  /** the clock this Dom0's agent reads, when not the simulator's (a skewed or stepped system clock); timers stay the simulator's */
  readonly clock?: Clock;
  /** the start records as this agent reaches them, given the real ones (a test that kills it mid-write) */
  readonly intents?: (store: StartIntentStore) => StartIntentStore;
  /** the boot the agent judges its boot record by at start, as `xenherd-agent run` does; absent: the record is used as it is */
  readonly boot?: ThisBoot;
}

export function startAgentOnSim(sim: Sim, host: string, config: AgentConfigInput = TEST_TIMERS, seed = 1, procs = new SimProcesses(), wiring: SimAgentWiring = {}): SimAgent {
  const cfg = AgentConfigSchema.parse(config);
  const root = sim.hostRoot(host);
  const { log, lines } = memoryLogger(sim.clock, 'xenherd-agent', { host });
  const notified: { ready: boolean; status: string }[] = [];
  const stateDirReal = join(root, cfg.stateDir);
  const bootFile = join(root, cfg.controlSocket, '..', 'autostart-boot.json');
  const intents = new StartIntents(stateDirReal);
  const store: StartIntentStore = {
    write: (i) => intents.write(i),
    remove: (n) => intents.remove(n),
    readAll: () => intents.readAll((problem) => log.warn(`start record ignored: ${problem}`)),
    stillRunning: (i) => procs.alive(i.pid),
  };
  const ports: AgentPorts = {
    clock: wiring.clock ?? sim.clock,
    log,
    // a tool started held runs only while this agent lives (exec.ts `beforeRun`)
    run: simToolRunner(sim, host, procs, () => core.alive),
    spawn: simSpawnStream(sim, host, procs),
    files: syncHostFiles(root),
    stateDirReal,
    intents: wiring.intents ? wiring.intents(store) : store,
    saveBootRecord: (names) => {
      const r = new BootRecord(bootFile);
      for (const n of names) {
        const added = r.add(n);
        if (!added.ok) throw new Error(added.error.message);
      }
    },
    readStateDisks: async (at) => simStateDisks(sim.state().hosts[host], [{ role: 'state', dir: cfg.stateDir }, { role: 'runtime', dir: dirname(cfg.controlSocket) }], at),
    // each agent here is given its host's name from the start: nothing to keep for a next one
    saveHostName: () => undefined,
    notify: async (m) => {
      if (m.status !== undefined || m.ready) notified.push({ ready: m.ready === true, status: m.status ?? '' });
      return null;
    },
    connectController: wiring.connectController ?? null,
    ...(wiring.probePrimary ? { probePrimary: wiring.probePrimary } : {}),
    runCommand: wiring.runCommand ?? ((c, progress) => runMigrationCommand(simMigrationPorts({ sim, config, agentOn: (h) => (h === host ? self : undefined) }, host), c, progress)),
  };
  const record = new BootRecord(bootFile, wiring.boot);
  if (record.lost !== null) log.error({ code: 'XH_ERR_FILE' }, record.problem ?? record.lost.why);
  const core = new AgentCore(ports, { config: cfg, host: wiring.recordedHost ?? host, hostToConfirm: wiring.recordedHost !== undefined, pid: 4242, seed, handledThisBoot: new Set(record.all), bootRecordLost: record.lost, bootId: sim.bootId(host), agentVersion: '0.0.0-test', watchdogMs: null });
  let conns = 0;
  const control: SimAgent['control'] = (req) => {
    // `autostart reload` reads a lost boot record again, as agent/cli/run.ts has it do (the config, unchanged here, aside)
    const again = req.op === 'reload' && wiring.boot !== undefined ? bootRecordAtReload(record, wiring.boot, (ended, said) => (ended ? log.info(said) : log.error({ code: 'XH_ERR_FILE' }, said))) : undefined;
    if (again !== undefined) core.reload(cfg, undefined, again);
    return core.control({ ...req, v: CONTROL_PROTOCOL_VERSION } as ControlRequest, { keepOpen: () => undefined });
  };
  const hold: SimAgent['hold'] = async (name, purpose, by = 'the test') => {
    let closed: (() => void) | null = null;
    let released = false;
    const response = await core.control(
      { v: CONTROL_PROTOCOL_VERSION, op: 'hold', name, purpose, operation: `op-${++conns}`, by },
      {
        keepOpen: (f) => {
          if (released) f();
          else closed = f;
        },
      },
    );
    return {
      response,
      release: () => {
        released = true;
        const f = closed as (() => void) | null;
        closed = null;
        f?.();
      },
    };
  };
  const self: SimAgent = { host, core, logs: lines, notified, procs, control, hold };
  void core.start();
  return self;
}
