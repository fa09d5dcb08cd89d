import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnStream } from '../../../agent/adapters/line-stream.js';
import { createXenstore } from '../../../agent/adapters/xenstore.js';
import type { ToolRunner } from '../../../agent/adapters/exec.js';
import type { XenstoreWatchEvent } from '../../../agent/parse/xenstore-watch.js';
import { ok } from '../../../shared/result.js';

// A fake xenstore-watch on PATH behaves like the real one: it prints each watched path once at
// registration, then one path per event, flushing each line. It runs `sleep` children, so a
// stop() that killed only the shell would leave orphans: we check the whole group is gone.
const FAKE = `#!/bin/sh
echo $$ > "$FAKE_DIR/pid"
for p in "$@"; do echo "$p"; done
case "$FAKE_MODE" in
  exit3) echo "xenstore-watch: xs_open: No such file or directory" >&2; exit 3 ;;
  partial) printf '@releaseDomain/4'; exit 0 ;;
esac
while :; do sleep 0.05; echo @releaseDomain/5; done
`;

let dir = '';
const noRun: ToolRunner = async () => {
  throw new Error('not used');
};
/**
 * Live (non-zombie) processes in a process group, from /proc. kill(-pgid, 0) is not enough: a
 * killed orphan stays a zombie until init reaps it, which in a container can take a while.
 */
const liveInGroup = (pgid: number): number[] =>
  readdirSync('/proc')
    .filter((d) => /^[0-9]+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(pgrp) === pgid && state !== 'Z' ? [Number(d)] : [];
      } catch {
        return []; // exited while we looked
      }
    });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'xenherd-xs-'));
  writeFileSync(join(dir, 'xenstore-watch'), FAKE);
  chmodSync(join(dir, 'xenstore-watch'), 0o755);
  process.env['PATH'] = `${dir}:${process.env['PATH'] ?? ''}`;
  process.env['FAKE_DIR'] = dir;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('xenstore watch with a real child process', () => {
  it('emits one event per line and stop() leaves no process behind', async () => {
    process.env['FAKE_MODE'] = 'stream';
    const xs = createXenstore({ run: noRun, spawn: spawnStream, killAfterMs: 1_000 });
    const events: XenstoreWatchEvent[] = [];
    let gotEnough: () => void = () => undefined;
    const enough = new Promise<void>((resolve) => (gotEnough = resolve));
    const w = xs.watch(['@introduceDomain', '@releaseDomain'], {
      onEvent: (e) => {
        events.push(e);
        if (events.length >= 4) gotEnough();
      },
    });
    if (!w.ok) throw new Error(w.error.message);
    await enough;
    expect(events.slice(0, 3)).toEqual([
      { path: '@introduceDomain', kind: 'introduceDomain', domid: null },
      { path: '@releaseDomain', kind: 'releaseDomain', domid: null },
      { path: '@releaseDomain/5', kind: 'releaseDomain', domid: 5 },
    ]);
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    expect(w.value.pid).toBe(pid);
    expect(liveInGroup(pid)).toContain(pid);
    const exit = await w.value.stop();
    expect(exit).toMatchObject({ stopped: true, failure: null, signal: 'SIGTERM' });
    expect(liveInGroup(pid)).toEqual([]); // neither the shell nor its sleep survived
    expect(await w.value.stop()).toBe(exit); // idempotent
  });

  it('reports the child dying on its own so the caller can respawn', async () => {
    process.env['FAKE_MODE'] = 'exit3';
    const xs = createXenstore({ run: noRun, spawn: spawnStream });
    const events: string[] = [];
    const w = xs.watch(['@releaseDomain'], { onEvent: (e) => events.push(e.path) });
    if (!w.ok) throw new Error(w.error.message);
    const exit = await w.value.exited;
    expect(events).toEqual(['@releaseDomain']);
    expect(exit).toMatchObject({ stopped: false, exitCode: 3, failure: { code: 'XH_ERR_TOOL_FAILED', stderr: 'xenstore-watch: xs_open: No such file or directory\n' } });
  });

  // xenstore-watch ends every event with a newline and flushes it; a line cut short by the
  // child's death may be half a path, so it is dropped rather than taken as an event.
  it('drops a last line without newline when the child exits', async () => {
    process.env['FAKE_MODE'] = 'partial';
    const xs = createXenstore({ run: noRun, spawn: spawnStream });
    const events: string[] = [];
    const w = xs.watch(['@releaseDomain'], { onEvent: (e) => events.push(e.path) });
    if (!w.ok) throw new Error(w.error.message);
    await w.value.exited;
    expect(events).toEqual(['@releaseDomain']);
  });

  it('a missing tool is XH_ERR_TOOL_NOT_FOUND, not a throw', async () => {
    const xs = createXenstore({ run: noRun, spawn: (_tool, args) => spawnStream('xenherd-no-such-xenstore-watch', args) });
    const w = xs.watch(['@releaseDomain'], { onEvent: () => undefined });
    if (!w.ok) throw new Error(w.error.message);
    expect((await w.value.exited).failure?.code).toBe('XH_ERR_TOOL_NOT_FOUND');
  });

  it('refuses a path that getopt would take for an option', () => {
    const xs = createXenstore({ run: noRun, spawn: spawnStream });
    expect(xs.watch(['-n'], { onEvent: () => undefined }).ok).toBe(false);
  });
});

describe('xenstore read/write through the ToolRunner', () => {
  const calls: [string, readonly string[]][] = [];
  const runner = (answers: Record<string, { stdout?: string; stderr?: string; exitCode?: number }>): ToolRunner => async (tool, args) => {
    calls.push([tool, args]);
    const a = answers[args[0] ?? ''] ?? {};
    return ok({ stdout: a.stdout ?? '', stderr: a.stderr ?? '', exitCode: a.exitCode ?? 0 });
  };

  it('reads and unescapes a value; a missing node is null', async () => {
    const xs = createXenstore({
      spawn: spawnStream,
      run: runner({
        '/local/domain/3/name': { stdout: 'web\\tone\n' },
        '/local/domain/9/name': { stderr: "xenstore-read: couldn't read path /local/domain/9/name\n", exitCode: 1 },
        '/denied': { stderr: 'xenstore-read: xs_open: Permission denied\n', exitCode: 1 },
      }),
    });
    expect(await xs.read('/local/domain/3/name')).toEqual({ ok: true, value: 'web\tone' });
    expect(await xs.read('/local/domain/9/name')).toEqual({ ok: true, value: null });
    const denied = await xs.read('/denied');
    // the socket is root's alone: said as xl says it (agent/adapters/toolstack-explain.ts)
    expect(denied.ok ? null : denied.error).toMatchObject({ code: 'XH_ERR_TOOL_FAILED', exitCode: 1, message: 'xenstore-read /denied: must run as root' });
  });

  it('writes with backslashes escaped, as separate argv entries', async () => {
    calls.length = 0;
    const xs = createXenstore({ spawn: spawnStream, run: runner({}) });
    expect((await xs.write('/local/domain/3/data/xenherd/host', 'dom0-a\\b')).ok).toBe(true);
    expect(calls).toEqual([['xenstore-write', ['--', '/local/domain/3/data/xenherd/host', 'dom0-a\\\\b']]]);
  });

  it('writes several nodes in one call (one transaction): -- path value path value …', async () => {
    calls.length = 0;
    const xs = createXenstore({ spawn: spawnStream, run: runner({}) });
    const w = await xs.writeAll({ '/local/domain/3/data/xenherd/dom0': 'xen1', '/local/domain/3/data/xenherd/since': '2025-01-01T00:00:00.000Z' });
    expect(w.ok).toBe(true);
    expect(calls).toEqual([['xenstore-write', ['--', '/local/domain/3/data/xenherd/dom0', 'xen1', '/local/domain/3/data/xenherd/since', '2025-01-01T00:00:00.000Z']]]);
  });

  it('refuses, without running the tool, a call with a bad path or no pair at all', async () => {
    calls.length = 0;
    const xs = createXenstore({ spawn: spawnStream, run: runner({}) });
    const bad = await xs.writeAll({ '/local/domain/3/ok': 'a', '-n': 'b' });
    expect(bad.ok ? null : bad.error).toMatchObject({ code: 'XH_ERR_TOOL_FAILED', exitCode: null });
    expect((await xs.writeAll({})).ok).toBe(false);
    expect(calls).toEqual([]);
  });
});
