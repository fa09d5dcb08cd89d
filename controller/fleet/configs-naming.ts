import type { LinkDomuConfig } from '../../shared/protocol/agent-link-state.js';

/** The resources CONFIGS name. */
function resourcesOf(configs: readonly LinkDomuConfig[]): Set<string> {
  const out = new Set<string>();
  for (const c of configs) for (const r of c.resources) out.add(r.name);
  return out;
}

/**
 * HOST taken off the resources only BEFORE's configs name and added to those only AFTER's do, in
 * NAMING (DRBD resource → the hosts with a config naming it, in the order they came). The lists are
 * shared: every resource whose list was the same list before gets the same list after, one made per
 * call. A Dom0's configs name its pair's resources, each held by the same hosts, and a list of its
 * own per resource (spread into, with room to grow) was some 235 bytes at each of 40,000 resources.
 */
export function renamingHost(naming: Map<string, readonly string[]>, host: string, before: readonly LinkDomuConfig[], after: readonly LinkDomuConfig[]): void {
  const was = resourcesOf(before);
  const now = resourcesOf(after);
  const without = new Map<readonly string[], readonly string[]>();
  const joined = new Map<readonly string[] | undefined, readonly string[]>();
  for (const r of was) {
    const list = naming.get(r);
    if (now.has(r) || list === undefined) continue;
    let rest = without.get(list);
    if (rest === undefined) {
      rest = Object.freeze(list.filter((h) => h !== host));
      without.set(list, rest);
    }
    if (rest.length === 0) naming.delete(r);
    else naming.set(r, rest);
  }
  for (const r of now) {
    if (was.has(r)) continue;
    const list = naming.get(r);
    let next = joined.get(list);
    if (next === undefined) {
      next = Object.freeze(list === undefined ? [host] : list.concat([host]));
      joined.set(list, next);
    }
    naming.set(r, next);
  }
}
