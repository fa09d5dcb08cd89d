import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { Effect } from '../../../agent/core/effects.js';
import type { AgentEvent } from '../../../agent/core/events.js';
import type { XenstoreOpenFailure } from '../../../agent/parse/xenstore-stderr.js';
import { hostRead, replay, startedAgent } from './host-read.js';

// The line of the domain watch's fall-back to polling says why it cannot run: a tool missing
// (polling makes up for it), or xenstore closed to it (xenstored down, not root), where `xl list`
// fails the same way and polling does not help. xenstored down is also met in process on the
// simulator (test/agent/run/xenstored-down-in-process.test.ts); not root is met here alone.

const EVENTS = AgentConfigSchema.parse({});

/** The fall-back line after the watch exits early three times with CANNOT_OPEN. */
function fallBack(cannotOpen: XenstoreOpenFailure | null): string | undefined {
  const exit = (gen: number): AgentEvent => ({ t: 'watch-exit', watcher: 'domains', gen, stoppedByUs: false, notFound: false, why: 'xenstore-watch: exit 1', cannotOpen });
  const respawn: AgentEvent = { t: 'timer', name: 'respawn:domains' };
  const { effects } = replay(startedAgent(EVENTS), [{ t: 'full-read', read: hostRead() }, { t: 'settled' }, exit(1), respawn, exit(2), respawn, exit(3)], (i) => i * 60_000);
  const logs = effects.flat().filter((e: Effect): e is Extract<Effect, { e: 'log' }> => e.e === 'log' && e.msg.startsWith('xenstore-watch') && !e.msg.includes('respawning'));
  expect(logs).toHaveLength(1);
  return logs[0]?.msg;
}

describe('the domain watch falling back to polling', () => {
  it('says xenstored is down, or that the agent is not root, and that polling fails too', () => {
    expect(fallBack('xenstore-down')).toBe('xenstore-watch cannot run: xenstored is not running on this Dom0; polling xl list every 10 s instead, which fails too until xenstored runs again');
    expect(fallBack('need-root')).toBe('xenstore-watch cannot open xenstore: the agent does not run as root; polling xl list every 10 s instead, which fails too until it does');
  });

  it('says only that the watch is unavailable when polling can stand in for it', () => {
    expect(fallBack(null)).toBe('xenstore-watch is unavailable here: polling xl list every 10 s instead');
  });
});
