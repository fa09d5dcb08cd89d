import { createToolstack } from '../adapters/toolstack.js';
import type { Effect } from '../core/effects.js';
import type { AgentEvent } from '../core/events.js';
import type { AgentPorts } from './ports.js';

/**
 * The start's `xl create` (core/claims.ts asks for it after the claim), its pid on disk while it
 * runs: an agent restarted meanwhile waits for it. The pid is recorded before the create may run
 * (exec.ts `beforeRun`): recorded after the spawn, an agent killed in between left a record naming
 * only itself, and the next one started the domU again beside the create still running. P's `run`
 * is the stop's tracked one for changes (tool-runs.ts), as for the claim and the release.
 */
export async function runCreate(p: AgentPorts, e: Extract<Effect, { e: 'create' }>): Promise<Extract<AgentEvent, { t: 'created' }>> {
  const at = new Date(p.clock.now()).toISOString();
  const run: typeof p.run = (tool, args, o) =>
    p.run(tool, args, {
      ...o,
      beforeRun: (pid) => {
        try {
          p.intents.write({ name: e.name, pid, configPath: e.configPath, at, ...(e.claimed.length > 0 ? { claimed: [...e.claimed] } : {}) });
        } catch (err) {
          p.log.warn({ domu: e.name, err: String(err) }, 'cannot record the start in the state dir');
        }
      },
    });
  const r = await createToolstack(e.toolstack, { run }).create(e.configPath);
  // a failed create leaves its claim Primary until the release that follows ends, and that
  // removes the record (runRelease): removed here, an agent killed in between left a Primary
  // with nothing naming the claim for the next agent to give back
  if (r.ok || e.claimed.length === 0) p.intents.remove(e.name);
  return r.ok ? { t: 'created', name: e.name, ok: true, message: `started from ${e.configPath}` } : { t: 'created', name: e.name, ok: false, message: r.error.message };
}
