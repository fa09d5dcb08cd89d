import type { HostState, LinkDomain } from '../../shared/protocol/agent-link-state.js';
import { LINK_FEATURE, type DeltaMessage, type Hello, type SnapshotMessage } from '../../shared/protocol/agent-link.js';
import { ok, type Result } from '../../shared/result.js';
import { clockAheadOf, withView, type HostRecord } from './host-record.js';
import { stateAfterRows } from './report-state.js';

// An agent that cannot read `xl list` (view unknown) reports no domains: it has none it can vouch
// for, not "none run here". Taken as truth, the rows its host last read would vanish, and `where`
// and `domains` would show nothing of domUs that most likely still run there (a hung toolstack
// stops no guest). So while the view is unknown and the agent reports none, the record keeps
// showing the rows last read, as a silent host's last report keeps counting; they read as not
// current (isCurrent), and a migration seen arriving elsewhere since overtakes them (superseded.ts).
// The agent's own section is kept beside them (agentDomains): its deltas are against that. Once
// the view is no longer unknown, the agent's own rows are shown again (host-record.ts withView).
// Its link may drop and come back while it is blind: an agent whose snapshot says its view
// (feature `snapshot-view`) keeps the view the controller knew, and its time, across the
// reconnect, so the empty snapshot of a still blind agent keeps the rows too (recordAtHello).

/** A record after a report: it holds a state. */
export type Reported = HostRecord & { readonly state: HostState };

/** The state as R's agent last sent it: what its next delta applies to. */
export const reportedState = (r: HostRecord): HostState | null =>
  r.state === null || r.agentDomains === undefined ? r.state : { ...r.state, domains: [...r.agentDomains] };

/**
 * R with STATE, the agent's new report: while its view is unknown and STATE holds no domains, the
 * rows R shows are kept (and STATE's empty section noted as agentDomains); otherwise STATE as it
 * is. A report with rows in it is a read: it is shown whatever the view.
 */
export function withReportedState(r: HostRecord, state: HostState): Reported {
  const { agentDomains: _was, ...rest } = r;
  if (!keepsShownRows(r, state)) return { ...rest, state };
  return { ...rest, state: { ...state, domains: r.state?.domains ?? [] }, agentDomains: state.domains };
}

/** Whether R keeps showing the rows it holds for STATE: its view is unknown and STATE holds no domains. */
const keepsShownRows = (r: HostRecord, state: HostState): boolean => r.viewLag?.view === 'unknown' && state.domains.length === 0 && (r.state?.domains.length ?? 0) > 0;

/** The rows R keeps from before its agent lost sight of its domains; none when it shows its agent's own. */
export const keptRows = (r: HostRecord): readonly LinkDomain[] => (r.agentDomains === undefined ? [] : (r.state?.domains ?? []));

/**
 * R after REPORT, its agent's snapshot or delta, came at NOW: the record the controller holds
 * next. Null: a delta before any snapshot (nothing to apply it to). An error when the delta's rows
 * do not fit what the agent sent before: only a new snapshot can mend that.
 */
export function recordAfterReport(r0: HostRecord, report: SnapshotMessage | DeltaMessage, now: number): Result<Reported | null, string> {
  // the view the snapshot says is the agent's as it sent these rows: it is what they are read by
  const r = report.type === 'snapshot' && report.view !== undefined ? withView(r0, report.view, now) : r0;
  const state = stateAfterRows(reportedState(r), report);
  if (!state.ok) return state;
  if (state.value === null) return ok(null);
  const clockAheadMs = clockAheadOf(report.at, now);
  // the usual report (the agent sees its domains): the next record in one copy, not three, as
  // this runs for every delta, thousands a second
  if (r.agentDomains === undefined && !keepsShownRows(r, state.value)) return ok({ ...r, linkUp: true, lastSeen: now, clockAheadMs, state: state.value });
  return ok(withReportedState({ ...r, linkUp: true, lastSeen: now, clockAheadMs }, state.value));
}

/**
 * R when its agent opens a new link with HELLO. The host counts as up again with its snapshot, not
 * before: until then its last report is all there is. After a reboot (a new boot id) there is none:
 * that report, and any rows kept from it, described the previous boot. Otherwise what the agent last
 * said of its view stands until its snapshot says it again, where the agent says it there (feature
 * `snapshot-view`): a still blind agent's empty snapshot then keeps the rows last read, and its view
 * keeps its time. An older agent says its view only after its snapshot, and only when not current:
 * its view reads current until it does.
 */
export function recordAtHello(r: HostRecord, hello: Hello): HostRecord {
  const n: HostRecord = { ...r, bootId: hello.bootId, agentVersion: hello.agentVersion, capabilities: hello.capabilities, linkUp: false };
  if (r.bootId !== null && r.bootId !== hello.bootId) {
    const { agentDomains: _previousBoot, ...rebooted } = n;
    return { ...rebooted, state: null, viewLag: null };
  }
  const saysView = hello.capabilities.includes(LINK_FEATURE.viewLag) && hello.capabilities.includes(LINK_FEATURE.snapshotView);
  return saysView ? n : { ...n, viewLag: null };
}
