import type { XhError } from '../../shared/errors.js';
import type { WhereAnswer } from '../../shared/protocol/ctl-where.js';

/**
 * Said instead of "not found" while the controller is within its start-up grace (right after a
 * restart, enrolled Dom0s still reconnecting, the answer's `starting`): what WHAT says was not
 * found (a domU, or where it runs) may be on a Dom0 not heard yet, so it is not known yet, not missing.
 * XH_ERR_AGENT_UNREACHABLE's 76, not 1: `ssh root@$(xenherdctl where -q web1)` must not take an
 * empty answer for a domU that is gone. Null past the grace: then 1 as always.
 */
export function notKnownYet(what: string, answer: WhereAnswer): XhError | null {
  const s = answer.starting;
  const unreported = answer.unreported ?? [];
  if (s === undefined || unreported.length === 0) return null;
  const ago = Math.max(0, Math.round((answer.at - s.startedAt) / 1000));
  const dom0s = `${unreported.length} of ${s.enrolled} enrolled Dom0${s.enrolled === 1 ? '' : 's'}`;
  return {
    code: 'XH_ERR_AGENT_UNREACHABLE',
    message: `${what}: not known yet, ${dom0s} not reported yet since the controller started ${ago} s ago (${unreported.join(', ')}), and ${unreported.length === 1 ? 'it' : 'one of them'} may run it: try again`,
  };
}
