import { describe, expect, it } from 'vitest';
import { followStep, FOLLOW_AT_MOST_MS, STAYED_FOR_MS, UNHEARD_FOR_MS, type FollowState, type MoveEnds } from '../../../controller/ctl/link-lost-follow.js';
import { dom } from '../states.js';
import { WHERE_NOW, whereMatch } from './where-match.js';

const MIGRATE: MoveEnds = { op: 'migrate', name: 'web01', source: 'xen1', dest: 'xen2' };
const onXen = (host: string, ageMs = 300): ReturnType<typeof whereMatch> =>
  whereMatch({ places: [{ host, domain: dom('web01', { state: 'running' }), reachable: true, ageMs }], ageMs });
const begun: FollowState = { started: WHERE_NOW, stayedSince: null, staleSince: null };

describe('following a move after the agent’s link dropped (followStep)', () => {
  it('ends 0 once the domU runs on its destination alone', () => {
    const step = followStep(begun, onXen('xen2'), MIGRATE, WHERE_NOW);
    expect(step.end).toMatchObject({ code: 0, out: expect.stringMatching(/^web01 now runs on xen2: the migrate finished after the agent's link dropped\n/) });
  });

  it('waits while it stays on its source, and ends 91 once it has stayed there STAYED_FOR_MS', () => {
    const first = followStep(begun, onXen('xen1'), MIGRATE, WHERE_NOW + 2_000);
    expect(first.end).toBeNull();
    expect(first.state.stayedSince).toBe(WHERE_NOW + 2_000);
    const before = followStep(first.state, onXen('xen1'), MIGRATE, WHERE_NOW + 2_000 + STAYED_FOR_MS - 1);
    expect(before.end).toBeNull();
    const after = followStep(before.state, onXen('xen1'), MIGRATE, WHERE_NOW + 2_000 + STAYED_FOR_MS);
    expect(after.end).toMatchObject({ code: 91, line: expect.stringContaining('the migrate did not happen'), whereLine: expect.stringContaining('web01') });
  });

  it('a stay broken by a migration half starts the count again', () => {
    const stayed = followStep(begun, onXen('xen1'), MIGRATE, WHERE_NOW).state;
    const moving = followStep(stayed, whereMatch({ midMigration: true }), MIGRATE, WHERE_NOW + 30_000);
    expect(moving.end).toBeNull();
    expect(moving.state.stayedSince).toBeNull();
  });

  it('ends 91 on a Dom0 neither end names, on an answer stale for UNHEARD_FOR_MS, and when the follow runs out', () => {
    expect(followStep(begun, onXen('xen3'), MIGRATE, WHERE_NOW).end).toMatchObject({ code: 91, line: expect.stringContaining('neither where it was nor where it was sent') });
    const stale = followStep(begun, onXen('xen1', 45_000), MIGRATE, WHERE_NOW);
    expect(stale.end).toBeNull();
    expect(followStep(stale.state, onXen('xen1', 45_000), MIGRATE, WHERE_NOW + UNHEARD_FOR_MS).end).toMatchObject({ code: 91, line: expect.stringContaining('has stayed stale') });
    expect(followStep(begun, null, MIGRATE, WHERE_NOW + FOLLOW_AT_MOST_MS).end).toMatchObject({ code: 91, line: expect.stringContaining('has not settled') });
  });
});
