import { CHECK_KINDS, CHECK_KIND_WORDS, countedKind, type CheckKind } from '../../shared/protocol/ctl-check-kinds.js';
import { CHECK_SEVERITY, type CheckStatus } from '../../shared/protocol/ctl-check.js';
import type { CheckProblem } from './check-conditions.js';
import { nameOrder } from '../../shared/name-order.js';

/** At most this many problems are named one by one on the status line, in their own words. */
const SHORT_LIST = 3;
/**
 * The status line's length before the perfdata, whatever the fleet's size: it is what a pager or
 * an SMS shows, and NRPE 2 passes 1 KB of output in all (the perfdata takes about 400 bytes).
 */
export const SUMMARY_BUDGET = 250;
/** Room kept for "; 400 warnings" when the less bad kinds are counted rather than named. */
const TAIL_ROOM = 30;
/** Subjects named after a kind's count ("50 hosts unreachable (xen101, xen103, xen105, ...)"). */
const NAMED_PER_KIND = 3;

const RANK = new Map<CheckKind, number>(CHECK_KINDS.map((k, i) => [k, i]));

/**
 * Worst status first; within a status by kind (CHECK_KINDS' order: a split brain before the
 * hosts nobody hears from); within a kind by rank, then those waiting for one Dom0 (or one set of them) together,
 * then by subject.
 */
export const ranked = (problems: readonly CheckProblem[]): CheckProblem[] =>
  [...problems].sort(
    (a, b) =>
      CHECK_SEVERITY[b.status] - CHECK_SEVERITY[a.status] ||
      (RANK.get(a.kind) ?? 0) - (RANK.get(b.kind) ?? 0) ||
      (a.rank ?? 0) - (b.rank ?? 0) ||
      nameOrder(a.waitsFor ?? a.waitsForAll?.join(' ') ?? '', b.waitsFor ?? b.waitsForAll?.join(' ') ?? '') ||
      nameOrder(a.subject, b.subject) ||
      nameOrder(a.text, b.text),
  );

interface KindGroup {
  readonly status: CheckProblem['status'];
  readonly kind: CheckKind;
  readonly items: CheckProblem[];
}

/** Problems of one status and kind, in the order given (ranked: each group is contiguous). */
function kindGroups(problems: readonly CheckProblem[]): KindGroup[] {
  const out: KindGroup[] = [];
  for (const p of problems) {
    const last = out[out.length - 1];
    if (last !== undefined && last.status === p.status && last.kind === p.kind) last.items.push(p);
    else out.push({ status: p.status, kind: p.kind, items: [p] });
  }
  return out;
}

function groupText(g: KindGroup, named: number): string {
  const words = CHECK_KIND_WORDS[g.kind];
  if (words === null) return g.items.map((p) => p.short).join(', ');
  const names = g.items.slice(0, named).map((p) => p.subject);
  const more = g.items.length > names.length ? ', ...' : '';
  return `${countedKind(g.items.length, words)}${names.length > 0 ? ` (${names.join(', ')}${more})` : ''}`;
}

const STATUS_WORD: Readonly<Record<CheckStatus, string>> = { OK: 'ok', WARNING: 'warning', CRITICAL: 'critical', UNKNOWN: 'unknown' };

/** "400 warnings", "2 more warnings" (when some were named): what the status line does not name. */
function restText(rest: readonly KindGroup[], shown: readonly KindGroup[]): string {
  const byStatus = new Map<CheckStatus, number>();
  for (const g of rest) byStatus.set(g.status, (byStatus.get(g.status) ?? 0) + g.items.length);
  return [...byStatus]
    .map(([s, n]) => `${n} ${shown.some((g) => g.status === s) ? 'more ' : ''}${STATUS_WORD[s]}${n === 1 || s === 'UNKNOWN' ? '' : 's'}`)
    .join(', ');
}

/**
 * The status line for RANKED problems. A few are named one by one, as they read on their own
 * lines ("xen2 unreachable"); more are counted by kind, the worst status's kinds always all of
 * them (a split brain must reach the pager whatever else is wrong), the others while the line
 * stays within SUMMARY_BUDGET and then counted by status. Names give way to counts before the
 * worst kinds would: a fleet's size never lengthens the line, only the number of kinds can.
 */
export function problemSummary(problems: readonly CheckProblem[]): string {
  const each = problems.map((p) => p.short).join(', ');
  if (problems.length <= SHORT_LIST && each.length <= SUMMARY_BUDGET) return each;
  const groups = kindGroups(problems);
  const worst = groups.filter((g) => g.status === groups[0]?.status);
  let line = '';
  for (const named of [NAMED_PER_KIND, 1, 0]) {
    line = worst.map((g) => groupText(g, named)).join(', ');
    if (line.length > SUMMARY_BUDGET && named > 0) continue;
    const shown = [...worst];
    for (const g of groups.slice(worst.length)) {
      const next = `${line}, ${groupText(g, named)}`;
      if (next.length > SUMMARY_BUDGET - TAIL_ROOM) break;
      line = next;
      shown.push(g);
    }
    const rest = restText(groups.slice(shown.length), shown);
    return rest === '' ? line : `${line}; ${rest}`;
  }
  return line;
}
