import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** What a test of the shipped programs holds: their paths, and the processes and temp dirs it made. */
export interface ShippedBed {
  /** the bundle NAME, as packaging/build.mjs makes it */
  bin(name: string): string;
  /** CHILD is ended (SIGKILL, waited for) after the test, if it has not ended by itself */
  own<C extends ChildProcess>(child: C): C;
  /** a new temp dir, removed after the test */
  temp(prefix: string): string;
  /** the temp dirs made so far in this test, oldest first */
  readonly temps: readonly string[];
}

/**
 * The single-file bundles NAMES built once for a test file (the composition roots as shipped), and
 * after each test every process it started ended and every temp dir removed.
 */
export function shippedBed(...names: string[]): ShippedBed {
  let dist = '';
  const temps: string[] = [];
  const children: ChildProcess[] = [];
  beforeAll(() => {
    dist = mkdtempSync(join(tmpdir(), 'xenherd-dist-'));
    execFileSync('node', ['packaging/build.mjs', '--outdir', dist, ...names], { stdio: 'pipe' });
  }, 120_000);
  afterAll(() => rmSync(dist, { recursive: true, force: true }));
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGKILL');
        await new Promise((r) => c.once('exit', r));
      }
    }
    for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
  });
  return {
    bin: (name) => join(dist, name),
    own: (child) => (children.push(child), child),
    temp: (prefix) => {
      const d = mkdtempSync(join(tmpdir(), prefix));
      temps.push(d);
      return d;
    },
    temps,
  };
}
