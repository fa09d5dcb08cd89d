import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import { hostStateOf } from '../../../agent/core/host-state.js';
import { onInfoRead } from '../../../agent/core/reads.js';
import { CAPABILITIES, initialState, type AgentState } from '../../../agent/core/state.js';
import type { Fx } from '../../../agent/core/timers.js';
import { parseXlInfo, xenRelease } from '../../../agent/parse/xl-info.js';
import { HostStateSchema } from '../../../shared/protocol/agent-link-state.js';
import { acceptsFor, LINK_FEATURE } from '../../../shared/protocol/agent-link.js';

// The hypervisor's release as the agent reports it: only to a controller whose welcome said it
// reads one (an older controller refuses a report with a key it does not know).

const XEN417 = { major: 4, minor: 17, version: '4.17.5' };

const state = (accepts: string[], xen: AgentState['xen']): AgentState => {
  const s = initialState({ config: AgentConfigSchema.parse({}), host: 'xen1', pid: 1, now: Date.UTC(2025, 0, 1), seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  return { ...s, xen, link: { ...s.link, phase: 'up', accepts } };
};

describe('the Xen release in the host state', () => {
  it('is announced, and a controller of this release accepts it', () => {
    expect(CAPABILITIES).toContain(LINK_FEATURE.xenVersion);
    expect(acceptsFor([...CAPABILITIES]).accepts).toContain('xen-version');
  });

  it('goes to a controller that accepts it, null until xl info answered; the report passes the link schema', () => {
    const r = hostStateOf(state(['xen-version'], XEN417));
    expect(r.xen).toEqual(XEN417);
    expect(HostStateSchema.safeParse(JSON.parse(JSON.stringify(r))).success).toBe(true);
    const before = hostStateOf(state(['xen-version'], null));
    expect(Object.hasOwn(before, 'xen') && before.xen).toBe(null);
  });

  it('is left out for an older controller, whose strict schema has no such key', () => {
    const r = hostStateOf(state(['view-lag'], XEN417));
    expect(Object.hasOwn(r, 'xen')).toBe(false);
    expect(HostStateSchema.omit({ xen: true }).strict().safeParse(JSON.parse(JSON.stringify(r))).success).toBe(true);
  });

  it('comes from xl info, and a read without one keeps the last', () => {
    const info = parseXlInfo('host                   : xen1\nxen_major              : 4\nxen_minor              : 11\nxen_extra              : .4\ntotal_memory           : 16384\nfree_memory            : 8000\n');
    if (!info.ok) throw new Error(info.error.message);
    const xen = xenRelease(info.value);
    expect(xen).toEqual({ major: 4, minor: 11, version: '4.11.4' });
    const fx: Fx = [];
    const read = onInfoRead(state(['xen-version'], null), fx, 'xen1', { totalMiB: 16384, freeMiB: 8000 }, xen, null);
    expect(read.xen).toEqual(xen);
    expect(onInfoRead(read, fx, null, null, null, 'xl info timed out').xen).toEqual(xen);
  });

  it('a version with a control character or a blank (a build\'s extra version string) is reported as major.minor, as one too long is', () => {
    const of = (version: string) => xenRelease({ xenMajor: 4, xenMinor: 17, xenVersion: version });
    expect(of('4.17.6\x1b[2J')).toEqual({ major: 4, minor: 17, version: '4.17' });
    expect(of('4.17.6-pre\0')).toEqual({ major: 4, minor: 17, version: '4.17' });
    expect(of('4.17.5 (Debian)')).toEqual({ major: 4, minor: 17, version: '4.17' });
    expect(of('4.17.5+13-ga4e5191b1f')).toEqual({ major: 4, minor: 17, version: '4.17.5+13-ga4e5191b1f' });
    expect(xenRelease({ xenMajor: 4, xenMinor: 20, xenVersion: '4.20-rc' })).toEqual({ major: 4, minor: 20, version: '4.20-rc' });
  });
});
