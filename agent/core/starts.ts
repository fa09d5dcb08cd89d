import { CONTROL_PROTOCOL_VERSION } from '../../shared/protocol/agent-control.js';
import type { DrbdResourceView } from '../../shared/inventory.js';
import { decideAll, forceVerdict } from '../decide/autostart-all.js';
import { claimOrCreate, releasing } from './claims.js';
import { spanText } from '../../shared/text/span-text.js';
import { retryDelayMs } from './delays.js';
import type { DomainsRead } from './events.js';
import { log } from './effects.js';
import { requestList } from './read-requests.js';
import { failure, notStarted, pump, STOPPED_BY_OPERATOR, withJob } from './start-queue.js';
import { snapshotOf } from './status.js';
import type { AgentState, DomuRecord } from './state.js';
import type { Fx } from './timers.js';

// A start job's way on from the queue (core/start-queue.ts): the re-check right before it, the
// claim of its DRBD resources (core/claims.ts), `xl create`'s outcome; and the queue dropped when
// autostart is stopped or the agent stops.

const record = (s: AgentState, name: string, now: number): DomuRecord => s.records.get(name) ?? { decision: null, since: now, attempts: 0, lastStart: null, retryAt: null };
const withRecord = (s: AgentState, name: string, r: DomuRecord): AgentState => ({ ...s, records: new Map(s.records).set(name, r) });

export function onRechecked(s: AgentState, fx: Fx, name: string, domains: DomainsRead | 'current', polled: ReadonlyMap<string, DrbdResourceView> | null, now: number): AgentState {
  const job = s.jobs.find((j) => j.name === name && j.phase === 'rechecking');
  if (!job) return s;
  if (s.phase === 'stopping' || s.phase === 'stopped') return notStarted(s, fx, job, 'the agent is stopping');
  if (job.forced === null && !s.enabled) return notStarted(s, fx, job, STOPPED_BY_OPERATOR);
  // 'current': the list in the state (a list read that failed left none)
  const listed: DomainsRead = domains !== 'current' ? domains : s.domains !== null ? { ok: true, domains: s.domains } : { ok: false, code: 'XH_ERR_TOOL_FAILED', message: 'the last xl list could not be read' };
  if (!listed.ok) return notStarted(s, fx, job, `re-checked right before starting: the re-check could not read the host (${listed.message})`);
  let n: AgentState = domains === 'current' ? s : { ...s, domains: listed.domains, dirty: true };
  if (polled) n = { ...n, drbd: { ...n.drbd, polled: new Map([...n.drbd.polled, ...polled]) } };
  const g = n.guarded.find((x) => x.name === name);
  if (!g) return notStarted(n, fx, job, 're-checked right before starting: no longer a guarded domU here');
  // every file defining NAME: a second one makes the decision a defer
  const decision = decideAll({ ...snapshotOf(n, now), guarded: n.guarded.filter((x) => x.name === name) }).get(name) ?? null;
  const allowed = job.forced ? forceVerdict(decision ?? undefined).allowed : decision?.kind === 'start';
  if (!allowed || n.holds.some((h) => h.hold.name === name)) {
    const why = decision === null ? 'the re-check could not decide' : `${decision.kind}: ${decision.detail}`;
    return notStarted(n, fx, job, `re-checked right before starting: ${why}`);
  }
  return claimOrCreate(n, fx, job, g.drbdResources, now);
}

/**
 * When autostart tries a failed start again: the time core/decide.ts maybeStart waits for (the
 * last start plus retryDelayMs), as `autostart status` shows it, with the time of day as there.
 * It starts then only if it still decides to start; a forced start is not repeated by itself.
 */
function retryWords(name: string, at: number, wait: number, forced: boolean): string {
  const iso = new Date(at).toISOString();
  const clock = wait < 12 * 3600_000 ? iso.slice(11, 19) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  const when = `in ${spanText(wait)}, at ${clock} UTC`;
  if (forced) return `autostart itself tries ${name} again no sooner than ${when}, and only if it then decides to start it (--force is not repeated)`;
  return `autostart tries ${name} again ${when}, if it still decides to start it then`;
}

export function onCreated(s: AgentState, fx: Fx, name: string, ok: boolean, message: string, now: number): AgentState {
  const job = s.jobs.find((j) => j.name === name && j.phase === 'creating');
  if (!job) return s;
  const forced = job.forced !== null;
  const rec = record(s, name, now);
  let n = withJob(s, name, () => null);
  if (ok && s.phase !== 'stopping' && s.phase !== 'stopped' && s.toolstack !== null) {
    // kept as 'created' until a list read shows it (or one surely read after the create)
    const afterList = s.listRead.done + (s.listRead.running ? 2 : 1);
    n = withJob(s, name, (j) => ({ ...j, phase: 'created', afterList }));
  }
  if (ok) {
    n = withRecord(n, name, { ...rec, attempts: 0, lastStart: { at: now, ok: true, message: `started from ${job.configPath}`, forced } });
    if (!n.handledThisBoot.has(name)) {
      n = { ...n, handledThisBoot: new Set(n.handledThisBoot).add(name) };
      fx.push({ e: 'save-boot-record', names: [...n.handledThisBoot].sort() });
    }
    fx.push(log('info', `started ${name}`, { domu: name, forced, configPath: job.configPath }));
    if (job.replyTo !== null) fx.push({ e: 'reply', id: job.replyTo, response: { v: CONTROL_PROTOCOL_VERSION, ok: true, message: `started ${name} (forced: ${job.forced?.reason ?? ''})` }, keepOpen: false });
  } else {
    if (job.claimed !== undefined && job.claimed.length > 0) n = releasing(n, fx, job, job.claimed, 'decide');
    const attempts = rec.attempts + 1;
    const c = n.config.autostart;
    n = withRecord(n, name, { ...rec, attempts, lastStart: { at: now, ok: false, message, forced } });
    const wait = retryDelayMs(attempts, c.retryInitialSeconds * 1000, c.retryMaxSeconds * 1000);
    fx.push(log('error', `starting ${name} failed: ${message}; ${retryWords(name, now + wait, wait, forced)}`, { domu: name, forced, attempts, retryInMs: wait, retryAt: new Date(now + wait).toISOString() }));
    if (job.replyTo !== null) fx.push({ e: 'reply', id: job.replyTo, response: failure({ code: 'XH_ERR_TOOL_FAILED', message: `${name}: ${message}` }), keepOpen: false });
  }
  // a started domU waits for a list read that shows it: one under way usually does (the create
  // introduced the domain before it exited, and that is what started the read); when it does
  // not, reads.ts asks for another as it lands
  const waiting = { ...n, dirty: true };
  return pump(ok && n.listRead.running ? waiting : requestList(waiting, fx), fx);
}


/** `autostart stop`: autostart's own starts not under way yet are dropped; an operator's `--force` stays. */
export const dropUnforced = (s: AgentState): AgentState => ({ ...s, jobs: s.jobs.filter((j) => j.forced !== null || (j.phase !== 'queued' && j.phase !== 'backing-off')) });

/** Drops every queued start (the agent stops); a waiting `--force` hears so. */
export function dropQueued(s: AgentState, fx: Fx): AgentState {
  for (const j of s.jobs) {
    if (j.phase === 'queued' && j.replyTo !== null) fx.push({ e: 'reply', id: j.replyTo, response: failure({ code: 'XH_ERR_REFUSED', message: `${j.name}: the agent is stopping` }), keepOpen: false });
  }
  // a release waiting for its retry is left to the next agent: the start record on disk names it.
  // One running now is waited for (bounded by drbdadm's timeout), as a claim or create is: ended
  // with the agent, its `drbdadm secondary` ran on with nobody to hear it (KillMode=process)
  return { ...s, jobs: s.jobs.filter((j) => j.phase !== 'queued' && j.phase !== 'created' && j.phase !== 'backing-off' && !(j.phase === 'releasing' && j.releaseRunning !== true)) };
}
