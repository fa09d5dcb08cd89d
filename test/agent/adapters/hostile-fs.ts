import { execFileSync, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * What an attacker with write access would plant, for the state-dir tests: temp dirs the test owns, a "victim" file
 * outside the state dir that a planted symlink points at (it must stay byte for byte intact), FIFOs,
 * and a child process bounded by a timeout for reads that used to block the whole process (a
 * blocked synchronous read cannot be bounded from inside the process that is blocked).
 */
export interface Scratch {
  dir(prefix: string): string;
  cleanup(): void;
}

export function scratch(): Scratch {
  const dirs: string[] = [];
  return {
    dir: (prefix) => {
      const d = mkdtempSync(join(tmpdir(), `xh-${prefix}-`));
      dirs.push(d);
      return d;
    },
    cleanup: () => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })),
  };
}

export interface Victim {
  readonly path: string;
  /** still a regular file holding exactly what it held */
  intact(): boolean;
}

/** A root-owned file in its own temp dir (outside the state dir under test). */
export function victim(s: Scratch, name = 'victim.conf'): Victim {
  const path = join(s.dir('victim'), name);
  const content = 'precious root-owned content\n';
  writeFileSync(path, content, { mode: 0o644 });
  return { path, intact: () => existsSync(path) && lstatSync(path).isFile() && readFileSync(path, 'utf8') === content };
}

export const mkfifo = (path: string): void => {
  execFileSync('mkfifo', ['-m', '0600', path]);
};

export interface ChildOutcome {
  readonly timedOut: boolean;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const bundles = new Map<string, Promise<string>>();

/** Bundles the child entry (hostile-reader.ts) once per test file into `outDir`. */
function bundle(outDir: string): Promise<string> {
  let b = bundles.get(outDir);
  if (!b) {
    const outfile = join(outDir, 'hostile-reader.cjs');
    const entry = new URL('./hostile-reader.ts', import.meta.url).pathname;
    b = build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', target: 'node18', format: 'cjs', logLevel: 'silent' }).then(() => outfile);
    bundles.set(outDir, b);
  }
  return b;
}

/**
 * Runs one hostile-reader mode in a child process; SIGKILLs it after `timeoutMs`. A read that
 * blocks on a FIFO shows up as `timedOut: true` instead of hanging the test run.
 */
export async function runBounded(outDir: string, args: readonly string[], timeoutMs = 8_000): Promise<ChildOutcome> {
  const file = await bundle(outDir);
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => {
      timedOut = true;
      c.kill('SIGKILL');
    }, timeoutMs);
    c.on('close', (code) => {
      clearTimeout(t);
      resolve({ timedOut, code, stdout, stderr });
    });
  });
}
