import type { Clock } from '../../shared/clock/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { CommandMessage, ResultMessage } from '../../shared/protocol/agent-link.js';
import type { CommandOutcome } from '../../shared/protocol/ctl-api.js';
import type { AgentSession } from './agent-session.js';

/** Where a command's progress and outcome go (the operator's HTTP stream, or a test). */
export interface CommandSink {
  progress(line: string): void;
  /** called exactly once */
  done(outcome: CommandOutcome): void;
}

interface Pending {
  readonly command: CommandMessage;
  readonly session: AgentSession;
  readonly sink: CommandSink;
  readonly cancelTimeout: () => void;
}

const describe = (c: CommandMessage): string => `${c.op} ${c.name}${c.op === 'migrate' && c.target ? ` to ${c.target}` : ''} (operation ${c.operationId})`;

/**
 * Commands sent to agents and not finished yet. Each ends exactly once: with the agent's result,
 * or with an error when the agent's link closes or the command outlives its deadline; the
 * operator never gets a success the agent did not report.
 */
export class PendingCommands {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly timeoutMs: number,
  ) {}

  send(session: AgentSession, command: CommandMessage, sink: CommandSink): void {
    const cancelTimeout = this.clock.schedule(this.timeoutMs, () =>
      this.finish(command.commandId, {
        ok: false,
        code: 'XH_ERR_TIMEOUT',
        message: `${session.host} reported no result for ${describe(command)} within ${Math.round(this.timeoutMs / 1000)} s; its outcome is unknown here: check \`xenherdctl where ${command.name}\``,
        detail: null,
      }),
    );
    this.pending.set(command.commandId, { command, session, sink, cancelTimeout });
    this.log.info({ event: 'command-sent', commandId: command.commandId, host: session.host, op: command.op, domu: command.name, operationId: command.operationId, by: command.by }, `sent ${describe(command)} to ${session.host}`);
    session.send(command);
  }

  progress(session: AgentSession, commandId: string, line: string): void {
    const p = this.pending.get(commandId);
    if (p?.session === session) p.sink.progress(line);
  }

  result(session: AgentSession, msg: ResultMessage): void {
    const p = this.pending.get(msg.commandId);
    if (p?.session !== session) {
      this.log.warn({ event: 'result-unknown-command', host: session.host, commandId: msg.commandId }, `${session.host} reported a result for unknown command ${msg.commandId}: ignored`);
      return;
    }
    this.finish(msg.commandId, { ok: msg.ok, code: msg.code, message: msg.message, detail: msg.detail });
  }

  /** The agent's link closed: whatever it was running has an unknown outcome from here. */
  linkClosed(session: AgentSession, code: number, reason: string): void {
    for (const [id, p] of [...this.pending]) {
      if (p.session !== session) continue;
      this.finish(id, {
        ok: false,
        code: 'XH_ERR_AGENT_LINK_LOST',
        message: `the link to ${session.host}'s agent closed (${code}${reason ? `: ${reason}` : ''}) while it ran ${describe(p.command)}: the outcome is unknown here; the agent finishes or abandons it on its own; check \`xenherdctl where ${p.command.name}\` once ${session.host} reports again`,
        detail: null,
      });
    }
  }

  private finish(id: string, outcome: CommandOutcome): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.cancelTimeout();
    const c = p.command;
    this.log[outcome.ok ? 'info' : 'warn'](
      { event: 'command-done', commandId: id, host: p.session.host, op: c.op, domu: c.name, operationId: c.operationId, ok: outcome.ok, code: outcome.code },
      `${describe(c)} on ${p.session.host}: ${outcome.ok ? 'done' : outcome.code}: ${outcome.message}`,
    );
    p.sink.done(outcome);
  }

  /** On shutdown: every command ends with a link-lost error. */
  closeAll(): void {
    for (const p of [...this.pending.values()]) this.linkClosed(p.session, 1001, 'controller shutting down');
  }
}
