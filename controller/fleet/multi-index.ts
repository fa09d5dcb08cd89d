/** One name's entries, host and value by turns ([host, value, host, value, …]), the hosts in the order they were added. */
type Held<V> = Array<string | V>;

/** Where HOST stands in HELD (its index, its value the next); -1: not there. */
function hostAt<V>(held: Held<V>, host: string): number {
  for (let i = 0; i < held.length; i += 2) if (held[i] === host) return i;
  return -1;
}

/**
 * name → (host → value), rebuilt one host at a time: a host's new section replaces everything
 * that host contributed before. This is how a `delta` (which replaces whole sections) updates
 * the fleet view in time proportional to that host's entries, not the fleet's.
 *
 * Each name's hosts are one flat array, not a Map: nearly every domU is run by one Dom0 and
 * claimed by the two of its pair, and a Map per name (some 250 bytes for one or two entries) was,
 * at 2,000 Dom0s and 40,000 domUs, some 10 MB for each of the indexes. `get` answers a Map's
 * reading side over that array (HostsOf), made for each call and reading the array as it is now.
 */
export class MultiIndex<V extends object> {
  private readonly byName = new Map<string, Held<V>>();
  private readonly namesOf = new Map<string, readonly string[]>();

  /** ONCHANGE hears of every value of a name that was added, removed or set to another value. */
  constructor(private readonly onChange?: (name: string, before: V | undefined, after: V | undefined) => void) {}

  /** Replaces HOST's entries; returns the names HOST was added to or removed from. */
  replace(host: string, entries: Iterable<readonly [string, V]>): string[] {
    const changed = new Set<string>();
    const next = new Map(entries);
    for (const name of this.namesOf.get(host) ?? []) {
      if (next.has(name)) continue;
      const held = this.byName.get(name);
      const i = held === undefined ? -1 : hostAt(held, host);
      if (held !== undefined && i >= 0) {
        this.onChange?.(name, valueAt(held, i), undefined);
        held.splice(i, 2);
        if (held.length === 0) this.byName.delete(name);
      }
      changed.add(name);
    }
    for (const [name, value] of next) {
      const held = this.byName.get(name);
      const i = held === undefined ? -1 : hostAt(held, host);
      const before = held === undefined || i < 0 ? undefined : valueAt(held, i);
      if (before !== value) this.onChange?.(name, before, value);
      if (held === undefined) this.byName.set(name, [host, value]);
      // a new array of the exact length: push would leave room for some twenty entries in each
      else if (i < 0) this.byName.set(name, held.concat([host, value]));
      else held[i + 1] = value;
      if (i < 0) changed.add(name);
    }
    const held = this.namesOf.get(host);
    if (next.size === 0) this.namesOf.delete(host);
    // the same names as before: keep the held list (no garbage per unchanged report)
    else if (changed.size > 0 || held?.length !== next.size) this.namesOf.set(host, [...next.keys()]);
    return [...changed];
  }

  /** Sets the value HOST holds under NAME, when it holds one already (no name joins or leaves); false otherwise. */
  update(name: string, host: string, value: V): boolean {
    const held = this.byName.get(name);
    const i = held === undefined ? -1 : hostAt(held, host);
    if (held === undefined || i < 0) return false;
    const before = valueAt(held, i);
    if (before !== value) this.onChange?.(name, before, value);
    held[i + 1] = value;
    return true;
  }

  get(name: string): ReadonlyMap<string, V> | undefined {
    return this.byName.has(name) ? new HostsOf(this.byName, name) : undefined;
  }

  names(): IterableIterator<string> {
    return this.byName.keys();
  }

  *entries(): IterableIterator<[string, ReadonlyMap<string, V>]> {
    for (const name of this.byName.keys()) yield [name, new HostsOf(this.byName, name)];
  }
}

/** The value after the host at I of HELD. */
function valueAt<V>(held: Held<V>, i: number): V | undefined {
  const v = held[i + 1];
  return v === undefined || typeof v === 'string' ? undefined : v;
}

/** host → value of one name of a MultiIndex, read from its flat array as it stands at each call (as a Map held would be). */
class HostsOf<V extends object> implements ReadonlyMap<string, V> {
  constructor(
    private readonly byName: ReadonlyMap<string, Held<V>>,
    private readonly name: string,
  ) {}

  private held(): Held<V> {
    return this.byName.get(this.name) ?? [];
  }

  get size(): number {
    return this.held().length / 2;
  }

  get(host: string): V | undefined {
    const held = this.held();
    return valueAt(held, hostAt(held, host));
  }

  has(host: string): boolean {
    return hostAt(this.held(), host) >= 0;
  }

  *entries(): MapIterator<[string, V]> {
    const held = this.held();
    for (let i = 0; i + 1 < held.length; i += 2) {
      const h = held[i];
      const v = valueAt(held, i);
      if (typeof h === 'string' && v !== undefined) yield [h, v];
    }
  }

  *keys(): MapIterator<string> {
    for (const [h] of this.entries()) yield h;
  }

  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(f: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    for (const [h, v] of this.entries()) f(v, h, this);
  }
}
