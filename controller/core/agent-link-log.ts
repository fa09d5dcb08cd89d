import type { Clock } from '../../shared/clock/clock.js';
import type { Logger } from '../../shared/logger.js';

/** How many links of one host a window logs line by line; the rest are counted. */
export const LINKS_LOGGED_IN_FULL = 3;
/** How long a host's links are counted together before the count is said. */
export const LINK_WINDOW_MS = 60_000;

/** One link as its lines are logged: whose, whether they go out in full, and since when it is open. */
export interface LinkVoice {
  readonly host: string;
  readonly loud: boolean;
  readonly openedAt: number;
}

interface Window {
  readonly start: number;
  /** the window follows one that had to be summed up: the host is still reconnecting, nothing goes out in full */
  readonly continuing: boolean;
  links: number;
  unlogged: number;
  readonly cancel: () => void;
}

/**
 * The lines about agent links opening and closing (reported, closed, unreachable), per host. An agent that reconnects in a tight loop (its token is good, something else is wrong), or
 * a fleet of them after a restart of the controller, would write several lines a link, hundreds a
 * minute: a window of LINK_WINDOW_MS from a host's first link logs its first LINKS_LOGGED_IN_FULL
 * links line by line and counts the rest, and at its end one line says how many links there were.
 * A window that starts within a window's time of such a summary logs no link in full (the host is
 * still at it), so a host that never stops costs one line a minute. The end of a link that stayed
 * up a whole window is no churn: it is always said (a host gone unreachable hours later must show).
 * A refusal of an authenticated link is logged each time (agent-session.ts: it says why, and the
 * agent backs off before it tries again); a link refused before it is authenticated is grouped
 * elsewhere (api/connection-refusals.ts, and the failed-token limiter).
 */
export class AgentLinkLog {
  private readonly windows = new Map<string, Window>();
  /** when each host's last summary went out, while its next window may still continue it */
  private readonly summedUp = new Map<string, number>();

  constructor(
    readonly log: Logger,
    private readonly clock: Pick<Clock, 'now'>,
    /** a timer on the core's clock, cancelled when the core closes; returns its cancel */
    private readonly after: (ms: number, fn: () => void) => () => void,
    private readonly windowMs = LINK_WINDOW_MS,
  ) {}

  /** A new authenticated link of HOST. */
  opened(host: string): LinkVoice {
    const w = this.window(host);
    w.links++;
    return { host, loud: !w.continuing && w.links <= LINKS_LOGGED_IN_FULL, openedAt: this.clock.now() };
  }

  /** A line about the link VOICE speaks for: logged, or counted in its host's window. */
  line(voice: LinkVoice, level: 'info' | 'warn', fields: Record<string, unknown>, message: string): void {
    if (voice.loud || this.clock.now() - voice.openedAt >= this.windowMs) this.log[level](fields, message);
    else this.window(voice.host).unlogged++;
  }

  /** Says what every open window counted (the controller is stopping: its timers will not run). */
  flushAll(): void {
    for (const host of [...this.windows.keys()]) this.flush(host);
  }

  private window(host: string): Window {
    const open = this.windows.get(host);
    if (open !== undefined) return open;
    const now = this.clock.now();
    const last = this.summedUp.get(host);
    const w: Window = { start: now, continuing: last !== undefined && now - last < this.windowMs, links: 0, unlogged: 0, cancel: this.after(this.windowMs, () => this.flush(host)) };
    this.windows.set(host, w);
    return w;
  }

  private flush(host: string): void {
    const w = this.windows.get(host);
    if (w === undefined) return;
    this.windows.delete(host);
    w.cancel();
    if (w.unlogged === 0) {
      this.summedUp.delete(host);
      return;
    }
    const now = this.clock.now();
    this.summedUp.set(host, now);
    const seconds = Math.round((now - w.start) / 1000);
    const links = w.links === 0 ? `${host}'s agent links opened earlier closed in the last ${seconds} s` : `${host} reconnected ${w.links} time${w.links === 1 ? '' : 's'} in the last ${seconds} s`;
    const shown = w.continuing ? 'none of them logged one by one, as it was reconnecting before too' : `only its first ${LINKS_LOGGED_IN_FULL} links logged one by one`;
    this.log.warn(
      { event: 'agent-reconnects', host, links: w.links, unlogged: w.unlogged, windowSeconds: seconds },
      `${links} (${w.unlogged} line${w.unlogged === 1 ? '' : 's'} about them not logged: ${shown}); an agent that keeps reconnecting: look at its log on ${host} (journalctl -u xenherd-agent) and its network to this controller`,
    );
  }
}
