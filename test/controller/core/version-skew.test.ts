import { describe, expect, it } from 'vitest';
import { CLOSE } from '../../../shared/link/link.js';
import { VERSION } from '../../../shared/version.js';
import { skewAdvice } from '../../../controller/core/version-skew.js';
import { buildOrder } from '../../../shared/build-order.js';
import { away, hostState } from '../states.js';
import { coreBed, recordingSink } from './core-bed.js';

// An agent newer than its controller sends what the controller's strict schemas do not know.
// The refusal must say which versions met and which side to upgrade, on both ends; a result
// whose error code is newer than the controller is kept, never refused.
const FIX = 'upgrade the controller first (controllers accept older agents, not newer ones)';
const NEWER = '99.0.0';

describe('a frame refused from an agent of another release names both versions and the fix', () => {
  it('a hello with a key this controller does not know', async () => {
    const bed = coreBed();
    const { agent } = bed.connect('xen1');
    agent.sendRaw(JSON.stringify({ type: 'hello', protocol: 1, host: 'xen1', bootId: 'b', agentVersion: NEWER, capabilities: [], features: {} }));
    await bed.clock.advance(0);
    const message = agent.of('error')[0]?.message ?? '';
    expect(message).toContain(`the agent is version ${NEWER}, this controller version ${VERSION}: ${FIX}`);
    expect(message).toMatch(/Unrecognized key: "features"/);
    expect(agent.closed?.code).toBe(CLOSE.protocol);
    expect(bed.events('agent-refused')).toEqual([expect.objectContaining({ host: 'xen1', code: 'XH_ERR_PROTOCOL', agentVersion: NEWER, controllerVersion: VERSION, reason: message })]);
  });

  it('a state section this controller does not know, after a valid hello', async () => {
    const bed = coreBed();
    const { agent } = bed.connect('xen1');
    agent.hello({ agentVersion: NEWER });
    await bed.clock.advance(0);
    agent.sendRaw(JSON.stringify({ type: 'snapshot', seq: 1, at: bed.clock.now(), state: { ...hostState(), cpu: {} } }));
    await bed.clock.advance(0);
    const message = agent.of('error')[0]?.message ?? '';
    expect(message).toMatch(new RegExp(`^a message that is not in the protocol of this controller: the agent is version ${NEWER}, this controller version ${VERSION.replace(/[.+]/g, '\\$&')}: upgrade the controller first .*\\(state: Unrecognized key: "cpu"\\)$`));
    expect(bed.events('agent-refused')[0]).toMatchObject({ agentVersion: NEWER, controllerVersion: VERSION });
  });

  it('the words fit the versions: newer, older, the same', () => {
    expect(buildOrder('1.4.0', '1.3.9')).toBe('newer');
    expect(buildOrder('1.10.0', '1.9.0')).toBe('newer');
    expect(buildOrder('1.2.0', '1.3.0')).toBe('older');
    expect(buildOrder('1.3.0-rc1', '1.3.0')).toBe('same');
    expect(buildOrder('custom', '1.3.0')).toBe('unknown');
    expect(skewAdvice('1.4.0', '1.3.0')).toBe(`the agent is version 1.4.0, this controller version 1.3.0: ${FIX}`);
    expect(skewAdvice('custom', '1.3.0')).toContain(FIX);
    expect(skewAdvice('1.2.0', '1.3.0')).not.toContain('upgrade the controller');
    expect(skewAdvice('1.3.0', '1.3.0')).toMatch(/both version 1\.3\.0, so no upgrade explains it/);
  });

  it("two builds of one release by their sources' dates, as their packages' versions sort", () => {
    // packaging/build.mjs gives the binaries the packages' version: 0.1.0 alone for every build made a later checkout's agent 'the same'
    expect(buildOrder('0.1.0+20261206.090000', '0.1.0+20261205.184112')).toBe('newer');
    expect(buildOrder('0.1.0+20261205.184112', '0.1.0+20261206.090000')).toBe('older');
    expect(buildOrder('0.1.0+dev', '0.1.0+20261205.184112')).toBe('same');
    // every build before the version carried the date said 0.1.0 alone
    expect(buildOrder('0.1.0', '0.1.0+20261205.184112')).toBe('older');
    expect(buildOrder('0.1.0+20261205.184112', '0.1.0')).toBe('newer');
    expect(buildOrder('0.1.0', '0.1.0+dev')).toBe('same');
    expect(skewAdvice('0.1.0+20261206.090000', '0.1.0+20261205.184112')).toBe(`the agent is version 0.1.0+20261206.090000, this controller version 0.1.0+20261205.184112: ${FIX}`);
    expect(skewAdvice('0.1.0+dev', '0.1.0+20261205.184112')).not.toMatch(/both version/);
  });
});

describe('a result whose error code this controller does not know', () => {
  it('is kept as XH_ERR_INTERNAL with the agent\'s code in its message, and the link stays up', async () => {
    const bed = coreBed();
    const xen1 = (await bed.online('xen1', hostState({ homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], ledger: { seq: 1, away: { web01: away('xen1', 'xen2') }, visitors: {} } }))).agent;
    xen1.onCommand((c) => xen1.sendRaw(JSON.stringify({ type: 'result', commandId: c.commandId, ok: false, code: 'XH_ERR_SOMETHING_NEW', message: 'xen2 said no', detail: null })));
    const sink = recordingSink();
    expect(bed.core.command({ op: 'reverse', name: 'web01' }, { name: 'admin' }, sink)).toMatchObject({ ok: true });
    await bed.clock.advance(0);
    expect(sink.outcome).toMatchObject({ ok: false, code: 'XH_ERR_INTERNAL', message: expect.stringMatching(/^xen2 said no \(error code XH_ERR_SOMETHING_NEW, which this build does not know/) });
    expect(xen1.closed).toBeNull();
    expect(bed.events('agent-refused')).toEqual([]);
  });

  it('a code not of the catalog\'s form is still refused', async () => {
    const bed = coreBed();
    const xen1 = (await bed.online('xen1', hostState())).agent;
    xen1.sendRaw(JSON.stringify({ type: 'result', commandId: 'c1', ok: false, code: 'rm -rf', message: 'm', detail: null }));
    await bed.clock.advance(0);
    expect(xen1.closed?.code).toBe(CLOSE.protocol);
  });
});
