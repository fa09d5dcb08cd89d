import { describe, expect, it } from 'vitest';
import { forceVerdict } from '../../../agent/decide/autostart-all.js';

// A skip `--force` never passes: the refusal says what ends it, not only that --force will not.

describe('a forced start refused for a skip names what ends the skip', () => {
  it('maintenance: the restore or the switch that ends it, with this Dom0 named', () => {
    expect(forceVerdict({ kind: 'skip', reason: 'maintenance', detail: 'this host is in maintenance', splitBrainHazard: false }, 'xen1')).toEqual({
      allowed: false,
      why:
        'refused: skipped (maintenance): this host is in maintenance. --force overrides a defer or a handled-this-boot skip, never this skip: ' +
        "this Dom0 starts nothing while draining or in maintenance: end that first (`xenherdctl restore xen1` brings its domUs home, `xenherdctl maintenance xen1 off` ends it by hand; a plain `maintenance` file an operator put in the agent's state dir is removed by hand)",
    });
  });

  it('migrating-away: wait for the migration', () => {
    const r = forceVerdict({ kind: 'skip', reason: 'migrating-away', detail: 'web1--migratedaway is being migrated away from here', splitBrainHazard: false }, 'xen1');
    expect(!r.allowed && r.why).toMatch(/never this skip: wait for the migration to end \(`xenherd-agent status` here shows where it went\)$/);
  });

  it('unsettled: its detail already names the fix, said once', () => {
    const detail = 'a migration of web1 with xen2 (operation op1, 2026-12-05T03:00:00Z) ended in an ALARM: it may run on xen2; check both hosts, then `xenherd-agent reconcile web1` here';
    const r = forceVerdict({ kind: 'skip', reason: 'unsettled', detail, splitBrainHazard: true }, 'xen1');
    expect(!r.allowed && r.why).toBe(`refused: skipped (unsettled): ${detail}. --force overrides a defer or a handled-this-boot skip, never this skip`);
  });
});
