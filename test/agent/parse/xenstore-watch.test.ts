import { describe, expect, it } from 'vitest';
import { parseXenstoreWatchLine } from '../../../agent/parse/xenstore-watch.js';
import { readFixture } from '../../fixture.js';

// xenstore-watch prints one path per event and nothing else (xenstore_client.c do_watch).
const lines = (rel: string) => readFixture(`xenstore/${rel}`).body.split('\n').filter((l) => l !== '');

describe('parseXenstoreWatchLine', () => {
  it('reads the registration events and domain events', () => {
    const events = lines('watch-domains.txt').map((l, i) => parseXenstoreWatchLine(l, i + 1));
    expect(events.map((e) => (e.ok ? e.value.kind : 'bad'))).toEqual(['introduceDomain', 'releaseDomain', 'introduceDomain', 'releaseDomain', 'releaseDomain']);
    expect(events.every((e) => e.ok && e.value.domid === null)).toBe(true);
  });

  it('reads depth-1 special paths with a domid, node paths, and flags a stray line', () => {
    const out = lines('watch-depth-and-nodes.txt').map((l, i) => parseXenstoreWatchLine(l, i + 1));
    expect(out.slice(0, 5).map((e) => (e.ok ? e.value : null))).toEqual([
      { path: '@releaseDomain', kind: 'releaseDomain', domid: null },
      { path: '@releaseDomain/7', kind: 'releaseDomain', domid: 7 },
      { path: '@introduceDomain/12', kind: 'introduceDomain', domid: 12 },
      { path: '/local/domain/0/backend/vbd', kind: 'node', domid: null },
      { path: '/local/domain/0/backend/vbd/7/51712/state', kind: 'node', domid: null },
    ]);
    const bad = out[5];
    expect(bad && !bad.ok ? bad.error : null).toMatchObject({ code: 'XH_ERR_TOOL_OUTPUT', tool: 'xenstore-watch', line: 6 });
  });

  it('refuses unknown special paths', () => {
    expect(parseXenstoreWatchLine('@domainCrashed', 1).ok).toBe(false);
    expect(parseXenstoreWatchLine('', 1).ok).toBe(false);
  });
});
