import { describe, expect, it } from 'vitest';
import { parseDrbdStatus } from '../../../agent/parse/drbd-status.js';
import { parseDrbdStatusJson } from '../../../agent/parse/drbd-status-json.js';
import { parseDrbdadmVersion } from '../../../agent/parse/drbd-version.js';
import { parseProcDrbd } from '../../../agent/parse/proc-drbd.js';
import { parseXlInfo, parseXmInfo } from '../../../agent/parse/xl-info.js';
import { readFixture } from '../../fixture.js';

// No tool xenherd reads prints a key twice in one object. A repeat with another value is output
// that is not one answer of the tool: refused naming the key, never read as its last value. An
// identical repeat says nothing new and passes (a key/value text; JSON is refused either way).

const failure = <T>(r: { ok: true; value: T } | { ok: false; error: { line: number; expected: string; message: string } }) => {
  if (r.ok) throw new Error('expected a failure');
  return r.error;
};

describe('xl info and xm info', () => {
  const xl = readFixture('xl/info-4.17-gen-numa.txt').body;
  const lineCount = xl.split('\n').length - 1;

  it('total_memory twice with another value: refused naming it and the line of the second', () => {
    const e = failure(parseXlInfo(`${xl}total_memory           : 65536\n`));
    expect(e.line).toBe(lineCount + 1);
    expect(e.expected).toBe('each key once, "total_memory" repeats with another value ("32668", then "65536")');
    expect(e.message).toContain('total_memory');
  });

  it('the same key twice with the same value: read as once', () => {
    expect(parseXlInfo(`${xl}total_memory           : 32668\n`)).toEqual(parseXlInfo(xl));
  });

  it("xm's values continued on indented lines are compared whole", () => {
    const xm = readFixture('xm/info-gen-4.0-2node.txt').body;
    const again = 'node_to_cpu            : node0:0-3\n                         node1:4-7\n';
    expect(parseXmInfo(`${xm}${again}`)).toEqual(parseXmInfo(xm));
    const other = 'node_to_cpu            : node0:0-3\n                         node1:4-5\n';
    expect(failure(parseXmInfo(`${xm}${other}`)).expected).toBe('each key once, "node_to_cpu" repeats with another value ("node0:0-3\\nnode1:4-7", then "node0:0-3\\nnode1:4-5")');
  });
});

describe('the DRBD tools', () => {
  it('drbdadm --version: DRBDADM_VERSION twice', () => {
    const v = readFixture('drbd/version/9.22-no-module.txt').body;
    expect(failure(parseDrbdadmVersion(`${v}DRBDADM_VERSION=9.28.0\n`)).expected).toBe('each key once, "DRBDADM_VERSION" repeats with another value ("9.22.0", then "9.28.0")');
    expect(parseDrbdadmVersion(`${v}DRBDADM_VERSION=9.22.0\n`)).toEqual(parseDrbdadmVersion(v));
  });

  it('/proc/drbd: a counter twice on one line', () => {
    const p = readFixture('drbd/proc/84.10-connected-srcversion.txt').body;
    const e = failure(parseProcDrbd(p.replace('wo:f oos:0', 'wo:f oos:0 oos:4096')));
    expect(e).toMatchObject({ line: 5, expected: 'each key once, "oos" repeats with another value ("0", then "4096")' });
    expect(parseProcDrbd(p.replace('wo:f oos:0', 'wo:f oos:0 oos:0'))).toEqual(parseProcDrbd(p));
  });

  it('drbdadm status: one object, the same words as the others', () => {
    expect(failure(parseDrbdStatus('r0 role:Secondary\n  disk:UpToDate\n  xen2 role:Secondary role:Primary\n    peer-disk:UpToDate\n'))).toMatchObject({
      line: 3,
      expected: 'each key once, "role" repeats with another value ("Secondary", then "Primary")',
    });
  });

  it('drbdsetup status --json: a key twice in one object, whatever its values', () => {
    const j = readFixture('drbd/status-json/9.0.16-healthy.json').body;
    const twice = j.replace('"role": "Primary",', '"role": "Primary",\n  "role": "Secondary",');
    expect(failure(parseDrbdStatusJson(twice))).toMatchObject({ line: 6, expected: 'each key once in an object, "0.role" appears twice (lines 5 and 6)' });
  });
});
