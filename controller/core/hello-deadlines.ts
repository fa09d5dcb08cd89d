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
        // not CLOSE.protocol: an agent reads that as a refusal and waits up to 5 minutes, and a
        // snapshot late behind a busy controller or network calls for the next try, not for an operator
        if (!s.live) s.refuse('XH_ERR_TIMEOUT', `no hello and snapshot within ${this.ms / 1000} s`, CLOSE.helloLate);
      }),
    );
  }

  end(s: AgentSession): void {
    this.deadlines.get(s)?.();
    this.deadlines.delete(s);
  }
}
