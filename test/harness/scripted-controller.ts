import type { Clock } from '../../shared/clock/clock.js';
import { memoryLinkPair } from '../../shared/link/memory-link.js';
import { err, ok } from '../../shared/result.js';
import type { SimAgentWiring } from './agent-on-sim.js';

/** One link an agent dialled: the URL index it dialled (0: the primary), the types of what it sent, in order, how the link closed, and when (clock ms). */
export interface Dial {
  readonly url: number;
  readonly at: number;
  readonly heard: string[];
  readonly closed: { code: number; reason: string }[];
  /** the controller ends this link, as a stopping one does */
  readonly end: (code: number, reason: string) => void;
}

/** Whether the controller at URL index URL takes connections now (absent: every one does). */
export type Reachable = (url: number) => boolean;

/** What the scripted controller does with each message: TYPE and MESSAGE as the agent sent it; SEND and CLOSE act on this link. */
export type ControllerScript = (type: string, send: (m: object) => void, message: Record<string, unknown>, close: (code: number, reason: string) => void) => void;

/**
 * An agent's `connectController` whose every dial reaches a controller that does what SCRIPT says
 * to each message, over an in-memory link on CLOCK: the controller's own misbehaviour (silence,
 * refusals, late closes) told in a few lines, with no controller core behind it.
 */
export function scriptedController(
  clock: Clock,
  script: ControllerScript,
  reachable: Reachable = () => true,
): { connectController: NonNullable<SimAgentWiring['connectController']>; probePrimary: () => Promise<boolean>; dials: Dial[]; probes: number[] } {
  const dials: Dial[] = [];
  const probes: number[] = [];
  const connectController: NonNullable<SimAgentWiring['connectController']> = async (url) => {
    if (!reachable(url)) return err({ kind: 'unreachable', message: `connect ECONNREFUSED (controller ${url})` });
    const pair = memoryLinkPair({ name: `dial-${dials.length + 1}`, clock });
    const close = (code: number, reason: string): void => pair.controller.close(code, reason);
    const d: Dial = { url, at: clock.now(), heard: [], closed: [], end: close };
    dials.push(d);
    const send = (m: object): void => pair.controller.send(JSON.stringify(m));
    pair.controller.onMessage((t) => {
      const message = JSON.parse(t) as Record<string, unknown> & { type: string };
      d.heard.push(message.type);
      script(message.type, send, message, close);
    });
    pair.controller.onClose((code, reason) => d.closed.push({ code, reason }));
    return ok(pair.agent);
  };
  // the process port's check opens a link and closes it at once: here, whether the primary takes connections
  const probePrimary = async (): Promise<boolean> => {
    probes.push(clock.now());
    return reachable(0);
  };
  return { connectController, probePrimary, dials, probes };
}
