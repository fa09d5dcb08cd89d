import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownContextFiles } from './helpers/own-context-files.js';

// Most test files share their worker's loaded modules with the files before and after them. A file
// that changes what a worker holds would leak into whichever file runs next there, so it passes or
// fails by the order files happen to run in: it must run in a context of its own.
const ROOT = normalize(join(dirname(new URL(import.meta.url).pathname), '..'));

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) {
      if (path !== 'test/lab') out.push(...tsFiles(path));
    } else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}
const testFiles = (dir: string): string[] => tsFiles(dir).filter((f) => f.endsWith('.test.ts'));
/** setup files vitest runs again before each test file (vitest.config.ts setupFiles) */
const SETUP_FILES = ['test/helpers/yield-between-tests.ts'];

/** comments and string contents removed: a call is code, not a sentence or an example naming it */
const code = (text: string): string =>
  text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1').replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, "''");

/** what a file may call that outlives it in its worker, each with the words a failure shows */
const WORKER_CHANGES: readonly (readonly [RegExp, string])[] = [
  [/\bvi\.(do)?[mM]ock\(/, 'replaces a module (vi.mock)'],
  [/\bvi\.(stubEnv|stubGlobal|spyOn)\(/, 'stubs or spies on something shared'],
  [/\bprocess\.chdir\(/, 'changes the working directory'],
  [/\bprocess\.umask\(\s*[^)\s]/, 'changes the umask'],
  [/\bprocess\.env(\.\w+|\[[^\]]+\])\s*=[^=]|\bdelete\s+process\.env\b/, 'sets environment variables'],
  [/\bvi\.useFakeTimers\(/, 'replaces the timers'],
];

describe('test files that change their worker run in a context of their own', () => {
  it('every such file is listed in test/helpers/own-context-files.ts', () => {
    const unlisted = testFiles('test').flatMap((f) => {
      const text = code(readFileSync(join(ROOT, f), 'utf8'));
      const why = WORKER_CHANGES.filter(([re]) => re.test(text)).map(([, words]) => words);
      return why.length > 0 && !ownContextFiles.includes(f) ? [`${f}: ${why.join(', ')}`] : [];
    });
    expect(unlisted).toEqual([]);
  });

  it('every listed file exists and still needs it (a file that no longer does runs with the others)', () => {
    const stale = ownContextFiles.filter((f) => {
      if (!existsSync(join(ROOT, f))) return true;
      const text = code(readFileSync(join(ROOT, f), 'utf8'));
      return !WORKER_CHANGES.some(([re]) => re.test(text));
    });
    expect(stale).toEqual([]);
  });

  it('the patterns find each change and not a mere read', () => {
    const changes = (line: string): boolean => WORKER_CHANGES.some(([re]) => re.test(line));
    for (const line of ["vi.mock('node:fs', f)", "vi.doMock('./x.js')", "vi.stubEnv('A', 'b')", 'vi.spyOn(dns, "lookup")',
      'process.chdir(dir)', 'process.umask(0o022)', "process.env['PATH'] = dir", 'process.env.HOME = h', 'delete process.env.HOME']) {
      expect(changes(line), line).toBe(true);
    }
    for (const line of ['process.umask()', "process.env['PATH'] === dir", 'const env = { ...process.env }', 'vi.fn()']) {
      expect(changes(line), line).toBe(false);
    }
  });

  it('no helper registers a hook when it loads: a worker loads it once, so the hook would run in its first test file only', () => {
    const hooked = tsFiles('test')
      .filter((f) => !f.endsWith('.test.ts') && !SETUP_FILES.includes(f))
      .filter((f) => /^(afterEach|afterAll|beforeEach|beforeAll)\(/m.test(code(readFileSync(join(ROOT, f), 'utf8'))));
    expect(hooked).toEqual([]);
  });
});
