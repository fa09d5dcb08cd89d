import { describe, expect, it } from 'vitest';
import { createSdNotify, execRunner, watchdogIntervalMs, type NotifyRunner } from '../../shared/systemd/sd-notify.js';

// The sd_notify adapter both daemons share: what it asks systemd-notify to send, and when it is off.
describe('createSdNotify', () => {
  const recording = (answer: Awaited<ReturnType<NotifyRunner>>): { run: NotifyRunner; calls: string[][] } => {
    const calls: string[][] = [];
    return { calls, run: async (tool, args) => (calls.push([tool, ...args]), answer) };
  };

  it('is off outside a Type=notify unit (no NOTIFY_SOCKET)', () => {
    expect(createSdNotify({}, recording({ ok: true, value: null }).run, 42)).toBeNull();
    expect(createSdNotify({ NOTIFY_SOCKET: '' }, recording({ ok: true, value: null }).run, 42)).toBeNull();
  });

  it('names the daemon with --pid= and sends one line of STATUS=', async () => {
    const r = recording({ ok: true, value: null });
    const notify = createSdNotify({ NOTIFY_SOCKET: '/run/systemd/notify' }, r.run, 42);
    expect(await notify?.({ ready: true, status: 'listening on\nhttps://h:7443' })).toBeNull();
    expect(await notify?.({ watchdog: true })).toBeNull();
    expect(r.calls).toEqual([
      ['systemd-notify', '--pid=42', 'READY=1', 'STATUS=listening on https://h:7443'],
      ['systemd-notify', '--pid=42', 'WATCHDOG=1'],
    ]);
  });

  it('returns a failure as a sentence for the log, never throws', async () => {
    const notify = createSdNotify({ NOTIFY_SOCKET: '/run/systemd/notify' }, recording({ ok: false, error: { message: 'exit 1' } }).run, 42);
    expect(await notify?.({ ready: true })).toBe('systemd-notify failed: exit 1');
  });

  it('execRunner reports a missing tool and a failing one as failures', async () => {
    expect(await execRunner('true', [], { timeoutMs: 5_000 })).toEqual({ ok: true, value: null });
    const missing = await execRunner('xenherd-no-such-tool', [], { timeoutMs: 5_000 });
    expect(missing.ok).toBe(false);
    const failing = await execRunner('sh', ['-c', 'echo nope >&2; exit 3'], { timeoutMs: 5_000 });
    expect(failing).toEqual({ ok: false, error: { message: 'sh: nope' } });
  });
});

describe('watchdogIntervalMs', () => {
  it('is half of WATCHDOG_USEC, for this pid only', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' }, 7)).toBe(15_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '8' }, 7)).toBeNull();
    expect(watchdogIntervalMs({}, 7)).toBeNull();
  });
});
