import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheDataOf, OTHER_BUILD_KEPT_MS } from '../../controller/ctl/launcher/code-cache.js';
import { UNIT_NODE_FLAGS } from '../helpers/unit-node-flags.js';
import { checkoutDebVersion } from '../../packaging/deb/deb-version.js';

const BINARIES = ['xenherd-agent', 'xenherd-controller', 'xenherdctl'] as const;
// the packages' version (package.json's + the sources' date), not package.json's alone: an agent's hello and `hosts` tell builds apart
const version = checkoutDebVersion(process.cwd());

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

describe('xenherdctl as its launcher runs it', () => {
  it('holds no import() of a module: the program runs as a vm.Script, where import() has no loader', () => {
    // ssh and roll's reboot command crashed so (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING); only
    // commands that run a program reach their loading, so none of the bundle may use import()
    const text = readFileSync(join(outdir, 'xenherdctl'), 'utf8');
    expect(text.match(/.{0,40}\bimport\((?:\\?["'`]).{0,40}/g) ?? []).toEqual([]);
  });

  it('ssh NAME -- CMD runs ssh to the Dom0 the controller names, and exits with its code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xenherd-ctl-ssh-'));
    const where = {
      at: 1,
      pattern: 'web1',
      matches: [
        {
          name: 'web1',
          places: [{ host: 'xen2', domain: { name: 'web1', baseName: 'web1', domid: 3, state: 'running', memMiB: 512, vcpus: 1, migration: null }, reachable: true, ageMs: 100 }],
          home: 'xen1', homeClaims: ['xen1'], away: null, visitor: null, autostart: [], midMigration: false, alerts: [], ageMs: 100, reachable: true,
        },
      ],
    };
    // a controller's one answer, on loopback in plaintext (which xenherdctl allows there)
    const server = createServer((req, res) => {
      const body = JSON.stringify(where);
      res.writeHead(req.url === '/v1/where?pattern=web1' ? 200 : 404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    try {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      // the ssh it runs: records its arguments, exits 7
      mkdirSync(join(dir, 'bin'));
      writeFileSync(join(dir, 'bin', 'ssh'), `#!/bin/sh\nprintf '%s\\n' "$@" > ${join(dir, 'ssh-args')}\nexit 7\n`, { mode: 0o755 });
      const env = { PATH: `${join(dir, 'bin')}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, HOME: dir, XENHERD_URL: `http://127.0.0.1:${port}`, XENHERD_TOKEN: `xh1.${'a'.repeat(12)}.${'b'.repeat(43)}` };
      const child = spawn(join(outdir, 'xenherdctl'), ['ssh', 'web1', '--', 'uptime', '-p'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect({ code, stderr }).toEqual({ code: 7, stderr: '' });
      expect(readFileSync(join(dir, 'ssh-args'), 'utf8')).toBe('root@xen2\nuptime\n-p\n');
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("xenherdctl's code cache", () => {
  let home = '';
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'xenherd-ctl-home-'));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const run = (args: string[]): { status: number | null; stdout: string } => {
    const r = spawnSync(join(outdir, 'xenherdctl'), args, { encoding: 'utf8', timeout: 15_000, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home } });
    return { status: r.status, stdout: r.stdout };
  };
  const cacheDir = (): string => join(home, '.cache', 'xenherd');
  const files = (): string[] => {
    try {
      return readdirSync(cacheDir()).sort();
    } catch {
      return [];
    }
  };

  it('is left by a command that worked, taken by the next run as it is, and remade when damaged', () => {
    expect(run(['no-such-command']).status).toBe(64);
    expect(files()).toEqual([]);
    const first = run(['--version']);
    expect(first).toEqual({ status: 0, stdout: `xenherdctl ${version}\n` });
    const [name, ...more] = files();
    expect(more).toEqual([]);
    expect(name).toMatch(/^xenherdctl-[0-9a-f]{16}-nodev[0-9.]+-[a-z0-9]+-other\.v8cache$/);
    const path = join(cacheDir(), name ?? '');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const made = statSync(path);

    // V8 takes it: the run writes nothing (a refused cache would be written again)
    expect(run(['--version'])).toEqual(first);
    expect(statSync(path).ino).toBe(made.ino);
    expect(statSync(path).mtimeMs).toBe(made.mtimeMs);

    const damaged = readFileSync(path);
    const mid = Math.floor(damaged.length / 2);
    damaged.writeUInt8(damaged.readUInt8(mid) ^ 0xff, mid);
    writeFileSync(path, damaged);
    expect(run(['--version'])).toEqual(first);
    expect(cacheDataOf(readFileSync(path))).not.toBeNull();

    // another build's cache goes when this build writes its own, once it is a week old
    const earlier = join(cacheDir(), 'xenherdctl-0000000000000000-nodev18.19.0-x64-where.v8cache');
    const recent = join(cacheDir(), 'xenherdctl-1111111111111111-nodev18.19.0-x64-where.v8cache');
    writeFileSync(earlier, 'old');
    writeFileSync(recent, 'in use');
    const weekAgo = new Date(Date.now() - OTHER_BUILD_KEPT_MS - 3600_000);
    utimesSync(earlier, weekAgo, weekAgo);
    expect(run(['where', '--help']).status).toBe(0);
    expect(files()).toEqual([name, name?.replace(/-other\.v8cache$/, '-where.v8cache'), basename(recent)].sort());
  });
});
