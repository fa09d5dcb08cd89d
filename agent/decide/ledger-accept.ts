import type { ToolstackKind } from '../../shared/inventory.js';
import { reconcile, settled, without, withVisitor, type Ledger, type LedgerMismatch, type ListedDomain, type UnsettledRecord } from '../state/ledger.js';

/**
 * `xenherd-agent reconcile NAME`: the operator accepts what `xl list` shows for one domU whose
 * ledger record it contradicts. Only the change xl list itself confirms is made: an away record of
 * a domU running here is dropped, a visitor record of a domU not here is dropped, and a guest
 * running here unrecorded becomes a visitor of the home the operator names. Mid-migration names
 * (xl's NAME--incoming / NAME--migratedaway, xend's migrating-NAME) are refused: the migration's
 * own ending decides.
 * A migration of NAME from here that ended in an ALARM (its unsettled record) is what this command
 * answers too: running it says the operator has checked both hosts, so the record is dropped.
 */
export type AcceptVerdict =
  | { readonly kind: 'nothing'; readonly why: string }
  | {
      readonly kind: 'change';
      /** null: xl list and the ledger agree, only an unsettled record is dropped */
      readonly mismatch: LedgerMismatch | null;
      readonly settled: UnsettledRecord | null;
      readonly ledger: Ledger;
      readonly says: string;
    }
  | { readonly kind: 'refused'; readonly why: string };

export interface AcceptInput {
  readonly ledger: Ledger;
  /** this host's xl (or xm) list */
  readonly running: readonly ListedDomain[];
  /** whose list that is: the answer names the command the operator can run to see it too */
  readonly toolstack: ToolstackKind;
  readonly homedHere: ReadonlySet<string>;
  readonly name: string;
  /** --home HOST, needed to record an unrecorded guest */
  readonly home: string | null;
  readonly now: string;
  readonly operationId: string;
}

export function acceptXlList(i: AcceptInput): AcceptVerdict {
  const transient = i.running.find((d) => d.baseName === i.name && d.migration !== null);
  if (transient) return { kind: 'refused', why: `${i.name} is mid-migration (the domain list shows ${transient.name}): run this again when the migration has ended` };
  const unsettled = i.ledger.unsettled[i.name] ?? null;
  const v = acceptMismatch({ ...i, ledger: settled(i.ledger, i.name) });
  if (unsettled === null || v.kind === 'refused') return v;
  const shown = i.running.some((d) => d.name === i.name);
  const settles = `the ALARM of its ${unsettled.operation} with ${unsettled.peer} (operation ${unsettled.operationId}, ${unsettled.since}) is settled: ${i.toolstack} list ${shown ? 'shows' : 'does not show'} it here${shown ? '' : keptThere(i, unsettled.peer)}`;
  if (v.kind === 'nothing') return { kind: 'change', mismatch: null, settled: unsettled, ledger: settled(i.ledger, i.name), says: settles };
  return { ...v, settled: unsettled, says: `${v.says}; ${settles}` };
}

function acceptMismatch(i: AcceptInput): AcceptVerdict {
  const m = reconcile(i.ledger, i.running, i.homedHere).mismatches.find((x) => x.domu === i.name);
  if (!m) return { kind: 'nothing', why: `the ledger and ${i.toolstack} list agree about ${i.name}: nothing to reconcile` };
  const change = (ledger: Ledger, says: string): AcceptVerdict => ({ kind: 'change', mismatch: m, settled: null, ledger, says });
  switch (m.kind) {
    case 'away-but-running-here':
      return change(without(i.ledger, i.name), `${i.name} runs here: its away record (to ${i.ledger.away[i.name]?.currentHost ?? '?'}) is dropped`);
    case 'visitor-not-here':
      return change(without(i.ledger, i.name), `${i.name} does not run here: its visitor record (home ${i.ledger.visitors[i.name]?.home ?? '?'}) is dropped`);
    case 'unrecorded-guest':
      if (i.home === null) return { kind: 'refused', why: `${i.name} runs here unrecorded: name its home with --home HOST to record it as a visitor` };
      if (i.home === i.ledger.host) return { kind: 'refused', why: `--home ${i.home} is this host: list ${i.name} in the guarded dir or migrate-tab to make this its home` };
      return change(withVisitor(i.ledger, i.name, { home: i.home, since: i.now, operationId: i.operationId }), `${i.name} is recorded as a visitor from ${i.home}`);
  }
}

/**
 * The half of a settling that is the peer's to record: when the copy kept is the peer's, this
 * ledger alone knows of no move, and that Dom0's ledger must say where NAME runs now (a visitor of
 * its home here, or the home's own away record dropped), or the fleet reads it as a domU away
 * unrecorded.
 */
function keptThere(i: AcceptInput, peer: string): string {
  const record = i.homedHere.has(i.name) ? `xenherd-agent reconcile ${i.name} --home ${i.ledger.host}` : `xenherd-agent reconcile ${i.name}`;
  return `; if its copy on ${peer} was kept, record it there: ${record} on ${peer}`;
}
