import { HelloSchema } from '../../shared/protocol/agent-link.js';
import { printable } from '../../shared/text/printable.js';
import { buildOrder } from '../../shared/build-order.js';

/**
 * A frame this controller cannot read, from an agent of another release, is nearly always a
 * newer agent's addition (a hello key, a state section, an error code): the link protocol lets an
 * older agent talk to a newer controller, never the other way round. These are the words a
 * refusal adds so the operator reads which side to upgrade, not a schema's complaint alone.
 */

/** The agent's version as its hello carries it, even a hello refused for a key this controller does not know. */
export function helloAgentVersion(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || (raw as { type?: unknown }).type !== 'hello') return null;
  const v = HelloSchema.shape.agentVersion.safeParse((raw as { agentVersion?: unknown }).agentVersion);
  return v.success ? printable(v.data) : null;
}

/** What to tell of a frame refused from an agent of version AGENT by this controller of version CONTROLLER. */
export function skewAdvice(agent: string, controller: string): string {
  const both = `the agent is version ${agent}, this controller version ${controller}`;
  switch (buildOrder(agent, controller)) {
    case 'same':
      return agent === controller ? `the agent and this controller are both version ${controller}, so no upgrade explains it: report it with this line` : `${both}, builds of one release: report it with this line`;
    case 'older':
      return `${both}; a controller should read every older agent: report it with this line, and upgrade the agent meanwhile`;
    default:
      return `${both}: upgrade the controller first (controllers accept older agents, not newer ones)`;
  }
}
