import { describe, expect, it } from 'vitest';
import { agentBuildsLine } from '../../../controller/ctl/agent-builds.js';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import { whereMatches } from '../../../controller/fleet/views.js';
import { hostView } from '../ctl/host-view.js';
import { dom, hostState, primary, record } from '../states.js';

// At hundreds of Dom0s, xen1 … xen10 … xen100: a finding listing its hosts as strings sort them
// (xen10 before xen2) hides the one looked for. Findings and the lines xenherdctl builds of host
// names list them as people number them.
const NOW = 1_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };

describe('findings list their hosts in natural order', () => {
  it('a domU running on xen10 and xen2: its hosts and its message say xen2 first', () => {
    const [f] = mergeFleet([record('xen10', hostState({ domains: [dom('web01')] })), record('xen2', hostState({ domains: [dom('web01')] }))], fresh).findings;
    expect(f?.hosts).toEqual(['xen2', 'xen10']);
    expect(f?.message).toMatch(/xen2 and xen10/);
  });

  it('a DRBD Primary on both xen10 and xen9: the alert names xen9 first, in its subject too', () => {
    const findings = mergeFleet(
      [record('xen10', hostState({ drbd: { availability: 'ok', resources: [primary('r0', 'xen9', 'Primary', 'Primary')] } })), record('xen9', hostState({ drbd: { availability: 'ok', resources: [primary('r0', 'xen10', 'Primary', 'Primary')] } }))],
      fresh,
    ).findings.filter((x) => x.kind === 'drbd-primary-on-both');
    expect(findings.map((x) => [x.subject, x.hosts])).toEqual([['r0@xen9+xen10', ['xen9', 'xen10']]]);
  });
});

describe('where lists the places of a domU in natural order', () => {
  it('web01 on xen10 and xen2: xen2 first', () => {
    const index = mergeFleet([record('xen10', hostState({ domains: [dom('web01')] })), record('xen2', hostState({ domains: [dom('web01')] }))], fresh).index;
    const [w] = whereMatches(index, { kind: 'exact', name: 'web01' }, fresh, () => []);
    expect(w?.places.map((p) => p.host)).toEqual(['xen2', 'xen10']);
  });
});

describe('xenherdctl status names the few Dom0s of an older build in natural order', () => {
  it('xen2 before xen10', () => {
    const NEW = '0.1.0+20261205.223919';
    const OLD = '0.1.0+20261128.101500';
    const hosts = ['xen1', 'xen10', 'xen2', 'xen3', 'xen4'].map((n) => hostView(n, { agentVersion: n === 'xen10' || n === 'xen2' ? OLD : NEW }));
    expect(agentBuildsLine(hosts)).toBe(`agents: 2 builds: ${NEW} (newest) on 3 Dom0s; ${OLD} on 2 Dom0s (xen2, xen10) (xenherdctl hosts: AGENT)\n`);
  });
});
