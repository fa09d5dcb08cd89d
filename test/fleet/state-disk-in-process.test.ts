import { afterEach, describe, expect, it } from 'vitest';
import { metricFamilies } from '../../controller/api/metric-families.js';
import { renderPrometheusText } from '../../controller/api/prometheus-text.js';
import { diskTroubleLines, hostsTable } from '../../controller/ctl/render-hosts.js';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS, type CheckAnswer } from '../../shared/protocol/ctl-check.js';
import { HostsAnswerSchema } from '../../shared/protocol/ctl-api.js';
import { STATE_DISK_EVERY_MS } from '../../agent/core/state-disks.js';
import { startFleet, type Fleet } from '../harness/fleet.js';
import { pairFleet } from '../harness/pair-fleet.js';

// A full, nearly full or read-only filesystem under an agent's state (the ledger, the boot record,
// the locks), on the simulator with real agent cores and a controller core in this process: the
// agent reads it on its own within a minute, and check, hosts and /metrics say it with no write
// of anyone's needed to find it.
const FLEET = pairFleet({ connectDelay: 300, drbd: '9' });

let fleet: Fleet | undefined;
afterEach(async () => fleet?.stop());

async function online(): Promise<Fleet> {
  const f = await startFleet(FLEET, { controller: true });
  fleet = f;
  for (const h of ['xen1', 'xen2']) f.startAgent(h);
  await f.until(() => core(f).hosts().hosts.filter((h) => h.reported && h.reachable).length === 2, 'both agents reporting');
  return f;
}

function core(f: Fleet) {
  const c = f.controller?.core;
  if (c === undefined) throw new Error('no controller');
  return c;
}
const check = (f: Fleet): CheckAnswer => CheckAnswerSchema.parse(core(f).monitor.check(DEFAULT_CHECK_THRESHOLDS));
const lines = (f: Fleet): string[] => check(f).details.map((d) => `${d.status}: ${d.text}`);
const metrics = (f: Fleet): string => renderPrometheusText(metricFamilies(core(f).monitor.metrics(), { memory: { resident: 1, heapTotal: 1, heapUsed: 1, external: 1, arrayBuffers: 1 }, eventLoopLagSeconds: 0, gcPauses: null }));

describe('a full disk under the agent state, on the monitoring page', () => {
  it('full: CRITICAL within a minute with no write asked for, naming the Dom0, the dir, the free space, what cannot be recorded and the fix', async () => {
    const f = await online();
    expect(check(f).status).toBe('OK');
    expect(metrics(f)).toContain('xenherd_host_state_dir_free_bytes{host="xen1",role="state",dir="/var/lib/xenherd"} 8589934592');
    f.sim.stateDisk('xen1', 'full');
    await f.until(() => check(f).status === 'CRITICAL', 'CRITICAL', STATE_DISK_EVERY_MS + 5_000, 1_000);
    expect(lines(f)).toEqual([
      expect.stringMatching(
        /^CRITICAL: xen1: its agent cannot write under \/var\/lib\/xenherd: no space left on the device \(0 B free of 16 GiB, 0\.0 %; a test write failed at \d{4}-\d\d-\d\d \d\d:\d\d UTC\): its migration ledger cannot record migrations or the homes of domUs \(a migrate or reverse there fails\), nor its maintenance flag change; on xen1, free space on the filesystem holding \/var\/lib\/xenherd \(df -h \/var\/lib\/xenherd; du -xsh \/var\/lib\/xenherd\)$/,
      ),
      expect.stringMatching(/^CRITICAL: xen1: its agent cannot write under \/run\/xenherd: no space left on the device .*: autostart cannot record the domUs it handled this boot .*; on xen1, free space on the filesystem holding \/run\/xenherd/),
    ]);
    expect(check(f).details[0]).toMatchObject({ kind: 'state-disk-failed', subject: 'xen1 /var/lib/xenherd' });
    expect(metrics(f)).toContain('xenherd_host_state_dir_free_bytes{host="xen1",role="state",dir="/var/lib/xenherd"} 0');
    expect(metrics(f)).toContain('xenherd_host_state_dir_write_failed{host="xen1",role="runtime",dir="/run/xenherd"} 1');
    // the agent's journal says it once, as an error
    expect(f.agent('xen1').logs.filter((l) => /^cannot write under \/var\/lib\/xenherd/.test(String(l.msg)))).toHaveLength(1);
    // hosts: in the host's STATE, and the line under the table
    const hosts = HostsAnswerSchema.parse(core(f).hosts());
    expect(hostsTable(hosts.hosts)).toMatch(/xen1 +reachable, cannot write records/);
    expect(diskTroubleLines(hosts.hosts)).toMatch(/^CRITICAL: xen1: its agent cannot write under \/var\/lib\/xenherd/);
    // room again: the next reading clears it
    f.sim.stateDisk('xen1', 'ok');
    await f.until(() => check(f).status === 'OK', 'OK again', STATE_DISK_EVERY_MS + 5_000, 1_000);
    expect(metrics(f)).toContain('xenherd_host_state_dir_write_failed{host="xen1",role="state",dir="/var/lib/xenherd"} 0');
  });

  it('an operator\'s own migrate whose ledger write failed: check names that write, not the agent\'s test write', async () => {
    const f = await online();
    f.sim.stateDisk('xen1', 'full');
    await f.until(() => check(f).status === 'CRITICAL', 'CRITICAL', STATE_DISK_EVERY_MS + 5_000, 1_000);
    expect(lines(f)[0]).toMatch(/; a test write failed at /);
    // what `xenherd-agent migrate` tells the running agent once its ledger write was refused (agent/migrate/context.ts)
    expect(await f.agent('xen1').control({ op: 'write-failed', role: 'state', what: "xenherd-agent migrate's write of the migration ledger" })).toMatchObject({ ok: true });
    await f.until(() => /xenherd-agent migrate's write/.test(lines(f)[0] ?? ''), 'the write named', 5_000, 100);
    expect(lines(f)[0]).toMatch(/^CRITICAL: xen1: its agent cannot write under \/var\/lib\/xenherd: no space left on the device \(0 B free of 16 GiB, 0\.0 %; xenherd-agent migrate's write of the migration ledger failed at \d{4}-\d\d-\d\d \d\d:\d\d UTC\): /);
    // the runtime dir's own failure is still its test write's
    expect(lines(f)[1]).toMatch(/; a test write failed at /);
    // the next minute's test write keeps the named write
    await f.advance(STATE_DISK_EVERY_MS + 1_000);
    expect(lines(f)[0]).toContain("xenherd-agent migrate's write of the migration ledger failed");
  });

  it('read-only: CRITICAL with the remount as the fix', async () => {
    const f = await online();
    f.sim.stateDisk('xen2', 'read-only');
    await f.until(() => check(f).status === 'CRITICAL', 'CRITICAL', STATE_DISK_EVERY_MS + 5_000, 1_000);
    expect(lines(f)[0]).toMatch(/^CRITICAL: xen2: its agent cannot write under \/var\/lib\/xenherd: the filesystem is read-only \(8\.0 GiB free of 16 GiB, 50 %; .*on xen2, find why the filesystem holding \/var\/lib\/xenherd went read-only \(dmesg\) and remount it read-write \(findmnt -T \/var\/lib\/xenherd\)$/);
  });

  it('nearly full while writes still land: a WARNING naming the free space and what is at stake', async () => {
    const f = await online();
    f.sim.stateDisk('xen1', 'low');
    await f.until(() => check(f).status === 'WARNING', 'WARNING', STATE_DISK_EVERY_MS + 5_000, 1_000);
    expect(lines(f)[0]).toBe(
      'WARNING: xen1: the filesystem holding /var/lib/xenherd is nearly full (20 MiB free of 16 GiB, 0.1 %): once it is, its migration ledger cannot record migrations or the homes of domUs (a migrate or reverse there fails), nor its maintenance flag change; on xen1, free space on the filesystem holding /var/lib/xenherd (df -h /var/lib/xenherd; du -xsh /var/lib/xenherd)',
    );
    expect(check(f).details.map((d) => d.kind)).toEqual(['state-disk-low', 'state-disk-low']);
    expect(hostsTable(HostsAnswerSchema.parse(core(f).hosts()).hosts)).toMatch(/xen1 +reachable, low on disk/);
  });
});
