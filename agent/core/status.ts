import type { AgentStatus, GuardedStatus } from '../../shared/protocol/agent-control.js';
import { reasonOf } from '../decide/autostart.js';
import { awayMap } from '../state/ledger.js';
import type { GuardedEntry, HostSnapshot } from '../state/snapshot.js';
import { describeDomainSource } from './domain-watch.js';
import { describeDrbdSource, drbdUnread, drbdViews, guardedResources } from './drbd.js';
import { freshFleet, silentInFleet } from './fleet-view.js';
import { leftoverWarnings } from './leftover-creates.js';
import type { AgentState, DomuRecord } from './state.js';

/** What the agent shows of itself: the decision snapshot, `status`, systemd's STATUS= line. */
const iso = (ms: number): string => new Date(ms).toISOString();


/** Draining or in maintenance, guarded autostart starts nothing here (restoring brings domUs home by migration). */
export const autostartOff = (s: AgentState): boolean => s.maintenance.state === 'draining' || s.maintenance.state === 'maintenance';

/** The autostart decision's input, as of this state. */
export function snapshotOf(s: AgentState, now: number): HostSnapshot {
  return {
    host: s.host,
    domains: s.domains,
    guarded: s.guarded,
    maintenance: autostartOff(s),
    awayTo: s.ledger ? awayMap(s.ledger) : new Map(),
    unsettled: s.ledger?.unsettled ?? {},
    ledgerProblem: s.ledgerProblem,
    fleetRunningOn: freshFleet(s, now),
    fleetSilent: silentInFleet(s, now),
    handledThisBoot: s.handledThisBoot,
    bootRecordLost: s.bootRecordLost,
    ...partnersOf(s),
    drbd: { availability: s.drbd.availability, resources: drbdViews(s), unread: drbdUnread(s) },
  };
}

/** The guarded domUs' partners by their configs and the hosts their resources' `.res` files name: what the decision reads of them alone. */
function partnersOf(s: AgentState): Pick<HostSnapshot, 'partners' | 'resHosts'> {
  const guarded = new Set(s.guarded.map((g) => g.name));
  const resources = new Set(guardedResources(s));
  return {
    partners: new Map(s.homes.flatMap((h) => (h.peer === null || !guarded.has(h.name) ? [] : [[h.name, h.peer] as const]))),
    resHosts: new Map(s.domus.flatMap((d) => d.resources.filter((r) => r.hosts.length > 0 && resources.has(r.name)).map((r) => [r.name, r.hosts] as const))),
  };
}

export const starting = (s: AgentState, name: string): boolean => s.jobs.some((j) => j.name === name) || s.leftoverCreates.has(name);

function guardedStatus(g: GuardedEntry, rec: DomuRecord | undefined, isStarting: boolean, now: number, fleetWait: number | null): GuardedStatus {
  const d = rec?.decision ?? null;
  const waiting = d === null && fleetWait !== null;
  return {
    name: g.name,
    configPath: g.configPath,
    decision: d?.kind ?? 'unknown',
    reason: reasonOf(d),
    detail: d?.detail ?? (waiting ? FLEET_WAIT : 'not decided yet'),
    since: iso(rec?.since ?? now),
    splitBrainHazard: d?.kind === 'skip' ? d.splitBrainHazard : d?.kind === 'defer' ? d.splitBrainSuspected === true : false,
    starting: isStarting,
    lastStart: rec?.lastStart ? { at: iso(rec.lastStart.at), ok: rec.lastStart.ok, message: rec.lastStart.message, forced: rec.lastStart.forced } : null,
    retryAt: rec?.retryAt ? iso(rec.retryAt) : null,
    nextTry:
      d?.kind === 'defer' && typeof rec?.recheckAt === 'number' ? nextTry('re-check', rec.recheckAt, now) : waiting && fleetWait !== null ? nextTry('controller-view', fleetWait, now) : null,
  };
}

/** a domU may have been started elsewhere while this Dom0 was down: reduce.ts holds the first decisions back for the controller's view */
const FLEET_WAIT = "not decided yet: the first decisions wait for the controller's view of where domUs run (see the controller line above), then go by the DRBD rules alone";

/**
 * When the agent decides a domU next at the latest, on its own clock: a defer's fallback re-check
 * (a DRBD or domain change decides it sooner), or, before the first decisions, the end of their
 * wait for the controller's view (its arrival ends it sooner). Whole seconds, rounded up: "in 0 s"
 * means it is being done now.
 */
const nextTry = (kind: NonNullable<GuardedStatus['nextTry']>['kind'], at: number, now: number): NonNullable<GuardedStatus['nextTry']> => ({
  kind,
  at: iso(at),
  inSeconds: Math.max(0, Math.ceil((at - now) / 1000)),
});

/** Until when the first decisions still wait for the controller's view; null once they are made, or the view came. */
const fleetWaitOf = (s: AgentState): number | null =>
  s.phase === 'starting' && s.link.fleet === null && s.timers.has('initial-fleet') ? s.fleetWaitUntil : null;

export function statusOf(s: AgentState, now: number): AgentStatus {
  const seen = new Set<string>();
  const guarded = s.guarded.filter((g) => (seen.has(g.name) ? false : (seen.add(g.name), true)));
  return {
    host: s.host,
    pid: s.pid,
    startedAt: iso(s.startedAt),
    autostart: s.enabled ? 'enabled' : 'stopped',
    maintenance: s.maintenance.state !== 'online',
    toolstack: s.toolstack,
    sources: { drbd: describeDrbdSource(s), domains: describeDomainSource(s) },
    drbd: s.drbd.availability,
    lastFullRead: s.lastFullRead === null ? null : iso(s.lastFullRead),
    guarded: guarded.map((g) => guardedStatus(g, s.records.get(g.name), starting(s, g.name), now, fleetWaitOf(s))),
    holds: s.holds.map((h) => h.hold),
    warnings: [...(guardedDirWarning(s) ?? []), ...lostRecordWarning(s), ...leftoverWarnings(s), ...s.warnings],
    controller: { link: linkWord(s), problem: s.link.phase === 'up' ? null : (s.link.problem?.why ?? null), failures: s.link.failures },
  };
}

/**
 * Why autostart starts nothing on its own this boot, for `autostart status` beside the per-domU
 * defers, in the words of their detail (autostart-all.ts, what `xenherdctl check` shows), and the
 * one way out for the whole Dom0: the lost record's file mended or moved away, and a reload, which
 * reads it again (agent/run/boot-record.ts `readAgain`).
 */
const lostRecordWarning = (s: AgentState): string[] => {
  const lost = s.bootRecordLost;
  if (lost === null) return [];
  return [
    `autostart starts no guarded domU on its own: what it handled this boot is not known (${lost.why}), so a domU an operator stopped cannot be told from one that went down; ` +
      'each not running is deferred as boot-record-lost, which `xenherdctl check` calls CRITICAL once deferred past its --crit-deferred: ' +
      '`xenherd-agent autostart start --force NAME --reason TEXT` starts one that should run; one stopped on purpose: move its config out of the guarded dir of each Dom0 guarding it, then `xenherd-agent autostart reload` there; ' +
      `to have autostart start every guarded domU not running instead: mend ${lost.file} (a {"handled":[…]} record naming the domUs handled this boot) or move it out of its dir, then \`xenherd-agent autostart reload\`, which reads it again; else this holds until the next boot`,
  ];
};

/** The controller link in one word: a link between tries after a failure is down, not connecting. */
function linkWord(s: AgentState): 'off' | 'connecting' | 'up' | 'down' {
  if (!s.link.configured || s.link.phase === 'off') return s.link.configured ? 'connecting' : 'off';
  if (s.link.phase === 'up') return 'up';
  return s.link.phase === 'waiting' || s.link.problem !== null ? 'down' : 'connecting';
}

const GUARDED_UNREADABLE = 'guarded dir unreadable: ';

/**
 * After a full read that found no guarded domU: why, as far as the state tells. A missing or
 * unreadable guarded dir (a typo in guardedDir) would otherwise look like "nothing to do". The
 * read's problem reaches the state only inside homesProblem (host/homes.ts puts it first, with
 * this prefix; a missing dir only in the log): what is there is quoted, else the likely causes.
 */
export function guardedDirWarning(s: AgentState): [string] | null {
  if (s.lastFullRead === null || s.guarded.length > 0) return null;
  const dir = s.config.guardedDir;
  const at = s.homesProblem?.indexOf(GUARDED_UNREADABLE) ?? -1;
  const why = at >= 0 ? (s.homesProblem ?? '').slice(at + GUARDED_UNREADABLE.length).split('; ')[0] : null;
  // the read's own message already names the fix (host/guarded-configs.ts): not said twice
  if (why?.includes('guardedDir')) return [`guarded dir unreadable, nothing is autostarted here: ${why}`];
  const what = why ? `guarded dir ${dir} unreadable (${why})` : `guarded dir ${dir} gave no domU config (missing, empty or unreadable: the log says which)`;
  return [`${what}: nothing is autostarted here; fix the dir, or set guardedDir in the agent config to the dir that holds the guarded domU configs`];
}

/** One line for systemd's STATUS=: counts per decision. */
export function statusLine(s: AgentState): string {
  let running = 0;
  let deferred = 0;
  let skipped = 0;
  const names = new Set(s.guarded.map((g) => g.name));
  for (const name of names) {
    const k = s.records.get(name)?.decision?.kind;
    if (k === 'running') running++;
    else if (k === 'defer') deferred++;
    else if (k === 'skip') skipped++;
  }
  const noDir = guardedDirWarning(s) === null ? '' : ` (guarded dir ${s.config.guardedDir} missing, empty or unreadable)`;
  const parts = [`${names.size} guarded domUs${noDir}: ${running} running`, `${s.jobs.length} starting`, `${deferred} deferred`, `${skipped} skipped`];
  const creates = [...s.leftoverCreates].filter(([, c]) => c.kept === undefined).map(([n]) => n);
  const kept = [...s.leftoverCreates].filter(([, c]) => c.kept !== undefined).map(([n]) => n);
  if (creates.length > 0) parts.push(`waiting for ${creates.join(', ')}: an earlier agent's xl create still runs`);
  if (kept.length > 0) parts.push(`waiting for ${kept.join(', ')}: DRBD refused to give back an earlier agent's claim`);
  if (!s.enabled) parts.push('autostart stopped');
  if (s.maintenance.state !== 'online') parts.push(`host ${s.maintenance.state}`);
  // where `systemctl status` shows it: a refused token or an untrusted certificate is otherwise
  // only in the journal, and the agent works on as if all were well
  if (linkWord(s) === 'down') parts.push('controller link down (xenherd-agent autostart status says why)');
  return parts.join(', ');
}
