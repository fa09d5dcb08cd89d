import { describe, expect, it } from 'vitest';
import { away, dom, hostState } from '../states.js';
import { controllerBed, type TestController } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

// `where web1 db1`, as `xl list web1 db1` takes several names: one line per domU in the order
// given, exit 1 naming each pattern that found nothing.
const bed = controllerBed();

/** xen1 runs db1 and is the home of web01 (away on xen2) and of mail1 (running nowhere); xen2 runs web01 and web02. */
async function fleet(c: TestController): Promise<void> {
  const xen1 = await c.agent('xen1');
  xen1.hello();
  xen1.snapshot(
    hostState({
      domains: [dom('db1')],
      homes: [
        { name: 'web01', peer: 'xen2', source: 'migrate-tab' },
        { name: 'mail1', peer: 'xen2', source: 'migrate-tab' },
      ],
      ledger: { seq: 1, away: { web01: away('xen1', 'xen2') }, visitors: {} },
    }),
  );
  const xen2 = await c.agent('xen2');
  xen2.hello();
  xen2.snapshot(hostState({ domains: [dom('web01'), dom('web02')] }));
  await until(() => c.core.hosts().hosts.filter((h) => h.reported).length === 2, 'both hosts reported', { limitMs: 10_000 });
}

const firstWords = (stdout: string): string[] => stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0] as string);

describe('xenherdctl where with several patterns', () => {
  it('one line per domU in the order given, each domU once, exit 0 when every pattern matched', async () => {
    const c = await bed.start();
    await fleet(c);
    const ctl = ctlFor(c);
    const r = await ctl(['where', 'db1', 'web01']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^db1 +xen1 +running +no home known +as of \d+\.\d s\nweb01 +xen2 +running +home xen1 \(away since [-\d: ]+, manual\) +as of \d+\.\d s\n$/);
    // a domU a later glob matches again, and a pattern given twice, are shown once, where first asked
    const g = await ctl(['where', 'web02', 'web*', 'web02']);
    expect([g.code, firstWords(g.stdout)]).toEqual([0, ['web02', 'web01']]);
  });

  it('a pattern matching nothing: the others still answered, that one named on stderr, exit 1', async () => {
    const c = await bed.start();
    await fleet(c);
    const r = await ctlFor(c)(['where', 'web01', 'nope', 'db1', 'zz*']);
    expect(r.code).toBe(1);
    expect(firstWords(r.stdout)).toEqual(['web01', 'db1']);
    expect(r.stderr).toBe('xenherdctl: XH_ERR_NOT_FOUND: no domU matches nope (xenherdctl domains lists them all)\nxenherdctl: XH_ERR_NOT_FOUND: no domU matches zz* (xenherdctl domains lists them all)\n');
  });

  it('-q: one Dom0 per domU found running, in the same order; a pattern with nothing running named, exit 1', async () => {
    const c = await bed.start();
    await fleet(c);
    const ctl = ctlFor(c);
    expect(await ctl(['where', '-q', 'db1', 'web01', 'web02'])).toEqual({ code: 0, stdout: 'xen1\nxen2\nxen2\n', stderr: '' });
    const some = await ctl(['where', '-q', 'mail1', 'web01', 'nope']);
    expect(some).toEqual({
      code: 1,
      stdout: 'xen2\n',
      stderr: 'xenherdctl: XH_ERR_NOT_FOUND: mail1 runs on no host\nxenherdctl: XH_ERR_NOT_FOUND: no domU matches nope (xenherdctl domains lists them all)\n',
    });
  });

  it('--json: one pattern keeps the answer it always had; several, the same object with "patterns" and "unmatched"', async () => {
    const c = await bed.start();
    await fleet(c);
    const ctl = ctlFor(c);
    const one = await ctl(['where', '--json', 'web01']);
    expect(one.code).toBe(0);
    const o = JSON.parse(one.stdout) as Record<string, unknown>;
    expect(Object.keys(o)).toEqual(['at', 'pattern', 'matches']);
    expect(o).toMatchObject({ pattern: 'web01', matches: [{ name: 'web01', stale: false }] });
    const several = await ctl(['where', '--json', 'web01', 'db1', 'web*', 'zz']);
    expect(several.code).toBe(1);
    expect(several.stderr).toBe('xenherdctl: XH_ERR_NOT_FOUND: no domU matches zz (xenherdctl domains lists them all)\n');
    const s = JSON.parse(several.stdout) as { at: number; patterns: string[]; matches: Array<{ name: string; stale: boolean; places: Array<{ host: string }> }>; unmatched: string[] };
    expect(Object.keys(s)).toEqual(['at', 'patterns', 'matches', 'unmatched']);
    expect(s.patterns).toEqual(['web01', 'db1', 'web*', 'zz']);
    expect(s.matches.map((m) => [m.name, m.places.map((p) => p.host), m.stale])).toEqual([
      ['web01', ['xen2'], false],
      ['db1', ['xen1'], false],
      ['web02', ['xen2'], false],
    ]);
    expect(s.unmatched).toEqual(['zz']);
  });

  it('every pattern is checked before asking: one bad pattern among good ones is a usage error (64)', async () => {
    const r = await ctlFor(null)(['where', 'web01', 'web 1'], { XENHERD_URL: 'http://127.0.0.1:1', XENHERD_TOKEN: `xh1.000000000000.${'a'.repeat(43)}` });
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/^xenherdctl: XH_ERR_USAGE: "web 1" is not a pattern: character 4/);
  });

  it('ssh still takes one name: the words after it are the remote command', async () => {
    const c = await bed.start();
    await fleet(c);
    const ctl = ctlFor(c);
    expect((await ctl(['ssh', 'web01', 'db1'])).code).toBe(0);
    expect(ctl.sshCalls).toEqual([['root@xen2', 'db1']]);
  });
});
