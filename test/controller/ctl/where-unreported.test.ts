import { describe, expect, it } from 'vitest';
import { dom, hostState } from '../states.js';
import { controllerBed, metricsText, type TestController } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

const bed = controllerBed();

/** xen1 reports (web01 running, web1 homed and running nowhere); db1 is enrolled and never connects (powered off). */
async function fleetWithDeadDom0(): Promise<TestController> {
  const c = await bed.start({}, {}, { enrolled: true });
  await c.enroll('db1');
  const xen1 = await c.agent('xen1');
  xen1.hello();
  xen1.snapshot(hostState({ domains: [dom('web01', { state: 'running' })], homes: [{ name: 'web1', peer: 'db1', source: 'migrate-tab' }] }));
  await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen1' && h.reported), 'xen1 reported', { limitMs: 10_000 });
  return c;
}

describe('xenherdctl and an enrolled Dom0 not heard from since the controller started', () => {
  it('hosts lists it, and says since when the controller has not heard from it', async () => {
    const c = await fleetWithDeadDom0();
    const r = await ctlFor(c)(['hosts']);
    expect(r.code).toBe(0);
    // its maintenance state lives on its agent: unknown, not "online", until it reports; the
    // controller just started, so within its start-up grace it is not reported yet, as check says
    expect(r.stdout).toMatch(/^db1 +not reported yet +never +unknown /m);
    expect(r.stdout).toMatch(/^xen1 +reachable +[\d.]+ s ago +online /m);
    expect(r.stdout).toMatch(/^db1: enrolled, not heard from since the controller started at \d\d:\d\d \(\d+\.\d s ago\)$/m);
  });

  it('domains lists what the others report and warns that its domains are missing; --json names it', async () => {
    const c = await fleetWithDeadDom0();
    const ctl = ctlFor(c);
    const r = await ctl(['domains']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^xen1 +web01 +running /m);
    expect(r.stderr).toBe('xenherdctl: warning: db1 has not reported since the controller started: what runs there is missing from this answer\n');
    expect(JSON.parse((await ctl(['domains', '--json'])).stdout)).toMatchObject({ unreported: ['db1'] });
    // one host asked for: nothing missing from that answer
    expect((await ctl(['domains', '--host', 'xen1'])).stderr).toBe('');
  });

  it('/metrics counts it under maintenance state unknown, not online', async () => {
    const c = await fleetWithDeadDom0();
    const token = await c.operator('prom', 'read');
    const body = await metricsText(c, token);
    expect(body).toMatch(/^xenherd_hosts_by_maintenance_state\{state="online"\} 1$/m);
    expect(body).toMatch(/^xenherd_hosts_by_maintenance_state\{state="unknown"\} 1$/m);
  });

  it('where NAME running nowhere is STALE, naming the silent enrolled host; -q says so on stderr', async () => {
    const c = await fleetWithDeadDom0();
    const r = await ctlFor(c)(['where', 'web1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^web1 {2}- {2}not running {2}home xen1 {2}as of \d+\.\d s, STALE \(it may run on db1: enrolled, not heard from since the controller started at \d\d:\d\d \(\d+\.\d s ago\)\)\n$/);
    // right after the controller started (its start-up grace): not known yet, 76, not "not found" (1)
    const q = await ctlFor(c)(['where', '-q', 'web1']);
    expect([q.code, q.stdout]).toEqual([76, '']);
    expect(q.stderr).toMatch(/^xenherdctl: XH_ERR_AGENT_UNREACHABLE: web1 runs on no Dom0 heard so far: not known yet, 1 of 2 enrolled Dom0s not reported yet since the controller started \d+ s ago \(db1\), and it may run it: try again\n$/);
    // xenherdctl ssh, which asks the same, likewise
    const ssh = ctlFor(c);
    expect((await ssh(['ssh', 'web1', 'uptime'])).code).toBe(76);
    expect(ssh.sshCalls).toEqual([]);
  });

  it('a glob warns that the answer is missing what runs on it; a name found nowhere says so too', async () => {
    const c = await fleetWithDeadDom0();
    const g = await ctlFor(c)(['where', 'web*']);
    expect(g.code).toBe(0);
    expect(g.stderr).toBe('xenherdctl: warning: db1 has not reported since the controller started: what runs there is missing from this answer\n');
    const none = await ctlFor(c)(['where', 'db01']);
    expect(none.code).toBe(76);
    expect(none.stderr).toMatch(/^xenherdctl: XH_ERR_AGENT_UNREACHABLE: no domU matches db01 on the Dom0s heard so far: not known yet, 1 of 2 enrolled Dom0s not reported yet since the controller started \d+ s ago \(db1\), and it may run it: try again\n$/);
    // a name a spelling hint explains is not found as ever (1), the missing Dom0 noted
    const typo = await ctlFor(c)(['where', 'WEB01']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/no domU matches WEB01.*; db1 has not reported since the controller started/);
  });

  it('a domU found running on a host heard from is answered as before, with no warning', async () => {
    const c = await fleetWithDeadDom0();
    const r = await ctlFor(c)(['where', 'web01']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).not.toMatch(/STALE/);
  });
});
