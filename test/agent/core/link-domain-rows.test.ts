import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { Effect } from '../../../agent/core/effects.js';
import { sendState } from '../../../agent/core/link.js';
import { CAPABILITIES, initialState, type AgentState } from '../../../agent/core/state.js';
import type { InventoryDomain } from '../../../shared/inventory.js';
import { LINK_FEATURE, type AgentMessage } from '../../../shared/protocol/agent-link.js';

// What the agent sends when its domains change: the changed rows only to a controller whose
// welcome took feature domain-rows (and only when they are fewer than the section), the whole
// section otherwise. Pure: the link's state in, the messages out.

const T0 = Date.UTC(2025, 0, 1);
const config = AgentConfigSchema.parse({});
const domU = (name: string, over: Partial<InventoryDomain> = {}): InventoryDomain => ({ name, baseName: name, domid: 3, state: 'blocked', stateLetters: '-b----', shutdownReason: null, cpuTimeS: 1, memMiB: 1024, vcpus: 1, migration: null, ...over });

function upWith(accepts: string[], domains: InventoryDomain[]): AgentState {
  const s = initialState({ config, host: 'xen1', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  return { ...s, phase: 'running', toolstack: 'xl', domains, memory: { totalMiB: 65_536, freeMiB: 32_768, domuMiBAtRead: 4096 }, link: { ...s.link, phase: 'up', gen: 1, accepts } };
}

/** The messages sendState sends for the domains BEFORE then AFTER. */
function sent(accepts: string[], before: InventoryDomain[], after: InventoryDomain[]): AgentMessage[] {
  const fx: Effect[] = [];
  let s = sendState(upWith(accepts, before), fx, T0);
  s = sendState({ ...s, domains: after }, fx, T0 + 1);
  return fx.flatMap((e) => (e.e === 'link-send' ? [e.message as AgentMessage] : []));
}

const four = ['a', 'b', 'c', 'd'].map((n) => domU(n));

describe('the agent reports its domains as changed rows where the controller takes them', () => {
  it('is announced in the hello', () => {
    expect(CAPABILITIES).toContain(LINK_FEATURE.domainRows);
  });

  it('a changed row goes alone, with the other changed sections whole', () => {
    const [snapshot, delta] = sent([LINK_FEATURE.domainRows], four, [domU('a'), domU('b', { memMiB: 2048 }), domU('c'), domU('d')]);
    expect(snapshot?.type).toBe('snapshot');
    expect(delta).toMatchObject({ type: 'delta', seq: 2, rows: { set: [{ name: 'b', memMiB: 2048 }], gone: [], count: 4 } });
    // the domU's memory moved the host's free memory: that section goes whole beside the rows
    expect(delta?.type === 'delta' && Object.keys(delta.state)).toEqual(['memory']);
  });

  it('a row gone and one new', () => {
    const [, delta] = sent([LINK_FEATURE.domainRows], four, [domU('a'), domU('b'), domU('d'), domU('e', { domid: 9 })]);
    expect(delta).toMatchObject({ type: 'delta', rows: { set: [{ name: 'e' }], gone: ['c'], count: 4 } });
    expect(delta?.type === 'delta' && delta.state.domains).toBeUndefined();
  });

  it('the whole section to a controller that did not take the feature, or when most rows changed', () => {
    const [, older] = sent(['view-lag'], four, [domU('a'), domU('b', { state: 'paused', stateLetters: '--p---' }), domU('c'), domU('d')]);
    expect(older).toMatchObject({ type: 'delta', state: { domains: [{ name: 'a' }, { name: 'b', state: 'paused' }, { name: 'c' }, { name: 'd' }] } });
    expect(older).not.toHaveProperty('rows');
    const [, most] = sent([LINK_FEATURE.domainRows], four, [domU('x'), domU('y')]);
    expect(most).toMatchObject({ type: 'delta', state: { domains: [{ name: 'x' }, { name: 'y' }] } });
    expect(most).not.toHaveProperty('rows');
  });

  it('a domU whose name the link cannot carry is left out of the report, and the operator is told once', () => {
    const odd = domU('web+1');
    const long = domU('x'.repeat(70));
    const fx: Effect[] = [];
    let s = sendState(upWith([LINK_FEATURE.domainRows], [...four, odd, long]), fx, T0);
    s = sendState({ ...s, domains: [...four, odd, long, domU('e')] }, fx, T0 + 1);
    const warnings = fx.flatMap((e) => (e.e === 'log' && e.fields['event'] === 'domains-unreported' ? [e] : []));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', fields: { names: ['web+1', 'x'.repeat(70)], count: 2 } });
    expect(warnings[0]?.msg).toMatch(/^not reported to the controller, .*"web\+1", "x{70}"; xenherdctl where will not find them: rename them \(xl rename\)$/);
    const [snapshot] = fx.flatMap((e) => (e.e === 'link-send' ? [e.message as AgentMessage] : []));
    expect(snapshot?.type === 'snapshot' && snapshot.state.domains.map((d) => d.name)).toEqual(['a', 'b', 'c', 'd']);
    // renamed: nothing left out, nothing more said
    sendState({ ...s, domains: four }, fx, T0 + 2);
    expect(fx.filter((e) => e.e === 'log' && e.fields['event'] === 'domains-unreported')).toHaveLength(1);
  });

  it('of hundreds left out, the warning names the first ten and counts the rest', () => {
    const odd = Array.from({ length: 300 }, (_, i) => domU(`vm+${i}`));
    const fx: Effect[] = [];
    sendState(upWith([LINK_FEATURE.domainRows], [...four, ...odd]), fx, T0);
    const [w] = fx.flatMap((e) => (e.e === 'log' && e.fields['event'] === 'domains-unreported' ? [e] : []));
    expect(w?.fields).toMatchObject({ count: 300, names: odd.slice(0, 10).map((d) => d.name) });
    expect(w?.msg).toMatch(/"vm\+9" and 290 more; /);
  });
});
