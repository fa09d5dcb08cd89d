import { describe, expect, it } from 'vitest';
import { table } from '../../../controller/ctl/format.js';
import { away, dom, hostState, unsettled } from '../states.js';
import { controllerBed } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

// `xenherdctl where '*'` with one domU in an ALARM: its state (some 200 characters) set the width
// of the state column, so every other domU's line had its home pushed some 200 columns right.
const bed = controllerBed();

describe("xenherdctl where '*': one very long cell", () => {
  it("an ALARM's state runs on in its own line; the other lines keep columns as wide as their own cells", async () => {
    const c = await bed.start();
    const xen1 = await c.agent('xen1');
    xen1.hello();
    xen1.snapshot(
      hostState({
        domains: [dom('mail1')],
        homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }],
        ledger: { seq: 2, away: { web01: away('xen1', 'xen2') }, visitors: {}, unsettled: { web01: unsettled('xen2', { operation: 'migrate', operationId: 'op-7' }) } },
      }),
    );
    const xen2 = await c.agent('xen2');
    xen2.hello();
    xen2.snapshot(hostState({ domains: [dom('web01', { state: 'running' }), dom('db1', { state: 'paused' })] }));
    await until(() => c.core.status().alerts.length === 1, 'the alert', { limitMs: 10_000 });

    const w = await ctlFor(c)(['where', '*']);
    expect([w.code, w.stderr]).toEqual([0, '']);
    const lines = w.stdout.split('\n');
    expect(lines).toHaveLength(4);
    // the columns of the short lines line up with each other, at the widths of their own cells
    expect(lines[0]).toMatch(/^db1 {4}xen2 {2}paused {3}no home known +as of [\d.]+ s$/);
    expect(lines[1]).toMatch(/^mail1 {2}xen1 {2}running {2}no home known +as of [\d.]+ s$/);
    // as wide as web01's home, "home xen1 (away since 2024-05-01 14:02, manual)", which is no longer than a home may be
    expect(lines[0]?.indexOf('as of')).toBe(lines[1]?.indexOf('as of'));
    expect(lines[0]?.indexOf('as of')).toBeLessThan(80);
    expect(lines[2]).toMatch(/^web01 {2}xen2 {2}running, ALARM unsettled: the migrate xen1 ran with xen2 at .* ended unknown; check both hosts, then xenherd-agent reconcile web01 on xen1 {2}home xen1 \(away since .*\) {2}as of .* {2}ALERT migration-unsettled:web01@xen1$/);
    expect(lines[3]).toBe('');
  });

  it('table: a cell past the width given does not widen its column; the last column is never padded', () => {
    const rows = [
      ['a', 'short', 'x', 'end'],
      ['bb', 'y'.repeat(30), 'xx', 'end'],
      ['c', 'mid', 'x', 'end'],
    ];
    expect(table(rows, 10)).toBe(`a   short  x   end\nbb  ${'y'.repeat(30)}  xx  end\nc   mid    x   end\n`);
    expect(table(rows)).toBe(`a   short${' '.repeat(25)}  x   end\nbb  ${'y'.repeat(30)}  xx  end\nc   mid${' '.repeat(27)}  x   end\n`);
  });
});
