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
