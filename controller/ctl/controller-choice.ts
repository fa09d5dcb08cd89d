import type { XhError } from '../../shared/errors.js';
import { REFUSED_HINT } from './client-errors.js';

/**
 * Which of several controllers (a primary and its standbys, copies of it) xenherdctl asks. The
 * agents report to one of them, usually the primary; after a failover the standby holds the
 * fleet and the primary, back up, hears nobody until they return to it (30 to 90 s each). Every
 * answer comes from one controller: two controllers' views are never merged, as neither knows
 * what the other's agents hold back.
 *
 * Each controller is asked in turn for its Dom0s (GET /hosts), stopping at the first that hears
 * every Dom0 it knows (an operating command naming hosts: every one of those), so a healthy
 * primary costs one question more and the standbys are not asked. A controller that cannot be
 * reached is passed over. One that answers with a refusal (the token, an HTTP error, not a
 * controller) before any other answered ends the choice with that refusal: a token revoked on the
 * primary must not pass on a standby not yet given the new tokens, nor a misconfiguration hide
 * behind the next controller. When none hears all, the one that hears the
 * most is asked, the earlier on a tie, and the choice says why whenever another controller hears
 * a Dom0 or the primary could not be reached.
 */

/** What asking one controller for its Dom0s found. */
export type Probe =
  | { readonly kind: 'unreachable'; readonly error: XhError }
  | { readonly kind: 'refused'; readonly error: XhError }
  | { readonly kind: 'fleet'; readonly hosts: readonly { readonly host: string; readonly reachable: boolean }[] };

export type Choice =
  /** ask the next controller (probes.length is its index) */
  | { readonly kind: 'ask-next' }
  /** use controller INDEX; NOTE (without the program's name) says why it is not simply the first, or null */
  | { readonly kind: 'use'; readonly index: number; readonly note: string | null }
  | { readonly kind: 'fail'; readonly error: XhError };

type Fleet = Extract<Probe, { kind: 'fleet' }>;

const heard = (p: Fleet): string[] => p.hosts.filter((h) => h.reachable).map((h) => h.host.toLowerCase());
/** how much of what is needed P hears: NEEDED's hosts, or with none named, every Dom0 it knows */
const score = (p: Fleet, needed: readonly string[]): number => {
  const h = heard(p);
  return needed.length > 0 ? needed.filter((n) => h.includes(n.toLowerCase())).length : h.length;
};
const complete = (p: Fleet, needed: readonly string[]): boolean =>
  needed.length > 0 ? score(p, needed) === needed.length : p.hosts.length > 0 && score(p, needed) === p.hosts.length;

/** What P hears, in words, for the note: "hears 3 of 12 Dom0s", or of the hosts needed "does not hear xen5". */
function hearing(p: Fleet, needed: readonly string[]): string {
  const n = score(p, needed);
  if (needed.length === 0) return n === 0 ? 'hears no Dom0' : `hears ${n} of ${p.hosts.length} Dom0${p.hosts.length === 1 ? '' : 's'}`;
  const h = heard(p);
  const missing = needed.filter((n) => !h.includes(n.toLowerCase()));
  return missing.length === 0 ? `hears ${needed.join(', ')}` : `does not hear ${missing.join(', ')}`;
}

function note(labels: readonly string[], probes: readonly Probe[], chosen: number, needed: readonly string[]): string | null {
  const c = probes[chosen];
  // Every controller passed over is named. One after the one chosen is named when it hears a Dom0
  // (the fleet is split between them), and one down or refusing only when the chosen one hears
  // none of what was asked for: it may be the one the agents report to. Otherwise a standby down
  // while a Dom0 is (which has the standby asked) would be said at every command.
  const chosenHearsNone = c?.kind === 'fleet' && score(c, needed) === 0;
  const others = probes.flatMap((p, i): string[] => {
    if (i === chosen) return [];
    if (p.kind === 'unreachable') return i < chosen || chosenHearsNone ? [`${labels[i]} unreachable`] : [];
    if (p.kind === 'refused') return i < chosen || chosenHearsNone ? [`${labels[i]} refused the request (${p.error.code})`] : [];
    return i < chosen || score(p, needed) > 0 ? [`${labels[i]} ${hearing(p, needed)}`] : [];
  });
  // the primary answered and no other controller hears any Dom0: nothing to say
  if (chosen === 0 && others.length === 0) return null;
  const which = c?.kind === 'fleet' ? `, which ${hearing(c, needed)}` : '';
  return `${others.join('; ')}; answered by ${labels[chosen]}${which}`;
}

/**
 * The next step of the choice among LABELS (each controller's host:port, the primary first),
 * given PROBES, the answers so far in that order; NEEDED: the hosts an operating command names
 * (empty: any command else).
 */
export function chooseController(labels: readonly string[], probes: readonly Probe[], needed: readonly string[]): Choice {
  for (const [i, p] of probes.entries()) {
    // only before any controller answered: past one that took the token, a standby refusing it
    // (its tokens not copied since) is passed over, as one that cannot be reached is
    if (p.kind === 'refused' && !probes.slice(0, i).some((q) => q.kind === 'fleet')) {
      // named, unless its message names it already (a certificate's refusal says the controller's URL)
      const named = labels.length === 1 || p.error.message.includes(labels[i] as string);
      return { kind: 'fail', error: named ? p.error : { ...p.error, message: `${labels[i]}: ${p.error.message}` } };
    }
    if (p.kind === 'fleet' && complete(p, needed)) return { kind: 'use', index: i, note: note(labels, probes, i, needed) };
  }
  if (probes.length < labels.length) return { kind: 'ask-next' };
  let best = -1;
  for (const [i, p] of probes.entries()) {
    if (p.kind !== 'fleet') continue;
    const b = probes[best];
    if (best < 0 || (b?.kind === 'fleet' && score(p, needed) > score(b, needed))) best = i;
  }
  if (best >= 0) return { kind: 'use', index: best, note: note(labels, probes, best, needed) };
  const whys = probes.map((p, i) => `${labels[i]}: ${p.kind === 'unreachable' ? p.error.message.replace(/^cannot reach the controller at \S+: /, '').replace(REFUSED_HINT, '') : ''}`);
  // said once for all of them: every one refused means none was asked
  const refused = probes.length > 0 && probes.every((p) => p.kind === 'unreachable' && p.error.message.endsWith(REFUSED_HINT)) ? REFUSED_HINT : '';
  return {
    kind: 'fail',
    error: { code: 'XH_ERR_CONTROLLER_UNREACHABLE', message: labels.length === 1 ? (probes[0]?.kind === 'unreachable' ? probes[0].error.message : '') : `cannot reach any of the ${labels.length} controllers: ${whys.join('; ')}${refused}` },
  };
}
