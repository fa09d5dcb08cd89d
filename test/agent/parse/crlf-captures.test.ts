import { describe, expect, it } from 'vitest';
import { parseDrbdCstate, parseDrbdDstate, parseDrbdRole } from '../../../agent/parse/drbd-role.js';
import { parseDrbdStatus } from '../../../agent/parse/drbd-status.js';
import { classifyDrbdStderr } from '../../../agent/parse/drbd-tool-error.js';
import { parseDrbdadmVersion } from '../../../agent/parse/drbd-version.js';
import { parseEvents2, unknownEvents2Kind } from '../../../agent/parse/events2.js';
import { parseProcDrbd } from '../../../agent/parse/proc-drbd.js';
import { splitLines, withoutCr } from '../../../agent/parse/tool-lines.js';
import { parseXenstoreWatchLine } from '../../../agent/parse/xenstore-watch.js';
import { parseXlInfo, parseXmInfo } from '../../../agent/parse/xl-info.js';
import { parseXlList } from '../../../agent/parse/xl-list.js';
import { parseXmList } from '../../../agent/parse/xm-list.js';
import { listFixtures, readFixture } from '../../fixture.js';

// The tools print "\n" alone; a capture taken through a terminal (ssh -t, a serial console)
// carries "\r\n". Every parser of tool output reads such a capture as the tool printed it: a
// trailing CR is dropped by one helper (agent/parse/tool-lines.ts), never kept in a value.

const crlf = (text: string): string => text.replace(/\n/g, '\r\n');

const PARSERS: ReadonlyArray<readonly [string, (text: string) => unknown]> = [
  ['drbd/status/', parseDrbdStatus],
  ['drbd/role/', (t) => [parseDrbdRole(t), parseDrbdCstate(t), parseDrbdDstate(t)]],
  ['drbd/version/', parseDrbdadmVersion],
  ['drbd/proc/', parseProcDrbd],
  ['drbd/events2/', parseEvents2],
  ['drbd/stderr/', classifyDrbdStderr],
  ['xl/info-', parseXlInfo],
  ['xm/info-', parseXmInfo],
  ['xl/list-4', parseXlList],
  ['xm/list-', parseXmList],
];

describe('a capture with CRLF line ends reads as the same capture with LF', () => {
  const fixtures = [...listFixtures('drbd'), ...listFixtures('xl'), ...listFixtures('xm')].flatMap((f) => {
    const parse = PARSERS.find(([prefix]) => f.startsWith(prefix))?.[1];
    return parse === undefined || f.endsWith('.json') ? [] : [[f, parse] as const];
  });

  it('covers every kind of tool output listed', () => {
    for (const [prefix] of PARSERS) expect(fixtures.some(([f]) => f.startsWith(prefix)), prefix).toBe(true);
  });

  it.each(fixtures)('%s', (f, parse) => {
    const body = readFixture(f).body;
    expect(parse(crlf(body))).toEqual(parse(body));
  });

  it("drbdadm status: a verbose resource line's last value is not kept with its CR", () => {
    const r = parseDrbdStatus(crlf('r0 node-id:0 role:Primary suspended:no\n  volume:0 minor:0 disk:UpToDate\n'));
    expect(r).toMatchObject({ ok: true, value: [{ suspended: 'no', fields: { suspended: 'no' } }] });
  });

  it('one line at a time: events2 and xenstore-watch drop the CR as the whole-text parsers do', () => {
    expect(unknownEvents2Kind('exists future name:r0\r')).toBe('exists future');
    expect(parseXenstoreWatchLine('@releaseDomain\r', 1)).toEqual(parseXenstoreWatchLine('@releaseDomain', 1));
  });

  it('a CR inside a line is no line end: left for the parser to refuse', () => {
    expect(splitLines('a\r\nb\rc\r\n')).toEqual(['a', 'b\rc']);
    expect(withoutCr('x\r\r')).toBe('x\r');
    expect(parseDrbdRole('Primary\r/Secondary\n')).toMatchObject({ ok: false, error: { line: 1 } });
  });
});
