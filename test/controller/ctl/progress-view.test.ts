import { describe, expect, it } from 'vitest';
import { ProgressView } from '../../../controller/ctl/progress-view.js';

// The line a drain, restore or maintenance command prints when a host's state changes.
describe("the progress view's host lines", () => {
  it('say the state in words: "in maintenance", not "maintenance maintenance"', () => {
    let out = '';
    // not a terminal: one timestamped line per event
    const view = new ProgressView({ stdout: (t: string) => void (out += t), stderr: () => undefined, env: {} }, false, () => 0);
    for (const state of ['draining', 'maintenance', 'restoring', 'online'] as const) {
      view.event({ type: 'host', host: 'xen1', maintenance: { state, operationId: state === 'online' ? null : 'op-7', owner: state === 'online' ? null : 'ctl' } });
    }
    expect(out.split('\n').filter((l) => l !== '').map((l) => l.replace(/^\d\d:\d\d:\d\d /, ''))).toEqual(['xen1: draining (operation op-7)', 'xen1: in maintenance (operation op-7)', 'xen1: restoring (operation op-7)', 'xen1: online']);
  });
});

// What the agent passes through of a move (xl's and libxl's lines, its result) piped into a log
// file: one stamped record per event, as a terminal shows one row, whatever the line holds.
describe("the progress view's move lines, not on a terminal", () => {
  const move = (phase: 'progress' | 'failed', line: string) => ({ type: 'move' as const, name: 'web1', from: 'xen1', to: 'xen2', memMiB: 1024, phase, attempt: 1, elapsedMs: 1500, line });

  it("keep an agent's line in its record: a newline or a carriage return in it is escaped, never a record of its own", () => {
    let out = '';
    const view = new ProgressView({ stdout: (t: string) => void (out += t), stderr: () => undefined, env: {} }, false, () => 0);
    view.event(move('progress', 'libxl: warning: something\n00:00:00 web2: moved xen1 → xen2 after 1.0 s'));
    view.event(move('progress', 'xc: progress: 10%\rxc: progress: 20%\u001b[2K'));
    view.event(move('failed', 'migration failed\nlibxl: error: the target said no'));
    const records = out.split('\n');
    expect(records.pop()).toBe('');
    // each record stamped with the time (the view's local hh:mm:ss), then the event
    expect(records.every((r) => /^\d\d:\d\d:\d\d /.test(r))).toBe(true);
    expect(records.map((r) => r.slice(9))).toEqual([
      'web1: migrating: libxl: warning: something\\x0a00:00:00 web2: moved xen1 → xen2 after 1.0 s',
      'web1: migrating: xc: progress: 10%\\x0dxc: progress: 20%\\x1b[2K',
      'web1: FAILED xen1 → xen2 after 1.5 s (migration failed\\x0alibxl: error: the target said no)',
    ]);
  });
});

// A job someone cancelled ends in words of what was asked for, whatever its kind; its code
// (XH_ERR_REFUSED) stays in --json.
describe("the progress view's end of a cancelled job", () => {
  const ended = (kind: 'restore' | 'roll', message: string, note = true): string => {
    let out = '';
    const view = new ProgressView({ stdout: (t: string) => void (out += t), stderr: () => undefined, env: {} }, false, () => 0);
    view.event({ type: 'job', jobId: 'job-1', kind, hosts: ['xen1'], operationId: null, by: 'ctl:admin', startedAt: 0, attached: false });
    if (note) view.event({ type: 'note', level: 'warn', line: 'cancelled by admin: no new moves; 1 running move(s) finish' });
    view.event({ type: 'end', ok: false, code: 'XH_ERR_REFUSED', message, moved: 1, remaining: [], ...(note ? {} : { cancelled: true }) });
    return out.split('\n').filter((l) => l !== '').at(-1)?.slice(9) ?? '';
  };

  it('"cancelled: " and what the job left, its own "the KIND was cancelled" not said again', () => {
    expect(ended('restore', 'the restore was cancelled: xen1 is online; 2 domU(s) of it are not home (1 moved): a2, b2')).toBe('cancelled: xen1 is online; 2 domU(s) of it are not home (1 moved): a2, b2');
    expect(ended('roll', 'the roll was cancelled while it planned: nothing was changed')).toBe('cancelled while it planned: nothing was changed');
  });

  it('an end marked cancelled reads so without its note (one a long job\'s kept events no longer hold)', () => {
    expect(ended('restore', 'the restore was cancelled: xen1 is online; 2 domU(s) of it are not home (1 moved): a2, b2', false)).toBe('cancelled: xen1 is online; 2 domU(s) of it are not home (1 moved): a2, b2');
  });

  it("an older controller's restore ending, without the words, still reads as cancelled", () => {
    expect(ended('restore', 'xen1 is online; 2 domU(s) of it are not home (1 moved): a2, b2')).toBe('cancelled: xen1 is online; 2 domU(s) of it are not home (1 moved): a2, b2');
  });
});
