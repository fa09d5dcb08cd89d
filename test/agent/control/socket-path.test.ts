import { spawn } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { askAgent } from '../../../agent/control/client.js';
import { listenControl, type ControlHandler } from '../../../agent/control/server.js';
import { CONTROL_PROTOCOL_VERSION } from '../../../shared/protocol/agent-control.js';
import { scratch, victim } from '../adapters/hostile-fs.js';

const s = scratch();
afterEach(() => {
  vi.restoreAllMocks();
  s.cleanup();
});
const handler: ControlHandler = async () => ({ v: CONTROL_PROTOCOL_VERSION, ok: false, error: { code: 'XH_ERR_USAGE', message: 'test' } });

const runDir = (): string => {
  const d = join(s.dir('ctl'), 'run', 'xenherd');
  mkdirSync(d, { recursive: true, mode: 0o700 });
  return d;
};

describe('controlSocket path checks', () => {
  it('a regular file at the socket path is refused and left intact', async () => {
    const path = join(runDir(), 'agent.sock');
    writeFileSync(path, 'important\n');
    const r = await listenControl(path, handler);
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_FILE' } });
    expect(!r.ok && r.error.message).toContain(path);
    expect(!r.ok && r.error.message).toContain('controlSocket');
    expect(readFileSync(path, 'utf8')).toBe('important\n');
  });

  it('a directory at the socket path is refused with a clear error (no crash)', async () => {
    const path = join(runDir(), 'agent.sock');
    mkdirSync(path);
    const r = await listenControl(path, handler);
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_FILE' } });
    expect(!r.ok && r.error.message).toContain('is a directory');
    expect(lstatSync(path).isDirectory()).toBe(true);
  });

  it('a symlink at the socket path is refused; what it points at stays', async () => {
    const path = join(runDir(), 'agent.sock');
    const v = victim(s);
    symlinkSync(v.path, path);
    const r = await listenControl(path, handler);
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_FILE' } });
    expect(v.intact()).toBe(true);
  });

  it('a socket dir writable by others is refused', async () => {
    const dir = runDir();
    chmodSync(dir, 0o777);
    const r = await listenControl(join(dir, 'agent.sock'), handler);
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_FILE' } });
  });

  it('a stale socket left by a killed agent is replaced', async () => {
    const path = join(runDir(), 'agent.sock');
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
    expect(lstatSync(path).isSocket()).toBe(true);
    const r = await listenControl(path, handler);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect((await askAgent(path, { v: 1, op: 'status' })).ok).toBe(true);
    await r.value.close();
    expect(existsSync(path)).toBe(false);
  });

  it('creates the socket owner-only from the start (mode checked the moment it is bound, umask 022)', async () => {
    const dir = runDir();
    const path = join(dir, 'agent.sock');
    const modes: number[] = [];
    const original = Server.prototype.listen;
    vi.spyOn(Server.prototype, 'listen').mockImplementation(function (this: Server, ...args: unknown[]) {
      const r = (original as (...a: unknown[]) => Server).apply(this, args);
      // bind(2) has run synchronously inside listen(): whatever is in the dir now is what a
      // connecting process could see before any later chmod
      for (const f of readdirSync(dir)) modes.push(lstatSync(join(dir, f)).mode & 0o777);
      return r;
    });
    const old = process.umask(0o022);
    try {
      const r = await listenControl(path, handler);
      expect(r.ok).toBe(true);
      if (r.ok) await r.value.close();
    } finally {
      process.umask(old);
    }
    expect(modes.length).toBeGreaterThan(0);
    expect(modes.every((m) => m === 0o600)).toBe(true);
    expect(process.umask()).toBe(old);
  });
});
