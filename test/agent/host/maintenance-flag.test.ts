import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostFiles } from '../../../agent/host/files.js';
import { readMaintenanceFlag } from '../../../agent/host/maintenance-flag.js';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** a host root whose /var/lib/xenherd/maintenance.json holds TEXT */
function hostWith(text: string): string {
  const root = mkdtempSync(join(tmpdir(), 'xh-maintenance-'));
  roots.push(root);
  mkdirSync(join(root, 'var/lib/xenherd'), { recursive: true });
  writeFileSync(join(root, 'var/lib/xenherd/maintenance.json'), text);
  return root;
}

describe('readMaintenanceFlag', () => {
  it('reads the record as written', async () => {
    const root = hostWith(JSON.stringify({ state: 'draining', operationId: 'op1', owner: 'alice', since: '2025-01-01T00:00:00.000Z' }));
    expect(await readMaintenanceFlag(hostFiles(root), '/var/lib/xenherd')).toEqual({ flag: { state: 'draining', operationId: 'op1', owner: 'alice' }, problem: null });
  });

  it('a byte-order mark first (some editors write one) is not part of the record: the state is read as written', async () => {
    const root = hostWith(`\ufeff${JSON.stringify({ state: 'draining', operationId: 'op1', owner: 'alice', since: '2025-01-01T00:00:00.000Z' }, null, 2)}\n`);
    expect(await readMaintenanceFlag(hostFiles(root), '/var/lib/xenherd')).toEqual({ flag: { state: 'draining', operationId: 'op1', owner: 'alice' }, problem: null });
  });

  it('a key given twice reads as maintenance (JSON.parse would take the later "online"), naming the place and the key; the file is kept', async () => {
    const text = '{"state": "maintenance", "operationId": null, "owner": null,\n "since": "2025-01-01T00:00:00.000Z", "state": "online"}\n';
    const root = hostWith(text);
    expect(JSON.parse(text)).toMatchObject({ state: 'online' });
    expect(await readMaintenanceFlag(hostFiles(root), '/var/lib/xenherd')).toEqual({
      flag: { state: 'maintenance', operationId: null, owner: null },
      problem: `/var/lib/xenherd/maintenance.json (under ${root}): line 2, column 39: key "state" appears twice (lines 1 and 2): treated as maintenance (nothing is started) until one is removed or the file is rewritten`,
    });
    expect(readFileSync(join(root, 'var/lib/xenherd/maintenance.json'), 'utf8')).toBe(text);
  });
});
