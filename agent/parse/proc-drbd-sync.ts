/**
 * The resync/verify progress lines of 8.4 /proc/drbd (drbd_syncer_progress in drbd_proc.c):
 *   `\t[=====>..............] sync'ed: 33.5% (23456/123456)K`   (M instead of K above ~4 GiB)
 *   `\tfinish: 2:20:20 speed: 6,345 (6,456) want: 10,240 K/sec`  (` -- ` middle figure with
 *   proc_details, ` want:` on SyncTarget and VerifyS, ` (stalled)` after 180 s without progress)
 * 8.3.11 omitted the newline between the two, so both may arrive on one line. Up to 8.3.8 a
 * resync without progress for 20 s printed `\tstalled` in place of the finish: line.
 * DRBD 9.2.19 and later, for a device in 8.4 compatibility mode, print the speeds signed (negative
 * while the out-of-sync count grows) and `finish: ∞` when it does not shrink.
 * Up to 8.3.9 an online verify printed none of these, only `\t%3d%%      done/total` (8.0 to 8.2:
 * `\t%3d%% oos:N  done/total`), counted in bitmap bits of 4 KiB: see parseProcDrbdVerifyPercent.
 */
export interface ProcDrbdSync {
  readonly verify: boolean;
  /** per-mille precision as printed, e.g. 18.6 */
  readonly percent: number;
  readonly leftKiB: number;
  readonly totalKiB: number;
  /** "h:mm:ss" as printed; null when not printed, or printed as ∞ (the out-of-sync count does not shrink) */
  readonly finish: string | null;
  readonly speedKiBs: number | null;
  readonly wantKiBs: number | null;
  readonly stalled: boolean;
}

const PROGRESS = /(sync'ed|verified):\s*(\d{1,3}\.\d)% \((\d+)\/(\d+)\)([KM])/;
const FINISH = /finish: (\d+:\d{2}:\d{2}|∞) speed: (-?[\d,]+) \(-?[\d,]+(?: -- -?[\d,]+)?\)(?: want: ([\d,]+))? K\/sec( \(stalled\))?$/;
const NEVER = '∞';
const PROGRESS_FORMAT = "[==>…] sync'ed: N.N% (left/total)K|M";
// the figures whole but no unit after them: named as such, since without K or M they give no size
const NO_UNIT = /(sync'ed|verified):\s*\d{1,3}\.\d% (\(\d+\/\d+\))(?![KM])/;

/** the online-verify line of DRBD 8.0 to 8.3.9; `oos:` (in bitmap bits) up to 8.2 */
const VERIFY_PERCENT = /^\t *(\d{1,3})%(?: oos:\d+)? +(\d+)\/(\d+)$/;
/** one bitmap bit stands for a 4 KiB block */
const KIB_PER_BITMAP_BIT = 4;

const kilo = (s: string): number => Number(s.replace(/,/g, ''));

/** Adds one progress line to what is known so far; a string is the reason it does not parse. */
export function parseProcDrbdSync(sofar: ProcDrbdSync | null, line: string): ProcDrbdSync | string {
  let next = sofar;
  const p = PROGRESS.exec(line);
  // before finish: is read, which 8.3.11 prints on the same line: its complaint would hide this one
  if (!p && /(?:sync'ed|verified):/.test(line)) {
    const u = NO_UNIT.exec(line);
    return u ? `its unit, K or M, right after the ${u[1]}: figures "${u[2]}"; there is none` : PROGRESS_FORMAT;
  }
  if (p) {
    const unit = p[5] === 'M' ? 1024 : 1;
    next = {
      verify: p[1] === 'verified',
      percent: Number(p[2]),
      leftKiB: Number(p[3]) * unit,
      totalKiB: Number(p[4]) * unit,
      finish: null,
      speedKiBs: null,
      wantKiBs: null,
      stalled: false,
    };
  }
  if (/^\s+stalled$/.test(line)) return sofar === null ? "a sync'ed:/verified: line before stalled" : { ...sofar, stalled: true };
  if (line.includes('finish: ')) {
    const f = FINISH.exec(line);
    if (!f || f[1] === undefined || f[2] === undefined) return "finish: h:mm:ss (or ∞) speed: N (N) [want: N] K/sec";
    if (next === null) return "a sync'ed:/verified: line before finish:";
    next = { ...next, finish: f[1] === NEVER ? null : f[1], speedKiBs: kilo(f[2]), wantKiBs: f[3] === undefined ? null : kilo(f[3]), stalled: f[4] !== undefined };
  }
  if (!p && !line.includes('finish: ')) return PROGRESS_FORMAT;
  return next ?? PROGRESS_FORMAT;
}

/**
 * The online-verify progress line of DRBD 8.0 to 8.3.9 (`\t 42%      110592/262144`), or null when
 * LINE is not one. A sync'ed:/verified: line read before it (none was printed in a released
 * version, but git builds between 8.3.9 and 8.3.10 printed both) is kept, marked as a verify.
 */
export function parseProcDrbdVerifyPercent(sofar: ProcDrbdSync | null, line: string): ProcDrbdSync | null {
  const m = VERIFY_PERCENT.exec(line);
  if (!m) return null;
  if (sofar !== null) return { ...sofar, verify: true };
  const done = Number(m[2]);
  const total = Number(m[3]);
  return {
    verify: true,
    percent: Number(m[1]),
    leftKiB: Math.max(0, total - done) * KIB_PER_BITMAP_BIT,
    totalKiB: total * KIB_PER_BITMAP_BIT,
    finish: null,
    speedKiBs: null,
    wantKiBs: null,
    stalled: false,
  };
}
