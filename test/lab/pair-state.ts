import type { Checks } from './checks.js';
import { shq, type Dom0 } from './dom0.js';
import type { Lab } from './lab.js';
import { log, sleep } from './log.js';

/**
 * What the pair says about tiny, read with the real tools and the agent's CLI: where `xl list`
 * shows it, each Dom0's ledger through `status ALL --json`, DRBD roles, and the forced command
 * reached with the system ssh client. Shared by the migration and controller checks; also keeps
 * the count of processes the emulation killed (read-only commands dying that way are retried).
 */
export const LEDGER = '/var/lib/xenherd/ledger.json';
export const KEY = '/etc/xenherd/migrate_key';

export type Row = { name: string; home: string | null; place: string; awayOn: string | null; here: string | null; reason: string | null };
export interface StatusOut {
  exitCode: number | null;
  json: { ok: boolean; host: string; ledgerSeq: number; domus: Row[]; mismatches: { kind: string; domu: string; detail: string }[]; problems: string[] } | null;
  raw: string;
}

export const oneLine = (s: string, n = 600): string => s.trim().replace(/\n/g, ' | ').slice(0, n);
export const lastLine = (s: string): string => s.trim().split('\n').pop() ?? '';
/** a process that died of the lab's emulation: glibc/V8 aborts, signals, a killed xl inside the agent */
export const CRASH_RE = /killed by SIG[A-Z]+|Segmentation fault|Aborted|Fatal error in|^abort: |JS stack trace|corrupted/m;

/** README: migrating a guest out again within ~10 s of its arrival fails; wait >= 30 s */
const GAP_MS = 30_000;

export class PairState {
  /** agent/tool processes that died by a signal in the Dom0s (TCG emulation), retried */
  readonly crashes: string[] = [];
  /** tiny's last arrival (or start, or resumption): the next migration waits until GAP_MS after it */
  private arrived = Date.now();

  constructor(
    private readonly lab: Lab,
    private readonly c: Checks,
    private readonly remote: string,
  ) {}

  markArrival(): void {
    this.arrived = Date.now();
  }

  async waitGap(): Promise<void> {
    const left = this.arrived + GAP_MS - Date.now();
    if (left > 0) {
      log(`pair: waiting ${(left / 1000).toFixed(0)} s (>= 30 s after tiny's last arrival)`);
      await sleep(left);
    }
  }

  /** a command whose crash by a signal (emulation) is retried: read-only agent commands, xl list */
  async stable(d: Dom0, cmd: string, timeoutMs = 240_000): Promise<{ stdout: string; stderr: string; exitCode: number | null; s: number }> {
    for (let i = 0; ; i++) {
      const t0 = Date.now();
      const r = await d.exec(cmd, { timeoutMs });
      const s = (Date.now() - t0) / 1000;
      const crashed = (r.exitCode !== null && r.exitCode >= 128) || CRASH_RE.test(r.stderr);
      if (!crashed || i >= 4) return { ...r, s };
      const what = `${d.name}: \`${cmd}\` exit ${String(r.exitCode)}: ${oneLine(r.stderr, 300)}`;
      this.crashes.push(what);
      log(`pair: FINDING: a process died by a signal (exit >= 128; 255: ssh lost), retrying: ${what}`);
      await sleep(2000);
    }
  }

  agent(d: Dom0, args: string, timeoutMs?: number): ReturnType<PairState['stable']> {
    return this.stable(d, `${this.remote} ${args}`, timeoutMs);
  }

  /** where tiny runs per `xl list tiny` on each host (a crashed xl is asked again) */
  async where(): Promise<string[]> {
    const out: string[] = [];
    for (const d of this.lab.hosts) {
      const r = await this.stable(d, 'xl list tiny');
      if (r.exitCode === 0) out.push(d.name);
      else if (!/invalid domain identifier|does not exist/.test(r.stderr)) this.c.ok(false, `${d.name}: xl list tiny answers (listed or "invalid domain identifier")`, { exit: r.exitCode, stderr: r.stderr.slice(0, 300) });
    }
    return out;
  }

  async status(d: Dom0): Promise<StatusOut> {
    const r = await this.agent(d, 'status ALL --json');
    try {
      return { exitCode: r.exitCode, json: JSON.parse(r.stdout) as StatusOut['json'], raw: r.stdout + r.stderr };
    } catch {
      return { exitCode: r.exitCode, json: null, raw: `exit ${String(r.exitCode)}: ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 300)}` };
    }
  }

  async ledgerText(d: Dom0): Promise<string> {
    return (await d.exec(`cat ${LEDGER} 2>/dev/null || echo '(no ledger file)'`)).stdout.trim();
  }

  /** a request through the peer's forced command with the migration key (the system ssh client) */
  viaSsh(from: Dom0, to: Dom0, request: string): ReturnType<Dom0['exec']> {
    return from.exec(`ssh -i ${KEY} -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=60 -T ${to.name} ${shq(request)}`, { timeoutMs: 180_000, retries: 0 });
  }

  async roles(): Promise<string[]> {
    return Promise.all(this.lab.hosts.map(async (d) => (await this.stable(d, 'drbdadm role r0')).stdout.trim()));
  }

  /**
   * The ledgers of both Dom0s against both `xl list`s: `status ALL --json` exits 0 on both (no
   * mismatch) and says what `xl list` says: tiny home on dom0a, or away at dom0b and dom0b's
   * visitor from dom0a. Returns where tiny runs.
   */
  async consistent(label: string): Promise<string[]> {
    const { a, b } = this.lab;
    const at = await this.where();
    const [sa, sb] = await Promise.all([this.status(a), this.status(b)]);
    const la = await this.ledgerText(a);
    const lb = await this.ledgerText(b);
    const ra = sa.json?.domus.find((r) => r.name === 'tiny');
    const rb = sb.json?.domus.find((r) => r.name === 'tiny');
    log(`pair ${label}: xl list: tiny on [${at.join(', ')}]; dom0a status: exit ${String(sa.exitCode)} ${JSON.stringify(ra ?? null)} mismatches ${JSON.stringify(sa.json?.mismatches ?? null)}; dom0b status: exit ${String(sb.exitCode)} ${JSON.stringify(rb ?? null)} mismatches ${JSON.stringify(sb.json?.mismatches ?? null)}`);
    log(`pair ${label}: ledger dom0a ${oneLine(la, 400)} ;; ledger dom0b ${oneLine(lb, 400)}`);
    const k = this.c.scope(`${label}: `);
    k.eq(at.length, 1, 'tiny runs on exactly one Dom0 (xl list on both)');
    k.eq(sa.exitCode, 0, 'dom0a status ALL exits 0 (its ledger agrees with its xl list)');
    k.eq(sb.exitCode, 0, 'dom0b status ALL exits 0 (its ledger agrees with its xl list)');
    k.eq(sa.json?.mismatches ?? null, [], 'dom0a: no mismatches');
    k.eq(sb.json?.mismatches ?? null, [], 'dom0b: no mismatches');
    if (at[0] === 'dom0a') {
      k.eq(ra && { place: ra.place, home: ra.home, awayOn: ra.awayOn, running: ra.here !== null }, { place: 'home', home: 'dom0a', awayOn: null, running: true }, 'dom0a status: tiny home, running here');
      // guarded on both: dom0b is a possible home of tiny, not running it
      k.eq(rb && { place: rb.place, home: rb.home, running: rb.here !== null }, { place: 'absent', home: 'dom0b', running: false }, 'dom0b status: tiny guarded here too, not running, no visitor record');
    } else if (at[0] === 'dom0b') {
      k.eq(ra && { place: ra.place, home: ra.home, awayOn: ra.awayOn, running: ra.here !== null }, { place: 'away', home: 'dom0a', awayOn: 'dom0b', running: false }, 'dom0a status: tiny away at dom0b');
      k.eq(rb && { place: rb.place, home: rb.home, running: rb.here !== null }, { place: 'visitor', home: 'dom0a', running: true }, 'dom0b status: tiny a visitor from dom0a');
    }
    return at;
  }
}
