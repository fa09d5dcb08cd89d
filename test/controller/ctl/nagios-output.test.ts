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

  it('five of a kind stay five lines; six are one line naming them, with the command that lists each', () => {
    const hosts = (n: number) => Array.from({ length: n }, (_, k) => ({ status: 'CRITICAL' as const, kind: 'host-unreachable', subject: `xen${k + 1}`, text: `xen${k + 1}: agent unreachable (last heard 40 s ago)` }));
    expect(renderCheck(answer({ status: 'CRITICAL', details: hosts(5) })).text.split('\n').slice(1, -1)).toEqual(hosts(5).map((d) => `CRITICAL: ${d.text}`));
    const six = [...hosts(6), { status: 'WARNING' as const, kind: 'drbd-degraded', subject: 'r1 on xen1', text: 'DRBD r1 on xen1: peer xen2 DUnknown' }];
    expect(renderCheck(answer({ status: 'CRITICAL', details: six })).text.split('\n').slice(1)).toEqual([
      'CRITICAL: 6 hosts unreachable: xen1, xen2, xen3, xen4, xen5, xen6 (xenherdctl status lists them)',
      'WARNING: DRBD r1 on xen1: peer xen2 DUnknown',
      '',
    ]);
    // a kind this build does not know (a newer controller's) is still counted, in general words
    const unknown = Array.from({ length: 6 }, (_, k) => ({ status: 'WARNING' as const, kind: 'tea-cold', subject: `pot${k}`, text: `pot${k}: cold` }));
    expect(renderCheck(answer({ status: 'WARNING', details: unknown })).text.split('\n')[1]).toBe('WARNING: 6 problems of kind tea-cold: pot0, pot1, pot2, pot3, pot4, pot5 (xenherdctl check --json lists them)');
  });

  it('the whole output stays under 8 KB, worst lines first, then how many were left out and where they are listed', () => {
    // a controller older than kind and subject: nothing to fold by, the bound holds all the same
    const details = [
      { status: 'CRITICAL' as const, text: 'alert running-on-two-hosts: web0 runs on xen1 and xen7' },
      ...Array.from({ length: 400 }, (_, k) => ({ status: 'WARNING' as const, text: `web${k} runs on xen${k + 2}, not on its home xen${k + 1}, which is online: for 10 min since it left xen${k + 1}; CRITICAL after 30 min` })),
    ];
    const out = renderCheck(answer({ status: 'CRITICAL', summary: 'web0 runs on xen1 and xen7, and 400 more', details }));
    const lines = out.text.split('\n');
    expect(Buffer.byteLength(out.text)).toBeLessThanOrEqual(8000);
    expect(lines[1]).toBe('CRITICAL: alert running-on-two-hosts: web0 runs on xen1 and xen7');
    expect(lines[2]).toMatch(/^WARNING: web0 runs on xen2, /);
    const shown = lines.filter((l) => l.startsWith('WARNING: ')).length;
    expect(shown).toBeGreaterThan(40);
    expect(lines.at(-2)).toBe(`... ${400 - shown} more problems (${400 - shown} WARNING) left out to keep this output under 8 KB: xenherdctl check --json lists every one; xenherdctl status lists the hosts and alerts, xenherdctl where '*' the domUs`);
    expect(lines.at(-1)).toBe('');
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
