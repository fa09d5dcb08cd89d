import { CLOSE } from '../../shared/link/link.js';
import type { AgentSession } from './agent-session.js';

/**
 * A link that never gets as far as its snapshot must not linger: each new link gets a deadline,
 * which goes with the link's snapshot or end, so a refused link is not kept in memory by its timer.
 */
export class HelloDeadlines {
  private readonly deadlines = new Map<AgentSession, () => void>();

  constructor(
    /** a timer on the core's clock; returns its cancel */
    private readonly after: (ms: number, fn: () => void) => () => void,
    private readonly ms: number,
  ) {}

  start(s: AgentSession): void {
    this.deadlines.set(
      s,
      this.after(this.ms, () => {
        this.deadlines.delete(s);
        if (!s.live) s.refuse('XH_ERR_TIMEOUT', `no hello and snapshot within ${this.ms / 1000} s`, CLOSE.protocol);
      }),
    );
  }

  end(s: AgentSession): void {
    this.deadlines.get(s)?.();
    this.deadlines.delete(s);
  }
}
