import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ThisBoot } from '../../agent/run/boot-record.js';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS, type CheckAnswer } from '../../shared/protocol/ctl-check.js';
import { TEST_TIMERS } from '../harness/agent-on-sim.js';
import { creates, runsOn, startFleet, type Fleet } from '../harness/fleet.js';
import { pairFleet } from '../harness/pair-fleet.js';

// An agent restarted within a boot whose record of what autostart handled since boot was lost (a
// full disk truncated it) while an operator had stopped web1: it starts web1 no more on its own,
// `xenherdctl check` and `autostart status` say why and the ways on, and each way on clears it.
// Real agent cores and a controller core in this process, on the simulator's clock.

const FLEET = pairFleet({ optionLine: false, migrateTab: [], running: 'no' });

let fleet: Fleet | undefined;
afterEach(async () => fleet?.stop());

const check = (f: Fleet): CheckAnswer => CheckAnswerSchema.parse(f.controller?.core.monitor.check(DEFAULT_CHECK_THRESHOLDS));
const web1Line = (f: Fleet) => check(f).details.find((d) => d.subject === 'web1');
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

/** What xen1's defer of web1 says, in `check` and in `autostart status` alike, WHY being the record's loss. */
const deferWords = (why: string): string =>
  `what autostart handled since this Dom0 booted is not known (${why}), so it cannot tell whether an operator stopped web1 this boot or it went down, ` +
  'and does not start it on its own (`xenherd-agent autostart status` says how to have it start every guarded domU not running): ' +
  'if it should run, `xenherd-agent autostart start --force web1 --reason TEXT`; if it was stopped on purpose, move its config out of the guarded dir of each Dom0 guarding it, then `xenherd-agent autostart reload` there, and this clears';

describe('a Dom0 whose boot record was lost this boot', () => {
  it('defers web1 (boot-record-lost), check WARNS naming the ways on, and the operator\'s --force starts it', async () => {
    const { f, record } = await lostOnXen1();
    expect(f.agent('xen1').logs.find((l) => l.level === 50 && l.msg.includes(record))?.msg).toContain(`it is kept as ${record}.unreadable`);

    await f.advance(5 * 60_000);
    expect(creates(f.sim, 'xen1', 'web1')).toBe(1);
    const why = `${record} could not be read, kept as ${record}.unreadable`;
    expect(web1Line(f)).toEqual({ status: 'WARNING', kind: 'start-deferred', subject: 'web1', text: `web1: not running anywhere, its start deferred on xen1 for 5 min (boot-record-lost: ${deferWords(why)})` });

    // `autostart status` says it for web1 in the same words, and for the whole Dom0 with the way to have every one started
    expect((await statusOfXen1(f))?.guarded.find((g) => g.name === 'web1')?.detail).toBe(deferWords(why));
    expect(await warnings(f)).toContainEqual(
      `autostart starts no guarded domU on its own: what it handled this boot is not known (${why}), so a domU an operator stopped cannot be told from one that went down; ` +
        'each not running is deferred as boot-record-lost, which `xenherdctl check` calls CRITICAL once deferred past its --crit-deferred: ' +
        '`xenherd-agent autostart start --force NAME --reason TEXT` starts one that should run; one stopped on purpose: move its config out of the guarded dir of each Dom0 guarding it, then `xenherd-agent autostart reload` there; ' +
        `to have autostart start every guarded domU not running instead: mend ${record}.unreadable (a {"handled":[…]} record naming the domUs handled this boot) or move it out of its dir, then \`xenherd-agent autostart reload\`, which reads it again; else this holds until the next boot`,
    );

    // the way out the line names
    const forced = await f.agent('xen1').control({ op: 'force', name: 'web1', reason: 'checked: web1 should run', operator: 'alice' });
    expect(forced.ok).toBe(true);
    await f.until(() => runsOn(f.sim, 'web1').length === 1, 'web1 started by the operator');
    expect(runsOn(f.sim, 'web1')).toEqual(['xen1']);
  });

  it('CRITICAL past --crit-deferred, as autostart status warns; stopped on purpose, its config moved out of the guarded dir and reloaded clears it', async () => {
    const { f } = await lostOnXen1();
    await f.advance(DEFAULT_CHECK_THRESHOLDS.critDeferredMs);
    expect(web1Line(f)).toMatchObject({ status: 'CRITICAL', kind: 'start-deferred' });
    expect(web1Line(f)?.text).toContain('if it was stopped on purpose, move its config out of the guarded dir of each Dom0 guarding it, then `xenherd-agent autostart reload` there, and this clears');
    expect((await warnings(f)).join('\n')).toContain('which `xenherdctl check` calls CRITICAL once deferred past its --crit-deferred');
    // xen1 alone guards web1 here
    const dir = join(f.sim.hostRoot('xen1'), 'etc/xen');
    renameSync(join(dir, 'drbd-auto/web1.cfg'), join(dir, 'web1.cfg'));
    expect(await f.agent('xen1').control({ op: 'reload' })).toMatchObject({ ok: true });
    await f.until(() => web1Line(f) === undefined, 'no line of web1 once no Dom0 guards it');
    expect(runsOn(f.sim, 'web1')).toEqual([]);
  });

  it('the record\'s copy moved out of its dir: the reload the words name reads it again, the loss ends, and autostart starts web1', async () => {
    const { f, record } = await lostOnXen1();
    renameSync(`${record}.unreadable`, join(f.sim.hostRoot('xen1'), 'autostart-boot.json.unreadable'));
    expect(await f.agent('xen1').control({ op: 'reload' })).toMatchObject({ ok: true, message: 're-read this host and decided every guarded domU again' });
    expect(f.agent('xen1').logs.find((l) => l.msg.startsWith(`${record}.unreadable is gone`))?.msg).toBe(`${record}.unreadable is gone: autostart starts guarded domUs on its own again`);
    await f.until(() => runsOn(f.sim, 'web1').length === 1, 'web1 started by autostart', 60_000);
    expect(await warnings(f)).not.toContainEqual(expect.stringContaining('boot-record-lost'));
    await f.until(() => web1Line(f) === undefined, 'check has no line of web1');
  });

  it('the record\'s copy mended by hand: the reload takes web1 as handled (started nothing), keeps it in the record, and removes the copy, so a restart finds no loss', async () => {
    const { f, boot, record } = await lostOnXen1();
    writeFileSync(`${record}.unreadable`, '{"handled": ["web1"]}');
    expect(await f.agent('xen1').control({ op: 'reload' })).toMatchObject({ ok: true });
    await f.until(async () => (await statusOfXen1(f))?.guarded.find((g) => g.name === 'web1')?.reason === 'handled-this-boot', 'web1 skipped as handled this boot');
    expect(readFileSync(record, 'utf8')).toContain('"web1"');
    expect(existsSync(`${record}.unreadable`)).toBe(false);
    expect(await warnings(f)).not.toContainEqual(expect.stringContaining('boot-record-lost'));
    // an agent restarted within the boot reads the record as kept, and still starts web1 no more
    f.crash('xen1');
    f.startAgent('xen1', TEST_TIMERS, undefined, undefined, boot);
    const again = await f.log('xen1', (l) => l.domu === 'web1' && typeof l.decision === 'string', 'xen1 decides web1 after the restart');
    expect({ decision: again.decision, reason: again.reason }).toEqual({ decision: 'skip', reason: 'handled-this-boot' });
    await f.advance(60_000);
    expect(creates(f.sim, 'xen1', 'web1')).toBe(1);
  });

  it('a copy still unreadable at the reload: the loss stays, and the reload, the journal and autostart status say why', async () => {
    const { f, record } = await lostOnXen1();
    writeFileSync(`${record}.unreadable`, '{"handled": ["web1",]}');
    const answer = await f.agent('xen1').control({ op: 'reload' });
    const why = `${record}.unreadable read again at a reload, and it still cannot be read: ${record}.unreadable: not JSON`;
    expect(answer.ok && answer.message).toContain(`autostart still starts no guarded domU on its own: what it handled this boot is not known (${why}`);
    expect(f.agent('xen1').logs.find((l) => l.level === 50 && l.msg.startsWith(`${record}.unreadable read again at the reload, and it still cannot be read`))).toBeDefined();
    expect((await warnings(f)).join('\n')).toContain(why);
    expect((await statusOfXen1(f))?.guarded.find((g) => g.name === 'web1')?.reason).toBe('boot-record-lost');
    await f.advance(60_000);
    expect(creates(f.sim, 'xen1', 'web1')).toBe(1);
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
    expect(journal()).toContain(`once ${record} is mended (a {"handled":[…]} record naming the domUs handled this boot) or moved out of ${join(record, '..')}, \`xenherd-agent autostart reload\` reads it again`);
    expect(readFileSync(record, 'utf8')).toBe('{"handled": ["we');
    expect(await warnings(f)).toContainEqual(expect.stringContaining(`(${why}), so a domU an operator stopped cannot be told from one that went down`));
    expect(await warnings(f)).toContainEqual(expect.stringContaining(`mend ${record} (a {"handled":[…]} record naming the domUs handled this boot) or move it out of its dir, then \`xenherd-agent autostart reload\``));
    f.crash('xen1');
    f.startAgent('xen1', TEST_TIMERS, undefined, undefined, boot);
    const again = await f.log('xen1', (l) => l.domu === 'web1' && typeof l.decision === 'string', 'xen1 decides web1 once more');
    expect({ decision: again.decision, reason: again.reason }).toEqual({ decision: 'defer', reason: 'boot-record-lost' });
    expect(await warnings(f)).toContainEqual(expect.stringContaining(`(${why})`));
    expect(creates(f.sim, 'xen1', 'web1')).toBe(1);
  });
});
