import * as z from 'zod';
import { err, ok, type Result } from '../result.js';
import { DomainRowNameSchema, LINK_LIMITS, LinkDomainSchema, type LinkDomain } from './agent-link-values.js';

/**
 * Link feature `domain-rows`: a `delta` may carry a host's `domains` section as the rows that
 * changed, instead of the whole section. A Dom0 with dozens of domUs changes one row at a time (a
 * state, a memory figure), and the whole section on every such change made each delta ~20 times
 * the size of the change: most of what a controller of thousands of agents parsed, decrypted and
 * collected. `count` is how many rows the section has after the change, so a receiver whose copy
 * is out of step finds out at once instead of serving a wrong answer.
 */
export const DomainRowsSchema = z
  .strictObject({
    /** rows added or changed, whole, by row name */
    set: z.array(LinkDomainSchema).max(LINK_LIMITS.domains),
    /** row names no longer listed */
    gone: z.array(DomainRowNameSchema).max(LINK_LIMITS.domains),
    count: z.number().int().nonnegative().max(LINK_LIMITS.domains),
  })
  .refine((r) => new Set([...r.set.map((d) => d.name), ...r.gone]).size === r.set.length + r.gone.length, 'a row name appears twice in set and gone');
export type DomainRows = z.infer<typeof DomainRowsSchema>;

/**
 * Every field but the figures (memMiB, vcpus) equal: the same domain in the same state, what a
 * controller's alerts, indexes and copy times read of a row (controller/fleet/figures-only.ts).
 */
export const sameButFigures = (a: LinkDomain, b: LinkDomain): boolean =>
  a.name === b.name && a.baseName === b.baseName && a.domid === b.domid && a.state === b.state && a.migration === b.migration && a.startedAt === b.startedAt;

/** Every field equal: a row that did not change. */
export const sameLinkDomain = (a: LinkDomain, b: LinkDomain): boolean => sameButFigures(a, b) && a.memMiB === b.memMiB && a.vcpus === b.vcpus;

/**
 * The rows that take BEFORE to AFTER. Null when they are not smaller than AFTER itself (then the
 * whole section is the better message), and when a row name appears twice in either list: rows
 * are matched by name, and a toolstack that ever listed one name twice must not have every delta
 * refused as out of step.
 */
export function domainRowsBetween(before: readonly LinkDomain[], after: readonly LinkDomain[]): DomainRows | null {
  const held = new Map(before.map((d) => [d.name, d]));
  const listed = new Set(after.map((d) => d.name));
  if (held.size !== before.length || listed.size !== after.length) return null;
  const set = after.filter((d) => {
    const old = held.get(d.name);
    return old === undefined || !sameLinkDomain(old, d);
  });
  const gone = before.filter((d) => !listed.has(d.name)).map((d) => d.name);
  if (set.length + gone.length >= after.length) return null;
  return { set, gone, count: after.length };
}

/**
 * HELD with ROWS applied: changed rows in place, gone rows dropped, new rows at the end. Rows that
 * did not change stay the very objects held. An error names what is out of step: a gone row not
 * held, or a count that does not match.
 */
export function applyDomainRows(held: readonly LinkDomain[], rows: DomainRows): Result<LinkDomain[], string> {
  return rows.set.length + rows.gone.length > 8 ? appliedByLookup(held, rows) : appliedByScan(held, rows);
}

/** The rows applied and what of ROWS matched no held row, as applyDomainRows judges it. */
function applied(out: LinkDomain[], notHeld: readonly string[], newRows: readonly LinkDomain[], count: number): Result<LinkDomain[], string> {
  if (notHeld.length > 0) return err(`rows said gone are not held: ${notHeld.slice(0, 5).join(', ')}`);
  for (const d of newRows) out.push(d);
  if (out.length !== count) return err(`the rows make ${out.length} rows, the message says ${count}`);
  return ok(out);
}

/**
 * The usual delta changes one row or two of a host's dozens: for those a scan of the held rows per
 * entry of ROWS beats building a map and a set on every delta, and the held rows copied once (at
 * their length: an array grown by pushes keeps twice the room it needs for as long as it is held)
 * and changed in place beat a new array built row by row. Each entry of ROWS matches one held row
 * at most, the first of its name (ROWS names a row once).
 */
function appliedByScan(held: readonly LinkDomain[], rows: DomainRows): Result<LinkDomain[], string> {
  const { set, gone } = rows;
  const out = held.slice();
  let newRows: LinkDomain[] | null = null;
  for (const changed of set) {
    const i = indexOfRow(held, changed.name);
    if (i < 0) (newRows ??= []).push(changed);
    else out[i] = changed;
  }
  if (gone.length === 0) return applied(out, [], newRows ?? [], rows.count);
  const goneAt = new Set<number>();
  const notHeld: string[] = [];
  for (const name of gone) {
    const i = indexOfRow(held, name);
    if (i < 0) notHeld.push(name);
    else goneAt.add(i);
  }
  return applied(
    out.filter((_, i) => !goneAt.has(i)),
    notHeld,
    newRows ?? [],
    rows.count,
  );
}

/** Where the first held row named NAME is (the row a delta's row of that name applies to); -1: none. */
export function indexOfRow(held: readonly LinkDomain[], name: string): number {
  for (let i = 0; i < held.length; i++) if ((held[i] as LinkDomain).name === name) return i;
  return -1;
}

/** A long ROWS gets its map and set: each entry answers one held row at most, the first. */
function appliedByLookup(held: readonly LinkDomain[], rows: DomainRows): Result<LinkDomain[], string> {
  const set = new Map(rows.set.map((d) => [d.name, d]));
  const gone = new Set(rows.gone);
  const out: LinkDomain[] = [];
  for (const d of held) {
    if (gone.delete(d.name)) continue;
    const changed = set.get(d.name);
    if (changed !== undefined) set.delete(d.name);
    out.push(changed ?? d);
  }
  return applied(out, [...gone], [...set.values()], rows.count);
}
