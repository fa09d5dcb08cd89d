import type { HostState, LinkDomain } from '../../shared/protocol/agent-link-state.js';
import type { DeltaMessage, SnapshotMessage } from '../../shared/protocol/agent-link.js';
import { applyDomainRows, sameLinkDomain } from '../../shared/protocol/domain-rows.js';
import { err, ok, type Result } from '../../shared/result.js';
import { isLive } from './live-row.js';

/**
 * A host's new `domains` section with every row that did not change replaced by the object the
 * fleet view already holds (and the old section itself when nothing changed). An agent sends the
 * whole section on any change: without this, each delta's rows would outlive a few young-generation
 * collections (they are the fleet view until the next delta) and be promoted, and at thousands of
 * deltas a second the old generation would grow by hundreds of MB between full collections.
 */
export function reuseUnchangedRows(before: LinkDomain[] | undefined, after: LinkDomain[]): LinkDomain[] {
  if (!before || before.length === 0) return after;
  // rows keep their order, so a row's held twin is nearly always at the same place: the map by
  // name is made only when one is not
  let byName: Map<string, LinkDomain> | null = null;
  let allSame = before.length === after.length;
  /** AFTER with held rows in, made at the first row replaced */
  let out: LinkDomain[] | null = null;
  for (let i = 0; i < after.length; i++) {
    const d = after[i] as LinkDomain;
    const b = before[i];
    let row = d;
    if (b !== d) {
      const old = b !== undefined && b.name === d.name ? b : (byName ??= new Map(before.map((x) => [x.name, x]))).get(d.name);
      if (old !== undefined && sameLinkDomain(old, d)) row = old;
    }
    if (row !== b) allSame = false;
    if (row !== d) out ??= after.slice(0, i);
    out?.push(row);
  }
  return allSame ? before : (out ?? after);
}

/**
 * A host's state after REPORT: a snapshot's own, or a delta's sections over BEFORE, its changed
 * rows (feature domain-rows) applied to the domains BEFORE holds. Ok(null): a delta before any
 * snapshot. An error when the rows do not fit what is held: the agent's picture and ours differ,
 * and only a new snapshot can mend that.
 */
export function stateAfterRows(before: HostState | null, msg: SnapshotMessage | DeltaMessage): Result<HostState | null, string> {
  if (msg.type === 'snapshot' || msg.rows === undefined) return ok(stateAfterReport(before, msg));
  if (before === null) return err('changed rows before any state to apply them to');
  const domains = applyDomainRows(before.domains, msg.rows);
  if (!domains.ok) return domains;
  // the new state made once, with the rows in it: at thousands of deltas a second, a copy of each
  // message with its rows made whole, then the state, was garbage the collector had to take
  return ok(withHeldRows(before, { ...before, ...msg.state, domains: domains.value }));
}

/** A host's state after its snapshot or delta (a delta replaces whole sections); null: a delta before any snapshot. */
export function stateAfterReport(before: HostState | null, msg: SnapshotMessage | DeltaMessage): HostState | null {
  const merged = msg.type === 'snapshot' ? msg.state : before === null ? null : { ...before, ...msg.state };
  return merged === null ? null : withHeldRows(before, merged);
}

/** MERGED, BEFORE's next state, with its rows that did not change the objects BEFORE holds (reuseUnchangedRows). */
function withHeldRows(before: HostState | null, merged: HostState): HostState {
  const domains = reuseUnchangedRows(before?.domains, merged.domains);
  return domains === merged.domains ? merged : { ...merged, domains };
}

/**
 * Whether a report changed anything the alert checks read (fleet-alerts.ts): which rows run and
 * as what (live or not, a migration half), homes, DRBD roles, ledgers, guarded lists, configs (whether
 * a host holds anything of a domU it runs or claims: foreign-claims.ts). Memory
 * figures and the like do not: a fleet of thousands reports those all the time, and a full
 * conflict check of tens of thousands of domUs after each would hold the event loop for
 * milliseconds several times a second.
 */
export function conflictInputsChanged(before: HostState | null, after: HostState): boolean {
  if (before === null) return true;
  if (before.homes !== after.homes || before.drbd !== after.drbd || before.ledger !== after.ledger || before.guarded !== after.guarded || before.domus !== after.domus) return true;
  if (before.domains === after.domains) return false;
  if (before.domains.length !== after.domains.length) return true;
  return after.domains.some((d, i) => {
    const b = before.domains[i];
    return b !== d && (b === undefined || b.name !== d.name || b.baseName !== d.baseName || b.migration !== d.migration || isLive(b) !== isLive(d));
  });
}
