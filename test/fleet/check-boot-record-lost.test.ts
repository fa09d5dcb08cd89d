import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ThisBoot } from '../../agent/run/boot-record.js';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS } from '../../shared/protocol/ctl-check.js';
import { TEST_TIMERS } from '../harness/agent-on-sim.js';
import { creates, runsOn, startFleet, type Fleet } from '../harness/fleet.js';

// An agent restarted within a boot whose record of what autostart handled since boot was lost (a
// full disk truncated it) while an operator had stopped web1: it starts web1 no more on its own,
// `xenherdctl check` says why and what to do, and the operator's --force starts it. Real agent
// cores and a controller core in this process, on the simulator's clock.

const FLEET = `
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=no
`;

let fleet: Fleet | undefined;
afterEach(async () => fleet?.stop());

const statusOfXen1 = async (f: Fleet) => {
  const status = await f.agent('xen1').control({ op: 'status' });
  return status.ok ? status.status : undefined;
};
const warnings = async (f: Fleet): Promise<readonly string[]> => (await statusOfXen1(f))?.warnings ?? [];

interface Lost {
  readonly f: Fleet;
  readonly boot: ThisBoot;
  /** xen1's autostart-boot.json */
  readonly record: string;
}

/**
 * web1 started by xen1 at boot and stopped by the operator; xen1's agent then restarted within the
 * boot with its record truncated (BEFORE_RESTART runs first), and deciding web1 again.
 */
async function lostOnXen1(beforeRestart: (record: string) => void = () => undefined): Promise<Lost> {
  const f = (fleet = await startFleet(FLEET, { controller: true }));
  const boot = { bootId: f.sim.bootId('xen1'), emptiedByBoot: true, startedAtMs: null };
  f.startAgent('xen1', TEST_TIMERS, undefined, undefined, boot);
  f.startAgent('xen2');
  await f.log('xen1', (l) => l.msg === 'started web1', 'xen1 starts web1 at boot', 60_000);
  // the operator stops web1, and the agent records it as handled this boot
  const destroyed = f.sim.run('xen1', 'xl', ['destroy', 'web1']);
  await f.until(() => runsOn(f.sim, 'web1').length === 0, 'web1 stopped');
  expect((await destroyed).exitCode).toBe(0);
  await f.log('xen1', (l) => l.domu === 'web1' && l.reason === 'handled-this-boot', 'xen1 leaves web1 alone');
  // the agent restarts within the boot, its record truncated meanwhile
  f.crash('xen1');
  const record = join(f.sim.hostRoot('xen1'), 'run', 'xenherd', 'autostart-boot.json');
  writeFileSync(record, '{"handled": ["we');
  beforeRestart(record);
  f.startAgent('xen1', TEST_TIMERS, undefined, undefined, boot);
  const decided = await f.log('xen1', (l) => l.domu === 'web1' && typeof l.decision === 'string', 'xen1 decides web1 again');
  expect({ decision: decided.decision, reason: decided.reason }).toEqual({ decision: 'defer', reason: 'boot-record-lost' });
  return { f, boot, record };
}

describe('a Dom0 whose boot record was lost this boot', () => {
  it('defers web1 (boot-record-lost), check WARNS naming the way out, and the operator\'s --force starts it', async () => {
    const { f, record } = await lostOnXen1();
    expect(f.agent('xen1').logs.find((l) => l.level === 50 && l.msg.includes(record))?.msg).toContain(`it is kept as ${record}.unreadable`);

    await f.advance(5 * 60_000);
    expect(creates(f.sim, 'xen1', 'web1')).toBe(1);
    const details = CheckAnswerSchema.parse(f.controller?.core.monitor.check(DEFAULT_CHECK_THRESHOLDS)).details;
    const line = details.find((d) => d.subject === 'web1');
    expect(line).toMatchObject({ status: 'WARNING', kind: 'start-deferred' });
    expect(line?.text).toMatch(/^web1: not running anywhere, its start deferred on xen1 for 5 min \(boot-record-lost: what autostart handled since this Dom0 booted is not known \(\S+autostart-boot\.json could not be read, kept as \S+autostart-boot\.json\.unreadable\): web1 may be a domU an operator stopped this boot, so autostart does not start it on its own until the next boot; if it should run: xenherd-agent autostart start --force web1 --reason TEXT\)$/);

    // `autostart status` says it for the whole Dom0 too
    expect(await warnings(f)).toContainEqual(expect.stringMatching(/^autostart starts no guarded domU on its own until the next boot: .*autostart-boot\.json could not be read, kept as .*xenherd-agent autostart start --force NAME --reason TEXT starts one$/));

    // the way out the line names
    const forced = await f.agent('xen1').control({ op: 'force', name: 'web1', reason: 'checked: web1 should run', operator: 'alice' });
    expect(forced.ok).toBe(true);
    await f.until(() => runsOn(f.sim, 'web1').length === 1, 'web1 started by the operator');
    expect(runsOn(f.sim, 'web1')).toEqual(['xen1']);
  });

  it('a record that cannot be set aside: the journal and autostart status say why, it is not written over, and the next start says so again', async () => {
    // rename(2) will not put a file over a directory: EISDIR, as EROFS or EACCES would refuse it
    const taken = (record: string): void => {
      mkdirSync(join(`${record}.unreadable`, 'kept'), { recursive: true });
    };
    const { f, boot, record } = await lostOnXen1(taken);
    const why = `${record} could not be read, nor set aside as ${record}.unreadable (EISDIR)`;
    const journal = (): string | undefined => f.agent('xen1').logs.find((l) => l.level === 50 && l.msg.includes(record))?.msg;
    expect(journal()).toContain(`it could not be set aside as ${record}.unreadable (EISDIR), so it is left as it is, not written over`);
    expect(journal()).toContain(`move ${record} out of ${join(record, '..')} and restart the agent`);
    expect(readFileSync(record, 'utf8')).toBe('{"handled": ["we');
    expect(await warnings(f)).toContainEqual(expect.stringContaining(`(${why})`));
    f.crash('xen1');
    f.startAgent('xen1', TEST_TIMERS, undefined, undefined, boot);
    const again = await f.log('xen1', (l) => l.domu === 'web1' && typeof l.decision === 'string', 'xen1 decides web1 once more');
    expect({ decision: again.decision, reason: again.reason }).toEqual({ decision: 'defer', reason: 'boot-record-lost' });
    expect(await warnings(f)).toContainEqual(expect.stringContaining(`(${why})`));
    expect(creates(f.sim, 'xen1', 'web1')).toBe(1);
  });
});
