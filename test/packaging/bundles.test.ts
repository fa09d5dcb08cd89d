import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNIT_NODE_FLAGS } from '../helpers/unit-node-flags.js';

const BINARIES = ['xenherd-agent', 'xenherd-controller', 'xenherdctl'] as const;
const version = (JSON.parse(execFileSync('node', ['-p', 'JSON.stringify(require("./package.json"))'], { encoding: 'utf8' })) as { version: string }).version;

let outdir = '';
beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'xenherd-bundles-'));
  execFileSync('node', ['packaging/build.mjs', '--outdir', outdir], { stdio: 'pipe' });
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Runs a bundle copied alone into an empty directory: no node_modules, no package.json near it. */
function runAlone(name: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'xenherd-alone-'));
  try {
    copyFileSync(join(outdir, name), join(dir, name));
    const r = spawnSync(join(dir, name), args, {
      cwd: dir,
      encoding: 'utf8',
      timeout: 15_000,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each(BINARIES)('%s bundle', (name) => {
  it('is one executable file with a node shebang', () => {
    const st = statSync(join(outdir, name));
    expect(st.mode & 0o111).not.toBe(0);
    const head = execFileSync('head', ['-c', '20', join(outdir, name)], { encoding: 'utf8' });
    expect(head.startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('prints its version alone in an empty directory', () => {
    const r = runAlone(name, ['--version']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${name} ${version}\n`);
    expect(r.status).toBe(0);
  });

  it('prints its help alone in an empty directory', () => {
    const r = runAlone(name, ['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`usage: ${name} COMMAND`);
    expect(r.stdout).toContain('XH_ERR_USAGE');
  });

  it('refuses an unknown command with the usage exit code', () => {
    const r = runAlone(name, ['no-such-command']);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('XH_ERR_USAGE');
  });
});

describe('bundles in the build directory', () => {
  it('run in place too, although the repo package.json says "type": "module"', () => {
    // like dist/: a directory whose nearest package.json is the repo's (not under node_modules,
    // where Node stops looking for package.json)
    const inRepo = mkdtempSync('.build-test-');
    try {
      execFileSync('node', ['packaging/build.mjs', '--outdir', inRepo, 'xenherd-agent'], { stdio: 'pipe' });
      const r = spawnSync(join(inRepo, 'xenherd-agent'), ['--version'], { encoding: 'utf8', timeout: 15_000 });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`xenherd-agent ${version}\n`);
    } finally {
      rmSync(inRepo, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the agent under the Node flags of its systemd unit', () => {
  it('starts (no WebAssembly needed at load: ssh2 is loaded only when a command uses ssh)', () => {
    const r = spawnSync(process.execPath, [...UNIT_NODE_FLAGS, join(outdir, 'xenherd-agent'), '--version'], { encoding: 'utf8', timeout: 15_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`xenherd-agent ${version}\n`);
  });
});
