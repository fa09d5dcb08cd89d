import { describe, expect, it } from 'vitest';
import { longOutput } from '../../../controller/ctl/check-long-output.js';
import type { CheckDetail } from '../../../shared/protocol/ctl-check.js';

// check's long output: DRBD resources that only wait for an unreachable Dom0 are one line per Dom0,
// after the rest of their kind, so a link really cut is never folded away behind them.
const line = (status: string, text: string): string => `${status}: ${text}`;
const lines = (details: readonly CheckDetail[]): string[] => longOutput(details, 100, line);
const waiting = (from: number, n: number, host: string, peer: string): CheckDetail[] =>
  Array.from({ length: n }, (_, k) => ({ status: 'WARNING', kind: 'drbd-degraded', subject: `r${from + k} on ${host}`, text: `DRBD r${from + k} on ${host}: peer ${peer} not connected`, waitsFor: peer }));
const realCut: CheckDetail = { status: 'WARNING', kind: 'drbd-degraded', subject: 'r99 between xen1 and xen2', text: 'DRBD r99 between xen1 and xen2: cut' };

describe("check's long output groups what waits for one unreachable Dom0", () => {
  it('a real cut keeps its own line; the waiting ones are one line per Dom0, naming the first 20', () => {
    expect(lines([realCut, ...waiting(1, 24, 'xen2', 'xen3'), ...waiting(30, 2, 'xen4', 'xen5')])).toEqual([
      'WARNING: DRBD r99 between xen1 and xen2: cut',
      `WARNING: 24 DRBD resources degraded, waiting for xen3, unreachable: ${Array.from({ length: 20 }, (_, k) => `r${k + 1} on xen2`).join(', ')}, ... (4 more); they clear once xen3 is back (xenherdctl check --json lists them)`,
      'WARNING: 2 DRBD resources degraded, waiting for xen5, unreachable: r30 on xen4, r31 on xen4; they clear once xen5 is back (xenherdctl check --json lists them)',
    ]);
  });

  it('one waiting for a Dom0 alone keeps its own words', () => {
    expect(lines([realCut, ...waiting(1, 1, 'xen2', 'xen3')])).toEqual(['WARNING: DRBD r99 between xen1 and xen2: cut', 'WARNING: DRBD r1 on xen2: peer xen3 not connected']);
  });

  it('the rest of the kind still folds past five, apart from the waiting ones', () => {
    const cuts = Array.from({ length: 6 }, (_, k): CheckDetail => ({ status: 'WARNING', kind: 'drbd-degraded', subject: `r${90 + k} between xen1 and xen2`, text: 'cut' }));
    expect(lines([...cuts, ...waiting(1, 3, 'xen2', 'xen3')])).toEqual([
      'WARNING: 6 DRBD resources degraded: r90 between xen1 and xen2, r91 between xen1 and xen2, r92 between xen1 and xen2, r93 between xen1 and xen2, r94 between xen1 and xen2, r95 between xen1 and xen2 (xenherdctl check --json lists them)',
      'WARNING: 3 DRBD resources degraded, waiting for xen3, unreachable: r1 on xen2, r2 on xen2, r3 on xen2; they clear once xen3 is back (xenherdctl check --json lists them)',
    ]);
  });

  it('waiting ones no Dom0 heard now writes say what may be down with that Dom0, not that they clear once it is back', () => {
    const [r1, r2, r3] = waiting(1, 3, 'xen2', 'xen3');
    const down = [{ ...r1, mayBeDown: ['web1'] }, { ...r2, mayBeDown: ['web2', 'web1'] }, r3] as CheckDetail[];
    expect(lines(down)).toEqual([
      "WARNING: 3 DRBD resources degraded, waiting for xen3, unreachable: r1 on xen2, r2 on xen2, r3 on xen2; no Dom0 heard now writes some of them: if xen3 is down, web1 and web2 are down with it (xen3's line says what to do) (xenherdctl check --json lists them)",
    ]);
    // the Dom0 last reported none running there: what used them
    expect(lines(waiting(1, 2, 'xen2', 'xen3').map((d) => ({ ...d, mayBeDown: [] })))[0]).toContain('; no Dom0 heard now writes some of them: if xen3 is down, what used them there is down with it (');
  });

  it("an older controller's details (no waitsFor) fold as before", () => {
    const old = waiting(1, 6, 'xen2', 'xen3').map(({ waitsFor: _w, ...d }) => d);
    expect(lines(old)).toEqual(['WARNING: 6 DRBD resources degraded: r1 on xen2, r2 on xen2, r3 on xen2, r4 on xen2, r5 on xen2, r6 on xen2 (xenherdctl check --json lists them)']);
  });
});

describe("check's long output groups what waits for one set of unreachable Dom0s", () => {
  it('those waiting for xen1 and xen3 together are one line naming both, apart from those waiting for xen3 alone', () => {
    const both = waiting(1, 2, 'xen2', 'xen3').map(({ waitsFor: _w, ...d }): CheckDetail => ({ ...d, waitsForAll: ['xen1', 'xen3'] }));
    expect(lines([realCut, ...both, ...waiting(10, 2, 'xen4', 'xen3')])).toEqual([
      'WARNING: DRBD r99 between xen1 and xen2: cut',
      'WARNING: 2 DRBD resources degraded, waiting for xen1 and xen3, unreachable: r1 on xen2, r2 on xen2; they clear once xen1 and xen3 are back (xenherdctl check --json lists them)',
      'WARNING: 2 DRBD resources degraded, waiting for xen3, unreachable: r10 on xen4, r11 on xen4; they clear once xen3 is back (xenherdctl check --json lists them)',
    ]);
  });
});
