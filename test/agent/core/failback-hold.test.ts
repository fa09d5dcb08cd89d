import { describe, expect, it } from 'vitest';
import { failbackHold, type FailbackFacts } from '../../../agent/core/failback-hold.js';
import type { Maintenance } from '../../../shared/protocol/agent-link-state.js';

// Every combination of the flag's state, its lease, whose it is and the commands running: only
// this controller's live lease on an active state, or a command of its link, keeps the agent.
const STANDBY = 'xenherd-controller@ctl2:7443';
const PRIMARY = 'xenherd-controller@ctl1:7443';
const STATES: Maintenance['state'][] = ['online', 'draining', 'maintenance', 'restoring'];
const LEASES = [0, 1, 31_000];
const FLAG_OWNERS = [STANDBY, PRIMARY, null];
const CONTROLLER_OWNERS = [STANDBY, null];
const COMMANDS: FailbackFacts['commands'][] = [[], [{ op: 'migrate', name: 'web3' }]];

describe('failbackHold', () => {
  for (const state of STATES)
    for (const leaseLeftMs of LEASES)
      for (const owner of FLAG_OWNERS)
        for (const controllerOwner of CONTROLLER_OWNERS)
          for (const commands of COMMANDS) {
            const facts: FailbackFacts = { maintenance: { state, operationId: state === 'online' ? null : 'job-8499124b', owner }, leaseLeftMs, controllerOwner, commands };
            const leaseHolds = (state === 'draining' || state === 'restoring') && leaseLeftMs > 0 && controllerOwner !== null && owner === controllerOwner;
            const holds = leaseHolds || commands.length > 0;
            it(`${state}, lease ${leaseLeftMs} ms, flag owner ${owner}, controller ${controllerOwner}, ${commands.length} command(s): ${holds ? 'stays' : 'may leave'}`, () => {
              const why = failbackHold(facts);
              expect(why === null).toBe(!holds);
              if (leaseHolds) expect(why).toContain(`it holds this host ${state} (operation job-8499124b), its lease ${Math.ceil(leaseLeftMs / 1000)} s more`);
              else expect(why ?? '').not.toContain('lease');
              if (commands.length > 0) expect(why).toContain('its command migrate web3 still runs here');
            });
          }

  it('names at most four commands, and how many more', () => {
    const commands = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => ({ op: 'migrate', name: n }));
    expect(failbackHold({ maintenance: { state: 'online', operationId: null, owner: null }, leaseLeftMs: 0, controllerOwner: null, commands: [...commands, { op: 'maintenance', name: null }] })).toBe(
      'its commands migrate a, migrate b, migrate c, migrate d and 3 more still run here',
    );
  });

  it('says both a lease and a command', () => {
    expect(failbackHold({ maintenance: { state: 'draining', operationId: 'op1', owner: STANDBY }, leaseLeftMs: 30_500, controllerOwner: STANDBY, commands: [{ op: 'maintenance', name: null }] })).toBe(
      'it holds this host draining (operation op1), its lease 31 s more; its command maintenance still runs here',
    );
  });
});
