import { describe, expect, it } from 'vitest';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { mergeFleet, mergedStatus } from '../../../controller/fleet/merge.js';
import type { LinkDomain } from '../../../shared/protocol/agent-link-state.js';
import type { CheckAnswer } from '../../../shared/protocol/ctl-check.js';
import { dom, guarded, hostState, record } from '../states.js';
import { checkAt } from './check-bed.js';

// A guest that crashed under on_crash="preserve" leaves its domain listed (xl list: ---c--): the
// agent rightly starts no second copy beside it, so nothing brings it back, and check must not
// stay OK, counting it among the running, while its users are down.
const NOW = 1_700_000_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };

/** xen1 guards web1 and lists it with ROW's state; xen2 holds its replica */
function fleet(row: Partial<LinkDomain>, xen1Heard = NOW): HostRecord[] {
  return [
    record('xen1', hostState({ domains: [dom('web1', row)], guarded: [guarded('web1', ['r1'])] }), xen1Heard, true),
    record('xen2', hostState({}), NOW, true),
  ];
}

const check = checkAt(fresh);

describe('check: a domU whose guest crashed, its domain kept', () => {
  it('is CRITICAL, named on the status line, with what to type on its Dom0', () => {
    const a = check(fleet({ state: 'crashed' }));
    expect(a.status).toBe('CRITICAL');
    expect(a.summary).toBe('web1 crashed on xen1');
    expect(a.details).toEqual([
      {
        status: 'CRITICAL',
        kind: 'domu-crashed',
        subject: 'web1',
        text:
          'web1: crashed on xen1 (xl list: state c), its domain kept by its config\'s on_crash="preserve": its guest runs no code and nothing restarts it; ' +
          'on xen1, `xl dump-core web1 FILE` if its memory is wanted, then `xl destroy web1` and start it again (where its agent guards it: `xenherd-agent autostart start --force web1 --reason crashed`)',
      },
    ]);
  });

  it('is counted apart as crashed, not among the running, in check\'s perfdata and status\'s counts alike', () => {
    const records = fleet({ state: 'crashed' });
    const perf = (a: CheckAnswer) => a.perfdata.filter((p) => p.label.startsWith('domus_')).map((p) => [p.label, p.value]);
    expect(perf(check(records))).toEqual([
      ['domus_running', 0],
      ['domus_away', 0],
      ['domus_crashed', 1],
      ['domus_down', 0],
      ['domus_unknown', 0],
    ]);
    const m = mergeFleet(records, fresh);
    expect(mergedStatus(m, fresh).summary).toMatchObject({ domus: 0, crashed: 1, domusUnreachable: 0 });
    // running again (destroyed and started): a domU running, none crashed
    const again = fleet({ state: 'running' });
    expect(perf(check(again))).toEqual([
      ['domus_running', 1],
      ['domus_away', 0],
      ['domus_crashed', 0],
      ['domus_down', 0],
      ['domus_unknown', 0],
    ]);
    expect(mergedStatus(mergeFleet(again, fresh), fresh).summary).toMatchObject({ domus: 1, crashed: 0 });
  });

  it('a crashed copy beside one that runs on another Dom0: the domU runs, and its crashed copy is still named', () => {
    const records = [
      record('xen1', hostState({ domains: [dom('web1', { state: 'crashed' })], guarded: [guarded('web1', ['r1'])] }), NOW, true),
      record('xen2', hostState({ domains: [dom('web1', { state: 'running' })], guarded: [guarded('web1', ['r1'])] }), NOW, true),
    ];
    const a = check(records);
    expect(a.perfdata.filter((p) => p.label === 'domus_running' || p.label === 'domus_crashed').map((p) => p.value)).toEqual([1, 1]);
    expect(mergedStatus(mergeFleet(records, fresh), fresh).summary).toMatchObject({ domus: 1, crashed: 0 });
  });

  it('running, blocked, paused (an operator\'s act) or dying: not this problem', () => {
    for (const state of ['running', 'blocked', 'paused', 'dying'] as const) expect(check(fleet({ state })).details.filter((d) => d.kind === 'domu-crashed')).toEqual([]);
  });

  it('a migration half in state c is left to the migration checks', () => {
    expect(check(fleet({ state: 'crashed', migration: 'incoming' })).details.filter((d) => d.kind === 'domu-crashed')).toEqual([]);
  });

  it('from a Dom0 not heard from lately: its unreachable line speaks, not a stale row', () => {
    const a = check(fleet({ state: 'crashed' }, NOW - 60_000));
    expect(a.details.map((d) => d.kind)).not.toContain('domu-crashed');
  });
});
