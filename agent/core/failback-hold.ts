import type { Maintenance } from '../../shared/protocol/agent-link-state.js';
import { MAINTENANCE_WORDS } from '../../shared/text/maintenance-words.js';
import { isActiveState } from '../decide/maintenance-rules.js';
import { sameOwner } from '../../shared/owner-names.js';

/**
 * Whether an agent reporting to a standby may go back to the primary now. Leaving closes the
 * link, and the standby then loses this Dom0 in the middle of what it runs here: a command's
 * result never comes back on another link (its job waits for reports that never come), and a
 * lease it can no longer renew keeps the host locked against the primary's own operation until
 * it lapses. So the agent stays while the controller it reports to holds a live lease on this
 * host's maintenance flag, or has a command running here, or is live-migrating a domU here (the
 * target of a move runs no command: its source does, and the job then waits for this Dom0's
 * report of the arrival), and goes back once that ends.
 */

/**
 * How long after the last move toward this Dom0 ended the agent still stays: a drain's next move
 * here follows its last one within a second or two (the arrival confirmed, the next one sent), and
 * a failback in between would cut that one off as the first would have been.
 */
export const INCOMING_LINGER_MS = 10_000;
export interface FailbackFacts {
  readonly maintenance: Maintenance;
  /** how long the active state's lease still runs on this agent's clock (0: none or lapsed) */
  readonly leaseLeftMs: number;
  /**
   * the owner this controller names itself in its maintenance commands (null: it sent none): the
   * link carries no identity of its own, and a flag owned by another controller (the primary,
   * before it died) is no work of this one's
   */
  readonly controllerOwner: string | null;
  /** the commands that came on the link up now and still run */
  readonly commands: readonly { readonly op: string; readonly name: string | null }[];
  /** the domUs this controller says it is live-migrating here now (fleet `incoming`) */
  readonly incoming: readonly string[];
  /** while none is incoming, how long ago the last one ended (null: none on this link) */
  readonly incomingEndedMsAgo: number | null;
}

/** Why the agent stays on the controller it reports to, in words for its log; null: nothing keeps it. */
export function failbackHold(f: FailbackFacts): string | null {
  const why: string[] = [];
  const m = f.maintenance;
  if (isActiveState(m.state) && f.leaseLeftMs > 0 && f.controllerOwner !== null && sameOwner(m.owner, f.controllerOwner)) {
    const op = m.operationId === null ? '' : ` (operation ${m.operationId})`;
    why.push(`it holds this host ${MAINTENANCE_WORDS[m.state]}${op}, its lease ${Math.ceil(f.leaseLeftMs / 1000)} s more`);
  }
  if (f.commands.length > 0) {
    const shown = f.commands.slice(0, 4).map((c) => (c.name === null ? c.op : `${c.op} ${c.name}`));
    const more = f.commands.length > shown.length ? ` and ${f.commands.length - shown.length} more` : '';
    why.push(`its command${f.commands.length === 1 ? '' : 's'} ${shown.join(', ')}${more} still run${f.commands.length === 1 ? 's' : ''} here`);
  }
  if (f.incoming.length > 0) {
    const shown = f.incoming.slice(0, 4).join(', ');
    const more = f.incoming.length > 4 ? ` and ${f.incoming.length - 4} more` : '';
    why.push(`it is moving ${shown}${more} here`);
  } else if (f.incomingEndedMsAgo !== null && f.incomingEndedMsAgo < INCOMING_LINGER_MS) {
    why.push(`its last move here ended ${Math.floor(f.incomingEndedMsAgo / 1000)} s ago (another may follow within ${INCOMING_LINGER_MS / 1000} s)`);
  }
  return why.length === 0 ? null : why.join('; ');
}
