import type { CliIo } from '../../../shared/cli/io.js';
import { isRollOperation, rollAgainWords } from '../../../shared/roll-mark.js';
import { jsonLine, printable } from '../../../shared/text/printable.js';
import { begin, fail, wantsJson, type CtlHooks } from '../context.js';
import { formatAge, formatSince, table } from '../format.js';
import { JOBS_USAGE } from '../help/jobs.js';
import { controllerSet } from '../controller-set.js';
import { jobsOfEach } from '../jobs-per-controller.js';
import { JobsAnswerReadSchema, JobsListingSchema, listingOf, type JobRow, type JobsListing } from '../jobs-answer.js';

/** How much of a finished job's ending a table row shows: its whole message is in --json. */
const MESSAGE_CHARS = 160;

/**
 * The most hosts a job's ON cell names: a roll of a rack named each of its 20 Dom0s there, 139
 * columns that every other row of the table was padded to, its STATE past any terminal's edge.
 */
const HOSTS_NAMED = 3;

const targetOf = (r: JobRow): string => {
  if (r.domu !== null) return `${r.domu} ${r.kind === 'reverse' ? `home to ${r.hosts[0] ?? '?'}` : `on ${r.hosts[0] ?? '?'}${r.hosts[1] !== undefined ? ` to ${r.hosts[1]}` : ''}`}`;
  if (r.hosts.length > HOSTS_NAMED) return `${r.hosts.slice(0, HOSTS_NAMED).join(' ')} +${r.hosts.length - HOSTS_NAMED} more`;
  return r.hosts.length > 0 ? r.hosts.join(' ') : '(fleet)';
};

const started = (r: JobRow, now: number): string => `${formatSince(r.startedAt, now)} (${formatAge(r.ageMs)} ago)`;

function runningState(r: JobRow): string {
  if (r.domu !== null) return `${r.kind === 'reverse' ? 'reversing' : 'migrating'} (runs on the Dom0s to its end)`;
  // "left" is the controller's remaining, as --json says it: the moves not finished, those running
  // included (job-tally.ts). Left less running read "0 left" beside `remaining: 1` for a domU whose
  // move had not ended, as if nothing were left of the drain
  const running = r.running ?? 0;
  const left = r.remaining ?? 0;
  // a roll plans groups, not moves: its total grows as its moves start (job-tally.ts), so what it
  // has left is not known and "0 left" would be said with a whole group still to move
  const counts = r.moved === null ? '' : r.kind === 'roll' ? `: ${r.moved} moved, ${running} running` : `: ${r.moved} moved, ${left} left (${running} running)`;
  const failed = r.moved !== null && r.failed ? `, ${r.failed} failed` : '';
  return `${r.state}${counts}${failed}${r.step !== null ? `; ${r.step}` : ''}`;
}

function endedState(r: JobRow, now: number): string {
  const message = (r.message ?? '').split('\n')[0] ?? '';
  const cut = message.length > MESSAGE_CHARS ? `${message.slice(0, MESSAGE_CHARS - 1)}…` : message;
  return `${r.state}${r.code !== null ? ` ${r.code}` : ''} at ${r.endedAt === null ? '?' : formatSince(r.endedAt, now)}: ${cut}`;
}

/**
 * The drains and restores this controller holds a Dom0's flag for with no job on it: after a
 * restart the ENDED list is empty, so this is where a drain its stop cut is told, with the command
 * that continues it (a roll's operation id is marked, shared/roll-mark.ts: the same roll asked again
 * takes it up, where `drain HOST` would only empty it and leave it in maintenance, never rebooted).
 */
function cutText(cut: NonNullable<JobsListing['cut']>, at: number): string {
  const lines = cut.map((c) => {
    const since = c.since === null ? '' : ` since ${formatSince(c.since, at)}`;
    const again = isRollOperation(c.operationId) ? rollAgainWords(c.host) : `\`xenherdctl ${c.state === 'restoring' ? 'restore' : 'drain'} ${c.host}\` continues it`;
    return printable(`  ${c.host}: ${c.state}${since} (operation ${c.operationId ?? '?'}): ${again}`);
  });
  return `NO JOB ON IT (this controller's ${cut.length === 1 ? 'operation' : 'operations'}, cut by a stop or restart of the controller, or ended short; the Dom0 stays out of service)\n${lines.join('\n')}\n`;
}

/** The listing for people: running first, then what ended; every word the controller sent made printable. */
export function jobsText(l: JobsListing): string {
  const out: string[] = [];
  if (l.running.length === 0) out.push('nothing runs in the controller now\n');
  else out.push(table([['RUNNING', 'KIND', 'ON', 'BY', 'STARTED', 'STATE'], ...l.running.map((r) => [r.id, r.kind, targetOf(r), r.startedBy, started(r, l.at), runningState(r)].map((c) => printable(c)))]));
  if (l.remembers === null) out.push('(this controller is of an older release: it lists no job that ended)\n');
  else if (l.finished.length === 0) out.push('no job has ended since the controller started\n');
  else {
    out.push(`\nENDED (the last ${l.remembers} the controller keeps since it started; its log has them all)\n`);
    out.push(table([['ID', 'KIND', 'ON', 'BY', 'STARTED', 'ENDED'], ...l.finished.map((r) => [r.id, r.kind, targetOf(r), r.startedBy, started(r, l.at), endedState(r, l.at)].map((c) => printable(c)))]));
  }
  if (l.cut !== undefined && l.cut.length > 0) out.push(`\n${cutText(l.cut, l.at)}`);
  if (l.running.some((r) => r.cancel)) out.push('\n`xenherdctl cancel ID` stops a running job (no new moves; running ones finish)\n');
  return out.join('');
}

/** `xenherdctl jobs [--json]`: what the controller runs (with standbys: each controller), and what ended lately; role read. */
export async function jobs(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(argv, io, hooks, [], [0, 0], JOBS_USAGE);
  if (!inv.ok) return fail(inv.error, io, wantsJson(argv));
  if ((inv.value.config.standbyUrls ?? []).length > 0) return jobsOfEach(controllerSet(inv.value.config, hooks.clock), io, inv.value.json, jobsText);
  const r = await inv.value.client.get('/jobs', JobsAnswerReadSchema);
  if (!r.ok) return fail(r.error, io, inv.value.json);
  const listing = JobsListingSchema.parse(listingOf(r.value));
  io.stdout(inv.value.json ? jsonLine(listing) : jobsText(listing));
  return 0;
}
