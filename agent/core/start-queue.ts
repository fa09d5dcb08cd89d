import type { ControlResponse } from '../../shared/protocol/agent-control.js';
import { CONTROL_PROTOCOL_VERSION } from '../../shared/protocol/agent-control.js';
import { log } from './effects.js';
import { requestList } from './read-requests.js';
import { recheckSource } from './recheck.js';
import type { AgentState, Forced, ReplyError, StartJob } from './state.js';
import type { Fx } from './timers.js';

/**
 * `xl create` (or `xm create`) of guarded domUs: at most `autostart.parallel` at once, one job per
 * domU, each preceded by a fresh re-check (xl list as of now, DRBD as of now) so nothing starts
 * on a stale snapshot; where xenstore-watch works, "xl list as of now" is the state's own list
 * or the list read already under way (core/recheck.ts). The effect runner keeps the pid of a running `xl create` on disk, so an
 * agent restarted meanwhile does not start the domU twice.
 */
const active = (s: AgentState): number => s.jobs.filter((j) => j.phase === 'rechecking' || j.phase === 'claiming' || j.phase === 'creating').length;
export const withJob = (s: AgentState, name: string, f: (j: StartJob) => StartJob | null): AgentState => ({
  ...s,
  jobs: s.jobs.flatMap((j) => (j.name === name ? (f(j) ?? []) : [j])),
});

export function failure(error: ReplyError): ControlResponse {
  return { v: CONTROL_PROTOCOL_VERSION, ok: false, error };
}

/** Queues a start; false when this domU already has one (its lock). */
export function enqueue(s: AgentState, fx: Fx, name: string, configPath: string, forced: Forced | null, replyTo: number | null): AgentState | null {
  if (s.jobs.some((j) => j.name === name) || s.phase === 'stopping' || s.phase === 'stopped') return null;
  return pump({ ...s, jobs: [...s.jobs, { name, configPath, forced, phase: 'queued', replyTo }] }, fx);
}

export function pump(s: AgentState, fx: Fx): AgentState {
  let n = s;
  const toolstack = s.toolstack;
  if (toolstack === null) return s;
  while (active(n) < n.config.autostart.parallel) {
    const next = n.jobs.find((j) => j.phase === 'queued');
    if (!next) break;
    const entry = n.guarded.find((g) => g.name === next.name);
    const polling = n.drbd.watcher.mode === 'polling' && n.drbd.availability === 'ok';
    // polled DRBD is only as fresh as its last poll: such a re-check reads both itself
    const source = polling ? ({ kind: 'own' } as const) : recheckSource(n);
    n = withJob(n, next.name, (j) => ({ ...j, phase: 'rechecking', ...(source.kind === 'join' ? { afterList: source.afterList } : {}) }));
    if (source.kind !== 'join') fx.push({ e: 'recheck', name: next.name, toolstack, pollNames: polling ? [...(entry?.drbdResources ?? [])] : null, current: source.kind === 'current' });
  }
  return n;
}

/** Ends a job that ran nothing: its waiting `--force` hears why. */
export function notStarted(s: AgentState, fx: Fx, job: StartJob, why: string): AgentState {
  fx.push(log('info', `not starting ${job.name}: ${why}`, { domu: job.name, forced: job.forced !== null }));
  if (job.replyTo !== null) fx.push({ e: 'reply', id: job.replyTo, response: failure({ code: 'XH_ERR_REFUSED', message: `${job.name}: ${why}` }), keepOpen: false });
  return pump(requestList(withJob(s, job.name, () => null), fx), fx);
}

export const STOPPED_BY_OPERATOR = 'guarded autostart was stopped by the operator (`autostart start` resumes it)';
