import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Ledger } from '../../agent/state/ledger.js';
import type { CommandOutcome } from '../../shared/protocol/ctl-api.js';
import type { JobEvent } from '../../shared/protocol/ctl-jobs.js';
import { runsOn, type Fleet } from '../harness/fleet.js';
import { copyUnderWay, twoDom0sOnline, TWO_DOM0S } from './two-dom0s.js';

let f: Fleet;
const ledger = (host: string): Ledger => JSON.parse(readFileSync(join(f.sim.hostRoot(host), 'var/lib/xenherd/ledger.json'), 'utf8')) as Ledger;
afterEach(async () => f?.stop());

async function online(fleet = TWO_DOM0S): Promise<Fleet> {
  f = await twoDom0sOnline(fleet);
  return f;
}

const copying = (): Promise<void> => copyUnderWay(f);

function migrate(name: string): () => CommandOutcome | null {
  let outcome: CommandOutcome | null = null;
  f.controller!.core.command({ op: 'migrate', name, target: 'xen2' }, { name: 'op' }, { progress: () => undefined, done: (o) => void (outcome = o) });
  return () => outcome;
}

it('the replication link of r1 lost mid-copy: the migrate ends in an ALARM naming r1, the side that may lack writes, and what not to do', async () => {
  await online();
  const outcome = migrate('web1');
  await copying();
  f.sim.drbd('r1', 'disconnect');
  await f.until(() => outcome() !== null, 'migrate ended', 120_000);
  const o = outcome()!;
  expect(o).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN' });
  expect(o.message).toMatch(/^ALARM: web1 moved from xen1 to xen2 and runs on xen2, but the DRBD replication link of r1 was lost during the move/);
  expect(o.message).toMatch(/xen2's disk may lack writes web1 made on xen1 after \d\d:\d\d:\d\d UTC/);
  expect(o.message).toMatch(/Do not reconnect r1 with --discard-my-data on xen1 before checking which side has the newer data/);
  expect(o.message).toMatch(/xen1's ledger keeps it as unsettled until `xenherd-agent reconcile web1` on xen1/);
  // the move itself is done and recorded: it runs on xen2, xen1's ledger says it is away there, xen2 knows its visitor
  expect(f.sim.state().domains.filter((d) => d.name === 'web1').map((d) => d.host)).toEqual(['xen2']);
  const l1 = ledger('xen1');
  expect(l1.away['web1']?.currentHost).toBe('xen2');
  expect(l1.unsettled?.['web1']?.message).toMatch(/r1/);
  expect(ledger('xen2').visitors['web1']?.home).toBe('xen1');
});

it('with the link up throughout, the same migration is a plain success', async () => {
  await online();
  const outcome = migrate('web1');
  await f.until(() => outcome() !== null, 'migrate ended', 120_000);
  expect(outcome()).toMatchObject({ ok: true, code: null });
  expect(outcome()!.message).toMatch(/^web1 migrated from xen1 to xen2; xen2 confirmed it runs web1$/);
  expect(ledger('xen1').unsettled?.['web1']).toBeUndefined();
  expect(ledger('xen1').away['web1']?.currentHost).toBe('xen2');
});

it("a drain whose move loses r1's link mid-copy ends in that ALARM, not in a plain move", async () => {
  await online();
  const events: JobEvent[] = [];
  const started = f.controller!.core.hub.start({ kind: 'drain', host: 'xen1', maxParallel: 1, coldFallback: false, allowPartial: false, timeoutMs: null }, 'test', (e) => void events.push(e));
  expect(started.ok).toBe(true);
  await f.until(() => f.sim.state().migrations.some((m) => m.domain === 'web1'), 'web1 copying').then(() => f.advance(3_000));
  f.sim.drbd('r1', 'disconnect');
  await f.until(() => events.some((e) => e.type === 'end'), 'the drain ends', 600_000, 100);
  const end = events.find((e) => e.type === 'end');
  expect(end).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN' });
  const web1 = events.filter((e) => e.type === 'move' && e.name === 'web1' && e.phase !== 'progress').at(-1);
  expect(web1).toMatchObject({ phase: 'alarm' });
  expect(JSON.stringify(web1)).toMatch(/xen2's disk may lack writes web1 made on xen1 after \d\d:\d\d:\d\d UTC/);
  expect(runsOn(f.sim, 'web1')).toEqual(['xen2']);
  // the ending says where web1 runs and what holds it there, not that it remains on xen1
  const ending = end as Extract<JobEvent, { type: 'end' }>;
  expect(ending.remaining.map((l) => [l.name, l.host, l.blocker.kind])).toEqual([['web1', 'xen2', 'alarm']]);
  // xen1 runs nothing any more: it is in maintenance, the ALARM named as what is unsettled
  expect(ending.message).toMatch(/^xen1 is empty and in maintenance \(1 domU\(s\) moved\), but 1 domU\(s\) left xen1 under an unsettled ALARM: web1 runs on xen2, held by an ALARM xen1's ledger keeps \(xen1's agent: ALARM: web1 moved/);
  expect(ending.message).toMatch(/then run xenherd-agent reconcile web1 on xen1$/);
});

it('a reverse whose link is lost on the way home: the home, which ran the plan, ends in the ALARM (its disk may lack the writes)', async () => {
  await online();
  const away = migrate('web1');
  await f.until(() => away() !== null, 'web1 moved away', 120_000);
  expect(away()).toMatchObject({ ok: true });
  let back: CommandOutcome | null = null;
  f.controller!.core.command({ op: 'reverse', name: 'web1' }, { name: 'op' }, { progress: () => undefined, done: (o) => void (back = o) });
  await copying();
  f.sim.drbd('r1', 'disconnect');
  await f.until(() => back !== null, 'reverse ended', 120_000);
  const o = back as unknown as CommandOutcome;
  expect(o).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN' });
  expect(o.message).toMatch(/^ALARM: web1 moved from xen2 to xen1 and runs on xen1, .*xen1's disk may lack writes web1 made on xen2 after .*--discard-my-data on xen2/);
  expect(runsOn(f.sim, 'web1')).toEqual(['xen1']);
  expect(ledger('xen1').unsettled?.['web1']?.operation).toBe('reverse');
});

it('DRBD 8.4: a plain success with the link up, the ALARM with it cut mid-copy', async () => {
  const fleet84 = TWO_DOM0S.replaceAll('drbd=9', 'drbd=8.4');
  await online(fleet84);
  const first = migrate('web1');
  await f.until(() => first() !== null, 'web1 moved', 120_000);
  expect(first()).toMatchObject({ ok: true, message: 'web1 migrated from xen1 to xen2; xen2 confirmed it runs web1' });
  await f.stop();
  await online(fleet84);
  const second = migrate('web1');
  await copying();
  f.sim.drbd('r1', 'disconnect');
  await f.until(() => second() !== null, 'migrate ended', 120_000);
  expect(second()).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN' });
  expect(second()!.message).toMatch(/r1 on xen1 last seen Connected, UpToDate on both, at \d\d:\d\d:\d\d UTC, seen \w+ \(disk UpToDate, peer DUnknown\)/);
});
