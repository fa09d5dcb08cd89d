import type { Clock } from '../../shared/clock/clock.js';
import { memoryLinkPair } from '../../shared/link/memory-link.js';
import { ok } from '../../shared/result.js';
import type { SimAgentWiring } from './agent-on-sim.js';

/** One link an agent dialled: the types of what it sent, in order, and how the link closed. */
export interface Dial {
  readonly heard: string[];
  readonly closed: { code: number; reason: string }[];
}

/** What the scripted controller does with each message: TYPE and MESSAGE as the agent sent it; SEND and CLOSE act on this link. */
export type ControllerScript = (type: string, send: (m: object) => void, message: Record<string, unknown>, close: (code: number, reason: string) => void) => void;

/**
 * An agent's `connectController` whose every dial reaches a controller that does what SCRIPT says
 * to each message, over an in-memory link on CLOCK: the controller's own misbehaviour (silence,
 * refusals, late closes) told in a few lines, with no controller core behind it.
 */
export function scriptedController(clock: Clock, script: ControllerScript): { connectController: NonNullable<SimAgentWiring['connectController']>; dials: Dial[] } {
  const dials: Dial[] = [];
  const connectController: NonNullable<SimAgentWiring['connectController']> = async () => {
    const pair = memoryLinkPair({ name: `dial-${dials.length + 1}`, clock });
    const d: Dial = { heard: [], closed: [] };
    dials.push(d);
    const send = (m: object): void => pair.controller.send(JSON.stringify(m));
    const close = (code: number, reason: string): void => pair.controller.close(code, reason);
    pair.controller.onMessage((t) => {
      const message = JSON.parse(t) as Record<string, unknown> & { type: string };
      d.heard.push(message.type);
      script(message.type, send, message, close);
    });
    pair.controller.onClose((code, reason) => d.closed.push({ code, reason }));
    return ok(pair.agent);
  };
  return { connectController, dials };
}
