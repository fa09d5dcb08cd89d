import { describe, expect, it } from 'vitest';
import { migrationVerdict } from '../../../agent/decide/migration-verdict.js';
import { classifyXlMigrate } from '../../../agent/parse/xl-migrate.js';
import { drbdResHosts } from '../../../agent/parse/drbd-res-hosts.js';

const success = classifyXlMigrate('Migration successful.\n', 0);
const resumed = classifyXlMigrate('Migration failed, resuming at sender.\n', 1);
const handshake = classifyXlMigrate('** Migration failed during final handshake **\n', 1);

describe('migration verdict: outcome + both hosts\' xl list', () => {
  it.each([
    ['success, gone here', success, false, null, 'moved'],
    ['success but still here: only both lists decide', success, true, false, 'stayed'],
    ['success but still here, target cannot be asked', success, true, null, 'alarm'],
    ['resumed at sender, here', resumed, true, null, 'stayed'],
    ['resumed at sender but gone here, target has it', resumed, false, true, 'moved'],
    ['final handshake, only on the target', handshake, false, true, 'moved'],
    ['final handshake, only here', handshake, true, false, 'stayed'],
    ['final handshake, on both', handshake, true, true, 'alarm'],
    ['final handshake, on neither', handshake, false, false, 'alarm'],
    ['final handshake, target cannot be asked', handshake, false, null, 'alarm'],
  ] as const)('%s', (_, outcome, atSource, atTarget, want) => {
    expect(migrationVerdict(outcome, atSource, atTarget).kind).toBe(want);
  });
});

describe('DRBD resource file hosts', () => {
  it('reads the on HOST sections, ignoring comments', () => {
    const text = 'resource r1 {\n  # on ghost {\n  on xen1 {\n    address 10.0.0.1:7789;\n  }\n  on xen2.example.org {\n  }\n}\n';
    expect(drbdResHosts(text, 'r1', '/etc/drbd.d/r1.res')).toEqual({ ok: true, value: ['xen1', 'xen2.example.org'] });
  });
});
