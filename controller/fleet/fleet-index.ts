import type { HostState, LinkAway, LinkDomain, LinkGuarded, LinkHome, LinkUnsettled, LinkVisitor } from '../../shared/protocol/agent-link-state.js';
import type { AwayDomu } from './away-from-home.js';
import { ConfigsByName } from './configs-by-name.js';
import { renamingHost } from './configs-naming.js';
import { peersChanged } from './disk-pairing.js';
import { writeFigures, type FigureUpdate } from './figures-only.js';
import type { HostRecord } from './host-record.js';
import { emptyLookShortlist, type LookShortlist } from './look-shortlist.js';
import { sameLiveness } from './live-row.js';
import { withHeldConfigs } from './held-configs.js';
import { withHeldDrbd } from './held-drbd.js';
import { MultiIndex } from './multi-index.js';
import { PrimaryHolders } from './primary-holders.js';

/** Rows that are not domUs: the host itself. (Dying "(null)" rows never reach the controller.) */
const NOT_A_DOMU = new Set(['Domain-0']);

/**
 * The fleet view's memory: every host's record, and per-domU indexes over all of them (who runs
 * it, who claims it as home, which ledgers record it away, visiting or unsettled, who guards it).
 * No I/O and no clock: the controller core feeds it records; queries live in placement.ts,
 * conflicts.ts and views.ts. A record's sections are re-indexed only when the agent replaced them.
 */
export class FleetIndex {
  private readonly records = new Map<string, HostRecord>();
  /** the domUs away from home as away-from-home.ts last worked them out, by name; kept up to date from takeAwayInputsChanged */
  readonly domusAway = new Map<string, AwayDomu>();
  /**
   * names whose hosts, live rows, migration rows, home claims, ledger records, guarding hosts,
   * configs or configs' DRBD peers changed since takeAwayInputsChanged
   */
  private awayInputsChanged = new Set<string>();
  /** the same names, since takeViewInputsChanged: what an agent's `fleet` view says of a domU rests on them too (fleet-view-cache.ts) */
  private viewInputsChanged = new Set<string>();
  /** the same names, since takeForeignInputsChanged: which hosts running a domU hold nothing of it (foreign-claims.ts foreignRunners) */
  private foreignInputsChanged = new Set<string>();
  /** the hosts reporting a row of a domU that hold nothing of it, for the domUs with one, as foreignRunners last worked them out */
  readonly foreignRunners = new Map<string, readonly string[]>();
  /** the same names, since takeLookInputsChanged: which hosts run a domU and which claim it as home (look-shortlist.ts) */
  private lookInputsChanged = new Set<string>();
  /** the domUs each pass of the alert look can say anything of, as look-shortlist.ts last sorted them */
  readonly lookShortlist: LookShortlist = emptyLookShortlist();
  private readonly noteAwayInput = (name: string): void => {
    this.awayInputsChanged.add(name);
    this.viewInputsChanged.add(name);
    this.foreignInputsChanged.add(name);
    this.lookInputsChanged.add(name);
  };
  /** baseName → host → that host's rows of it (NAME, NAME--incoming, NAME--migratedaway) */
  readonly running = new MultiIndex<readonly LinkDomain[]>((name, before, after) => {
    if (!sameLiveness(before, after)) this.noteAwayInput(name);
    countPlainRows(this.plainRows, before, -1);
    countPlainRows(this.plainRows, after, 1);
  });
  /** the plain rows (not a migration's half) of every group in running, by their state: the metrics' domUs by state start from it (fleet-counts.ts) */
  private readonly plainRows = new Map<LinkDomain['state'], number>();
  readonly homes = new MultiIndex<LinkHome>(this.noteAwayInput);
  /** keyed by the home host whose ledger holds the record */
  readonly away = new MultiIndex<LinkAway>(this.noteAwayInput);
  /** keyed by the host whose ledger holds the record */
  readonly visitors = new MultiIndex<LinkVisitor>(this.noteAwayInput);
  /** keyed by the host whose ledger holds the record (a migration it ran whose ending nobody knows) */
  readonly unsettled = new MultiIndex<LinkUnsettled>();
  /** a guarding host speaks of the domU (foreign-claims.ts reads its config of it): which hosts guard it is an away input, not what they decided */
  readonly guarded = new MultiIndex<LinkGuarded>((name, before, after) => {
    if (before === undefined || after === undefined) this.noteAwayInput(name);
  });
  /** domU name → host → that host's config of it (the `domus` sections); what withHeldConfigs shares entries from */
  readonly configs = new ConfigsByName();
  /**
   * DRBD resource → the hosts with a config naming it: a DRBD peer appearing or going pairs a host
   * with a domU's holders or no longer (disk-pairing.ts), and only the domUs some config says use
   * that resource can read it. The hosts alone, not their domU names per resource: those are in
   * their configs, read again only when a peer changes.
   */
  private readonly configsNaming = new Map<string, readonly string[]>();
  /** which hosts report each DRBD resource Primary: the alert look's "Primary on both" starts from it (conflicts.ts) */
  readonly primaryHolders = new PrimaryHolders();

  /** Stores HOST's record; returns the domUs whose set of running hosts changed. */
  put(record: HostRecord): string[] {
    const before = this.records.get(record.host)?.state ?? null;
    const after = record.state;
    // a new configs section is held as shared entries (held-configs.ts), a new DRBD section with what
    // equals its last one's kept and its peer lists shared (held-drbd.ts); the record put is that one otherwise
    const domus = after === null || after.domus === before?.domus ? after?.domus : withHeldConfigs(after.domus, this.configs);
    const drbd = after === null || after.drbd === before?.drbd ? after?.drbd : withHeldDrbd(after.drbd, before?.drbd);
    const held = after === null || domus === undefined || drbd === undefined || (domus === after.domus && drbd === after.drbd) ? record : { ...record, state: { ...after, domus, drbd } };
    this.records.set(record.host, held);
    return this.reindex(record.host, before, held.state);
  }

  /**
   * Writes a figures-only delta (figures-only.ts) into HOST's record: its rows are the ones the
   * groups of `running` hold, so those show the new figures too, and nothing indexed changes.
   */
  takeFigures(host: string, u: FigureUpdate): void {
    const r = this.records.get(host);
    if (r !== undefined) writeFigures(r, u);
  }

  /** Re-indexes the sections of HOST's state that differ between BEFORE and AFTER; returns the domUs whose set of running hosts changed. */
  private reindex(h: string, before: HostState | null, after: HostState | null): string[] {
    const changed = (k: keyof HostState): boolean => before?.[k] !== after?.[k];
    let runningChanged: string[] = [];
    if (changed('domains') && !this.updateChangedRows(h, before?.domains, after?.domains)) runningChanged = this.running.replace(h, this.groupRows(h, after?.domains ?? []));
    if (changed('homes')) this.homes.replace(h, (after?.homes ?? []).map((x) => [x.name, x] as const));
    if (changed('ledger')) {
      this.away.replace(h, Object.entries(after?.ledger.away ?? {}));
      this.visitors.replace(h, Object.entries(after?.ledger.visitors ?? {}));
      this.unsettled.replace(h, Object.entries(after?.ledger.unsettled ?? {}));
    }
    if (changed('guarded')) this.guarded.replace(h, (after?.guarded ?? []).map((g) => [g.name, g] as const));
    // a home claim counts only from a host holding something of the domU (foreign-claims.ts), which its configs say
    if (changed('domus')) {
      for (const c of [...(before?.domus ?? []), ...(after?.domus ?? [])]) this.noteAwayInput(c.name);
      this.configs.replace(h, before?.domus ?? [], after?.domus ?? []);
      renamingHost(this.configsNaming, h, before?.domus ?? [], after?.domus ?? []);
    }
    // and a DRBD peer appearing or going may tie a host to a domU's holders, or no longer (disk-pairing.ts)
    if (changed('drbd')) {
      for (const r of peersChanged(before?.drbd.resources, after?.drbd.resources)) this.noteUsersOf(r);
      this.primaryHolders.note(h, before?.drbd.resources, after?.drbd.resources);
    }
    return runningChanged;
  }

  /** Notes the domUs any host's config says use DRBD resource RESOURCE: not every name of the fleet, at every DRBD change. */
  private noteUsersOf(resource: string): void {
    for (const host of this.configsNaming.get(resource) ?? []) {
      for (const c of this.records.get(host)?.state?.domus ?? []) if (c.resources.some((r) => r.name === resource)) this.noteAwayInput(c.name);
    }
  }

  /**
   * Forgets HOST (a Dom0 no longer enrolled): its record and everything it contributed to every
   * per-domU index, as a report with no state would clear them, and the away-from-home inputs it
   * touched noted (its configs and DRBD peers too). Returns the domUs whose set of running hosts changed.
   */
  remove(host: string): string[] {
    const held = this.records.get(host);
    if (held === undefined) return [];
    const runningChanged = this.reindex(host, held.state, null);
    this.records.delete(host);
    return runningChanged;
  }

  /**
   * The names whose away-from-home answer may have changed since the last call (every name, the
   * first time): what away-from-home.ts works out from is a domU's rows, home claims and ledger
   * records, and a row's memory moving is none of that. Its one reader keeps domusAway: the set
   * is handed over.
   */
  takeAwayInputsChanged(): ReadonlySet<string> {
    const names = this.awayInputsChanged;
    this.awayInputsChanged = new Set();
    return names;
  }

  /**
   * The same names as takeAwayInputsChanged, for the other reader of them: which hosts run a domU
   * (any row) and whether each holds anything of it is what an agent's `fleet` view says of it.
   */
  takeViewInputsChanged(): ReadonlySet<string> {
    const names = this.viewInputsChanged;
    this.viewInputsChanged = new Set();
    return names;
  }

  /** The same names again, for foreignRunners (every name, the first time): whether a host holds a domU rests on them alone. */
  takeForeignInputsChanged(): ReadonlySet<string> {
    const names = this.foreignInputsChanged;
    this.foreignInputsChanged = new Set();
    return names;
  }

  /** The same names again, for the alert look's shortlist (every name, the first time): a name's hosts running it and its home claims are among them. */
  takeLookInputsChanged(): ReadonlySet<string> {
    const names = this.lookInputsChanged;
    this.lookInputsChanged = new Set();
    return names;
  }

  /** How many plain rows (not a migration's half) the index holds in each state, kept as rows come, change and go. */
  plainRowsByState(): ReadonlyMap<LinkDomain['state'], number> {
    return this.plainRows;
  }

  record(host: string): HostRecord | undefined {
    return this.records.get(host);
  }

  hostRecords(): IterableIterator<HostRecord> {
    return this.records.values();
  }

  /** Every domU name the fleet knows from any source that passes keep, unsorted. */
  knownNames(keep: (name: string) => boolean = () => true): Set<string> {
    const out = new Set<string>();
    for (const ix of [this.running, this.homes, this.away, this.visitors, this.unsettled, this.guarded]) {
      for (const n of ix.names()) if (!out.has(n) && keep(n)) out.add(n);
    }
    return out;
  }

  isKnown(name: string): boolean {
    return [this.running, this.homes, this.away, this.visitors, this.unsettled, this.guarded].some((ix) => ix.get(name) !== undefined);
  }

  /**
   * When HOST's new rows name the same domains in the same order as before (the usual delta: a
   * state or a memory figure changed), only the groups holding a changed row get a new array and
   * nobody's set of running hosts changes. False when the rows differ otherwise (a full re-index).
   */
  private updateChangedRows(host: string, before: readonly LinkDomain[] | undefined, after: readonly LinkDomain[] | undefined): boolean {
    if (before === undefined || after === undefined || before.length !== after.length) return false;
    for (let i = 0; i < after.length; i++) {
      const a = after[i] as LinkDomain;
      const b = before[i] as LinkDomain;
      if (a !== b && (a.name !== b.name || a.baseName !== b.baseName)) return false;
    }
    for (let i = 0; i < after.length; i++) {
      const a = after[i] as LinkDomain;
      const b = before[i] as LinkDomain;
      if (a === b || NOT_A_DOMU.has(a.name)) continue;
      // the rows name the same domains in the same places: a group held as that one row alone is
      // that row alone again (the usual domU), with no pass over the host's rows to find it
      const held = this.running.get(a.baseName)?.get(host);
      const group = held?.length === 1 && held[0] === b ? [a] : after.filter((d) => d.baseName === a.baseName && !NOT_A_DOMU.has(d.name));
      if (!this.running.update(a.baseName, host, group)) return false;
    }
    return true;
  }

  /** HOST's rows by base name; a group whose rows are the very objects held already keeps its held array (see report-state.ts). */
  private groupRows(host: string, domains: readonly LinkDomain[]): Array<readonly [string, readonly LinkDomain[]]> {
    const byBase = new Map<string, LinkDomain[]>();
    for (const d of domains) {
      if (NOT_A_DOMU.has(d.name)) continue;
      const rows = byBase.get(d.baseName);
      if (rows) rows.push(d);
      else byBase.set(d.baseName, [d]);
    }
    return [...byBase].map(([base, rows]) => {
      const held = this.running.get(base)?.get(host);
      return [base, held && held.length === rows.length && held.every((d, i) => d === rows[i]) ? held : rows] as const;
    });
  }
}

function countPlainRows(counts: Map<LinkDomain['state'], number>, rows: readonly LinkDomain[] | undefined, by: 1 | -1): void {
  for (const d of rows ?? []) if (d.migration === null) counts.set(d.state, (counts.get(d.state) ?? 0) + by);
}
