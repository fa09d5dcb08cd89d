import type { Clock } from '../../shared/clock/clock.js';
import type { Logger } from '../../shared/logger.js';
import { CAPABILITY, type CommandBody, type CommandMessage } from '../../shared/protocol/agent-link.js';
import { err, ok } from '../../shared/result.js';
import type { FleetIndex } from '../fleet/fleet-index.js';
import type { Freshness } from '../fleet/host-record.js';
import type { AgentAnswer, FleetPort } from '../jobs/port.js';
import type { ConfigsOfNames } from '../fleet/configs-by-name.js';
import { planFacts } from '../plan/facts.js';
import type { AgentSession } from './agent-session.js';
import type { PendingCommands } from './pending-commands.js';

/** The capability word an agent announces for each op. */
export const CAPABILITY_OF: Record<CommandBody['op'], string> = {
  migrate: CAPABILITY.migrate,
  reverse: CAPABILITY.reverse,
  maintenance: CAPABILITY.maintenance,
  inspect: CAPABILITY.inspect,
  shutdown: CAPABILITY.coldMigrate,
  start: CAPABILITY.coldMigrate,
};

export interface PortDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly identity: string;
  readonly newId: () => string;
  readonly staleAfterMs: number;
  readonly index: FleetIndex;
  readonly configs: ConfigsOfNames;
  readonly sessions: ReadonlyMap<string, AgentSession>;
  readonly pending: PendingCommands;
  readonly listeners: Set<(host: string) => void>;
  readonly fresh: () => Freshness;
}

/** A command and its envelope: the body's op decides its shape, the envelope adds type and id. */
const envelope = (commandId: string, body: CommandBody): CommandMessage => ({ type: 'command', commandId, ...body }) as CommandMessage;

/** The controller core as the jobs see it (controller/jobs/port.ts). */
export function fleetPort(d: PortDeps): FleetPort {
  return {
    clock: d.clock,
    log: d.log,
    identity: d.identity,
    staleAfterMs: d.staleAfterMs,
    newId: d.newId,
    facts: (overlay) => planFacts({ index: d.index, configs: d.configs, fresh: d.fresh(), ...(overlay ? { overlay } : {}) }),
    record: (host) => d.index.record(host),
    onChange: (fn) => {
      d.listeners.add(fn);
      return () => d.listeners.delete(fn);
    },
    call: (host, body, opts = {}) => {
      const session = d.sessions.get(host);
      const record = d.index.record(host);
      if (!session?.live || !record) return err({ code: 'XH_ERR_AGENT_UNREACHABLE', message: `the agent of ${host} is not connected: nothing was sent` });
      const cap = CAPABILITY_OF[body.op];
      if (!record.capabilities.includes(cap)) return err({ code: 'XH_ERR_REFUSED', message: `the agent of ${host} (version ${record.agentVersion ?? '?'}) does not offer "${cap}": upgrade it` });
      const commandId = `cmd-${d.newId()}`;
      let resolve: (a: AgentAnswer) => void = () => undefined;
      const answer = new Promise<AgentAnswer>((r) => (resolve = r));
      const handle = d.pending.send(
        session,
        envelope(commandId, body),
        { progress: (line) => opts.onProgress?.(line), done: (outcome, data) => resolve({ outcome, data }) },
        opts.timeoutMs,
      );
      return ok({ commandId, answer, expire: handle.expire });
    },
  };
}
