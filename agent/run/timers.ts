/** Named timers, so the daemon can replace, clear and end them all (SIGTERM leaves none behind). */
export class Timers {
  private readonly t = new Map<string, NodeJS.Timeout>();

  has(name: string): boolean {
    return this.t.has(name);
  }

  once(name: string, ms: number, fn: () => void): void {
    this.clear(name);
    this.t.set(
      name,
      setTimeout(() => {
        this.t.delete(name);
        fn();
      }, ms),
    );
  }

  every(name: string, ms: number, fn: () => void): void {
    this.clear(name);
    this.t.set(name, setInterval(fn, ms));
  }

  clear(name: string): void {
    const h = this.t.get(name);
    if (h !== undefined) clearTimeout(h);
    this.t.delete(name);
  }

  clearAll(): void {
    for (const h of this.t.values()) clearTimeout(h);
    this.t.clear();
  }
}
