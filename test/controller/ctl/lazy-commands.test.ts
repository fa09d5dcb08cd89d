import { dirname, join, normalize } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

// xenherdctl builds the zod schemas of a command's answers only when that command runs (a start
// that built all of them cost every run ~800 schemas). Checked on the bundler's own module graph,
// where a type-only import is no edge and a dynamic import() is the only lazy one.
const ROOT = normalize(join(dirname(new URL(import.meta.url).pathname), '../../..'));
const MAIN = 'controller/ctl/main.ts';
let inputs: Metafile['inputs'];

beforeAll(async () => {
  const r = await build({ absWorkingDir: ROOT, entryPoints: [MAIN], bundle: true, platform: 'node', format: 'cjs', write: false, metafile: true, logLevel: 'silent', outfile: 'xenherdctl' });
  inputs = r.metafile.inputs;
});

/** The modules that run when FROM runs: its static imports, transitively. */
function runWith(from: string): Set<string> {
  const seen = new Set<string>();
  const visit = (m: string): void => {
    if (seen.has(m)) return;
    seen.add(m);
    for (const i of inputs[m]?.imports ?? []) if (i.kind !== 'dynamic-import' && !i.external) visit(i.path);
  };
  visit(from);
  return seen;
}

/** Of MODULES, ours that build zod schemas (import zod themselves). */
const schemaModules = (modules: Set<string>): string[] =>
  [...modules].filter((m) => !m.startsWith('node_modules/') && (inputs[m]?.imports ?? []).some((i) => i.original === 'zod')).sort();

describe('xenherdctl loads a command when it runs', () => {
  it('at start (--help, --version) it builds only the error catalog, and no command is loaded', () => {
    const atStart = runWith(MAIN);
    // main.ts imports zod only to configure it
    expect(schemaModules(atStart)).toEqual([MAIN, 'shared/errors.ts']);
    const commands = Object.keys(inputs).filter((m) => m.startsWith('controller/ctl/commands/'));
    expect(commands.length).toBeGreaterThanOrEqual(9);
    expect(commands.filter((m) => atStart.has(m))).toEqual([]);
  });

  it("where builds its answers' schemas, not the whole API's, the agent link's host state, the inventory's, the jobs' or the hosts'", () => {
    const where = schemaModules(new Set([...runWith(MAIN), ...runWith('controller/ctl/commands/where.ts')]));
    expect(where).toContain('shared/protocol/ctl-where.ts');
    // the hosts' answer is asked only for a stale answer's reasons or a pattern that matched nothing
    for (const heavy of ['shared/protocol/ctl-api.ts', 'shared/protocol/agent-link-state.ts', 'shared/inventory.ts', 'shared/protocol/ctl-jobs.ts', 'shared/protocol/ctl-check.ts', 'shared/protocol/ctl-hosts.ts']) expect(where).not.toContain(heavy);
  });
});
