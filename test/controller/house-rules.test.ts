import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// DESIGN §3/§4: every core takes time and timers from the injected Clock; only the clock adapter
// and the composition roots touch the wall clock, Node timers or the host name. controller/fleet/
// is pure decision code: no file, network or process I/O.
const repo = new URL('../../', import.meta.url).pathname;

function tsFiles(dir: string): string[] {
  return readdirSync(join(repo, dir)).flatMap((f) => {
    const p = join(dir, f);
    return statSync(join(repo, p)).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const ROOTS = new Set(['controller/main.ts', 'controller/ctl/main.ts', 'shared/clock/real-clock.ts']);
const CLOCK_USES = [/\bDate\.now\(/, /\bnew Date\(\s*\)/, /\bsetTimeout\(/, /\bsetInterval\(/, /\bsetImmediate\(/, /(?<![.\w])hostname\(/, /\bos\.hostname\(/, /\bperformance\.now\(/];

describe('house rules for the controller side', () => {
  it('no wall clock, Node timers or host name outside the clock adapter and the composition roots', () => {
    const files = ['controller', 'shared/link', 'shared/protocol'].flatMap(tsFiles).filter((f) => !ROOTS.has(f));
    const offenders = files.flatMap((f) => {
      const lines = readFileSync(join(repo, f), 'utf8').split('\n');
      return lines.flatMap((line, i) => (CLOCK_USES.some((re) => re.test(line)) && !/^\s*(\/\/|\*)/.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : []));
    });
    expect(offenders).toEqual([]);
  });

  it('controller/fleet/ imports no I/O (node:fs, net, http, https, tls, child_process, ws)', () => {
    const offenders = tsFiles('controller/fleet').flatMap((f) =>
      [...readFileSync(join(repo, f), 'utf8').matchAll(/from '([^']+)'/g)]
        .map((m) => m[1] as string)
        .filter((m) => /^(node:)?(fs|net|http|https|tls|child_process|dgram|os)(\/|$)|^ws$|^execa$|\/api\/|\/core\//.test(m))
        .map((m) => `${relative(repo, join(repo, f))}: ${m}`),
    );
    expect(offenders).toEqual([]);
  });
});
