import { exitCodeFor } from '../../../shared/errors.js';
import type { DrbdResource } from '../model/types.js';
import { handshakeFindsSplitBrain } from '../ops/drbd-connect.js';
import type { OpError } from '../ops/result.js';
import { summarize } from '../scenario/summary.js';
import type { Sim } from '../sim.js';
import { HELP, type ControlCommand } from './command.js';

/** one agent process as the playground holds it (LiveFleet's AgentProcess fits) */
export interface AgentHandle {
  readonly child: { readonly pid?: number | undefined; readonly exitCode: number | null; readonly signalCode: NodeJS.Signals | null; kill(signal: NodeJS.Signals): boolean };
  readonly exited: Promise<unknown>;
}
/** the playground's agents (LiveFleet fits); absent in the plain simulator */
export interface AgentControl {
  readonly agents: ReadonlyMap<string, AgentHandle>;
  startAgent(host: string): AgentHandle;
  /** the controller process now; absent where the console drives agents only */
  readonly controllerHandle?: AgentHandle;
  startController?(): AgentHandle;
}
export interface ControlTarget {
  readonly sim: Pick<Sim, 'power' | 'drbd' | 'xenstored' | 'stateDisk' | 'diskFail' | 'state' | 'migrationFault' | 'toolFault' | 'clearToolFaults'>;
  readonly live: AgentControl | null;
  /** a line said later, on its own: an agent this console started exiting by itself */
  readonly tell?: (line: string) => void;
}

/** the agents this console ends itself: their exit is the answer to the command, not news */
const endedHere = new WeakSet<AgentHandle>();

/**
 * Says when an agent the console started exits by itself. The answer to `agent HOST start` comes
 * as the process is spawned; an agent that then exits at once (78: its config or token refused at
 * start) read as running until someone looked at its log.
 */
function watchExit(host: string, a: AgentHandle, tell: ((line: string) => void) | undefined, who = { line: `agent ${host}`, it: 'its agent', start: `agent ${host} start` }): void {
  if (tell === undefined) return;
  void a.exited.then(() => {
    if (endedHere.has(a)) return;
    const how = a.child.exitCode !== null ? `with code ${a.child.exitCode}${a.child.exitCode === 78 ? ' (78: its config was refused; its log says why)' : ''}` : `on ${a.child.signalCode ?? '?'}`;
    tell(`${who.line}: ${who.it} (pid ${a.child.pid ?? '?'}) exited ${how}; \`${who.start}\` starts it again`);
  });
}

const running = (a: AgentHandle | undefined): a is AgentHandle => a !== undefined && a.child.exitCode === null && a.child.signalCode === null;

function why(e: OpError): string {
  switch (e.kind) {
    case 'no-host': return `no host ${e.host}`;
    case 'not-replica': return `${e.host} holds no replica of ${e.res} (or it is not up there)`;
    case 'drbd-missing': return `no DRBD resource ${e.res}`;
    default: return JSON.stringify(e);
  }
}

/**
 * What a restored link leads to. Both ends Primary while it was cut wrote apart from each other:
 * DRBD's handshake then finds a split brain and drops the connection, which the operator resolves
 * by hand; saying it will connect sent them waiting for a connection that never comes.
 */
function connectOutcome(r: DrbdResource | undefined): string {
  if (r === undefined || !handshakeFindsSplitBrain(r)) return "the link is back; it connects after the fleet's connect-delay";
  return (
    `the link is back, but ${r.primaryApart.join(' and ')} were both Primary while it was cut: after the fleet's connect-delay ` +
    `the handshake finds a split brain and both ends go StandAlone; on the side whose writes are given up, ` +
    `\`drbdadm secondary ${r.name}\` and \`drbdadm connect --discard-my-data ${r.name}\`, then \`drbdadm connect ${r.name}\` on the other`
  );
}

/** ends an agent and waits until its process is gone */
async function end(a: AgentHandle, signal: NodeJS.Signals): Promise<void> {
  endedHere.add(a);
  a.child.kill(signal);
  await a.exited;
}

/** Runs one command on the simulator (and the agents); the answer, one line (`state`, `help`: the summary, the list). */
export async function executeControl(c: ControlCommand, t: ControlTarget): Promise<string[]> {
  const done = (line: string, detail: string): string[] => [`${line}: done (${detail})`];
  switch (c.kind) {
    case 'help': return [...HELP];
    case 'state': return summarize(t.sim.state());
    case 'power': {
      const line = `power ${c.host} ${c.state}`;
      const was = t.sim.state().hosts[c.host]?.power;
      if (was === c.state) return [`${line}: nothing to do, ${c.host} is already ${c.state}${c.state === 'on' && t.live && !running(t.live.agents.get(c.host)) ? ` (its agent is not running: \`agent ${c.host} start\`)` : ''}`];
      // power lost: the agent dies with its Dom0, no chance to tidy up
      const agent = t.live?.agents.get(c.host);
      const killed = running(agent);
      if (c.state === 'off' && killed) await end(agent, 'SIGKILL');
      const r = t.sim.power(c.host, c.state);
      if (!r.ok) return [`${line}: refused: ${why(r.error)}`];
      if (c.state === 'off') return done(line, `its domUs are gone${killed ? ', its agent killed (SIGKILL)' : ''}; \`power ${c.host} on\` boots it empty`);
      if (t.live === null) return done(line, 'booted, no domU running');
      const started = t.live.startAgent(c.host);
      watchExit(c.host, started, t.tell);
      return done(line, `booted, no domU running; its agent started, pid ${started.child.pid ?? '?'}`);
    }
    case 'drbd': {
      const line = `drbd ${c.res} ${c.action}`;
      const r = t.sim.drbd(c.res, c.action);
      if (!r.ok) return [`${line}: refused: ${why(r.error)}`];
      if (c.action === 'connect') return done(line, connectOutcome(t.sim.state().drbd[c.res]));
      if (c.action === 'disconnect') return done(line, `the link is cut: both ends wait for their peer; \`drbd ${c.res} connect\` restores it`);
      return done(line, `both ends StandAlone; \`drbd ${c.res} connect\` repairs it`);
    }
    case 'xenstored': {
      const line = `xenstored ${c.host} ${c.action}`;
      const r = t.sim.xenstored(c.host, c.action);
      if (!r.ok) return [`${line}: refused: ${why(r.error)}`];
      if (c.action === 'start') return done(line, `xenstored runs on ${c.host} again: xl and the xenstore tools answer`);
      return done(line, `xl and every xenstore tool on ${c.host} fail (cannot connect to xenstore, xs_open: No such file or directory); a xenstore-watch already running goes on; \`xenstored ${c.host} start\` ends it`);
    }
    case 'disk': {
      const line = `disk ${c.host} ${c.state}`;
      const r = t.sim.stateDisk(c.host, c.state);
      if (!r.ok) return [`${line}: refused: ${why(r.error)}`];
      // the model's filesystem: an agent in this process asks the simulator through its ports
      // (test/harness), an agent process reads the file the simulator keeps for it (sim.ts `env`)
      const said = c.state === 'ok' ? 'has room again' : c.state === 'low' ? 'has 20 MiB left' : c.state === 'full' ? 'is full (no space left)' : 'is read-only';
      return done(line, `the filesystem under ${c.host}'s agent state ${said}, read by its agent within a minute${c.state === 'ok' ? '' : `; \`disk ${c.host} ok\` ends it`}`);
    }
    case 'fault-migrate':
      t.sim.migrationFault(c.domu, c.phase);
      return c.phase === null ? done(`fault migrate ${c.domu} none`, `its next migration goes as it would`) : done(`fault migrate ${c.domu} ${c.phase}`, `the next live migration of ${c.domu} fails ${c.phase === 'before' ? 'before the copy' : c.phase === 'target' ? 'at the target after the copy, resumed at the sender' : 'in the final handshake, stopped on both hosts'}`);
    case 'fault-tool': {
      t.sim.toolFault(c.host, c.tool, c.fault);
      const what = c.fault.kind === 'hang' ? 'hangs until killed' : c.fault.kind === 'slow' ? `answers ${c.fault.ms} ms late` : 'prints the given text instead';
      return done(`fault tool ${c.host} ${c.tool} ${c.fault.kind}`, `every ${c.tool} call on ${c.host} ${what}; \`fault clear\` ends it`);
    }
    case 'fault-disk': {
      const line = `fault disk ${c.host} ${c.res}`;
      const r = t.sim.diskFail(c.host, c.res);
      if (!r.ok) return [`${line}: refused: ${why(r.error)}`];
      return done(line, `DRBD detaches ${c.host}'s disk of ${c.res} (Failed, Diskless within a second); what runs there reads and writes on its peer's disk; \`drbdadm attach ${c.res}\` on ${c.host} attaches it again`);
    }
    case 'fault-clear':
      t.sim.clearToolFaults();
      return done('fault clear', 'every tool answers as it would');
    case 'controller':
      return controllerCommand(c.action, t);
    case 'agent': {
      const line = `agent ${c.host} ${c.action}`;
      if (t.live === null) return [`${line}: refused: the plain simulator runs no agents; start it with --controller (npm run sim -- --controller FLEETFILE)`];
      const agent = t.live.agents.get(c.host);
      if (c.action === 'stop') {
        if (!running(agent)) return [`${line}: refused: ${c.host}'s agent is not running; \`agent ${c.host} start\` starts it`];
        await end(agent, 'SIGTERM');
        return done(line, `its agent ended; \`agent ${c.host} start\` starts it again`);
      }
      if (running(agent)) return [`${line}: refused: ${c.host}'s agent already runs (pid ${agent.child.pid ?? '?'}); \`agent ${c.host} stop\` first`];
      if (t.sim.state().hosts[c.host]?.power !== 'on') return [`${line}: refused: ${c.host} is off; \`power ${c.host} on\` boots it and starts its agent`];
      const started = t.live.startAgent(c.host);
      watchExit(c.host, started, t.tell);
      return done(line, `its agent started, pid ${started.child.pid ?? '?'}`);
    }
  }
}

/**
 * `controller stop|kill|start`: a controller restarted in the middle of a drain or a roll is an
 * incident of its own (its jobs end 87, a re-run takes them up; a migrate or reverse in flight
 * ends 91, its outcome unknown to xenherdctl), and the playground had no way to
 * cause it short of finding the process and its command line by hand.
 */
async function controllerCommand(action: 'stop' | 'kill' | 'start', t: ControlTarget): Promise<string[]> {
  const line = `controller ${action}`;
  const ctl = t.live?.controllerHandle;
  const startController = t.live?.startController;
  if (t.live === null || ctl === undefined || startController === undefined) return [`${line}: refused: the plain simulator runs no controller; start it with --controller (npm run sim -- --controller FLEETFILE)`];
  if (action === 'start') {
    if (running(ctl)) return [`${line}: refused: the controller already runs (pid ${ctl.child.pid ?? '?'}); \`controller stop\` or \`controller kill\` first`];
    const started = startController();
    watchExit('', started, t.tell, { line: 'controller', it: 'the controller', start: 'controller start' });
    return [`${line}: done (the controller started, pid ${started.child.pid ?? '?'}, on the same port, config and state dir; the agents dial it again within their backoff, 30 s at most)`];
  }
  if (!running(ctl)) return [`${line}: refused: the controller is not running; \`controller start\` starts it`];
  await end(ctl, action === 'stop' ? 'SIGTERM' : 'SIGKILL');
  // the codes xenherdctl exits with: a job's end line, a sent command's result, or a stream closed with neither
  const unreachable = exitCodeFor('XH_ERR_CONTROLLER_UNREACHABLE');
  const how =
    action === 'stop'
      ? `SIGTERM, as systemctl stop or restart: its jobs end ${unreachable} saying so; a migrate or reverse in flight ends ${exitCodeFor('XH_ERR_AGENT_LINK_LOST')} ` +
        '(XH_ERR_AGENT_LINK_LOST: the agent finishes or abandons it on its own; `xenherdctl where DOMU` says where it is once the controller runs again)'
      : `SIGKILL, as a crash or the OOM killer: its jobs, migrates and reverses end without a word, xenherdctl watching any of them exits ${unreachable}`;
  return [`${line}: done (the controller ended, ${how}; the agents keep their domUs and their maintenance state; \`controller start\` starts it again)`];
}
