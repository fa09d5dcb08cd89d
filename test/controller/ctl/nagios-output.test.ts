import { describe, expect, it } from 'vitest';
import { perfdatumText, renderCheck, unknownOutput } from '../../../controller/ctl/nagios-output.js';
import { DEFAULT_CHECK_THRESHOLDS, type CheckAnswer } from '../../../shared/protocol/ctl-check.js';

// What `xenherdctl check` prints: a Nagios plugin's status line, problem lines and perfdata, from the controller's verdict.
const answer = (a: Partial<CheckAnswer> = {}): CheckAnswer => ({
  at: 0,
  status: 'OK',
  summary: '2 hosts reachable, 3 domUs running',
  details: [],
  perfdata: [
    { label: 'hosts', value: 2, uom: '', warn: null, crit: null, min: 0, max: null },
    { label: 'deferred_max_s', value: 12, uom: 's', warn: '300', crit: '900', min: 0, max: null },
  ],
  thresholds: DEFAULT_CHECK_THRESHOLDS,
  ...a,
});

describe('xenherdctl check output (as a Nagios plugin)', () => {
  it("one status line: SERVICE STATUS - text | 'label'=value[UOM];warn;crit;min;max, trailing empty fields dropped", () => {
    expect(renderCheck(answer())).toEqual({ text: "XENHERD OK - 2 hosts reachable, 3 domUs running | 'hosts'=2;;;0 'deferred_max_s'=12s;300;900;0\n", exitCode: 0 });
  });

  it('exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN', () => {
    expect((['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const).map((status) => renderCheck(answer({ status })).exitCode)).toEqual([0, 1, 2, 3]);
  });

  it('then one line per problem, worst first as the controller listed them', () => {
    const out = renderCheck(answer({ status: 'CRITICAL', summary: 'xen2 unreachable', details: [{ status: 'CRITICAL', text: 'xen2: agent unreachable (last heard 40 s ago)' }, { status: 'WARNING', text: 'DRBD r1 on xen1: peer xen2 DUnknown' }] }));
    expect(out.text.split('\n')).toEqual([
      "XENHERD CRITICAL - xen2 unreachable | 'hosts'=2;;;0 'deferred_max_s'=12s;300;900;0",
      'CRITICAL: xen2: agent unreachable (last heard 40 s ago)',
      'WARNING: DRBD r1 on xen1: peer xen2 DUnknown',
      '',
    ]);
    expect(out.exitCode).toBe(2);
  });

  it('text from agents cannot break the format: no "|" (it starts the perfdata), no newline, no terminal escapes', () => {
    const out = renderCheck(answer({ status: 'WARNING', summary: 'a|b', details: [{ status: 'WARNING', text: 'x|y\nINJECTED OK - fine\u001b[2J' }] }));
    expect(out.text.split('\n')).toEqual(["XENHERD WARNING - a/b | 'hosts'=2;;;0 'deferred_max_s'=12s;300;900;0", 'WARNING: x/y\\x0aINJECTED OK - fine\\x1b[2J', '']);
  });

  it("perfdata labels are quoted, a quote in one doubled; min and max as numbers", () => {
    expect(perfdatumText({ label: 'hosts_unreachable', value: 1, uom: '', warn: null, crit: null, min: 0, max: 5 })).toBe("'hosts_unreachable'=1;;;0;5");
    expect(perfdatumText({ label: 'x', value: 3, uom: '', warn: null, crit: null, min: null, max: null })).toBe("'x'=3");
  });

  it('a failure is one UNKNOWN line naming the error, exit 3; --json gives the same as JSON', () => {
    const e = { code: 'XH_ERR_CONTROLLER_UNREACHABLE' as const, message: 'cannot reach the controller at https://127.0.0.1:1: ECONNREFUSED\nsecond line' };
    expect(unknownOutput(e, false)).toEqual({ text: 'XENHERD UNKNOWN - XH_ERR_CONTROLLER_UNREACHABLE: cannot reach the controller at https://127.0.0.1:1: ECONNREFUSED\n', exitCode: 3 });
    const j = unknownOutput(e, true);
    expect(j.exitCode).toBe(3);
    expect(JSON.parse(j.text)).toMatchObject({ status: 'UNKNOWN', details: [], perfdata: [], error: e });
  });
});
