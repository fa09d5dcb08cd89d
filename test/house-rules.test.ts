import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The house rules the code keeps (ARCHITECTURE.md): pure rooms import no I/O, time comes from the
// injected clock, imports never point up the layers nor go round in a circle, and files stay small.
const ROOT = normalize(join(dirname(new URL(import.meta.url).pathname), '..'));
const SOURCE_DIRS = ['agent', 'controller', 'shared'];

function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts')) out.push(relative(ROOT, full));
    }
  };
  walk(join(ROOT, dir));
  return out;
}
const ALL = SOURCE_DIRS.flatMap(sources);
const text = (f: string): string => readFileSync(join(ROOT, f), 'utf8');
/** comments and string contents removed: a rule is about code, not about a sentence naming it */
const code = (f: string): string => text(f).replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1').replace(/'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`/g, "''");

/** every import of a file: the room (first two path segments) or package it points at */
function imports(f: string): { spec: string; target: string }[] {
  return [...text(f).matchAll(/(?:^|\n)\s*(?:import|export)[^'";]*?from\s+'([^']+)'/g), ...text(f).matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((m) => {
    const spec = m[1] as string;
    const target = spec.startsWith('.') ? normalize(join(dirname(f), spec)).replace(/\.js$/, '') : spec;
    return { spec, target };
  });
}
const roomOf = (path: string): string => path.split('/').slice(0, 2).join('/');

describe('house rules', () => {
  it('pure rooms import no I/O: no fs, net, child process, socket library, adapter or runner', () => {
    const pure = ['agent/parse', 'agent/state', 'agent/decide', 'agent/core', 'controller/fleet', 'controller/plan'];
    const io = /^(node:)?(fs|fs\/promises|child_process|net|http|https|dgram|os|tls)$|^(execa|ws|ssh2|systemd-notify)$/;
    const impure = /^(agent\/(adapters|host|run|migrate|inventory|control|cli)|shared\/fs|shared\/link\/ws-[a-z-]+|shared\/clock\/real-clock|agent\/config\/(resolve|load))(\/|$)/;
    const offenders = ALL.filter((f) => pure.includes(roomOf(f))).flatMap((f) => imports(f).filter((i) => io.test(i.spec) || impure.test(i.target)).map((i) => `${f}: ${i.spec}`));
    expect(offenders).toEqual([]);
  });

  it('time and timers come from the injected clock: no Date.now(), new Date(), set{Timeout,Interval,Immediate} or hostname() elsewhere', () => {
    const allowed = new Set([
      'shared/clock/real-clock.ts', // the clock adapter
      'agent/adapters/host-identity.ts', // the host adapter
      'agent/main.ts',
      'agent/main-full.ts',
      'controller/main.ts',
      'controller/main-full.ts',
      'controller/ctl/main.ts',
      'controller/ctl/launcher/launch.ts', // composition roots
    ]);
    const forbidden = /\bDate\.now\(|\bnew Date\(\s*\)|\bset(Timeout|Interval|Immediate)\(|(?<![.\w])hostname\(\)/;
    const offenders = ALL.filter((f) => !allowed.has(f)).flatMap((f) =>
      code(f)
        .split('\n')
        .flatMap((line, i) => (forbidden.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offenders).toEqual([]);
  });

  it('no arrow points up the layers', () => {
    // room -> rooms it must never import (a lower room knows nothing of the ones built on it)
    const above: Record<string, string[]> = {
      'agent/parse': ['agent/state', 'agent/decide', 'agent/core', 'agent/adapters', 'agent/host', 'agent/config'],
      'agent/state': ['agent/decide', 'agent/core', 'agent/adapters', 'agent/host', 'agent/config'],
      'agent/decide': ['agent/core', 'agent/adapters', 'agent/host'],
      'agent/adapters': ['agent/decide', 'agent/core', 'agent/host', 'agent/config'],
      'agent/host': ['agent/core'],
      'agent/config': ['agent/adapters', 'agent/core', 'agent/decide'],
      'agent/control': ['agent/core', 'agent/host'],
      'agent/inventory': ['agent/core', 'agent/migrate'],
      'agent/migrate': ['agent/core', 'agent/inventory'],
      'agent/run': [],
      'controller/core': ['controller/api', 'controller/auth', 'controller/pki', 'controller/config', 'controller/files'],
      // the jobs run over a port the core provides: they never reach into the core itself
      'controller/jobs': ['controller/core', 'controller/api', 'controller/auth', 'controller/pki', 'controller/config', 'controller/files', 'controller/ctl'],
      'controller/api': [],
      'controller/ctl': ['controller/core', 'controller/api', 'controller/auth', 'controller/pki', 'controller/fleet', 'controller/plan', 'controller/config', 'controller/files', 'controller/jobs'],
    };
    const common = ['agent/run', 'agent/cli', 'agent/main', 'agent/main-full', 'controller/cli', 'controller/main', 'controller/main-full'];
    const offenders: string[] = [];
    for (const f of ALL) {
      const room = roomOf(f);
      for (const { spec, target } of imports(f)) {
        const t = roomOf(target);
        if (t === room) continue;
        const bad =
          (f.startsWith('shared/') && /^(agent|controller)\//.test(target)) ||
          (f.startsWith('agent/') && target.startsWith('controller/')) ||
          (f.startsWith('controller/') && target.startsWith('agent/')) ||
          ((above[room] ?? null) !== null && [...(above[room] ?? []), ...common].filter((r) => r !== room).includes(t) && !(room === 'agent/run' && t === 'agent/run'));
        if (bad) offenders.push(`${f}: ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('no import cycles between source files (type-only imports aside: the build erases them)', () => {
    const deps = new Map<string, string[]>();
    for (const f of ALL) {
      const values = [...text(f).matchAll(/(?:^|\n)\s*(?:import|export)(?!\s+type\b)[^'";]*?from\s+'(\.[^']+)'/g)].map((m) => `${normalize(join(dirname(f), m[1] as string)).replace(/\.js$/, '')}.ts`);
      deps.set(f, values.filter((t) => t !== f));
    }
    // depth-first, each file once: an edge back to a file still on the path closes a cycle
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 'open');
      path.push(f);
      for (const t of deps.get(f) ?? []) {
        if (state.get(t) === 'open') cycles.push([...path.slice(path.indexOf(t)), t].join(' -> '));
        else if (state.get(t) === undefined && deps.has(t)) visit(t);
      }
      path.pop();
      state.set(f, 'done');
    };
    for (const f of ALL) if (state.get(f) === undefined) visit(f);
    expect(cycles).toEqual([]);
  });

  it('no source file over 300 lines', () => {
    const long = [...ALL, ...sources('packaging').filter((f) => f.endsWith('.ts'))].flatMap((f) => {
      const n = text(f).split('\n').length;
      return n > 300 ? [`${f}: ${n} lines`] : [];
    });
    expect(long).toEqual([]);
  });
});
