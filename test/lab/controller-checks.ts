// The controller lab check: `xenherd-controller serve` on the host, both Dom0s' agents (the packaged
// unit) reporting to it over WSS through QEMU's guestfwd, and the operator's `xenherdctl` on the
// host driving moves that the agents carry out with the real `xl migrate`:
//   - start: hosts lists both reachable and online, `where tiny` answers dom0a, the agent named
//     dom0a in tiny's xenstore area, `status` without alerts;
//   - drain dom0a: tiny to dom0b (dom0a's agent runs `xl migrate`), dom0a in maintenance, `where`
//     follows, freshness measured (arrival.ts), dom0b named in the xenstore area of tiny's new id;
//   - `reverse tiny` while dom0a is in maintenance: refused (77), nothing sent;
//   - restore dom0a: tiny back (dom0b's agent runs `xl migrate --reason restore`), dom0a online,
//     `where` follows, freshness, xenstore names dom0a;
//   - `xenherdctl migrate tiny dom0b`; then `reverse tiny` with dom0a's r0 down: dom0a's agent
//     asks dom0b's forced `migrate2` over the real sshd, whose preflight reads r0 WFConnection
//     and refuses before any `xl migrate`: exit 77 relayed back through controller and ctl, both
//     ledgers unchanged, `where` still dom0b;
//   - `xenherdctl reverse tiny` back through dom0b's real sshd and forced migrate2, followed by
//     `where` and the xenstore area; `status` without alerts; agents and controller stopped cleanly.
// Every move is checked against both xl lists and ledgers (pair-state.ts). The drain and restore
// jobs retry a failed migration by themselves: each retry is logged as a spontaneous failure.
import { LedgerSchema } from '../../agent/state/ledger.js';
import { CommandEventSchema, HostsAnswerSchema, StatusAnswerSchema, WhereAnswerSchema } from '../../shared/protocol/ctl-api.js';
import { JobEventSchema, type JobEvent } from '../../shared/protocol/ctl-jobs.js';
import { describeEvent, type ControllerFigures } from './controller-figures.js';
import { checkoutDebVersion } from '../../packaging/deb/deb-version.js';
import { agentJournal, checkWatchdogRunning, installAgentPackage, startAgentUnit, stopAgentUnit } from './agent-units.js';
import { ArrivalWatch, answersOnly, describeArrival } from './arrival.js';
import type { Checks } from './checks.js';
import { ControllerHost } from './controller-host.js';
import type { Dom0 } from './dom0.js';
import { waitFor } from './drbd-setup.js';
import type { Lab } from './lab.js';
import { log, sleep } from './log.js';
import { oneLine, type PairState } from './pair-state.js';

const MOVE_TIMEOUT_MS = 20 * 60_000;
/** what the agents report as their version: the bundle's, which packaging/build.mjs gives it as the packages' (deb-version.ts) */
const BUNDLE_VERSION = checkoutDebVersion(process.cwd());

export class ControllerPhase {
  readonly fig: ControllerFigures = { agentStartS: {}, firstReportS: null, moves: [], arrivals: [], units: [], controllerExit: null };
  private readonly since: Record<string, string> = {};

  private constructor(
    private readonly lab: Lab,
    private readonly c: Checks,
    private readonly pair: PairState,
    readonly ctl: ControllerHost,
  ) {}

  /** The controller up, both agents enrolled, started and reporting; tiny (at home on dom0a) seen. */
  static async start(lab: Lab, checks: Checks, pair: PairState, port: number): Promise<ControllerPhase> {
    const ctl = await ControllerHost.start(lab.workDir, port);
    const p = new ControllerPhase(lab, checks.scope('[controller] '), pair, ctl);
    const sections = lab.hosts.map((d) => {
      const section = ctl.enroll(d.name);
      p.c.eq(section['url'], ctl.agentUrl, `enroll ${d.name}: the agent's URL (publicUrl)`);
      return section;
    });
    await Promise.all(
      lab.hosts.map(async (d, i) => {
        await installAgentPackage(d, p.c, sections[i] ?? {});
        p.since[d.name] = (await d.run('date +%s')).trim();
      }),
    );
    const t0 = Date.now();
    await Promise.all(
      lab.hosts.map(async (d) => {
        const r = await startAgentUnit(d);
        p.fig.agentStartS[d.name] = r.ok ? r.s : null;
        p.c.ok(r.ok, `${d.name}: systemctl start xenherd-agent (the packaged unit) reaches READY=1`, r.detail);
        if (r.ok) await checkWatchdogRunning(d, p.c);
      }),
    );
    const hosts = await p.until('both agents reachable with a first report', 240_000, async () => {
      const r = await ctl.get('/hosts', HostsAnswerSchema);
      return r.ok && r.value.hosts.filter((h) => h.reachable && h.reported).length === 2 ? r.value : null;
    });
    p.fig.firstReportS = hosts ? (Date.now() - t0) / 1000 : null;
    log(`controller: xenherdctl hosts:\n${(await ctl.ctl(['hosts'])).stdout.trimEnd()}`);
    for (const name of ['dom0a', 'dom0b']) {
      const h = hosts?.hosts.find((x) => x.host === name);
      p.c.eq(h && { reachable: h.reachable, reported: h.reported, toolstack: h.toolstack, maintenance: h.maintenance.state, agentVersion: h.agentVersion }, { reachable: true, reported: true, toolstack: 'xl', maintenance: 'online', agentVersion: BUNDLE_VERSION }, `hosts: ${name}`);
    }
    await p.whereIs('start', 'dom0a');
    await p.xenstoreNames(lab.a);
    await p.noAlerts('start');
    return p;
  }

  /** Poll FN every second until it answers non-null or the deadline passes (then a failed check). */
  private async until<T>(what: string, ms: number, fn: () => Promise<T | null>): Promise<T | null> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v !== null) return v;
      if (Date.now() > end) {
        this.c.ok(false, `${what} within ${ms / 1000} s`);
        return null;
      }
      await sleep(1000);
    }
  }

  /** `xenherdctl where -q tiny` prints HOST (after the API says so: a report may still be on its way). */
  private async whereIs(label: string, host: string): Promise<void> {
    await this.until(`${label}: the controller answers tiny on ${host}`, 120_000, async () => {
      const r = await this.ctl.get('/where?pattern=tiny', WhereAnswerSchema);
      return r.ok && answersOnly(r.value.matches[0], host) ? true : null;
    });
    const q = await this.ctl.ctl(['where', '-q', 'tiny']);
    const text = await this.ctl.ctl(['where', 'tiny']);
    log(`controller ${label}: xenherdctl where tiny: ${text.stdout.trim()}`);
    this.c.eq({ exit: q.exitCode, out: q.stdout }, { exit: 0, out: `${host}\n` }, `${label}: xenherdctl where -q tiny`);
  }

  /** Dom0 side of tiny's xenstore area: data/xenherd/dom0 names D (the agent writes it per domain id), since is a time. */
  private async xenstoreNames(d: Dom0): Promise<void> {
    const cmd = 'id=$(xl domid tiny) && echo $id && xenstore-read /local/domain/$id/data/xenherd/dom0 /local/domain/$id/data/xenherd/since';
    const out = await this.until(`${d.name}: xenstore names ${d.name} for tiny`, 120_000, async () => {
      const r = await d.exec(cmd);
      return r.stdout.split('\n')[1] === d.name ? r.stdout.trim().split('\n') : null;
    });
    log(`controller: ${d.name}: tiny's xenstore area: domid ${out?.[0] ?? '?'}, data/xenherd/dom0 ${out?.[1] ?? '?'}, since ${out?.[2] ?? '?'}`);
    this.c.ok(out !== null && Number.isFinite(Date.parse(out[2] ?? '')), `${d.name}: data/xenherd/since is a time`, out?.[2]);
  }

  private async noAlerts(label: string): Promise<void> {
    const text = await this.ctl.ctl(['status']);
    const json = await this.ctl.get('/status', StatusAnswerSchema);
    log(`controller ${label}: xenherdctl status (exit ${String(text.exitCode)}):\n${text.stdout.trimEnd()}`);
    this.c.eq(text.exitCode, 0, `${label}: xenherdctl status exits 0`);
    // the opening counts check's problems after "no alerts;" when check is not OK: those are not alerts
    this.c.ok(/^no alerts(\n|; [^\n]* \(below\)\n)/.test(text.stdout), `${label}: xenherdctl status says "no alerts"`, text.stdout.split('\n')[0]);
    const s = json.ok ? json.value.summary : null;
    this.c.eq(s && { alerts: s.alerts, hosts: s.hosts, reachable: s.reachable, domus: s.domus, midMigration: s.midMigration }, { alerts: 0, hosts: 2, reachable: 2, domus: 1, midMigration: 0 }, `${label}: status summary`);
  }

  /** `xenherdctl drain|restore dom0a --json`: the job's events checked, the arrival measured. */
  async job(kind: 'drain' | 'restore', from: Dom0, to: Dom0): Promise<boolean> {
    const label = `${kind} dom0a`;
    const k = this.c.scope(`${label}: `);
    await this.pair.waitGap();
    const events: JobEvent[] = [];
    const watch = new ArrivalWatch(to, this.ctl, 'tiny');
    log(`controller: xenherdctl ${kind} dom0a (tiny ${from.name} -> ${to.name})`);
    const r = await this.ctl.ctl([kind, 'dom0a', '--json'], {
      timeoutMs: MOVE_TIMEOUT_MS,
      onLine: (l) => {
        const e = JobEventSchema.safeParse(parseJson(l));
        if (!e.success) return log(`controller ${label}: not a job event: ${l.slice(0, 300)}`);
        events.push(e.data);
        log(`controller ${label}: ${describeEvent(e.data)}`);
      },
    });
    const end = events.find((e) => e.type === 'end');
    const moves = events.filter((e) => e.type === 'move' && e.name === 'tiny');
    const last = moves[moves.length - 1];
    const attempts = new Set(moves.map((e) => (e.type === 'move' ? e.attempt : 0))).size;
    const ok = r.exitCode === 0 && end?.type === 'end' && end.ok;
    this.fig.moves.push({ label, exitCode: r.exitCode, durationS: r.durationS, moveS: last?.type === 'move' ? last.elapsedMs / 1000 : null, attempts, ok, provoked: false, settled: false });
    if (r.stderr) log(`controller ${label}: stderr: ${oneLine(r.stderr, 1000)}`);
    for (const e of moves) if (e.type === 'move' && (e.phase === 'retrying' || e.phase === 'failed')) log(`controller ${label}: SPONTANEOUS FAILURE (attempt ${e.attempt}): ${e.line ?? ''}`);
    k.eq(r.exitCode, 0, 'xenherdctl exits 0');
    k.eq(end?.type === 'end' && { ok: end.ok, moved: end.moved, remaining: end.remaining.length }, { ok: true, moved: 1, remaining: 0 }, 'the job ends with tiny moved, nothing left');
    k.eq(last?.type === 'move' && { from: last.from, to: last.to, phase: last.phase }, { from: from.name, to: to.name, phase: 'moved' }, 'the move of tiny');
    // what the agent printed, relayed as it came. The lab's controller tolerates 240 s of silence
    // (migrations.stuckAfterSeconds, controller-host.ts): a move settled by asking both agents
    // instead means the agent said nothing for that long, which even emulation should not take
    const progress = moves.flatMap((e) => (e.type === 'move' && e.phase === 'progress' && e.line !== null ? [e.line] : []));
    const settled = moves.some((e) => e.type === 'move' && e.phase === 'settling');
    this.fig.moves[this.fig.moves.length - 1]!.settled = settled;
    k.ok(!settled, 'not settled: the agent spoke within the lab\'s migrations.stuckAfterSeconds', moves.filter((e) => e.type === 'move' && e.phase === 'settling'));
    k.ok(progress[0]?.startsWith('checking before moving tiny: that tiny runs here; ') === true, `the agent's first progress line relayed: "checking before moving tiny: that tiny runs here; …"`, progress[0]);
    k.ok(progress.some((l) => l.startsWith(`migrating tiny from ${from.name} to ${to.name} (operation `)), `then its move: "migrating tiny from ${from.name} to ${to.name} (operation …"`, progress.slice(0, 8));
    k.ok(progress.includes('Migration successful.'), "xl's own output relayed, up to: Migration successful.");
    const states = events.flatMap((e) => (e.type === 'host' && e.host === 'dom0a' ? [e.maintenance.state] : [])).filter((x, i, all) => x !== all[i - 1]);
    k.eq(states, kind === 'drain' ? ['draining', 'maintenance'] : ['restoring', 'online'], "dom0a's maintenance states as the job reported them");
    if (!(await this.arrival(label, to, watch, ok, k))) return false;
    // the job's end comes with the controller's own word; the host's state is what its agent reports next
    const want = kind === 'drain' ? 'maintenance' : 'online';
    await this.until(`${label}: hosts shows dom0a reachable and ${want}`, 60_000, async () => {
      const h = await this.ctl.get('/hosts', HostsAnswerSchema);
      const x = h.ok ? h.value.hosts.find((y) => y.host === 'dom0a') : undefined;
      return x?.reachable === true && x.maintenance.state === want ? true : null;
    });
    log(`controller ${label}: xenherdctl hosts:\n${(await this.ctl.ctl(['hosts'])).stdout.trimEnd()}`);
    await this.whereIs(label, to.name);
    await this.xenstoreNames(to);
    const at = await this.pair.consistent(`${label} after`);
    k.eq(at, [to.name], `xl list: tiny on ${to.name}`);
    const [ra, rb] = await this.pair.roles();
    k.eq([ra, rb], to === this.lab.b ? ['Secondary/Primary', 'Primary/Secondary'] : ['Primary/Secondary', 'Secondary/Primary'], 'drbdadm role r0 on dom0a, dom0b (block-drbd followed tiny)');
    return ok;
  }

  /**
   * `xenherdctl reverse tiny` with dom0a's r0 down: the real forced migrate2 on dom0b runs `xl
   * migrate`, which fails at dom0a's block-drbd and resumes tiny at dom0b.
   */
  /** After the drain: `xenherdctl reverse tiny` onto dom0a, in maintenance, is refused with nothing sent. */
  async reverseRefusedInMaintenance(): Promise<void> {
    const k = this.c.scope('reverse onto a home in maintenance: ');
    const r = await this.ctl.ctl(['reverse', 'tiny'], { timeoutMs: 60_000 });
    log(`controller reverse (dom0a in maintenance): exit ${String(r.exitCode)}; stderr ${oneLine(r.stderr, 800)}`);
    k.eq(r.exitCode, 77, 'xenherdctl exits 77 (XH_ERR_REFUSED)');
    k.ok(/dom0a is in maintenance .*nothing is migrated onto it until it is online; `xenherdctl restore dom0a` brings its domUs home/.test(r.stderr), 'the refusal names the restore', r.stderr);
    k.eq(await this.pair.where(), ['dom0b'], 'tiny still runs on dom0b only');
  }

  async reverseRefusedWhileDisconnected(): Promise<void> {
    const { a, b } = this.lab;
    const k = this.c.scope('reverse (pair disconnected): ');
    await this.pair.waitGap();
    const ledgers = [await this.pair.ledgerText(a), await this.pair.ledgerText(b)];
    await a.run('drbdadm down r0');
    await waitFor(b, 'drbdadm cstate r0', (s) => /^(WFConnection|Connecting)/.test(s), 60_000, 'dom0b waiting for its peer');
    log('controller: dom0a r0 down; xenherdctl reverse tiny');
    const events: unknown[] = [];
    const r = await this.ctl.ctl(['reverse', 'tiny', '--json'], { timeoutMs: MOVE_TIMEOUT_MS, onLine: (l) => events.push(parseJson(l)) });
    const parsed = events.map((e) => CommandEventSchema.safeParse(e)).flatMap((p) => (p.success ? [p.data] : []));
    const progress = parsed.flatMap((e) => (e.type === 'progress' ? [e.line] : []));
    const result = parsed.find((e) => e.type === 'result');
    this.fig.moves.push({ label: 'reverse tiny (refused: dom0a r0 down)', exitCode: r.exitCode, durationS: r.durationS, moveS: null, attempts: 1, ok: r.exitCode === 0, provoked: true, settled: false });
    log(`controller reverse: exit ${String(r.exitCode)} after ${r.durationS.toFixed(1)} s; progress: ${oneLine(progress.join('\n'), 3000)} ;; result ${JSON.stringify(result ?? null)} ;; stderr ${oneLine(r.stderr, 800)}`);
    const accepted = parsed.find((e) => e.type === 'accepted');
    k.eq(accepted?.type === 'accepted' ? accepted.host : null, 'dom0a', "the controller hands it to dom0a (tiny's home)");
    k.ok(progress.includes('asking dom0b to migrate tiny back to dom0a (migrate2 over ssh)'), "dom0a's agent asks dom0b's forced command");
    // the way home is a live migration like any other: dom0b's forced command reads real DRBD
    // (drbdadm status of a WFConnection 8.4 resource) and refuses before xl migrate
    k.ok(!progress.some((l) => l.startsWith('dom0b: migrating tiny')), "dom0b's migrate2 ran no xl migrate", progress.slice(-8));
    const message = result?.type === 'result' ? (result.message ?? '') : '';
    k.ok(/r0 on dom0b is (Connecting|WFConnection) \((`drbdadm cstate` and \/proc\/drbd say WFConnection; )?disk UpToDate, peer DUnknown\): DRBD is trying to reach dom0a/.test(message), 'the refusal names r0, its state on dom0b and that DRBD keeps trying to reach dom0a', message);
    k.eq(r.exitCode, 77, 'xenherdctl exits 77 (XH_ERR_REFUSED: nothing moved)');
    k.eq(result?.type === 'result' && { ok: result.ok, code: result.code }, { ok: false, code: 'XH_ERR_REFUSED' }, 'the result the controller relays');
    // the records stay as they were; dom0a wrote the reverse as inflight before asking dom0b and
    // removed it with the refusal (two writes), dom0b's forced command wrote nothing
    const after = [await this.pair.ledgerText(a), await this.pair.ledgerText(b)];
    const [before, now] = [ledgers.map(ledgerParts), after.map(ledgerParts)];
    k.eq(now.map((l) => l.records), before.map((l) => l.records), 'both ledgers keep their records: nothing inflight or unsettled is left');
    k.eq(now.map((l, i) => l.seq - (before[i]?.seq ?? NaN)), [2, 0], "ledger writes: dom0a 2 (the reverse inflight, then its outcome), dom0b none");
    k.eq(await this.pair.where(), ['dom0b'], 'tiny still runs on dom0b only');
    await a.run('drbdadm up r0');
    await waitFor(a, 'drbdadm cstate r0; drbdadm dstate r0', (s) => /^Connected\nUpToDate\/UpToDate/.test(s), 180_000, 'r0 Connected and in sync again');
    await this.whereIs('after the refused reverse', 'dom0b');
    await this.pair.consistent('after the refused reverse');
  }

  /**
   * A command through the controller that moves tiny: `xenherdctl migrate tiny dom0b` (dom0a's
   * agent runs `xl migrate`) or `xenherdctl reverse tiny` (dom0a's agent asks dom0b's forced
   * migrate2 over the real sshd, which runs `xl migrate` back). Exit 0, the progress relayed,
   * `where` and tiny's xenstore area follow, ledgers and xl lists agree.
   */
  async command(args: readonly ['migrate', 'tiny', 'dom0b'] | readonly ['reverse', 'tiny'], from: Dom0, to: Dom0): Promise<boolean> {
    const label = args.join(' ');
    const k = this.c.scope(`${label}: `);
    await this.pair.waitGap();
    const watch = new ArrivalWatch(to, this.ctl, 'tiny');
    log(`controller: xenherdctl ${label} (tiny ${from.name} -> ${to.name})`);
    const events: unknown[] = [];
    const r = await this.ctl.ctl([...args, '--json'], { timeoutMs: MOVE_TIMEOUT_MS, onLine: (l) => events.push(parseJson(l)) });
    const parsed = events.map((e) => CommandEventSchema.safeParse(e)).flatMap((p) => (p.success ? [p.data] : []));
    const progress = parsed.flatMap((e) => (e.type === 'progress' ? [e.line] : []));
    const result = parsed.find((e) => e.type === 'result');
    const ok = r.exitCode === 0 && result?.type === 'result' && result.ok;
    this.fig.moves.push({ label, exitCode: r.exitCode, durationS: r.durationS, moveS: null, attempts: 1, ok, provoked: false, settled: false });
    log(`controller ${label}: exit ${String(r.exitCode)} after ${r.durationS.toFixed(1)} s; progress: ${oneLine(progress.join('\n'), 3000)} ;; result ${JSON.stringify(result ?? null)}${r.stderr ? ` ;; stderr ${oneLine(r.stderr, 800)}` : ''}`);
    const accepted = parsed.find((e) => e.type === 'accepted');
    k.eq(accepted?.type === 'accepted' ? accepted.host : null, 'dom0a', args[0] === 'reverse' ? "the controller hands it to dom0a (tiny's home)" : 'the controller hands it to dom0a (where tiny runs)');
    if (args[0] === 'reverse') {
      k.ok(progress.includes('asking dom0b to migrate tiny back to dom0a (migrate2 over ssh)'), "dom0a's agent asks dom0b's forced command");
      k.ok(progress.some((l) => l.startsWith('dom0b: migrating tiny from dom0b to dom0a (operation ')), "dom0b's forced migrate2 ran xl migrate (its progress relayed)");
    } else k.ok(progress.some((l) => l.startsWith('migrating tiny from dom0a to dom0b (operation ')), "dom0a's agent ran xl migrate (its progress relayed)");
    k.eq(r.exitCode, 0, 'xenherdctl exits 0');
    k.eq(result?.type === 'result' && { ok: result.ok, code: result.code }, { ok: true, code: null }, 'the result the controller relays');
    if (!(await this.arrival(label, to, watch, ok, k))) return false;
    await this.whereIs(label, to.name);
    await this.xenstoreNames(to);
    k.eq(await this.pair.consistent(`${label} after`), [to.name], `xl list: tiny on ${to.name}`);
    return true;
  }

  /**
   * After a move command ended: on failure, where everything stands (the caller skips what needed
   * the move); on success, when xl list and the controller's where each saw tiny arrive.
   */
  private async arrival(label: string, to: Dom0, watch: ArrivalWatch, ok: boolean, k: Checks): Promise<boolean> {
    const a = await watch.result(ok);
    if (!ok) {
      await this.pair.consistent(`${label} (failed)`);
      return false;
    }
    this.fig.arrivals.push({ label, to: to.name, a });
    log(`controller: ${describeArrival(label, to.name, a)}`);
    k.ok(a.freshnessS !== null, `xl list on ${to.name} and the controller's where both saw tiny arrive`, a);
    // the target's agent watched tiny--incoming's name in xenstore, to read the rename at the end
    // as it happened (agent/core/rename-watch.ts), and that watch never ended by itself. tiny keeps
    // its domid through the rename, and a Dom0 gives each domid once a boot: the watch of this
    // arrival is the one on tiny's domid now.
    const domid = Number((await to.exec('xl domid tiny')).stdout.trim());
    const journal = await agentJournal(to, this.since[to.name] ?? '0');
    const said = (text: string): Record<string, unknown>[] => journal.filter((l) => String(l['msg'] ?? '').includes(text));
    const followed = said('following the names of incoming domains').filter((l) => Array.isArray(l['domids']) && l['domids'].includes(domid));
    k.ok(Number.isInteger(domid) && followed.length >= 1, `${to.name}'s agent followed the name of tiny--incoming (domid ${domid}) in xenstore`, followed.length);
    k.eq(said("xenstore-watch on incoming domains' names ended").length, 0, `${to.name}: that xenstore-watch never ended by itself`);
    this.pair.markArrival();
    return true;
  }

  /** `status` without alerts, the agents stopped (no restart seen), the controller stopped. */
  async finish(): Promise<void> {
    await this.noAlerts('end');
    for (const d of this.lab.hosts) {
      const u = await stopAgentUnit(d, this.c, this.since[d.name] ?? '0');
      this.fig.units.push(u);
      log(`agents: ${d.name}: NRestarts ${u.restarts}, Result ${u.result}, ActiveState ${u.active}; systemd lines: ${oneLine(u.systemdLines.join('\n'), 1500) || 'none'}`);
      this.c.eq(u.restarts, 0, `${d.name}: the agent was never restarted (no crash, no watchdog kill)`);
    }
    this.fig.controllerExit = await this.ctl.stop();
    this.c.eq(this.fig.controllerExit, 0, 'xenherd-controller serve exits 0 on SIGTERM');
    const errors = this.ctl.logLines().filter((l) => typeof l['level'] === 'number' && (l['level'] as number) >= 50);
    log(`controller: ${errors.length} error line(s) in its log${errors.length ? `: ${oneLine(errors.slice(0, 5).map((e) => JSON.stringify(e)).join('\n'), 1500)}` : ''}`);
  }

  /** Ends the controller on a failure path (the Dom0s are powered off next anyway). */
  async abort(): Promise<void> {
    this.fig.controllerExit = await this.ctl.stop();
  }
}

/**
 * A Dom0's ledger file read with the agent's own schema: its write counter and its records apart.
 * A file the schema refuses keeps its text as the records (and no counter), so comparisons show it.
 */
function ledgerParts(text: string): { seq: number; records: unknown } {
  const l = LedgerSchema.safeParse(parseJson(text));
  if (!l.success) return { seq: NaN, records: text };
  const { seq, ...records } = l.data;
  return { seq, records };
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return { notJson: line.slice(0, 300) };
  }
}

