import type { HostState } from '../../shared/protocol/agent-link-state.js';
import type { ViewWord } from '../../shared/protocol/agent-link.js';
import type { LinkUrl, UrlBackoff } from './link-urls.js';

/** The agent's link to its controller (core/link.ts): phase, generation, what the controller holds, its fleet view. */
export interface LinkState {
  readonly configured: boolean;
  /** which controller URL the link dials (link-urls.ts) */
  readonly url: LinkUrl;
  readonly phase: 'off' | 'connecting' | 'hello' | 'up' | 'waiting';
  /** connection generation: events of an older connection are ignored */
  readonly gen: number;
  /** connections in a row that failed or dropped */
  readonly failures: number;
  /** by URL index, that URL's own failures in a row (link-urls.ts soonestDial); absent: none since it last served */
  readonly backoff: Readonly<Record<number, UrlBackoff>>;
  readonly seq: number;
  /** what the controller holds of this host's state (null: send a snapshot) */
  readonly sent: HostState | null;
  readonly heartbeatMs: number;
  readonly staleAfterMs: number;
  /**
   * the controller's view of where the domUs this agent cares about run, and when it came; silent:
   * the hosts of it the controller no longer hears from, ms unheard as of `at` (absent: none, or an
   * older controller); incoming: the domUs it is live-migrating here now (absent: it does not say),
   * and incomingEndedAt, while it names none, when (agent's clock) the last it named ended
   * (failback-hold.ts: the next move of a drain follows within seconds)
   */
  readonly fleet: {
    readonly at: number;
    readonly runningOn: Readonly<Record<string, readonly string[]>>;
    readonly silent?: Readonly<Record<string, number>>;
    readonly incoming?: readonly string[];
    readonly incomingEndedAt?: number;
  } | null;
  readonly hello: { readonly bootId: string; readonly agentVersion: string; readonly capabilities: readonly string[] };
  /** the last refusal by the controller (auth, protocol): a longer wait before trying again */
  readonly refused: boolean;
  /**
   * why the link is not up, for `autostart status` and systemd's STATUS=: the last failure, and
   * the generation it came on (a controller's `error` message names the cause better than the
   * close that follows it); null while up, and before the first try
   */
  readonly problem: { readonly why: string; readonly gen: number; readonly fromController: boolean } | null;
  /** the link features the controller's welcome said it takes (LINK_FEATURE words), and the reconnect spread it gave (null: none) */
  readonly accepts: readonly string[];
  readonly reconnectSpreadMs: number | null;
  /** what this link last told the controller of this agent's view of its domains (`view`) */
  readonly viewSent: ViewWord;
  /** ids of the commands that came on this link and ended, the last DONE_IDS_KEPT: a repeat is refused, never run twice */
  readonly doneIds: readonly string[];
  /** the xl list names last found that the link cannot carry (see unreportedDomains), warned about once */
  readonly unreported: readonly string[];
  /**
   * by URL index, the owner each controller names itself in its maintenance commands: the link
   * carries no identity, and failback-hold.ts must tell this controller's lease from another's
   */
  readonly owners: Readonly<Record<number, string>>;
  /** what keeps this agent on a standby whose primary answers again (failback-hold.ts), as last logged; null: nothing */
  readonly failbackHeld: string | null;
}
