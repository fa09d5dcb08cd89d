import { describe, expect, it } from 'vitest';
import { createDrbdAdapter } from '../../../agent/adapters/drbd.js';
import type { ToolOutput, ToolRunner } from '../../../agent/adapters/exec.js';
import type { ToolFailure } from '../../../agent/adapters/tool-failure.js';
import { classifyDrbdStderr } from '../../../agent/parse/drbd-tool-error.js';
import { err, ok, type Result } from '../../../shared/result.js';
import { readFixture } from '../../fixture.js';

/**
 * A DRBD 8.4 module with drbd-utils 8.9.2 to 9.0.x (Debian 9: 8.9.10): drbdadm hands commands to
 * drbdadm-84, which has no `status`; drbdsetup (drbdsetup-84) has it, with the same output.
 */
type Answer = { stdout?: string; stderr?: string; exitCode?: number };
const fx = (p: string) => readFixture(`drbd/${p}`).body;
const NO_STATUS = fx('stderr/84-drbdadm-no-status.txt');
// drbdsetup(8)'s 8.4 example: the text drbdsetup-84 prints, and drbdadm status where it has one
const CONNECTED = fx('status/84-doc-connected.txt');
const asResource = (name: string) => CONNECTED.replace('fs-backoffice', name);

function fakeRunner(answers: Record<string, Answer>) {
  const calls: string[] = [];
  const run: ToolRunner = async (tool, args): Promise<Result<ToolOutput, ToolFailure>> => {
    const line = [tool, ...args].join(' ');
    calls.push(line);
    const a = answers[line];
    if (a === undefined) throw new Error(`unexpected call ${line}`);
    const exitCode = a.exitCode ?? 0;
    const base = { tool, args: [...args], signal: null, exitCode, stdout: a.stdout ?? '', stderr: a.stderr ?? '' };
    if (exitCode !== 0) return err({ ...base, code: 'XH_ERR_TOOL_FAILED', message: `${line}: exit code ${exitCode}: ${a.stderr?.split('\n')[0] ?? ''}` });
    return ok({ stdout: base.stdout, stderr: base.stderr, exitCode });
  };
  return { run, calls };
}
const adapter = (answers: Record<string, Answer>) => {
  const { run, calls } = fakeRunner(answers);
  return { drbd: createDrbdAdapter({ run, readProcDrbd: async () => ok(null) }), calls };
};

describe('drbdadm without `status` (DRBD 8.4, drbd-utils before 9.1)', () => {
  it('reads with drbdsetup status instead, to the same view drbdadm status would give', async () => {
    const old = adapter({ 'drbdadm status r0': { stderr: NO_STATUS, exitCode: 1 }, 'drbdsetup status r0': { stdout: asResource('r0') } });
    const modern = adapter({ 'drbdadm status r0': { stdout: asResource('r0') } });
    const viaDrbdsetup = await old.drbd.readResource('r0');
    expect(viaDrbdsetup).toEqual(await modern.drbd.readResource('r0'));
    expect(viaDrbdsetup).toEqual({
      ok: true,
      value: {
        name: 'r0',
        up: true,
        role: 'Primary',
        peerRole: 'Secondary',
        connection: 'Connected',
        disk: 'UpToDate',
        peerDisk: 'UpToDate',
        peers: [{ name: 'peer', role: 'Secondary', connection: 'Connected', disk: 'UpToDate', replication: 'Established', syncedPercent: null }],
      },
    });
    expect(old.calls).toEqual(['drbdadm status r0', 'drbdsetup status r0']);
  });

  it('remembers: later reads go straight to drbdsetup, for every resource and for status()', async () => {
    const { drbd, calls } = adapter({
      'drbdadm status r0': { stderr: NO_STATUS, exitCode: 1 },
      'drbdsetup status r0': { stdout: asResource('r0') },
      'drbdsetup status r1': { stdout: asResource('r1') },
      'drbdsetup status down': { stderr: 'down: No such resource\n', exitCode: 10 },
    });
    const r = await drbd.readResources(['r0', 'r1', 'down']);
    expect(r.ok && r.value.map((v) => [v.name, v.up, v.role])).toEqual([['r0', true, 'Primary'], ['r1', true, 'Primary'], ['down', false, null]]);
    const again = await drbd.readResource('r0');
    expect(again.ok && again.value.role).toBe('Primary');
    const s = await drbd.status('r1');
    expect(s.ok && s.value.map((x) => x.name)).toEqual(['r1']);
    expect(calls).toEqual(['drbdadm status r0', 'drbdsetup status r0', 'drbdsetup status r1', 'drbdsetup status down', 'drbdsetup status r0', 'drbdsetup status r1']);
  });

  it("drbdadm-84 run under its own name says the same: the fallback's failures say why drbdsetup ran", async () => {
    const { drbd, calls } = adapter({
      'drbdadm status r0': { stderr: "drbdadm-84: Unknown command 'status'\n", exitCode: 1 },
      'drbdsetup status r0': { stderr: 'Could not connect to \'drbd\' generic netlink family\n', exitCode: 20 },
    });
    const r = await drbd.readResource('r0');
    if (r.ok || r.error.code !== 'XH_ERR_TOOL_FAILED') throw new Error('expected a tool failure');
    expect(r.error.tool).toBe('drbdsetup');
    expect(r.error.drbd).toBe('netlink-unavailable');
    expect(r.error.message).toContain('this drbdadm has no `status` (drbd-utils before 9.1 with DRBD 8.4): read with drbdsetup status');
    expect(calls).toEqual(['drbdadm status r0', 'drbdsetup status r0']);
  });

  it('any other drbdadm failure stays what it is: no drbdsetup, nothing remembered', async () => {
    const { drbd, calls } = adapter({
      'drbdadm status r9': { stderr: fx('stderr/not-in-config.txt'), exitCode: 1 },
      'drbdadm status r0': { stdout: asResource('r0') },
    });
    const r = await drbd.readResource('r9');
    expect(!r.ok && r.error.code === 'XH_ERR_TOOL_FAILED' && [r.error.tool, r.error.drbd]).toEqual(['drbdadm', 'not-in-config']);
    expect(!r.ok && r.error.message).not.toContain('drbdsetup');
    expect((await drbd.readResource('r0')).ok).toBe(true);
    expect(calls).toEqual(['drbdadm status r9', 'drbdadm status r0']);
  });

  it('classifies the stderr as its own kind, for `status` only', () => {
    expect(classifyDrbdStderr(NO_STATUS)).toBe('no-status-command');
    expect(classifyDrbdStderr("drbdadm-84: Unknown command 'status'\n")).toBe('no-status-command');
    expect(classifyDrbdStderr("drbdadm: Unknown command 'statuss'\n")).toBeNull();
    expect(classifyDrbdStderr("drbdadm: Unknown command 'status' here\n")).toBeNull();
  });
});
