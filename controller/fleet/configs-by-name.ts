import type { LinkDomuConfig } from '../../shared/protocol/agent-link-state.js';

/** name → host → that host's config of it, as the planners' facts read it: FleetIndex.configs, or a MultiIndex a test builds. */
export interface ConfigsOfNames {
  get(name: string): ReadonlyMap<string, LinkDomuConfig> | undefined;
}

/** One domU's configs, host and config by turns ([host, config, host, config, …]), the hosts in the order they first reported it. */
type Held = Array<string | LinkDomuConfig>;

/**
 * domU name → host → that host's config of it (the `domus` sections), as MultiIndex would hold it
 * but with each name's hosts in one flat array: nearly every domU is reported by the two Dom0s of
 * its pair, and a Map per name (some 200 bytes for two entries) was, at 2,000 Dom0s, 40,000 of them.
 * `get` makes the Map the planners read; the fleet view's own readers ask `of` and `configsOf`,
 * which make nothing.
 */
export class ConfigsByName {
  private readonly byName = new Map<string, Held>();

  /** HOST's configs are AFTER now, BEFORE until now: the names only BEFORE has lose HOST, a name new to HOST gets it last. */
  replace(host: string, before: readonly LinkDomuConfig[], after: readonly LinkDomuConfig[]): void {
    const kept = new Set(after.map((c) => c.name));
    for (const c of before) {
      if (kept.has(c.name)) continue;
      const held = this.byName.get(c.name);
      const i = held === undefined ? -1 : hostAt(held, host);
      if (held === undefined || i < 0) continue;
      held.splice(i, 2);
      if (held.length === 0) this.byName.delete(c.name);
    }
    // a name given twice in one report: the last config given, as a Map made of the section keeps
    for (const c of after) {
      const held = this.byName.get(c.name);
      if (held === undefined) {
        this.byName.set(c.name, [host, c]);
        continue;
      }
      const i = hostAt(held, host);
      // a new array of the exact length: push would leave room for some twenty entries in each
      if (i < 0) this.byName.set(c.name, held.concat([host, c]));
      else held[i + 1] = c;
    }
  }

  /** HOST's config of NAME. */
  of(name: string, host: string): LinkDomuConfig | undefined {
    const held = this.byName.get(name);
    const i = held === undefined ? -1 : hostAt(held, host);
    const c = i < 0 ? undefined : held?.[i + 1];
    return typeof c === 'object' ? c : undefined;
  }

  /** Every host's config of NAME, in the hosts' order. */
  *configsOf(name: string): IterableIterator<LinkDomuConfig> {
    for (const c of this.byName.get(name) ?? []) if (typeof c === 'object') yield c;
  }

  /** host → config for NAME, as a Map made now; undefined when no host reports a config of it. */
  get(name: string): ReadonlyMap<string, LinkDomuConfig> | undefined {
    const held = this.byName.get(name);
    if (held === undefined) return undefined;
    const out = new Map<string, LinkDomuConfig>();
    for (let i = 0; i + 1 < held.length; i += 2) {
      const h = held[i];
      const c = held[i + 1];
      if (typeof h === 'string' && typeof c === 'object') out.set(h, c);
    }
    return out;
  }
}

/** Where HOST stands in HELD (its index, its config the next); -1: not there. */
function hostAt(held: Held, host: string): number {
  for (let i = 0; i < held.length; i += 2) if (held[i] === host) return i;
  return -1;
}
