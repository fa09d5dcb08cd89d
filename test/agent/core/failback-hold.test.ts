import { describe, expect, it } from 'vitest';
import { failbackHold, INCOMING_LINGER_MS, type FailbackFacts } from '../../../agent/core/failback-hold.js';
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
            const facts: FailbackFacts = { maintenance: { state, operationId: state === 'online' ? null : 'job-8499124b', owner }, leaseLeftMs, controllerOwner, commands, incoming: [], incomingEndedMsAgo: null };
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
    expect(failbackHold({ maintenance: { state: 'online', operationId: null, owner: null }, leaseLeftMs: 0, controllerOwner: null, commands: [...commands, { op: 'maintenance', name: null }], incoming: [], incomingEndedMsAgo: null })).toBe(
      'its commands migrate a, migrate b, migrate c, migrate d and 3 more still run here',
    );
  });

  it('says both a lease and a command', () => {
    expect(failbackHold({ maintenance: { state: 'draining', operationId: 'op1', owner: STANDBY }, leaseLeftMs: 30_500, controllerOwner: STANDBY, commands: [{ op: 'maintenance', name: null }], incoming: [], incomingEndedMsAgo: null })).toBe(
      'it holds this host draining (operation op1), its lease 31 s more; its command maintenance still runs here',
    );
  });

  // a drain's target runs no command and holds no lease of it: only the controller's word that it
  // is moving domUs here keeps it, and for a while after the last, as the drain's next follows
  const idle: FailbackFacts = { maintenance: { state: 'online', operationId: null, owner: null }, leaseLeftMs: 0, controllerOwner: null, commands: [], incoming: [], incomingEndedMsAgo: null };
  it('stays while the controller is moving domUs here, naming them', () => {
    expect(failbackHold({ ...idle, incoming: ['web1'] })).toBe('it is moving web1 here');
    expect(failbackHold({ ...idle, incoming: ['a', 'b', 'c', 'd', 'e'] })).toBe('it is moving a, b, c, d and 1 more here');
  });

  it(`stays ${INCOMING_LINGER_MS / 1000} s after the last move here ended, then may leave`, () => {
    expect(failbackHold({ ...idle, incomingEndedMsAgo: 2_500 })).toBe(`its last move here ended 2 s ago (another may follow within ${INCOMING_LINGER_MS / 1000} s)`);
    expect(failbackHold({ ...idle, incomingEndedMsAgo: INCOMING_LINGER_MS - 1 })).not.toBeNull();
    expect(failbackHold({ ...idle, incomingEndedMsAgo: INCOMING_LINGER_MS })).toBeNull();
    expect(failbackHold(idle)).toBeNull();
  });
});
