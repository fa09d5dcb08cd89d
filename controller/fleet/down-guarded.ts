import { andList } from '../../shared/text/and-list.js';
import { spanText } from '../../shared/text/span-text.js';
import { utcMinuteText } from '../../shared/text/utc-time.js';
import { agoOf, type CheckProblem } from './check-conditions.js';
import type { FleetIndex } from './fleet-index.js';
import { isReachable, type Freshness } from './host-record.js';
import { isLive } from './live-row.js';
import { unseenPlaces } from './unseen-places.js';
import { nameOrder } from '../../shared/name-order.js';

/**
 * How long a guarded domU must have run nowhere before it is said down: a guest rebooting under
 * on_reboot="restart" is a new domain a moment later, and an operator's cold move by hand
 * (`xl shutdown` here, `xl create` there) leaves a gap of its own.
 */
export const DOWN_GUARDED_SETTLE_MS = 30_000;

/**
 * Guarded domUs that stopped with nobody of this fleet asking: the guest crashed under
 * on_crash="destroy" (its domain gone, unlike on_crash="preserve", crashed-domus.ts), an
 * `xl destroy`, the OOM killer, a guest powering itself off. The agents say so themselves:
 * autostart skips a guarded domU it started or saw running since its Dom0 booted and that runs
 * no more (`handled-this-boot`: someone stopped it, so it starts it no more), and that word
 * outlives a controller restart, which this controller would not have seen. Nothing brings such a
 * domU back, so once it has stood DOWN_GUARDED_SETTLE_MS it is CRITICAL, as a Dom0 nobody hears
 * is: a guest meant to run and running nowhere is what a pager is for.
 *
 * Only when every reachable Dom0 guarding it skips it so: one that starts it, defers it, holds it
 * for maintenance (held-by-maintenance.ts), sees a peer Primary, it running elsewhere or a
 * migration of it says so on its own line, or has it under way. Present anywhere (a migration's
 * half, a crashed domain) is not down, nor is one a ledger sends elsewhere or keeps unsettled
 * (the ledger alerts speak), one this controller is live-migrating, or one on a Dom0 a job of
 * this controller works on (a drain's cold move runs it nowhere between its shutdown and its
 * start). While a Dom0 that could run it is unheard (unseen-places.ts) it is not known down:
 * a WARNING saying so, for that Dom0's own line is the CRITICAL one, and "start it" there could
 * start a second copy.
 */
export function downGuarded(index: FleetIndex, fresh: Freshness, jobHosts: ReadonlySet<string>): CheckProblem[] {
  const out: CheckProblem[] = [];
  for (const [name, byHost] of index.guarded.entries()) {
    const skips: Skip[] = [];
    let other = false;
    for (const [host, g] of byHost) {
      const r = index.record(host);
      if (r === undefined || r.state === null || !isReachable(r, fresh.now, fresh.staleAfterMs)) continue;
      if (g.decision !== 'skip' || g.reason !== 'handled-this-boot' || jobHosts.has(host) || r.state.maintenance.state !== 'online') other = true;
      else skips.push({ host, ageMs: agoOf(r, g.since, fresh.now) ?? 0, toolstack: r.state.toolstack });
    }
    if (other || skips.length === 0 || presentSomewhere(index, name) || explainedElsewhere(index, fresh, name)) continue;
    // the newest word waits out the settle; the oldest dates the stop (an agent restarted since says a later time)
    if (Math.min(...skips.map((s) => s.ageMs)) < DOWN_GUARDED_SETTLE_MS) continue;
    out.push(problemOf(name, skips, unseenPlaces(index, name, fresh), fresh.now));
  }
  return out;
}

/**
 * Guarded domUs running nowhere that a reachable Dom0 guarding them will not start because its
 * record of what autostart handled this boot was lost (defer `boot-record-lost`): nothing starts
 * them before the next boot unless an operator does, so a scrape counts them down with those
 * above. Check says each on its own start-deferred line, and not while a Dom0 that could run it
 * is unheard (it is then not known down), nor while a ledger or a move of this controller
 * explains it.
 */
export function downForLostRecord(index: FleetIndex, fresh: Freshness, jobHosts: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const [name, byHost] of index.guarded.entries()) {
    const lost = [...byHost].some(([host, g]) => {
      const r = index.record(host);
      return g.decision === 'defer' && g.reason === 'boot-record-lost' && !jobHosts.has(host) && r !== undefined && r.state !== null && isReachable(r, fresh.now, fresh.staleAfterMs);
    });
    if (!lost || presentSomewhere(index, name) || explainedElsewhere(index, fresh, name) || unseenPlaces(index, name, fresh).length > 0) continue;
    out.push(name);
  }
  return out;
}

interface Skip {
  readonly host: string;
  readonly ageMs: number;
  readonly toolstack: string | null;
}

/**
 * Where to look for why it went: xl logs each domain's end (its shutdown reason, a crash) in
 * xl-NAME.log, xend in its own log; a toolstack not known, the directory both write to.
 */
const logOf = (name: string, toolstack: string | null): string => (toolstack === 'xm' ? '/var/log/xen/xend.log' : toolstack === 'xl' ? `/var/log/xen/xl-${name}.log` : '/var/log/xen/');

function problemOf(name: string, skips: readonly Skip[], unseen: readonly string[], now: number): CheckProblem {
  const hosts = skips.map((s) => s.host).sort(nameOrder);
  const guards = andList(hosts);
  const one = hosts.length === 1;
  // the Dom0 whose agent saw it stop first: most likely the one it ran on (a partner hears of it from the controller after)
  const first = skips.reduce((a, b) => (b.ageMs > a.ageMs ? b : a));
  const ageMs = first.ageMs;
  // the agents' word, not this controller's sight: true after a controller restart too; an agent restarted since dates it later
  const seen = `${one ? `${guards}'s autostart` : `the autostarts of ${guards}`} started it or saw it run this boot and ${one ? 'has' : 'have'} seen it stopped since ${utcMinuteText(now - ageMs)} (${spanText(ageMs)} ago), so ${one ? 'it starts' : 'they start'} it no more (skip handled-this-boot)`;
  if (unseen.length > 0) {
    return {
      status: 'WARNING',
      kind: 'down-guarded',
      subject: name,
      short: `${name} not seen running, stopped on ${guards}`,
      text: `${name}: not seen running: ${seen}; unknown whether it runs on ${unseen.join('; ')}: start it nowhere before \`xenherdctl where ${name}\` hears from ${unseen.length === 1 ? 'that Dom0' : 'those Dom0s'}`,
    };
  }
  return {
    status: 'CRITICAL',
    kind: 'down-guarded',
    subject: name,
    short: `${name} down, stopped on ${guards}`,
    text:
      `${name}: guarded, and running nowhere: ${seen}; nothing of this fleet stopped it (a guest crash under on_crash="destroy", \`xl destroy\`, the OOM killer, a shutdown inside the guest): ` +
      `see why on ${first.host} (${logOf(name, first.toolstack)}), then \`xenherd-agent autostart start --force ${name} --reason TEXT\` there starts it; ` +
      `stopped on purpose: move its config out of the guarded dir on ${one ? guards : `each of ${guards}`}, then \`xenherd-agent autostart reload\` there, and this clears`,
  };
}

/** Any live row of NAME, a migration's half or a crashed domain included: each has its own line. */
const presentSomewhere = (index: FleetIndex, name: string): boolean => [...(index.running.get(name)?.values() ?? [])].some((rows) => rows.some(isLive));

/** A ledger sending NAME elsewhere or keeping a migration of it unsettled (their alerts speak), or a live migration of it this controller has asked for. */
const explainedElsewhere = (index: FleetIndex, fresh: Freshness, name: string): boolean =>
  (index.away.get(name)?.size ?? 0) > 0 || (index.unsettled.get(name)?.size ?? 0) > 0 || (fresh.moves ?? []).some((m) => m.name === name);
