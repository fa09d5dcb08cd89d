import type { XhError } from '../../shared/errors.js';
import type { CommandOutcome, CommandRequest } from '../../shared/protocol/ctl-api.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { FleetIndex } from '../fleet/fleet-index.js';
import { isReachable, type Freshness } from '../fleet/host-record.js';
import { peerTarget } from '../fleet/move-target.js';
import { noAgentMessage } from '../fleet/no-agent-message.js';
import { routeCommand } from '../fleet/route.js';
import type { DrbdAlertRef } from '../fleet/split-disks.js';
import { toolstackBlock, xenBlock } from '../plan/eligibility.js';
import { hostWhy } from '../plan/leftover-text.js';
import { olderXenWords, otherToolstackWords } from '../../shared/text/live-move-words.js';
import type { AgentSession } from './agent-session.js';
import { confirmingSink, type ConfirmDeps } from './confirming-sink.js';
import type { CommandSink, PendingCommands } from './pending-commands.js';

/** The operator a command is run for, as their token names them. */
export interface OperatorIdentity {
  readonly name: string;
}

export interface CommandStarted {
  readonly commandId: string;
  readonly operationId: string;
  readonly host: string;
}

/** What routing an operator's command needs of the controller core. */
export interface OperatorCommandDeps extends ConfirmDeps {
  readonly index: FleetIndex;
  readonly sessions: ReadonlyMap<string, AgentSession>;
  readonly pending: PendingCommands;
  readonly newId: () => string;
  readonly fresh: Freshness;
  /** the open alerts about DRBD resources: a split disk refuses the move (route.ts) */
  readonly drbdAlerts?: readonly DrbdAlertRef[];
}

/** Where a command the controller accepts goes: the Dom0 whose agent runs it, and where NAME would arrive (null: its agent picks its peer). */
export interface CommandCourse {
  readonly host: string;
  readonly arriving: string | null;
  readonly session: AgentSession;
}

/**
 * Sends an operator's migrate or reverse to the agent that must run it, refused here when the
 * fleet view already shows it cannot work (commandCourse). Progress and the outcome go to sink.
 */
export function startOperatorCommand(d: OperatorCommandDeps, req: CommandRequest, operator: OperatorIdentity, sink: CommandSink): Result<CommandStarted, XhError> {
  // a dry run is answered by dryRunOutcome, and never reaches an agent
  if (req.op === 'migrate' && req.dryRun === true) return err({ code: 'XH_ERR_INTERNAL', message: `a dry run of migrate ${req.name} was about to be sent: nothing was sent` });
  const course = commandCourse(d, req);
  if (!course.ok) return course;
  const { host, session } = course.value;
  const id = d.newId();
  const started = { commandId: `cmd-${id}`, operationId: id, host };
  const base = { type: 'command' as const, commandId: started.commandId, name: req.name, operationId: id, by: `ctl:${operator.name}` };
  // the agent's "done" counts once the reports show the move (confirming-sink.ts)
  d.pending.send(session, req.op === 'migrate' ? { ...base, op: 'migrate', target: req.target, reason: 'manual' } : { ...base, op: 'reverse' }, confirmingSink(d, req, host, sink));
  return ok(started);
}

/**
 * Every refusal of an operator's command the controller makes before it sends it, in one place
 * so `xenherdctl migrate --dry-run` is refused exactly as the command would be: routing
 * (controller/fleet/route.ts: unsettled, mid-migration, split disk, two copies), a target not
 * known or not online, a target the controller cannot hear, the other toolstack or an older Xen
 * release, the agent not connected or too old.
 */
export function commandCourse(d: OperatorCommandDeps, req: CommandRequest): Result<CommandCourse, XhError> {
  const route = routeCommand(d.index, req, d.fresh, d.drbdAlerts);
  if (!route.ok) return route;
  const host = route.value.host;
  // where NAME goes: the target named, or for a reverse its home (the host the command runs on)
  const targetHost = req.op === 'migrate' ? req.target : host;
  if (targetHost !== null && d.index.record(targetHost) === undefined) {
    return err({ code: 'XH_ERR_NOT_FOUND', message: `${noAgentMessage([targetHost], [...d.index.hostRecords()].map((r) => r.host))}: nothing was sent` });
  }
  const target = targetHost !== null ? d.index.record(targetHost)?.state?.maintenance : undefined;
  if (targetHost !== null && target && target.state !== 'online') {
    const restore = req.op === 'reverse' ? `; \`xenherdctl restore ${targetHost}\` brings its domUs home` : '';
    return err({ code: 'XH_ERR_REFUSED', message: `${hostWhy(targetHost, target.state)}${target.operationId ? ` (operation ${target.operationId})` : ''}: nothing is migrated onto it until it is online${restore}` });
  }
  // a move onto a Dom0 the controller cannot hear would run, and then not be confirmed by its reports
  const named = req.op === 'migrate' ? req.target : null;
  const arriving = req.op === 'migrate' ? (named ?? peerTarget(d.index, req.name, host)) : null;
  const arrivingRecord = arriving !== null ? d.index.record(arriving) : undefined;
  if (arriving !== null && arrivingRecord && !isReachable(arrivingRecord, d.fresh.now, d.fresh.staleAfterMs)) {
    return err({
      code: 'XH_ERR_AGENT_UNREACHABLE',
      message: `the agent of ${arriving}${named === null ? ` (${req.name}'s DRBD peer, where it would go)` : ''} is not connected to the controller (or silent), so the move could not be confirmed: nothing was sent; retry once \`xenherdctl hosts\` shows it reachable`,
    });
  }
  const differs = liveMoveRefusal(d.index, req, host, arriving);
  if (differs !== null) return err({ code: 'XH_ERR_REFUSED', message: differs });
  const session = d.sessions.get(host);
  const record = d.index.record(host);
  if (!session?.live || !record) return err({ code: 'XH_ERR_AGENT_UNREACHABLE', message: `the agent of ${host} is not connected: nothing was sent` });
  if (!record.capabilities.includes(req.op)) {
    return err({ code: 'XH_ERR_REFUSED', message: `the agent of ${host} (version ${record.agentVersion ?? '?'}) does not offer "${req.op}": upgrade it` });
  }
  return ok({ host, arriving, session });
}

/**
 * `xenherdctl migrate NAME [HOST] --dry-run`: what the controller would do with the command, by
 * the checks that send it (commandCourse), nothing sent. The agent's own preflight (its DRBD
 * pair as it reads it now, the target's free memory, sshd and key) runs only on the Dom0 that
 * would run it, so the answer names the command that shows that there.
 */
export function dryRunOutcome(d: OperatorCommandDeps, req: Extract<CommandRequest, { op: 'migrate' }>): Result<CommandOutcome, XhError> {
  const course = commandCourse(d, req);
  if (!course.ok) return course;
  const { host, arriving } = course.value;
  const to = arriving === null ? '' : ` to ${arriving}`;
  const picks = arriving === null ? ` and picks its migration partner` : '';
  const there = `\`xenherd-agent migrate ${req.name}${req.target === null ? '' : ` ${req.target}`} --dry-run\` on ${host}`;
  return ok({
    ok: true,
    code: null,
    message: `migrate ${req.name}${to}: the controller's checks pass; it would send the command to the agent of ${host}, which runs ${req.name}${picks}; nothing was sent. What that agent checks itself (the DRBD pair, the target's free memory, its sshd and key): ${there}.`,
    detail: null,
  });
}

/**
 * A live move between Dom0s of different toolstacks, or down to an older Xen release, refused
 * before anything is sent (the agent would only find out from the tool, after a preflight and a
 * hold): null when neither holds or what it needs is not known. A migrate runs on the Dom0 running
 * NAME towards ARRIVING; a reverse on NAME's home, from the one Dom0 running it.
 */
function liveMoveRefusal(index: FleetIndex, req: CommandRequest, host: string, arriving: string | null): string | null {
  const away = req.op === 'reverse' ? [...(index.running.get(req.name)?.keys() ?? [])].filter((h) => h !== host) : [];
  const [from, to] = req.op === 'migrate' ? [host, arriving] : [away.length === 1 ? (away[0] as string) : null, host];
  if (from === null || to === null) return null;
  const source = index.record(from);
  const target = index.record(to);
  const [a, b] = [source && { record: source }, target && { record: target }];
  if (toolstackBlock(a, b) !== null) return `${otherToolstackWords(req.name, from, String(source?.state?.toolstack), to, String(target?.state?.toolstack))}: nothing was sent`;
  if (xenBlock(a, b) === null) return null;
  return `${olderXenWords(req.name, from, String(source?.state?.xen?.version), to, String(target?.state?.xen?.version))}: nothing was sent`;
}
