import { describe, expect, it } from 'vitest';
import { classifyDrbdStderr } from '../../../agent/parse/drbd-tool-error.js';
import { readFixture } from '../../fixture.js';

describe('classifyDrbdStderr', () => {
  it.each([
    ['not-in-config.txt', 'not-in-config'],
    ['9-status-not-up.txt', 'not-up'],
    ['84-minor-not-allocated.txt', 'not-up'],
    ['84-json-unsupported.txt', 'json-unsupported'],
  ])('%s → %s', (f, kind) => {
    expect(classifyDrbdStderr(readFixture(`drbd/stderr/${f}`).body)).toBe(kind);
  });
  it.each([
    ['83-could-not-stat-proc-drbd.txt', 'module-missing'],
    ['84-could-not-stat-proc-drbd.txt', 'module-missing'],
    ['9-no-genl-family.txt', 'netlink-unavailable'],
    ['84-device-held-open.txt', 'device-in-use'],
    ['9-device-held-open-openers.txt', 'device-in-use'],
    ['9-multiple-primaries.txt', 'two-primaries-refused'],
    ['83-need-uptodate-data.txt', 'no-uptodate-data'],
    ['83-multiple-primaries.txt', 'two-primaries-refused'],
  ])('captures the classifier had not seen: %s → %s', (f, kind) => {
    expect(classifyDrbdStderr(readFixture(`drbd/stderr/${f}`).body)).toBe(kind);
  });
  it("8.3's drbdadm, and a v9 state change of a resource that is down", () => {
    expect(classifyDrbdStderr("'r9' not defined in your config.\n")).toBe('not-in-config');
    expect(classifyDrbdStderr("r0: Failure: (158) Unknown resource\nCommand 'drbdsetup secondary r0' terminated with exit code 10\n")).toBe('not-up');
    expect(classifyDrbdStderr("'r9' not defined in your config, sorry.\n")).toBeNull();
  });
  it('state change refusals from the tools\' string table (drbd_strings.c), each with its kind', () => {
    expect(classifyDrbdStderr('r0: State change failed: (-2) Need access to UpToDate data\n')).toBe('no-uptodate-data');
    expect(classifyDrbdStderr('r0: State change failed: (-10) State change was refused by peer node\n')).toBe('refused-by-peer');
    expect(classifyDrbdStderr('r0: State change failed: (-7) Refusing to be Primary while peer is not outdated\n')).toBe('peer-not-outdated');
    expect(classifyDrbdStderr('r0: State change failed: (-19) Concurrent state changes detected and aborted\n')).toBe('state-change-failed');
    expect(classifyDrbdStderr('r0: State change failed: (-23) Timeout in operation\n')).toBe('state-change-failed');
    // the module-missing family: drbdsetup's stat() of /proc/drbd under any prefix, drbdadm's module-version check
    expect(classifyDrbdStderr('Could not stat /host/proc/drbd: No such file or directory\n')).toBe('module-missing');
    expect(classifyDrbdStderr('Could not get drbd-module-version, Module not loaded?\n')).toBe('module-missing');
  });
  it.each([
    ['02-unknown-names/dom0a.drbdadm-role-nosuch.stderr', 'not-in-config'],
    ['02-unknown-names/dom0a.drbdsetup-status-nosuch.stderr', 'not-up'],
    ['02-unknown-names/dom0a.drbdsetup-status-json.stderr', 'json-unsupported'],
    ['03-drbd-down-no-metadata/dom0a.drbdadm-role-r0.stderr', 'not-up'],
    ['03-drbd-down-no-metadata/dom0a.drbdadm-status-r0.stderr', 'not-up'],
    ['03-drbd-down-no-metadata/dom0a.drbdadm-dstate-r0.stderr', 'no-metadata'],
    ['21-split-brain-resolved/dom0b.drbdadm-disconnect-r0.stderr', 'no-such-connection'],
  ])('real DRBD 8.4.11: %s → %s', (f, kind) => {
    expect(classifyDrbdStderr(readFixture(`real-xen-4.17/${f}`).body)).toBe(kind);
  });
  it('other forms from the source', () => {
    expect(classifyDrbdStderr("drbdsetup: unrecognized option '--json'\n")).toBe('json-unsupported');
    expect(classifyDrbdStderr('r0: Unknown resource\n')).toBe('not-up');
    expect(classifyDrbdStderr('r0: No such connection\n')).toBe('no-such-connection');
    expect(classifyDrbdStderr('r0: No such device\n')).toBe('no-such-device');
    expect(classifyDrbdStderr('Failed to modprobe drbd (No such file or directory)\n')).toBe('module-missing');
    expect(classifyDrbdStderr('something else\n')).toBeNull();
    expect(classifyDrbdStderr('')).toBeNull();
  });
});
