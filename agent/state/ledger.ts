import * as z from 'zod';
import { DOMU_NAME_RE, HOST_NAME_RE } from '../../shared/names.js';
import { ownKeysOnly } from '../../shared/own-keys.js';
import { HOLDER_LINE_RE } from '../../shared/holder-line.js';
import type { InventoryDomain } from '../../shared/inventory.js';

/**
 * The migration ledger of one Dom0 (pure model; the store in agent/adapters/ledger-store.ts writes
 * it atomically). Four tables:
 *  - `away`: domUs whose home is this Dom0 and that left it: where to, since when, why, by which operation;
 *  - `visitors`: domUs running here whose home is another Dom0;
 *  - `unsettled`: migrations this Dom0 began that ended in an ALARM, until a person reconciles them;
 *  - `inflight`: migrations this Dom0 is running now, written before the first step that moves
 *    anything and removed with the outcome (agent/state/interrupted.ts: one whose process is gone
 *    was interrupted, and reads as unsettled).
 * `seq` counts writes; the store refuses a file that does not parse against this schema.
 */
export const LEDGER_SCHEMA_VERSION = 1;

const DomuName = z.string().regex(DOMU_NAME_RE, 'a domU name');
const HostName = z.string().regex(HOST_NAME_RE, 'a host name');
/** read back from disk as strictly as it was written: an ISO time (new Date().toISOString()) */
const Since = z.iso.datetime({ offset: true, message: 'an ISO 8601 time, e.g. 2025-01-01T00:00:00.000Z' });
/** printed by status and reverse: printable ASCII only, so a hand-edited file cannot carry terminal escapes */
const OperationId = z.string().regex(/^[\x20-\x7e]{1,100}$/, 'an operation id: 1 to 100 printable ASCII characters');
export const MigrationReasonSchema = z.enum(['manual', 'drain', 'rebalance', 'reverse']);
export type MigrationReason = z.infer<typeof MigrationReasonSchema>;

export const AwayRecordSchema = z.strictObject({ home: HostName, currentHost: HostName, since: Since, operationId: OperationId, reason: MigrationReasonSchema });
export type AwayRecord = z.infer<typeof AwayRecordSchema>;

export const VisitorRecordSchema = z.strictObject({ home: HostName, since: Since, operationId: OperationId });
export type VisitorRecord = z.infer<typeof VisitorRecordSchema>;

export const MigrationOperationSchema = z.enum(['migrate', 'reverse', 'migrate2']);
/** the ALARM's own sentence: printable text without control characters, so status can print it as it is */
const AlarmText = z.string().regex(/^[^\x00-\x1f\x7f]{1,2000}$/, 'a message: 1 to 2000 characters, no control characters');

/**
 * A migration this Dom0 ran that ended in an ALARM (XH_ERR_MIGRATION_UNKNOWN): where the domU has
 * run since is nobody's guess, so the record stays until a person checks both hosts and runs
 * `xenherd-agent reconcile NAME` here. Autostart never starts the domU meanwhile.
 */
export const UnsettledRecordSchema = z.strictObject({ peer: HostName, since: Since, operationId: OperationId, operation: MigrationOperationSchema, message: AlarmText });
export type UnsettledRecord = z.infer<typeof UnsettledRecordSchema>;

/** `PID STARTTIME BOOTID` of the process running a migration (shared/fs/file-lock.ts writes the same line in a lock) */
export const HolderLineSchema = z.string().regex(HOLDER_LINE_RE, 'a process identity: PID STARTTIME BOOTID');

/** A migration this Dom0 runs now: written before `xl migrate` (or the peer's migrate2) begins, removed with its outcome. */
export const InflightRecordSchema = z.strictObject({
  peer: HostName,
  since: Since,
  operationId: OperationId,
  operation: z.enum(['migrate', 'reverse']),
  holder: HolderLineSchema,
});
export type InflightRecord = z.infer<typeof InflightRecordSchema>;

export const LedgerSchema = z.strictObject({
  schema: z.literal(LEDGER_SCHEMA_VERSION),
  host: HostName,
  seq: z.number().int().nonnegative(),
  away: z.record(DomuName, AwayRecordSchema).transform((r) => ownKeysOnly(r)),
  visitors: z.record(DomuName, VisitorRecordSchema).transform((r) => ownKeysOnly(r)),
  // written only when there is one (ledger-store.ts), so a file without it stays readable by
  // agents that never knew the table
  unsettled: z
    .record(DomuName, UnsettledRecordSchema)
    .optional()
    .transform((r) => ownKeysOnly(r ?? {})),
  inflight: z
    .record(DomuName, InflightRecordSchema)
    .optional()
    .transform((r) => ownKeysOnly(r ?? {})),
});
export type Ledger = z.infer<typeof LedgerSchema>;

// records keyed by domU names keep no prototype: `away['constructor']` is an entry or undefined
export const emptyLedger = (host: string): Ledger => ({ schema: LEDGER_SCHEMA_VERSION, host, seq: 0, away: ownKeysOnly({}), visitors: ownKeysOnly({}), unsettled: ownKeysOnly({}), inflight: ownKeysOnly({}) });

/** a copy of TABLE without NAME; the same table when NAME is not in it */
function withoutKey<T>(table: Readonly<Record<string, T>>, name: string): Readonly<Record<string, T>> {
  if (!Object.hasOwn(table, name)) return table;
  const t = ownKeysOnly(table);
  delete t[name];
  return t;
}

export const withUnsettled = (l: Ledger, name: string, rec: UnsettledRecord): Ledger => ({ ...l, unsettled: ownKeysOnly({ ...l.unsettled, [name]: rec }) });
/** NAME's unsettled record dropped; the same ledger when it has none */
export function settled(l: Ledger, name: string): Ledger {
  const unsettled = withoutKey(l.unsettled, name);
  return unsettled === l.unsettled ? l : { ...l, unsettled };
}

export const withInflight = (l: Ledger, name: string, rec: InflightRecord): Ledger => ({ ...l, inflight: ownKeysOnly({ ...l.inflight, [name]: rec }) });
/** NAME's inflight record dropped (the migration has its outcome); the same ledger when it has none */
export function landed(l: Ledger, name: string): Ledger {
  const inflight = withoutKey(l.inflight, name);
  return inflight === l.inflight ? l : { ...l, inflight };
}

export const withAway = (l: Ledger, name: string, rec: AwayRecord): Ledger => ({ ...l, away: ownKeysOnly({ ...l.away, [name]: rec }) });
export const withVisitor = (l: Ledger, name: string, rec: VisitorRecord): Ledger => ({ ...l, visitors: ownKeysOnly({ ...l.visitors, [name]: rec }) });
export function without(l: Ledger, name: string): Ledger {
  const away = ownKeysOnly(l.away);
  const visitors = ownKeysOnly(l.visitors);
  delete away[name];
  delete visitors[name];
  return { ...l, away, visitors };
}

export type MismatchKind =
  /** the ledger says the domU left, but it runs here */
  | 'away-but-running-here'
  /** the ledger says a visitor runs here, but xl list does not show it */
  | 'visitor-not-here'
  /** a domU runs here that is neither homed here nor a recorded visitor (a migration's half alone is none) */
  | 'unrecorded-guest';

export interface LedgerMismatch {
  readonly kind: MismatchKind;
  readonly domu: string;
  readonly detail: string;
}

/**
 * One row of this host's domain list as its parser read it: a migration's transient rows (libxl's
 * NAME--incoming and NAME--migratedaway, xend's migrating-NAME) carry the domU they belong to in
 * baseName, so NAME mid-migration is never taken for another domU.
 */
export type ListedDomain = Pick<InventoryDomain, 'name' | 'baseName' | 'migration'>;
const IGNORED = new Set(['Domain-0']);

/**
 * The ledger checked against `xl list` of this host. Returns the view that may be acted on (every
 * record the toolstack contradicts withheld) and the mismatches. The caller reports mismatches;
 * the file on disk is not rewritten from them.
 */
export function reconcile(ledger: Ledger, running: readonly ListedDomain[], homedHere: ReadonlySet<string>): { ledger: Ledger; mismatches: LedgerMismatch[] } {
  const here = new Set(running.flatMap((d) => (d.baseName === null || IGNORED.has(d.baseName) ? [] : [d.baseName])));
  const mismatches: LedgerMismatch[] = [];
  let view = ledger;
  for (const [name, rec] of Object.entries(ledger.away)) {
    if (here.has(name)) {
      mismatches.push({ kind: 'away-but-running-here', domu: name, detail: `the ledger says ${name} is on ${rec.currentHost} since ${rec.since}, but xl list shows it here` });
      view = without(view, name);
    }
  }
  for (const [name, rec] of Object.entries(ledger.visitors)) {
    if (!here.has(name)) {
      mismatches.push({ kind: 'visitor-not-here', domu: name, detail: `the ledger says ${name} (home ${rec.home}) runs here, but xl list does not show it` });
      view = without(view, name);
    }
  }
  // a migration's half alone (NAME--incoming on the target) is a move, not a guest run here
  // unrecorded: the Dom0 running the migration records it, and its ALARM, should it end unknown
  const plain = new Set(running.flatMap((d) => (d.baseName !== null && d.migration === null ? [d.baseName] : [])));
  for (const name of [...here].sort()) {
    if (!homedHere.has(name) && ledger.visitors[name] === undefined && plain.has(name)) {
      mismatches.push({ kind: 'unrecorded-guest', domu: name, detail: `${name} runs here, is not homed here and the ledger has no record of it` });
    }
  }
  return { ledger: view, mismatches };
}

/** Where the ledger says a domU is: for status output. */
export function ledgerPlace(l: Ledger, name: string): { home: string | null; awayTo: string | null } {
  const a = l.away[name];
  if (a) return { home: a.home, awayTo: a.currentHost };
  const v = l.visitors[name];
  if (v) return { home: v.home, awayTo: null };
  return { home: null, awayTo: null };
}

/** domU → host it left for, the autostart input */
export const awayMap = (l: Ledger): Map<string, string> => new Map(Object.entries(l.away).map(([n, r]) => [n, r.currentHost]));
