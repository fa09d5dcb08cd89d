import type { Clock } from '../../shared/clock/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { CommandMessage, ResultData, ResultMessage } from '../../shared/protocol/agent-link.js';
import type { CommandOutcome } from '../../shared/protocol/ctl-api.js';
import type { RunningCommand } from '../../shared/protocol/ctl-jobs.js';
import type { MoveUnderWay } from '../fleet/moves-under-way.js';
import type { AgentSession } from './agent-session.js';
import { MAINTENANCE_WORDS } from '../../shared/text/maintenance-words.js';
import { afterHostNamed } from '../../shared/text/after-host-named.js';

/** Where a command's progress and outcome go (the operator's HTTP stream, a job, or a test). */
export interface CommandSink {
  progress(line: string): void;
  /** called exactly once; data is the structured answer of inspect and maintenance */
  done(outcome: CommandOutcome, data: ResultData | null): void;
}

/** A command in flight, for whoever sent it. */
export interface CommandHandle {
  readonly commandId: string;
  /** ends the command here now with this outcome (a late result from the agent is then ignored) */
  expire(outcome: CommandOutcome): void;
}

interface Pending {
  readonly command: CommandMessage;
  readonly session: AgentSession;
  readonly sink: CommandSink;
  readonly cancelTimeout: () => void;
  /** when it was sent (the clock's ms): how long it took is the metrics' business */
  readonly sentAt: number;
}

/** Told of every command that ends, however it ends, with how long it ran. */
export type CommandObserver = (command: CommandMessage, outcome: CommandOutcome, elapsedMs: number) => void;

export const describeCommand = (c: CommandMessage): string => {
  switch (c.op) {
    case 'migrate':
      return `migrate ${c.name}${c.target ? ` to ${c.target}` : ''} (operation ${c.operationId})`;
    case 'shutdown':
      return `shutdown ${c.name} for ${c.target} (operation ${c.operationId})`;
    case 'maintenance':
      return `maintenance flag: ${MAINTENANCE_WORDS[c.state]} (operation ${c.operationId})`;
    case 'inspect':
      return `inspect ${c.name}`;
    default:
      return `${c.op} ${c.name} (operation ${c.operationId})`;
  }
};

const subjectOf = (c: CommandMessage): string => (c.op === 'maintenance' ? '' : c.name);

/**
 * Commands sent to agents and not finished yet. Each ends exactly once: with the agent's result,
 * or with an error when the agent's link closes or the command outlives its deadline; the
 * operator never gets a success the agent did not report.
 */
export class PendingCommands {
  private readonly pending = new Map<string, Pending>();
  /** per link: results that matched no command here (a WeakMap: a closed link takes its count with it) */
  private readonly unknownResults = new WeakMap<AgentSession, number>();

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly timeoutMs: number,
    private readonly observe: CommandObserver = () => undefined,
    /** a live migration to TARGET was sent or ended: that host's agent hears its incoming moves (fleet-for-agent.ts incomingTo) */
    private readonly incomingChanged: (target: string) => void = () => undefined,
  ) {}

  /** The op of every command in flight now. */
  inFlightOps(): CommandMessage['op'][] {
    return [...this.pending.values()].map((p) => p.command.op);
  }

  /**
   * The operators' own migrate and reverse in flight (a job's moves are its job's), oldest first:
   * `xenherdctl jobs` lists them beside the jobs, as the other thing the controller runs for people.
   */
  operatorMoves(): RunningCommand[] {
    const out: RunningCommand[] = [];
    for (const { command: c, session, sentAt } of this.pending.values()) {
      if (c.op === 'reverse') out.push({ commandId: c.commandId, op: 'reverse', name: c.name, host: session.host, target: null, by: c.by, operationId: c.operationId, sentAt });
      else if (c.op === 'migrate' && c.reason === 'manual') out.push({ commandId: c.commandId, op: 'migrate', name: c.name, host: session.host, target: c.target, by: c.by, operationId: c.operationId, sentAt });
    }
    return out;
  }

  /** Every live migration in flight (operators' and jobs'), for the alert checks (fleet/moves-under-way.ts). */
  movesUnderWay(): MoveUnderWay[] {
    const out: MoveUnderWay[] = [];
    for (const { command: c, session } of this.pending.values()) {
      if (c.op === 'migrate') out.push({ name: c.name, from: session.host, to: c.target });
      else if (c.op === 'reverse') out.push({ name: c.name, from: session.host, to: null });
    }
    return out;
  }

  send(session: AgentSession, command: CommandMessage, sink: CommandSink, timeoutMs = this.timeoutMs): CommandHandle {
    const name = subjectOf(command);
    const cancelTimeout = this.clock.schedule(timeoutMs, () =>
      this.finish(command.commandId, {
        ok: false,
        code: 'XH_ERR_TIMEOUT',
        message: `${session.host} reported no result for ${describeCommand(command)} within ${Math.round(timeoutMs / 1000)} s; its outcome is unknown here${name ? `: check \`xenherdctl where ${name}\`` : ''}`,
        detail: null,
      }, null),
    );
    this.pending.set(command.commandId, { command, session, sink, cancelTimeout, sentAt: this.clock.now() });
    const operationId = command.op === 'inspect' ? null : command.operationId;
    this.log[isLeaseRenewal(command) ? 'debug' : 'info']({ event: 'command-sent', commandId: command.commandId, host: session.host, op: command.op, domu: name || undefined, operationId, by: command.by }, `sent ${describeCommand(command)} to ${session.host}`);
    session.send(command);
    if (command.op === 'migrate' && command.target !== null) this.incomingChanged(command.target);
    return { commandId: command.commandId, expire: (o) => this.finish(command.commandId, o, null) };
  }

  progress(session: AgentSession, commandId: string, line: string): void {
    const p = this.pending.get(commandId);
    if (p?.session === session) p.sink.progress(line);
  }

  result(session: AgentSession, msg: ResultMessage): void {
    const p = this.pending.get(msg.commandId);
    if (p?.session !== session) {
      // the first per link is news (a command that timed out here); a stream of them is a broken or hostile agent, counted, not each logged
      const seen = (this.unknownResults.get(session) ?? 0) + 1;
      this.unknownResults.set(session, seen);
      if (seen === 1 || seen === 10 || seen % 1000 === 0) this.log.warn({ event: 'result-unknown-command', host: session.host, commandId: msg.commandId, count: seen }, `${session.host} reported a result for unknown command ${msg.commandId}: ignored${seen > 1 ? ` (${seen} so far on this link)` : ''}`);
      return;
    }
    this.finish(msg.commandId, { ok: msg.ok, code: msg.code, message: msg.message, detail: msg.detail }, msg.data ?? null);
  }

  /**
   * The agent's link closed: whatever it was running has an unknown outcome from here. OWNSTOP:
   * this controller closed it as it stops, the end a restart or an upgrade always has, so each such
   * ending is logged at info; a link lost while it runs stays a warning.
   */
  linkClosed(session: AgentSession, code: number, reason: string, ownStop = false): void {
    for (const [id, p] of [...this.pending]) {
      if (p.session !== session) continue;
      const name = subjectOf(p.command);
      const closed = `(${code}${reason ? `: ${reason}` : ''})`;
      // at its own stop the controller is what is gone: `where` answers once it runs again, whether or not this agent was ever cut off
      const message = ownStop
        ? `the controller stopped ${closed} while ${session.host}'s agent ran ${describeCommand(p.command)}: the outcome is unknown here; the agent finishes or abandons it on its own${name ? `; once the controller runs again, \`xenherdctl where ${name}\` says where ${name} is` : ''}`
        : `the link to ${session.host}'s agent closed ${closed} while it ran ${describeCommand(p.command)}: the outcome is unknown here; the agent finishes or abandons it on its own${name ? `; check \`xenherdctl where ${name}\` once ${session.host} reports again` : ''}`;
      this.finish(id, { ok: false, code: 'XH_ERR_AGENT_LINK_LOST', message, detail: null }, null, ownStop);
    }
  }

  private finish(id: string, outcome: CommandOutcome, data: ResultData | null, ownStop = false): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.cancelTimeout();
    const c = p.command;
    this.log[!outcome.ok && !ownStop ? 'warn' : isLeaseRenewal(c) ? 'debug' : 'info'](
      { event: 'command-done', commandId: id, host: p.session.host, op: c.op, domu: subjectOf(c) || undefined, operationId: c.op === 'inspect' ? null : c.operationId, ok: outcome.ok, code: outcome.code },
      // the line has named the host: the agent's own naming of itself reads as "it" after it
      `${describeCommand(c)} on ${p.session.host}: ${outcome.ok ? 'done' : outcome.code}: ${afterHostNamed(outcome.message, p.session.host)}`,
    );
    this.observe(c, outcome, this.clock.now() - p.sentAt);
    if (c.op === 'migrate' && c.target !== null) this.incomingChanged(c.target);
    p.sink.done(outcome, data);
  }

  /** On shutdown: every command ends with a link-lost error, expected at this controller's own stop. */
  closeAll(): void {
    for (const p of [...this.pending.values()]) this.linkClosed(p.session, 1001, 'controller shutting down', true);
  }
}

/**
 * A maintenance flag set to the state it has, with a lease: a running job renewing its claim, every
 * third of the lease for each host it holds. Two info lines each time would be most of a drain's
 * journal, and grow with the hosts drained at once; they are debug, while the claim, its release,
 * any change of state and any refusal stay info or warn.
 */
const isLeaseRenewal = (c: CommandMessage): boolean => c.op === 'maintenance' && c.leaseMs > 0 && c.from.length === 1 && c.from[0] === c.state;
