import { WhereAnswerSchema, type WhereMatch } from '../../shared/protocol/ctl-api.js';
import type { ControllerHost } from './controller-host.js';
import { shq, type Dom0 } from './dom0.js';
import { sleep } from './log.js';

/**
 * The controller's freshness after a move, from two pollers started with the move:
 *   - in the target Dom0, a shell loop (every 0.5 s, inside the Dom0: no ssh round trip per poll)
 *     that ends when `xl list tiny` lists it under its own name and not paused, i.e. running
 *     there; the host clock takes the moment its ssh command returns;
 *   - on the host, the controller's `where` (the API xenherdctl uses, every 0.25 s) until it answers
 *     only the target: tiny listed there under its own name and on no other host.
 * freshness = where's first such answer - the xl loop's return; both on the host clock, so no
 * clock skew between host and Dom0 enters. Each side's window (last miss .. first hit) is kept.
 */
export interface Arrival {
  /** seconds from the start of the move, host clock; null: not seen before the deadline */
  xlSeenS: number | null;
  whereSeenS: number | null;
  whereLastMissS: number | null;
  freshnessS: number | null;
}

const LOOP_TAG = 'xenherd-lab-arrival';
/** how long after a successful move the pollers may still wait for what they look for */
const GRACE_MS = 120_000;

/** the whole answer: every place of tiny is HOST's plain row */
export const answersOnly = (m: WhereMatch | undefined, host: string): boolean =>
  m !== undefined && m.places.length > 0 && m.places.every((p) => p.host === host && p.domain.migration === null && p.domain.name === m.name);

export class ArrivalWatch {
  private readonly t0 = Date.now();
  /** the pollers give up at this time (host clock); set once the move has ended */
  private endAt = Number.POSITIVE_INFINITY;
  private readonly xl: Promise<number | null>;
  private readonly where: Promise<{ seen: number | null; lastMiss: number | null }>;

  constructor(
    private readonly to: Dom0,
    ctl: ControllerHost,
    name: string,
  ) {
    // xl list costs a libxl start-up, much of the Dom0's emulated CPU at this rate (it slowed the
    // very migration it watched): xenstore, where xl reads the names from, is asked first, and xl
    // only once a domain has the name (the target renames NAME--incoming to NAME at the end)
    const named = `named() { for id in $(xenstore-list /local/domain 2>/dev/null); do [ "$(xenstore-read /local/domain/$id/name 2>/dev/null)" = ${name} ] && return 0; done; return 1; }`;
    const loop = `${named}; until named && xl list ${name} 2>/dev/null | awk 'NR==2 && $5 !~ /p/ {ok=1} END {exit !ok}'; do sleep 0.5; done`;
    // bounded by itself too (an hour): a lab that dies leaves no loop behind in a Dom0 it powers off anyway
    this.xl = to.exec(`timeout 3600 sh -c ${shq(loop)} ${LOOP_TAG}`, { timeoutMs: 3_660_000, retries: 0 }).then((r) => (r.exitCode === 0 ? (Date.now() - this.t0) / 1000 : null));
    this.where = (async () => {
      let lastMiss: number | null = null;
      while (Date.now() < this.endAt) {
        const r = await ctl.get(`/where?pattern=${encodeURIComponent(name)}`, WhereAnswerSchema);
        const t = (Date.now() - this.t0) / 1000;
        if (r.ok && answersOnly(r.value.matches.find((m) => m.name === name), to.name)) return { seen: t, lastMiss };
        lastMiss = t;
        await sleep(250);
      }
      return { seen: null, lastMiss };
    })();
  }

  /** After the move ended: give both pollers GRACE_MS more when it moved (none when it did not), then end them. */
  async result(moved: boolean): Promise<Arrival> {
    this.endAt = Date.now() + (moved ? GRACE_MS : 0);
    const stopXl = setTimeout(() => void this.to.exec(`pkill -f '${LOOP_TAG.replace('arrival', '[a]rrival')}' || true`), moved ? GRACE_MS : 0);
    // [a]: the pattern must not match the remote shell running pkill itself
    const [xlSeenS, w] = await Promise.all([this.xl, this.where]);
    clearTimeout(stopXl);
    return { xlSeenS, whereSeenS: w.seen, whereLastMissS: w.lastMiss, freshnessS: xlSeenS !== null && w.seen !== null ? w.seen - xlSeenS : null };
  }
}

export function describeArrival(label: string, to: string, a: Arrival): string {
  const s = (x: number | null): string => (x === null ? 'never' : `+${x.toFixed(1)} s`);
  return `freshness ${label}: xl list on ${to} first showed tiny running at ${s(a.xlSeenS)} (in-Dom0 loop, 0.5 s period), where answered ${to} at ${s(a.whereSeenS)} (last other answer ${s(a.whereLastMissS)}): ${a.freshnessS === null ? 'n/a' : `${a.freshnessS.toFixed(1)} s`} after xl list`;
}
