import type { CliIo } from '../../shared/cli/io.js';
import type { MovePhase } from '../../shared/protocol/ctl-jobs.js';
import type { JobEventAsRead, LeftoverAsRead } from '../../shared/protocol/ctl-jobs-read.js';
import { cancelledEndText, isCancelNote } from '../../shared/text/cancel-words.js';
import { maintenanceWord } from '../../shared/text/maintenance-words.js';
import { printable, printableLines } from '../../shared/text/printable.js';
import { clockTime } from './duration.js';
import { leftoversBlock, planText } from './plan-table.js';

interface Live {
  readonly from: string;
  readonly to: string;
  phase: string;
  attempt: number;
  since: number;
  line: string | null;
}

const WORDS: Record<MovePhase, string> = { started: 'migrating', progress: 'migrating', settling: 'settling', retrying: 'retrying', cold: 'cold move', moved: 'moved', failed: 'FAILED', alarm: 'ALARM', left: 'left to its agent' };
/** a phase a newer controller added is shown as the word it sent */
const word = (phase: string): string => (Object.hasOwn(WORDS, phase) ? WORDS[phase as MovePhase] : phase);
const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * A job's events for people. On a terminal: finished moves, notes and the plan scroll by, and
 * below them a live block redrawn in place: one line per running migration (phase, elapsed,
 * the agent's last progress line) and an overall bar. Elsewhere: one plain, timestamped log line
 * per event, for logs and pipes.
 */
export class ProgressView {
  private readonly live = new Map<string, Live>();
  private drawn = 0;
  private total = 0;
  private moved = 0;
  private failed = 0;
  /** the leftovers of a plan shown with no move in it: the job's end can only repeat them */
  private stillPlan: readonly LeftoverAsRead[] | null = null;
  private readonly t0: number;
  /** the job's kind, from its first event; and whether it was cancelled on purpose (its cancel note) */
  private kind = 'job';
  private cancelled = false;

  constructor(
    private readonly io: CliIo,
    private readonly tty: boolean,
    private readonly now: () => number,
    private readonly width = 100,
  ) {
    this.t0 = now();
  }

  event(e: JobEventAsRead): void {
    switch (e.type) {
      case 'job':
        this.kind = e.kind;
        return this.say(`${e.kind}${e.hosts.length > 0 ? ` ${e.hosts.join(' ')}` : ''}: ${e.attached ? `following the ${e.kind} already running (${e.jobId}, started by ${e.by}): Ctrl-C here only stops watching` : `job ${e.jobId}`}`);
      case 'plan':
        this.total = Math.max(this.total, e.plan.kind === 'roll' ? 0 : e.plan.sets.flat().length);
        this.stillPlan = e.plan.kind === 'rebalance' && e.plan.sets.length === 0 ? e.plan.leftovers : null;
        return this.say(planText(e.plan).trimEnd());
      case 'host':
        return this.say(`${e.host}: ${maintenanceWord(e.maintenance.state)}${e.maintenance.operationId ? ` (operation ${e.maintenance.operationId})` : ''}`);
      case 'note':
        if (isCancelNote(e.level, e.line)) this.cancelled = true;
        return this.say(`${e.level === 'warn' ? 'warning: ' : ''}${e.line}`);
      case 'reboot':
        return this.say(`reboot now: ${e.hosts.join(', ')} (waiting for each to come back with a new boot id)`);
      case 'end':
        this.live.clear();
        if (this.endRepeatsPlan(e)) return e.ok ? undefined : this.say(`${e.code}: nothing moved; the ${e.remaining.length} domU(s) above stay away from home`);
        // a stop someone asked for ends in its own words: the code (XH_ERR_REFUSED) stays in --json
        if (!e.ok && (this.cancelled || e.cancelled === true) && e.code === 'XH_ERR_REFUSED') this.say(cancelledEndText(this.kind, e.message));
        else this.say(`${e.ok ? '' : `${e.code}: `}${e.message}`);
        if (e.remaining.length > 0) this.say(leftoversBlock(e.remaining, 'remaining').trimEnd());
        return;
      case 'move':
        return this.move(e);
    }
  }

  /**
   * A rebalance whose plan had nothing to move ends at once, its end saying again what the plan
   * line and its list just said ("the fleet is balanced", then the same domUs staying away). Any
   * other end (blocked by a drain, cancelled, a newer controller's own words) is shown as sent.
   */
  private endRepeatsPlan(e: Extract<JobEventAsRead, { type: 'end' }>): boolean {
    const plan = this.stillPlan;
    if (plan === null || this.moved + this.failed > 0) return false;
    if (e.ok) return plan.length === 0;
    return e.remaining.length > 0 && e.remaining.length === plan.length && e.remaining.every((l, i) => l.name === plan[i]?.name && l.message === plan[i]?.message);
  }

  /** Redraws the live block (elapsed times move on). */
  tick(): void {
    if (this.tty) this.draw();
  }

  private move(e: Extract<JobEventAsRead, { type: 'move' }>): void {
    const now = this.now();
    // the agent's words (xl's progress, libxl's warnings, its result) are one record: a newline in
    // them escaped, as on a terminal, or a log would read the rest as a record of its own, unstamped by the domU
    const line = e.line === null ? null : printable(e.line);
    if (e.phase === 'moved' || e.phase === 'failed' || e.phase === 'alarm' || e.phase === 'left') {
      this.live.delete(e.name);
      if (e.phase === 'moved') this.moved++;
      // one left to its agent as the controller stopped did not fail: it is not counted done either way
      else if (e.phase !== 'left') this.failed++;
      this.total = Math.max(this.total, this.moved + this.failed + this.live.size);
      return this.say(`${e.name}: ${word(e.phase)} ${e.from} → ${e.to} after ${(e.elapsedMs / 1000).toFixed(1)} s${line ? ` (${line})` : ''}`);
    }
    const l = this.live.get(e.name) ?? { from: e.from, to: e.to, phase: e.phase, attempt: e.attempt, since: now - e.elapsedMs, line: null };
    l.phase = e.phase;
    l.attempt = e.attempt;
    if (line !== null) l.line = line;
    this.live.set(e.name, l);
    this.total = Math.max(this.total, this.moved + this.failed + this.live.size);
    if (this.tty) return this.draw();
    if (e.phase === 'started') return this.say(`${e.name}: ${e.from} → ${e.to} started`);
    this.say(`${e.name}: ${word(e.phase)}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}${line ? `: ${line}` : ''}`);
  }

  private say(text: string): void {
    const stamp = (): string => {
      const d = new Date(this.now());
      return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} `;
    };
    const lines = printableLines(text).split('\n');
    this.clear();
    this.io.stdout(lines.map((l) => (this.tty ? l : `${stamp()}${l}`)).join('\n') + '\n');
    if (this.tty) this.draw();
  }

  private clear(): void {
    if (this.drawn > 0) this.io.stdout(`\u001b[${this.drawn}A\u001b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    this.clear();
    const now = this.now();
    const rows = [...this.live].map(([name, l]) =>
      `  ${name}  ${l.from} → ${l.to}  ${word(l.phase)}${l.attempt > 1 ? ` #${l.attempt}` : ''}  ${clockTime(now - l.since)}${l.line ? `  ${l.line}` : ''}`.slice(0, this.width),
    );
    const done = this.moved + this.failed;
    const width = 30;
    const fill = this.total === 0 ? 0 : Math.round((done / this.total) * width);
    rows.push(`[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${this.moved}/${this.total} moved · ${this.live.size} running · ${this.failed} failed · ${clockTime(now - this.t0)}`);
    this.io.stdout(`${rows.map((r) => printable(r)).join('\n')}\n`);
    this.drawn = rows.length;
  }
}
