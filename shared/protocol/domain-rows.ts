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

/** Every field equal: a row that did not change. */
export const sameLinkDomain = (a: LinkDomain, b: LinkDomain): boolean =>
  a.name === b.name && a.baseName === b.baseName && a.domid === b.domid && a.state === b.state && a.memMiB === b.memMiB && a.vcpus === b.vcpus && a.migration === b.migration;

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
  const find = rowFinder(rows);
  const out: LinkDomain[] = [];
  for (const d of held) {
    const hit = find(d.name);
    if (hit === 'gone') continue;
    out.push(hit ?? d);
  }
  const notHeld = find.goneLeft();
  if (notHeld.length > 0) return err(`rows said gone are not held: ${notHeld.slice(0, 5).join(', ')}`);
  out.push(...find.setLeft());
  if (out.length !== rows.count) return err(`the rows make ${out.length} rows, the message says ${rows.count}`);
  return ok(out);
}

interface RowFinder {
  /** what ROWS says of the held row NAME: its new row, 'gone', or undefined (unchanged); each entry answers once */
  (name: string): LinkDomain | 'gone' | undefined;
  /** the gone names no held row matched, in their order */
  goneLeft(): string[];
  /** the set rows no held row matched (new rows), in their order */
  setLeft(): LinkDomain[];
}

/**
 * Finds held rows in ROWS. The usual delta changes one row or two of a host's dozens: for those a
 * scan of ROWS beats building a map and a set on every delta (at thousands of deltas a second
 * that was a tenth of the work of taking one in); a long ROWS gets its map and set.
 */
function rowFinder(rows: DomainRows): RowFinder {
  if (rows.set.length + rows.gone.length > 8) {
    const set = new Map(rows.set.map((d) => [d.name, d]));
    const gone = new Set(rows.gone);
    const find = (name: string): LinkDomain | 'gone' | undefined => {
      if (gone.delete(name)) return 'gone';
      const changed = set.get(name);
      if (changed !== undefined) set.delete(name);
      return changed;
    };
    return Object.assign(find, { goneLeft: () => [...gone], setLeft: () => [...set.values()] });
  }
  const setUsed = rows.set.map(() => false);
  const goneUsed = rows.gone.map(() => false);
  const find = (name: string): LinkDomain | 'gone' | undefined => {
    for (let i = 0; i < rows.gone.length; i++) {
      if (!goneUsed[i] && rows.gone[i] === name) {
        goneUsed[i] = true;
        return 'gone';
      }
    }
    for (let i = 0; i < rows.set.length; i++) {
      const d = rows.set[i] as LinkDomain;
      if (!setUsed[i] && d.name === name) {
        setUsed[i] = true;
        return d;
      }
    }
    return undefined;
  };
  return Object.assign(find, { goneLeft: () => rows.gone.filter((_, i) => !goneUsed[i]), setLeft: () => rows.set.filter((_, i) => !setUsed[i]) });
}
