import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrbdAdapter } from '../../../agent/adapters/drbd.js';
import { runTool, type ToolRunner } from '../../../agent/adapters/exec.js';
import { ok } from '../../../shared/result.js';
import { readFixture } from '../../fixture.js';

/**
 * Real child processes: fake drbdadm/drbdsetup shell scripts first on PATH print verbatim
 * fixtures (stdout, stderr, exit code) through the real runTool.
 */
let dir = '';
let run: ToolRunner;

const script = (name: string, cases: string): void => {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\ncase "$*" in\n${cases}\n*) echo "unexpected: $*" >&2; exit 99;;\nesac\n`);
  chmodSync(p, 0o755);
};
const file = (name: string, fixture: string): string => {
  const p = join(dir, name);
  writeFileSync(p, readFixture(fixture).body);
  return p;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'xenherd-drbd-'));
  const status84 = file('status84.txt', 'drbd/status/84-doc-connected.txt');
  const notUp = file('notup.txt', 'drbd/stderr/9-status-not-up.txt');
  const noJson = file('nojson.txt', 'drbd/stderr/84-json-unsupported.txt');
  const version = file('version.txt', 'drbd/version/9.15-kernel-84.txt');
  const role = file('role.txt', 'drbd/role/84-secondary-unknown.txt');
  script(
    'drbdadm',
    [
      `'--version') cat '${version}';;`,
      `'role fs-backoffice') cat '${role}';;`,
      `'status fs-backoffice') cat '${status84}';;`,
      `'status r0') cat '${notUp}' >&2; exit 10;;`,
      `'status slow') exec sleep 5;;`,
    ].join('\n'),
  );
  script('drbdsetup', `'status --json all') cat '${noJson}' >&2; exit 20;;`);
  const path = `${dir}:${process.env['PATH'] ?? ''}`;
  run = (tool, args, options) => runTool(tool, args, { ...options, env: { ...options?.env, PATH: path } });
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('drbd adapter with real processes', () => {
  it('reads 8.4 status and role through runTool', async () => {
    const d = createDrbdAdapter({ run, readProcDrbd: async () => ok(readFixture('drbd/proc/84.10-connected-srcversion.txt').body) });
    const a = await d.availability();
    expect(a.ok && a.value.availability).toBe('ok');
    expect(await d.role('fs-backoffice')).toEqual({ ok: true, value: [{ kind: 'roles', local: 'Secondary', peer: 'Unknown' }] });
    const v = await d.readResources(['fs-backoffice', 'r0']);
    if (!v.ok) throw new Error(v.error.message);
    expect(v.value.map((x) => [x.name, x.up, x.role, x.peerRole, x.connection])).toEqual([
      ['fs-backoffice', true, 'Primary', 'Secondary', 'Connected'],
      ['r0', false, null, null, null],
    ]);
  });
  it('8.4 has no JSON status: exit 20 classified', async () => {
    const r = await createDrbdAdapter({ run, readProcDrbd: async () => ok(null) }).statusJson();
    expect(!r.ok && r.error.code === 'XH_ERR_TOOL_FAILED' && [r.error.exitCode, r.error.drbd]).toEqual([20, 'json-unsupported']);
  });
  it('a hung tool is killed at the timeout', async () => {
    const r = await createDrbdAdapter({ run, timeoutMs: 300, readProcDrbd: async () => ok(null) }).status('slow');
    expect(!r.ok && r.error.code).toBe('XH_ERR_TOOL_TIMEOUT');
  });
  it('tools missing when drbdadm is not on PATH', async () => {
    const bare: ToolRunner = (tool, args, options) => runTool(tool, args, { ...options, env: { ...options?.env, PATH: join(dir, 'nothing-here') } });
    const a = await createDrbdAdapter({ run: bare, readProcDrbd: async () => ok(null) }).availability();
    expect(a).toEqual({ ok: true, value: { availability: 'tools-missing' } });
  });
});
