/**
 * name → (host → value), rebuilt one host at a time: a host's new section replaces everything
 * that host contributed before. This is how a `delta` (which replaces whole sections) updates
 * the fleet view in time proportional to that host's entries, not the fleet's.
 */
export class MultiIndex<V> {
  private readonly byName = new Map<string, Map<string, V>>();
  private readonly namesOf = new Map<string, readonly string[]>();

  /** ONCHANGE hears of every value of a name that was added, removed or set to another value. */
  constructor(private readonly onChange?: (name: string, before: V | undefined, after: V | undefined) => void) {}

  /** Replaces HOST's entries; returns the names HOST was added to or removed from. */
  replace(host: string, entries: Iterable<readonly [string, V]>): string[] {
    const changed = new Set<string>();
    const next = new Map(entries);
    for (const name of this.namesOf.get(host) ?? []) {
      if (next.has(name)) continue;
      const m = this.byName.get(name);
      this.onChange?.(name, m?.get(host), undefined);
      m?.delete(host);
      if (m?.size === 0) this.byName.delete(name);
      changed.add(name);
    }
    for (const [name, value] of next) {
      let m = this.byName.get(name);
      if (!m) this.byName.set(name, (m = new Map()));
      const before = m.get(host);
      if (!m.has(host)) changed.add(name);
      if (before !== value) this.onChange?.(name, before, value);
      m.set(host, value);
    }
    const held = this.namesOf.get(host);
    if (next.size === 0) this.namesOf.delete(host);
    // the same names as before: keep the held list (no garbage per unchanged report)
    else if (changed.size > 0 || held?.length !== next.size) this.namesOf.set(host, [...next.keys()]);
    return [...changed];
  }

  /** Sets the value HOST holds under NAME, when it holds one already (no name joins or leaves); false otherwise. */
  update(name: string, host: string, value: V): boolean {
    const m = this.byName.get(name);
    if (m === undefined || !m.has(host)) return false;
    const before = m.get(host);
    if (before !== value) this.onChange?.(name, before, value);
    m.set(host, value);
    return true;
  }

  get(name: string): ReadonlyMap<string, V> | undefined {
    return this.byName.get(name);
  }

  names(): IterableIterator<string> {
    return this.byName.keys();
  }

  entries(): IterableIterator<[string, ReadonlyMap<string, V>]> {
    return this.byName.entries();
  }
}
