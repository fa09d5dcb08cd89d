import { DomainMigrationSchema, DomainStateSchema } from '../domain-words.js';
import { MS_EPOCH_MAX, type DeltaMessage } from './agent-link.js';
import { BASE_NAME_RE, ISO_TIME_MAX, isRowName, isRowsDomU, LINK_LIMITS, ROW_NAME_MAX, type LinkDomain } from './agent-link-values.js';
import type { DomainRows } from './domain-rows.js';

// The delta nearly every agent message is: a domU's row or two changed and the host's memory with
// them. Read through the zod schemas, such a frame of a few hundred bytes cost some 7 KB of
// short-lived objects (a payload and an issue list per field, per check), and at thousands of
// deltas a second that garbage set the pace of the controller's collections. These read that one
// shape by the schemas' own rules, into the object the schema gives, and answer undefined for
// anything else or anything wrong: the caller then hands the message to the schema, so every
// refusal still names its place in the schema's words.

type Raw = Record<string, unknown>;

const isRaw = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
/** z.number().int().nonnegative(), and at most MAX */
const isCount = (v: unknown, max = Number.MAX_SAFE_INTEGER): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max;
const isCountOrNull = (v: unknown): v is number | null => v === null || isCount(v);

const STATES: ReadonlySet<unknown> = new Set(DomainStateSchema.options);
const MIGRATIONS: ReadonlySet<unknown> = new Set(DomainMigrationSchema.options);
const isState = (v: unknown): v is LinkDomain['state'] => STATES.has(v);
const isMigration = (v: unknown): v is LinkDomain['migration'] => v === null || MIGRATIONS.has(v);

/** RAW has only keys of KNOWN, and how many (JSON.parse gives own enumerable keys only) */
function keysWithin(raw: Raw, known: (k: string) => boolean): number {
  let n = 0;
  for (const k in raw) {
    if (!known(k)) return -1;
    n++;
  }
  return n;
}

const ROW_KEYS = new Set(['name', 'baseName', 'domid', 'state', 'memMiB', 'vcpus', 'migration', 'startedAt']);
const isRowKey = (k: string): boolean => ROW_KEYS.has(k);

/** The row a link holds under a row name, if any: whose strings a new row of that name shares. */
export type HeldRowNamed = (name: string) => LinkDomain | undefined;

/** A held string equal to S, else S: the one parsed with the frame dies young with it. */
const shared = (s: string, held: string | undefined): string => (held === s ? held : s);

/** A domain row as LinkDomainSchema reads it, keys in its order; undefined when the schema must judge it. */
export const quickLinkDomain = (raw: unknown): LinkDomain | undefined => quickHeldLinkDomain(raw, undefined);

/**
 * quickLinkDomain's row with the strings (name, base name, start time) of the row HELD names so,
 * where equal: a changed row is held until its host's next report, so it outlives scavenges, and
 * the strings parsed with each frame were more of it than the row itself.
 */
export function quickHeldLinkDomain(raw: unknown, held: HeldRowNamed | undefined): LinkDomain | undefined {
  if (!isRaw(raw) || keysWithin(raw, isRowKey) < 0) return undefined;
  const { name: parsedName, baseName: parsedBase, domid, state, memMiB, vcpus, migration, startedAt } = raw;
  if (typeof parsedName !== 'string' || parsedName.length > ROW_NAME_MAX || !isRowName(parsedName)) return undefined;
  if (typeof parsedBase !== 'string' || !BASE_NAME_RE.test(parsedBase) || !isRowsDomU(parsedName, parsedBase)) return undefined;
  if (!isCountOrNull(domid) || !isState(state) || !isCount(memMiB) || !isCount(vcpus) || !isMigration(migration)) return undefined;
  const was = held?.(parsedName);
  const name = shared(parsedName, was?.name);
  const baseName = shared(parsedBase, was?.baseName);
  if (startedAt === undefined) return Object.hasOwn(raw, 'startedAt') ? undefined : { name, baseName, domid, state, memMiB, vcpus, migration };
  if (typeof startedAt !== 'string' || startedAt.length < 1 || startedAt.length > ISO_TIME_MAX) return undefined;
  // one literal, not the row without it spread and startedAt added: V8 made that an object of
  // some 400 bytes, this one some 90
  return { name, baseName, domid, state, memMiB, vcpus, migration, startedAt: shared(startedAt, was?.startedAt) };
}

const isMemoryKey = (k: string): boolean => k === 'totalMiB' || k === 'freeMiB';

/** LinkMemorySchema's reading: free memory above total is capped at total. */
function quickMemory(raw: unknown): DeltaMessage['state']['memory'] {
  if (!isRaw(raw) || keysWithin(raw, isMemoryKey) !== 2) return undefined;
  const { totalMiB, freeMiB } = raw;
  if (!isCountOrNull(totalMiB) || !isCountOrNull(freeMiB)) return undefined;
  return { totalMiB, freeMiB: totalMiB !== null && freeMiB !== null && freeMiB > totalMiB ? totalMiB : freeMiB };
}

const isRowsKey = (k: string): boolean => k === 'set' || k === 'gone' || k === 'count';

/** DomainRowsSchema's reading, its rows read by quickHeldLinkDomain (their strings HELD's where equal). */
function quickRows(raw: unknown, held?: HeldRowNamed): DomainRows | undefined {
  if (!isRaw(raw) || keysWithin(raw, isRowsKey) !== 3) return undefined;
  const { set, gone, count } = raw;
  if (!Array.isArray(set) || set.length > LINK_LIMITS.domains || !Array.isArray(gone) || gone.length > LINK_LIMITS.domains || !isCount(count, LINK_LIMITS.domains)) return undefined;
  // mapped, not pushed: an array grown by pushes from empty takes room for 17 rows to hold one
  const rows = set.map((d) => quickHeldLinkDomain(d, held));
  if (!rows.every(isRow) || !gone.every(isGoneName)) return undefined;
  // the frame's own list of names: strings, checked, and the frame is dropped once read
  return namesOnce(rows, gone) ? { set: rows, gone, count } : undefined;
}

const isRow = (d: LinkDomain | undefined): d is LinkDomain => d !== undefined;
const isGoneName = (g: unknown): g is string => typeof g === 'string' && g.length <= ROW_NAME_MAX && isRowName(g);

/** No row name twice in SET and GONE together (a pair of loops for the usual few, a set for more). */
function namesOnce(set: readonly LinkDomain[], gone: readonly string[]): boolean {
  const n = set.length + gone.length;
  const nameAt = (i: number): string | undefined => (i < set.length ? set[i]?.name : gone[i - set.length]);
  if (n > 8) {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) seen.add(nameAt(i) ?? '');
    return seen.size === n;
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (nameAt(i) === nameAt(j)) return false;
  return true;
}

const isDeltaKey = (k: string): boolean => k === 'type' || k === 'seq' || k === 'at' || k === 'state' || k === 'rows';
const isQuickSection = (k: string): boolean => k === 'memory' || k === 'domains';

/**
 * A delta replacing the host's memory and its domains (whole, or as rows), as DeltaSchema reads it;
 * undefined for any other delta or message, and for one the schema must judge. ROW reads a row of
 * a whole `domains` section (the caller may know it already); HELD gives changed rows the strings
 * of the rows the link holds (quickHeldLinkDomain).
 */
export function quickDelta(raw: unknown, row: (raw: unknown, i: number) => LinkDomain | undefined, held?: HeldRowNamed): DeltaMessage | undefined {
  if (!isRaw(raw) || raw['type'] !== 'delta' || keysWithin(raw, isDeltaKey) < 0) return undefined;
  const { seq, at, state } = raw;
  if (!isCount(seq) || !isCount(at, MS_EPOCH_MAX) || !isRaw(state)) return undefined;
  const sections = keysWithin(state, isQuickSection);
  const hasRows = Object.hasOwn(raw, 'rows');
  const hasDomains = Object.hasOwn(state, 'domains');
  // the schema's refinements: at least one section or rows, and domains not both whole and as rows
  if (sections < 0 || (sections === 0 && !hasRows) || (hasRows && hasDomains)) return undefined;
  const out: DeltaMessage['state'] = {};
  if (Object.hasOwn(state, 'memory')) {
    const memory = quickMemory(state['memory']);
    if (memory === undefined) return undefined;
    out.memory = memory;
  }
  if (hasDomains) {
    const domains = quickDomains(state['domains'], row);
    if (domains === undefined) return undefined;
    out.domains = domains;
  }
  if (!hasRows) return { type: 'delta', seq, at, state: out };
  const rows = quickRows(raw['rows'], held);
  return rows === undefined ? undefined : { type: 'delta', seq, at, state: out, rows };
}

function quickDomains(raw: unknown, row: (raw: unknown, i: number) => LinkDomain | undefined): LinkDomain[] | undefined {
  if (!Array.isArray(raw) || raw.length > LINK_LIMITS.domains) return undefined;
  const out: LinkDomain[] = [];
  for (let i = 0; i < raw.length; i++) {
    const d = row(raw[i], i);
    if (d === undefined) return undefined;
    out.push(d);
  }
  return out;
}
