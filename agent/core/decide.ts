import { nextRandom } from '../../shared/random.js';
import { decideAll } from '../decide/autostart-all.js';
import type { AutostartDecision } from '../decide/autostart.js';
import { log } from './effects.js';
import { jitteredMs, retryDelayMs } from './delays.js';
import { busyWith } from './busy.js';
import { endAwayOfReturned } from './home-again.js';
import { reportMismatches } from './ledger-mismatches.js';
import { endVisitorsGoneHome } from './visitor-gone-home.js';
import { alarmStrandedHalves } from './stranded-half.js';
import { noteReplication } from './replication-watch.js';
import { enqueue, pump } from './start-queue.js';
import { reasonOf } from '../decide/autostart.js';
import { snapshotOf, statusLine } from './status.js';
import type { AgentState, DomuRecord } from './state.js';
import { arm, disarm, type Fx } from './timers.js';

/**
 * Every guarded domU decided again over the current snapshot (agent/decide, pure), after the
 * event queue ran dry: each change logged once, deferred domUs given a fallback re-check, safe
 * ones queued for a start, systemd told when the counts change.
 */

function logDecision(fx: Fx, name: string, d: AutostartDecision): void {
  const base = { domu: name, decision: d.kind, reason: reasonOf(d), detail: d.detail };
  if (d.kind === 'skip' && d.splitBrainHazard) fx.push(log('error', `NOT starting ${name}: ${d.detail}`, { ...base, splitBrainHazard: true }));
  // whoever can write the config could run anything as root here: as loud as a split-brain hazard
  else if (d.kind === 'defer' && d.reason === 'config-unsafe') fx.push(log('error', `NOT starting ${name}: ${d.detail}`, { ...base, code: 'XH_ERR_CONFIG' }));
  else if (d.kind === 'defer' && d.splitBrainSuspected) fx.push(log('error', `deferring ${name}: ${d.detail}`, { ...base, splitBrainSuspected: true }));
  else if (d.kind === 'skip') fx.push(log('info', `skipping ${name}: ${d.detail}`, base));
  else if (d.kind === 'defer') fx.push(log('info', `deferring ${name}: ${d.detail}`, base));
  else fx.push(log('info', `${name}: ${d.kind}: ${d.detail}`, base));
}

function maybeStart(s: AgentState, fx: Fx, name: string, configPath: string, rec: DomuRecord, now: number): AgentState {
  const c = s.config.autostart;
  // a last start ahead of now: the system clock stepped back since; counted from now (and kept so),
  // else no retry would come for as long as the step
  const r = rec.lastStart !== null && rec.lastStart.at > now ? { ...rec, lastStart: { ...rec.lastStart, at: now } } : rec;
  const last = r.lastStart?.at ?? 0;
  const due = last + retryDelayMs(r.attempts, c.retryInitialSeconds * 1000, c.retryMaxSeconds * 1000);
  if (due > now) {
    const n = { ...s, records: new Map(s.records).set(name, { ...r, retryAt: due }) };
    return n.timers.has(`retry:${name}`) ? n : arm(n, fx, `retry:${name}`, due - now);
  }
  const n = { ...s, records: new Map(s.records).set(name, { ...rec, retryAt: null }) };
  return enqueue(n, fx, name, configPath, null, null) ?? n;
}

/**
 * Running here, or (as the controller sees it) on another host: either way this boot's autostart
 * of it is done. When it stops there later, an operator (or a crash) stopped it, and starting it
 * here would turn that shutdown into a failover no one asked for. A peer Primary alone is not
 * enough: DRBD does not say the domU ran there (an operator may have promoted it by hand, and
 * once the peer demotes, the domU is rightly started here).
 */
const seenRunning = (d: AutostartDecision): boolean => d.kind === 'running' || (d.kind === 'skip' && d.reason === 'running-elsewhere');

/** notifyStatus false: the caller tells systemd itself (READY=1 carries the first STATUS=) */
export function decide(s: AgentState, fx: Fx, now: number, notifyStatus = true): AgentState {
  let n = noteReplication(alarmStrandedHalves(endVisitorsGoneHome(endAwayOfReturned(reportMismatches({ ...s, dirty: false }, fx, now), fx, now), fx, now), fx, now), fx, now);
  const decisions = decideAll(snapshotOf(n, now));
  const records = new Map(n.records);
  let handled = n.handledThisBoot;
  const toStart: { name: string; configPath: string }[] = [];
  for (const g of n.guarded) {
    const d = decisions.get(g.name);
    if (!d) continue;
    // while its `xl create` runs, block-drbd promotes before xl list shows it: the start outcome
    // decides next; while a migration holds it (or a controller's command about it runs), the
    // migration's ending decides next
    if (busyWith(n, g.name)) continue;
    const rec = records.get(g.name) ?? { decision: null, since: now, attempts: 0, lastStart: null, retryAt: null };
    const changed = rec.decision === null || rec.decision.kind !== d.kind || reasonOf(rec.decision) !== reasonOf(d);
    if (changed) logDecision(fx, g.name, d);
    if (seenRunning(d) && !handled.has(g.name)) handled = new Set(handled).add(g.name);
    // when the fallback re-check runs is kept with the record: `autostart status` says when the agent tries next
    let recheckAt = d.kind === 'defer' ? (rec.recheckAt ?? null) : null;
    if (d.kind === 'defer') {
      if (!n.timers.has(`defer:${g.name}`)) {
        const r = nextRandom(n.rng);
        const ms = jitteredMs(n.config.autostart.deferRecheckSeconds * 1000, n.config.autostart.deferJitterSeconds * 1000, r.value);
        n = arm({ ...n, rng: r.state }, fx, `defer:${g.name}`, ms);
        recheckAt = now + ms;
      }
    } else n = disarm(n, fx, `defer:${g.name}`);
    records.set(g.name, { ...rec, decision: d, since: changed ? now : rec.since, recheckAt });
    if (d.kind === 'start' && n.enabled && n.phase === 'running') toStart.push({ name: g.name, configPath: g.configPath });
  }
  for (const name of [...records.keys()]) if (!decisions.has(name)) records.delete(name);
  if (handled !== n.handledThisBoot) fx.push({ e: 'save-boot-record', names: [...handled].sort() });
  n = { ...n, records, handledThisBoot: handled };
  for (const t of toStart) n = maybeStart(n, fx, t.name, t.configPath, n.records.get(t.name) as DomuRecord, now);
  n = pump(n, fx);
  const line = statusLine(n);
  if (line !== n.lastStatusLine) {
    if (notifyStatus) fx.push({ e: 'notify', ready: false, status: line });
    n = { ...n, lastStatusLine: line };
  }
  return n;
}
