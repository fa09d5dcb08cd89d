import { log } from './log.js';

/** A tiny assertion collector: every failed check is reported, not just the first. */
export class Checks {
  constructor(
    private readonly prefix = '',
    private readonly tally: { passed: number; failures: string[] } = { passed: 0, failures: [] },
  ) {}

  get passed(): number {
    return this.tally.passed;
  }
  get failures(): readonly string[] {
    return this.tally.failures;
  }

  /** Same tally, messages prefixed. */
  scope(prefix: string): Checks {
    return new Checks(prefix, this.tally);
  }

  ok(cond: boolean, what: string, detail?: unknown): void {
    if (cond) {
      this.tally.passed++;
      return;
    }
    const msg = `${this.prefix}${what}${detail === undefined ? '' : `: got ${JSON.stringify(detail)}`}`;
    this.tally.failures.push(msg);
    log(`FAIL ${msg}`);
  }

  eq(actual: unknown, expected: unknown, what: string): void {
    this.ok(JSON.stringify(actual) === JSON.stringify(expected), `${what} (expected ${JSON.stringify(expected)})`, actual);
  }

  oneOf(actual: unknown, allowed: readonly unknown[], what: string): void {
    this.ok(allowed.some((x) => JSON.stringify(x) === JSON.stringify(actual)), `${what} (expected one of ${JSON.stringify(allowed)})`, actual);
  }
}
