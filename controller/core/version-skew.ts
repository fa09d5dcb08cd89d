import { HelloSchema } from '../../shared/protocol/agent-link.js';
import { printable } from '../../shared/text/printable.js';

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

type Order = 'newer' | 'older' | 'same' | 'unknown';

const release = (v: string): number[] | null => {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(v);
  return m === null ? null : [Number(m[1]), Number(m[2]), Number(m[3])];
};

/** The sources' date a build carries after its release (0.1.0+20261205.184112), or null (a run from source: +dev). */
const buildDate = (v: string): string | null => /\+(\d{8}\.\d{6})$/.exec(v)?.[1] ?? null;

/**
 * How AGENT's release stands to CONTROLLER's, by major.minor.patch (a pre-release tag is not
 * weighed), then by the builds' dates: every build of one release carries that release's
 * number, and a fleet upgraded from a later checkout of it runs a newer agent all the same.
 */
export function agentRelease(agent: string, controller: string): Order {
  if (agent === controller) return 'same';
  const a = release(agent);
  const c = release(controller);
  if (a === null || c === null) return 'unknown';
  for (let i = 0; i < 3; i++) if (a[i] !== c[i]) return (a[i] ?? 0) > (c[i] ?? 0) ? 'newer' : 'older';
  const [ad, cd] = [buildDate(agent), buildDate(controller)];
  if (ad !== null && cd !== null && ad !== cd) return ad > cd ? 'newer' : 'older';
  return 'same';
}

/** What to tell of a frame refused from an agent of version AGENT by this controller of version CONTROLLER. */
export function skewAdvice(agent: string, controller: string): string {
  const both = `the agent is version ${agent}, this controller version ${controller}`;
  switch (agentRelease(agent, controller)) {
    case 'same':
      return agent === controller ? `the agent and this controller are both version ${controller}, so no upgrade explains it: report it with this line` : `${both}, builds of one release: report it with this line`;
    case 'older':
      return `${both}; a controller should read every older agent: report it with this line, and upgrade the agent meanwhile`;
    default:
      return `${both}: upgrade the controller first (controllers accept older agents, not newer ones)`;
  }
}
