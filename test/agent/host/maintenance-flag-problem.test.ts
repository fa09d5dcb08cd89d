import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { hostFiles } from '../../../agent/host/files.js';
import { readMaintenanceFlag } from '../../../agent/host/maintenance-flag.js';

/** A maintenance.json that does not read still means maintenance, and the problem names the file, the key and the fix. */
const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const GOOD = { state: 'maintenance', operationId: null, owner: null, since: '2025-01-01T00:00:00.000Z' };

async function problemOf(text: string): Promise<string | null> {
  const root = mkdtempSync(join(tmpdir(), 'xh-maintenance-'));
  roots.push(root);
  mkdirSync(join(root, 'var/lib/xenherd'), { recursive: true });
  writeFileSync(join(root, 'var/lib/xenherd/maintenance.json'), text);
  const r = await readMaintenanceFlag(hostFiles(root), '/var/lib/xenherd');
  expect(r.flag.state).toBe('maintenance');
  return r.problem;
}

it('an unknown key is named', async () => {
  expect(await problemOf(JSON.stringify({ ...GOOD, extra: 1 }))).toMatch(/maintenance\.json \(under .*\) is not a maintenance record: unknown key "extra" \(remove it\): treated as maintenance .*xenherdctl maintenance HOST on\|off/);
});

it('a bad value names its key', async () => {
  expect(await problemOf(JSON.stringify({ ...GOOD, state: 'paused' }))).toMatch(/is not a maintenance record: key "state": /);
});

it('text that is not JSON says so', async () => {
  expect(await problemOf('{"state": "maint')).toMatch(/is not a maintenance record: not JSON \(/);
});
