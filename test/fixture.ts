import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Fixture files start with one or more header lines `#@ ...` naming where the output came from
 * (tool, version, source file or document). Everything after the header is the tool's output,
 * byte for byte.
 */
export const FIXTURE_ROOT = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const HEADER = '#@ ';

export interface Fixture {
  readonly path: string;
  readonly source: readonly string[];
  readonly body: string;
}

export function splitFixture(text: string, path = '<inline>'): Fixture {
  const source: string[] = [];
  let rest = text;
  while (rest.startsWith(HEADER)) {
    const nl = rest.indexOf('\n');
    if (nl < 0) throw new Error(`${path}: header line not terminated`);
    source.push(rest.slice(HEADER.length, nl));
    rest = rest.slice(nl + 1);
  }
  return { path, source, body: rest };
}

export function readFixture(relPath: string): Fixture {
  const path = join(FIXTURE_ROOT, relPath);
  return splitFixture(readFileSync(path, 'utf8'), path);
}

/** Every fixture file under a folder of FIXTURE_ROOT (README files excluded), relative paths sorted. */
export function listFixtures(relDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (!/^README/i.test(name)) out.push(relative(FIXTURE_ROOT, full));
    }
  };
  walk(join(FIXTURE_ROOT, relDir));
  return out;
}
