import { describe, expect, it } from 'vitest';
import { parseDomuConfig } from '../../../agent/parse/domu-config.js';
import { parseDrbdCstate, parseDrbdDstate, parseDrbdRole } from '../../../agent/parse/drbd-role.js';
import { parseDrbdStatusJson } from '../../../agent/parse/drbd-status-json.js';
import { parseDrbdStatus } from '../../../agent/parse/drbd-status.js';
import { classifyDrbdStderr } from '../../../agent/parse/drbd-tool-error.js';
import { parseDrbdadmVersion } from '../../../agent/parse/drbd-version.js';
import { parseEvents2 } from '../../../agent/parse/events2.js';
import { parseMigrateTab } from '../../../agent/parse/migrate-tab.js';
import { parseProcDrbd } from '../../../agent/parse/proc-drbd.js';
import { parseXenstoreWatchLine } from '../../../agent/parse/xenstore-watch.js';
import { parseXlInfo, parseXmInfo } from '../../../agent/parse/xl-info.js';
import { parseXlList } from '../../../agent/parse/xl-list.js';
import { classifyXlMigrate } from '../../../agent/parse/xl-migrate.js';
import { classifyToolstackStderr } from '../../../agent/parse/xl-stderr.js';
import { parseXmList } from '../../../agent/parse/xm-list.js';
import { classifyXmMigrate } from '../../../agent/parse/xm-migrate.js';
import { listFixtures, readFixture } from '../../fixture.js';

// Every parser must answer every input with a Result: never throw, never hang. Feed each one
// every fixture of every tool (a parser must also survive another tool's output), cut short at
// many points, plus hostile inputs.

const parsers: ReadonlyArray<readonly [string, (text: string) => { ok: boolean }]> = [
  ['xl list', parseXlList],
  ['xm list', parseXmList],
  ['xl info', parseXlInfo],
  ['xm info', parseXmInfo],
  ['drbdadm role', parseDrbdRole],
  ['drbdadm cstate', parseDrbdCstate],
  ['drbdadm dstate', parseDrbdDstate],
  ['drbdadm status', parseDrbdStatus],
  ['drbdsetup status --json', parseDrbdStatusJson],
  ['events2', parseEvents2],
  ['/proc/drbd', parseProcDrbd],
  ['drbdadm --version', parseDrbdadmVersion],
  ['migrate-tab', (t) => parseMigrateTab(t, 'migrate-tab.txt')],
  ['domU config (auto)', (t) => parseDomuConfig(t, 'x.cfg', { dialect: 'auto' })],
  ['domU config (xl)', (t) => parseDomuConfig(t, 'x.cfg', { dialect: 'xl' })],
  ['domU config (xm)', (t) => parseDomuConfig(t, 'x.cfg', { dialect: 'xm' })],
  ['xenstore-watch', (t) => parseXenstoreWatchLine(t.split('\n')[0] ?? '', 1)],
  ['classifiers', (t) => (classifyXlMigrate(t, 1), classifyXmMigrate(t, 0), classifyToolstackStderr(t), classifyDrbdStderr(t), { ok: true })],
];

const bodies = listFixtures('.')
  .filter((f) => !f.endsWith('.rc'))
  .map((f) => readFixture(f).body);

/** Prefixes of the text: at most ~40 cut points per fixture keeps this quadratic walk cheap. */
function* cuts(text: string): Generator<string> {
  const step = Math.max(7, Math.ceil(text.length / 40));
  for (let n = 0; n < text.length; n += step) yield text.slice(0, n);
  yield text;
}

const hostile = [
  ' '.repeat(200_000),
  'a '.repeat(100_000),
  `${'x'.repeat(100_000)} :`,
  `Name ID Mem VCPUs State Time(s)\n${' 1'.repeat(100_000)}`,
  ':'.repeat(100_000),
  '\u0000\uffff'.repeat(1000),
  '[['.repeat(10_000),
  `${'"'.repeat(5_000)}\n`.repeat(10),
  'exists resource name:r0 '.repeat(10_000),
];

describe.each(parsers)('%s parser', (_name, parse) => {
  it('answers every fixture of every tool, cut short anywhere, with a Result', () => {
    for (const body of bodies) for (const cut of cuts(body)) expect(typeof parse(cut).ok).toBe('boolean');
  });
  it('answers hostile input with a Result', () => {
    for (const h of hostile) expect(typeof parse(h).ok).toBe('boolean');
  });
});
