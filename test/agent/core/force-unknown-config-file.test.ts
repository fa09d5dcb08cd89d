import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import { onControl } from '../../../agent/core/control.js';
import type { Effect } from '../../../agent/core/effects.js';
import { reduce } from '../../../agent/core/reduce.js';
import { initialState, type AgentState } from '../../../agent/core/state.js';
import { CONTROL_PROTOCOL_VERSION } from '../../../shared/protocol/agent-control.js';

// `autostart start --force NAME` of a name guarded nowhere here names where guarded domUs come
// from: the guarded dir this agent reads and the config file that set it, the one the agent runs
// with (`run --config FILE`), not the default path. Reducer functions, in process.

const T0 = Date.UTC(2026, 0, 1);
const config = AgentConfigSchema.parse({ guardedDir: '/srv/xen/guarded' });

function state(configFile: string | null): AgentState {
  return {
    ...initialState({ config, configFile, host: 'xen1', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null }),
    phase: 'running',
    guarded: [{ name: 'web1', configPath: '/srv/xen/guarded/web1.cfg', drbdResources: ['r1'], error: null }],
  };
}

const forceAnswer = (s: AgentState, name: string): unknown => {
  const fx: Effect[] = [];
  onControl(s, fx, 7, 1, { v: CONTROL_PROTOCOL_VERSION, op: 'force', name, reason: 'checked', operator: 'root' }, T0);
  const reply = fx.find((e) => e.e === 'reply');
  return reply?.e === 'reply' ? reply.response : null;
};

describe('forcing a name guarded nowhere here names the config the agent runs with', () => {
  it('an agent run with --config: that file, never /etc/xenherd/agent.json', () => {
    const answer = forceAnswer(state('/etc/xenherd/xen1-agent.json'), 'wbe1');
    expect(answer).toEqual({
      v: CONTROL_PROTOCOL_VERSION,
      ok: false,
      error: {
        code: 'XH_ERR_NOT_FOUND',
        message: 'wbe1 is not a guarded domU on xen1: no config in the guarded dir /srv/xen/guarded (guardedDir in /etc/xenherd/xen1-agent.json, the agent config it runs with) defines it; did you mean web1?',
      },
    });
  });

  it('an agent that read no config file says the default applies, and why', () => {
    const answer = forceAnswer({ ...state(null), config: AgentConfigSchema.parse({}) }, 'mail7');
    expect(answer).toMatchObject({
      ok: false,
      error: { message: 'mail7 is not a guarded domU on xen1: no config in the guarded dir /etc/xen/drbd-auto (the default: this agent read no config file, /etc/xenherd/agent.json being absent) defines it; `xenherd-agent autostart status` lists the 1 guarded here' },
    });
  });

  it('a reload that read another file names that one afterwards', () => {
    const reloaded = reduce(state(null), { t: 'config', config, configFile: '/etc/xenherd/agent.json' }, T0).state;
    expect(reloaded.configFile).toBe('/etc/xenherd/agent.json');
    expect(JSON.stringify(forceAnswer(reloaded, 'wbe1'))).toContain('(guardedDir in /etc/xenherd/agent.json, the agent config it runs with)');
    // a reload event that does not say (an older caller) keeps the file the agent runs with
    expect(reduce(reloaded, { t: 'config', config }, T0).state.configFile).toBe('/etc/xenherd/agent.json');
  });
});
