import { afterEach, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../harness/fleet.js';

// A domU's data/xenherd/since says when it came to run on this Dom0 (agent/core/xenstore-names.ts,
// decide/kept-since.ts): a real agent core on the simulator's Dom0, on its clock, restarted.

let f: Fleet | undefined;
afterEach(async () => f?.stop());

const FLEET = [
  'host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4',
  'host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4',
  ...[1, 2].map((i) => `domu web${i} mem=512 vcpus=1 home=xen1 running=xen1`),
  'domu web9 mem=512 vcpus=1 home=xen2 running=xen2',
].join('\n');

const domid = (fleet: Fleet, name: string): number => fleet.sim.state().domains.find((d) => d.host === 'xen1' && d.name === name)?.domid ?? -1;
const node = (fleet: Fleet, name: string, key: 'dom0' | 'since'): string | undefined => fleet.sim.state().xenstore['xen1']?.[`/local/domain/${domid(fleet, name)}/data/xenherd/${key}`];
const writeRuns = (fleet: Fleet, from: number): number => fleet.sim.commandLog.filter((c) => c.host === 'xen1' && c.tool === 'xenstore-write' && c.at >= from).length;
/** the read back of the areas by an agent started at FROM has answered */
const readBack = (fleet: Fleet, from: number): boolean => fleet.sim.commandLog.some((c) => c.host === 'xen1' && c.tool === 'xenstore-read' && c.at >= from && c.exitCode !== null && c.argv.some((a) => a.endsWith('/data/xenherd/dom0')));
const sinceLines = (fleet: Fleet) => fleet.agent('xen1').logs.filter((l) => typeof l.msg === 'string' && l.msg.includes('data/xenherd/since'));

async function namedOnce(): Promise<{ fleet: Fleet; first: string }> {
  const fleet = (f = await startFleet(FLEET));
  fleet.startAgent('xen1');
  await fleet.until(() => node(fleet, 'web1', 'since') !== undefined && node(fleet, 'web2', 'since') !== undefined, 'web1 and web2 named');
  return { fleet, first: node(fleet, 'web1', 'since') ?? '' };
}

/** the agent restarted 10 minutes on; resolves once what it read back is written or kept (the next list read's worth of time) */
async function restarted(fleet: Fleet): Promise<number> {
  await fleet.advance(600_000);
  fleet.crash('xen1');
  const at = fleet.sim.state().now;
  fleet.startAgent('xen1');
  await fleet.until(() => readBack(fleet, at), 'the areas read back');
  await fleet.advance(5_000);
  return at;
}

/** the xenstore runs of the naming's read back from FROM on */
const readBackRuns = (fleet: Fleet, from: number): string[] =>
  fleet.sim.commandLog.filter((c) => c.host === 'xen1' && c.at >= from && (c.tool === 'xenstore-list' || (c.tool === 'xenstore-read' && (c.argv[0] ?? '').includes('/data/xenherd/')))).map((c) => c.tool);

// Read straight away with xenstore-read, an area never named costs a run of its own (the tool stops
// at a missing node): a Dom0 whose domUs the agent had not named yet paid two runs a domU.
it('at READY the areas are read back in one xenstore-list when none is named, and a list and a read when named', async () => {
  const { fleet } = await namedOnce();
  expect(readBackRuns(fleet, 0)).toEqual(['xenstore-list']);
  const at = await restarted(fleet);
  expect(readBackRuns(fleet, at)).toEqual(['xenstore-list', 'xenstore-read']);
});

// A restart (systemctl restart, a package upgrade) wrote the restart's time into every domU's
// since: a guest saw it jump though nothing had moved.
it('an agent restart keeps each domU\'s since: nothing is written again', async () => {
  const { fleet, first } = await namedOnce();
  const at = await restarted(fleet);
  expect(node(fleet, 'web1', 'since')).toBe(first);
  expect(node(fleet, 'web2', 'since')).toBe(first);
  expect(writeRuns(fleet, at)).toBe(0);
  expect(sinceLines(fleet)).toEqual([]);
});

it('a since edited by hand into garbage is written anew at the restart, said once naming the domU and the value', async () => {
  const { fleet, first } = await namedOnce();
  expect((await fleet.sim.run('xen1', 'xenstore-write', [`/local/domain/${domid(fleet, 'web2')}/data/xenherd/since`, 'last tuesday'])).exitCode).toBe(0);
  const at = await restarted(fleet);
  expect(node(fleet, 'web1', 'since')).toBe(first);
  expect(node(fleet, 'web2', 'since')).toBe(new Date(at).toISOString());
  // 40: pino's warn
  expect(sinceLines(fleet).map((l) => [l.level, l.msg, l['domu']])).toEqual([
    [40, expect.stringMatching(/^web2's xenstore area \(domain \d+\) names this Dom0 but its data\/xenherd\/since cannot be kept: "last tuesday" is not a time as the agent writes it .*; written anew as /), 'web2'],
  ]);
});

it('a since later than now, or before the domain started, is written anew at the restart', async () => {
  const { fleet } = await namedOnce();
  const area = (name: string) => `/local/domain/${domid(fleet, name)}/data/xenherd/since`;
  expect((await fleet.sim.run('xen1', 'xenstore-write', [area('web1'), '2099-01-01T00:00:00.000Z', area('web2'), '2001-01-01T00:00:00.000Z'])).exitCode).toBe(0);
  const at = await restarted(fleet);
  expect(node(fleet, 'web1', 'since')).toBe(new Date(at).toISOString());
  expect(node(fleet, 'web2', 'since')).toBe(new Date(at).toISOString());
  expect(sinceLines(fleet).map((l) => l.msg)).toEqual([expect.stringContaining('is later than now'), expect.stringContaining('is before the domain started')]);
});

it('a since naming another Dom0 is written anew at the restart, without a word', async () => {
  const { fleet, first } = await namedOnce();
  expect((await fleet.sim.run('xen1', 'xenstore-write', [`/local/domain/${domid(fleet, 'web2')}/data/xenherd/dom0`, 'xen2'])).exitCode).toBe(0);
  const at = await restarted(fleet);
  expect(node(fleet, 'web1', 'since')).toBe(first);
  expect(node(fleet, 'web2', 'dom0')).toBe('xen1');
  expect(node(fleet, 'web2', 'since')).toBe(new Date(at).toISOString());
  expect(sinceLines(fleet)).toEqual([]);
});

it('a domU arriving by migration gets a since of its arrival, and keeps it through a restart', async () => {
  const { fleet, first } = await namedOnce();
  await fleet.advance(60_000);
  const m = fleet.sim.start('xen2', 'xl', ['migrate', 'web9', 'xen1']);
  await fleet.until(() => node(fleet, 'web9', 'since') !== undefined, 'web9 named on xen1');
  expect((await m.done).exitCode).toBe(0);
  const arrived = node(fleet, 'web9', 'since') ?? '';
  expect(Date.parse(arrived)).toBeGreaterThan(Date.parse(first));
  expect(node(fleet, 'web9', 'dom0')).toBe('xen1');
  await restarted(fleet);
  expect(node(fleet, 'web9', 'since')).toBe(arrived);
});

it('a read back that fails (xenstored stuck at the restart) is tried again on the schedule, never written over unread', async () => {
  const { fleet, first } = await namedOnce();
  await fleet.advance(600_000);
  fleet.crash('xen1');
  // the first read back hangs until the adapter's 5 s bound ends it
  fleet.sim.toolFault('xen1', 'xenstore-read', { kind: 'hang' }, { argvPrefix: [`/local/domain/${domid(fleet, 'web1')}/data/xenherd/dom0`], times: 1 });
  const at = fleet.sim.state().now;
  fleet.startAgent('xen1');
  const answered = () => fleet.sim.commandLog.filter((c) => c.host === 'xen1' && c.tool === 'xenstore-read' && c.at >= at && c.argv[0]?.endsWith('/data/xenherd/dom0'));
  await fleet.until(() => answered().length === 2 && answered().every((c) => c.exitCode !== null), 'a read back timed out, and one more', 60_000);
  await fleet.advance(5_000);
  expect(answered().map((c) => c.exitCode)).toEqual([137, 0]);
  expect(node(fleet, 'web1', 'since')).toBe(first);
  expect(writeRuns(fleet, at)).toBe(0);
});
