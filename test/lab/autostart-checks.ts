// The guarded-autostart lab check: `xenherd-agent run` as a real Type=notify systemd unit in dom0a,
// real DRBD 8.4 on both Dom0s, real `xl create`. r0 is driven through the three states the
// simulator test (test/agent/run/autostart-on-sim.test.ts) covers, and the agent must make the
// same decisions for them:
//   1. peer Unknown (dom0b's r0 down, dom0a WFConnection)  -> tiny deferred, peer-not-connected
//   2. peer Primary (dom0b Primary, connected)             -> tiny skipped, peer-primary, error log
//                                                             line with splitBrainHazard
//   3. peer Secondary (dom0b demoted)                      -> tiny started with `xl create` on dom0a
// then a clean `systemctl stop` with no watcher (drbdsetup events2, xenstore-watch) left behind.
// Also measured: demote -> tiny in `xl list` on dom0a, and process start -> READY=1 as systemd saw it.
import { AgentStatusSchema, type AgentStatus, type GuardedStatus } from '../../shared/protocol/agent-control.js';
import type { Checks } from './checks.js';
import type { Dom0 } from './dom0.js';
import { waitFor } from './drbd-setup.js';
import type { Lab } from './lab.js';
import { log, sleep } from './log.js';
import { readFileSync } from 'node:fs';
import { UNIT_NODE_FLAGS } from '../helpers/unit-node-flags.js';

const UNIT = 'xenherd-agent';
const CONFIG = '/tmp/xenherd-agent.json';
/** the production unit's node flags and KillMode (systemd/xenherd-agent.service): the lab runs what ships */
const NODE = ['/usr/bin/node', ...UNIT_NODE_FLAGS].join(' ');
const KILL_MODE = /^KillMode=(\S+)$/m.exec(readFileSync('systemd/xenherd-agent.service', 'utf8'))?.[1] ?? 'control-group';

export interface AutostartFigures {
  /** host clock: `drbdadm secondary r0` on dom0b returned -> `xl list tiny` on dom0a exits 0 */
  demoteToListedS: number | null;
  /** the same, from the last `xl list tiny` that still failed (lower bound of the window) */
  demoteToListedLowerS: number | null;
  /** agent log (dom0a clock): decision "start" -> "started tiny" (the real `xl create`) */
  createS: number | null;
  /** systemd, monotonic: ExecMainStart -> ActiveEnter (READY=1 received) */
  startToReadySystemdS: number | null;
  /** systemd ExecMainStart (realtime) -> pino `time` of the "ready:" line */
  startToReadyLogS: number | null;
  /** pino: "xenherd agent starting" -> "ready:" (without node's own start-up and bundle load) */
  logStartToReadyS: number | null;
  /** host clock: how long `systemd-run` (which waits for READY=1) took */
  systemdRunS: number;
  /** how long `systemctl stop` took */
  stopS: number | null;
  /** systemd restarts of the agent before READY (a crash at start; 0 expected) */
  restarts: number;
  /** the `xl create` child that stays to watch tiny: its cgroup, and whether `systemctl stop` of the agent killed it */
  xlMonitor: { cgroup: string; survivedStop: boolean } | null;
}

type LogLine = Record<string, unknown> & { level: number; msg: string; time: number };

/** journal lines from this run only (seconds since the epoch, dom0a's clock) */
let since = '';

async function agentLog(a: Dom0): Promise<LogLine[]> {
  const r = await a.exec(`journalctl -u ${UNIT} --since @${since} -o cat --no-pager`, { timeoutMs: 60_000 });
  const out: LogLine[] = [];
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as LogLine);
    } catch {
      /* a systemd line */
    }
  }
  return out;
}

async function status(a: Dom0, remote: string): Promise<{ st: AgentStatus | null; raw: string }> {
  // a node start-up under TCG: ~12 s idle, a minute or more while `xl create` runs beside it
  const r = await a.exec(`${remote} autostart status --json --config ${CONFIG}`, { timeoutMs: 200_000 });
  if (r.exitCode !== 0) return { st: null, raw: `exit ${r.exitCode}: ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 300)}` };
  try {
    const p = AgentStatusSchema.safeParse(JSON.parse(r.stdout));
    return p.success ? { st: p.data, raw: r.stdout } : { st: null, raw: `not an AgentStatus: ${JSON.stringify(p.error.issues.slice(0, 3))}` };
  } catch {
    return { st: null, raw: `not JSON: ${r.stdout.slice(0, 300)}` };
  }
}

/** Poll the agent's status until tiny's entry satisfies `ok`; returns the last status seen. */
async function waitTiny(a: Dom0, remote: string, ok: (g: GuardedStatus) => boolean, timeoutMs: number): Promise<{ st: AgentStatus | null; tiny: GuardedStatus | undefined; raw: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { st, raw } = await status(a, remote);
    const tiny = st?.guarded.find((g) => g.name === 'tiny');
    if (tiny && ok(tiny)) return { st, tiny, raw };
    if (Date.now() > deadline) {
      log(`autostart: tiny's status never satisfied the wait; last answer: ${st ? JSON.stringify(tiny) : raw}`);
      return { st, tiny, raw };
    }
    await sleep(1000);
  }
}

const tinyHere = async (d: Dom0): Promise<boolean> => (await d.exec('xl list tiny')).exitCode === 0;

/** Run `xl list` on both and say where tiny runs. */
async function tinyWhere(lab: Lab): Promise<string[]> {
  const out: string[] = [];
  for (const d of lab.hosts) if (await tinyHere(d)) out.push(d.name);
  return out;
}

/**
 * dom0b: r0 attached but not connected, promoted, then connected, so that dom0a never sees a
 * Secondary peer on the way to "peer Primary" (it would rightly start tiny in that window).
 * The commands are drbdadm's own for `up`, minus the connect (`drbdadm -d up r0` prints them).
 */
async function promoteBeforeConnect(b: Dom0): Promise<void> {
  const plan = (await b.run('drbdadm -d up r0')).split('\n').map((l) => l.trim()).filter(Boolean);
  const connect = plan.filter((l) => /\bconnect\b/.test(l));
  const rest = plan.filter((l) => !/\bconnect\b/.test(l));
  if (connect.length !== 1) throw new Error(`dom0b: cannot find the connect step in \`drbdadm -d up r0\`:\n${plan.join('\n')}`);
  for (const cmd of rest) await b.run(`PATH=$PATH:/lib/drbd ${cmd}`); // drbdsetup-84 lives there
  await waitFor(b, 'drbdadm dstate r0', (s) => s.startsWith('UpToDate/'), 30_000, 'dom0b attached UpToDate');
  await b.run('drbdadm primary r0');
  await b.run(`PATH=$PATH:/lib/drbd ${connect[0]!}`);
}

export async function autostartCheck(lab: Lab, checks: Checks, remote: string): Promise<AutostartFigures> {
  const { a, b } = lab;
  const c = checks.scope('[autostart] ');
  const fig: AutostartFigures = {
    demoteToListedS: null,
    demoteToListedLowerS: null,
    createS: null,
    startToReadySystemdS: null,
    startToReadyLogS: null,
    logStartToReadyS: null,
    systemdRunS: 0,
    stopS: null,
    restarts: 0,
    xlMonitor: null,
  };

  // Setup: r0 connected and in sync again (the situations left dom0a's data newer), both Secondary,
  // then dom0b's r0 down: dom0a waits for a peer whose role is Unknown.
  await b.run('modprobe drbd && drbdadm up r0');
  await a.run('drbdadm up r0');
  await waitFor(a, 'drbdadm cstate r0; drbdadm dstate r0', (s) => /^Connected\nUpToDate\/UpToDate/.test(s), 120_000, 'r0 Connected and in sync');
  await waitFor(b, 'drbdadm dstate r0', (s) => s.startsWith('UpToDate/UpToDate'), 60_000, 'r0 in sync on dom0b');
  await b.run('drbdadm down r0');
  await waitFor(a, 'drbdadm cstate r0', (s) => /^(WFConnection|Connecting)/.test(s), 60_000, 'dom0a waiting for the peer');
  c.eq(await tinyWhere(lab), [], 'setup: tiny runs nowhere');
  c.eq((await a.exec('drbdadm role r0')).stdout.trim(), 'Secondary/Unknown', 'setup: dom0a drbdadm role r0');

  await a.run(`printf '%s\\n' '{"logLevel":"info"}' > ${CONFIG}`);
  since = (await a.run('date +%s')).trim();
  const t0 = Date.now();
  const sr = await a.exec(
    // the production unit's settings (systemd/xenherd-agent.service) that matter here
    `systemd-run --unit=${UNIT} -p Type=notify -p NotifyAccess=all -p KillMode=${KILL_MODE} -p TimeoutStartSec=600 -p TimeoutStopSec=150 -p Restart=on-failure -p RestartSec=2 ${NODE} ${remote} run --config ${CONFIG}`,
    { timeoutMs: 660_000 },
  );
  fig.systemdRunS = (Date.now() - t0) / 1000;
  if (sr.exitCode !== 0) {
    // e.g. node died at start and systemd restarts it (Restart=on-failure): say so, then wait for it
    const j = await a.exec(`journalctl -u ${UNIT} --since @${since} -o cat --no-pager | grep -v '^{' | tail -n 8`);
    log(`autostart: FINDING: systemd-run exited ${sr.exitCode}: ${sr.stderr.trim()} | journal: ${j.stdout.trim().replace(/\n/g, ' | ')}`);
    await waitFor(a, `systemctl is-active ${UNIT}`, (s) => s.trim() === 'active', 300_000, 'the agent unit active after a restart');
  }
  try {
    const show = await a.exec(`systemctl show -p ActiveState,SubState,StatusText,NRestarts,ExecMainStartTimestamp,ExecMainStartTimestampMonotonic,ActiveEnterTimestampMonotonic ${UNIT}`);
    const props = Object.fromEntries(show.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    log(`autostart: systemd-run returned after ${fig.systemdRunS.toFixed(1)} s; ${JSON.stringify(props)}`);
    c.eq(props['ActiveState'], 'active', 'systemd: ActiveState (READY=1 reached real systemd)');
    c.eq(props['SubState'], 'running', 'systemd: SubState');
    fig.restarts = Number(props['NRestarts'] ?? 0);
    c.ok((props['StatusText'] ?? '') !== '', 'systemd: StatusText set by the agent', props['StatusText']);
    const m0 = Number(props['ExecMainStartTimestampMonotonic']);
    const m1 = Number(props['ActiveEnterTimestampMonotonic']);
    if (m0 > 0 && m1 > 0) fig.startToReadySystemdS = (m1 - m0) / 1e6;

    // ---- 1. peer Unknown -> defer (peer-not-connected)
    const s1 = await waitTiny(a, remote, (g) => g.decision !== 'unknown', 30_000);
    log(`autostart 1 (peer Unknown): tiny ${JSON.stringify(s1.tiny)}; sources ${JSON.stringify(s1.st?.sources)}`);
    c.ok(s1.st !== null, '1: autostart status --json parses as AgentStatus', s1.raw);
    c.eq(s1.tiny?.decision, 'defer', '1 peer Unknown: tiny decision');
    c.eq(s1.tiny?.reason, 'peer-not-connected', '1 peer Unknown: tiny reason');
    c.eq(s1.tiny?.splitBrainHazard, false, '1 peer Unknown: splitBrainHazard');
    c.eq(s1.tiny?.lastStart ?? null, null, '1 peer Unknown: never started');
    c.ok(/^drbdsetup events2\b/.test(s1.st?.sources.drbd ?? ''), '1: DRBD changes come from drbdsetup events2 (not polling)', s1.st?.sources.drbd);
    c.ok(/^xenstore-watch\b/.test(s1.st?.sources.domains ?? ''), '1: domain changes come from xenstore-watch (not polling)', s1.st?.sources.domains);
    c.eq(s1.st?.toolstack, 'xl', '1: toolstack');
    c.eq(s1.st?.drbd, 'ok', '1: drbd');
    c.eq(s1.st?.autostart, 'enabled', '1: autostart');
    c.eq(await tinyWhere(lab), [], '1 peer Unknown: tiny runs nowhere');
    const pid = s1.st?.pid;
    c.ok((await a.exec(`pgrep -f 'drbdsetup events2'`)).exitCode === 0, '1: the agent runs drbdsetup events2');
    c.ok((await a.exec('pgrep -f xenstore-watch')).exitCode === 0, '1: the agent runs xenstore-watch');

    // ---- 2. peer Primary -> skip (peer-primary), error-level log line with splitBrainHazard
    await promoteBeforeConnect(b);
    await waitFor(a, 'drbdadm role r0; drbdadm cstate r0', (s) => /^Secondary\/Primary\n(Connected|SyncTarget)/.test(s), 120_000, 'dom0a sees its peer Primary');
    const s2 = await waitTiny(a, remote, (g) => g.decision === 'skip', 60_000);
    log(`autostart 2 (peer Primary): tiny ${JSON.stringify(s2.tiny)}`);
    c.eq(s2.tiny?.decision, 'skip', '2 peer Primary: tiny decision');
    c.eq(s2.tiny?.reason, 'peer-primary', '2 peer Primary: tiny reason');
    c.eq(s2.tiny?.splitBrainHazard, true, '2 peer Primary: splitBrainHazard');
    await sleep(5000); // time for a wrong start to show
    const l2 = await agentLog(a);
    const hazard = l2.find((l) => l.domu === 'tiny' && l.decision === 'skip');
    c.ok(hazard !== undefined, '2: the agent logged the skip of tiny', l2.map((l) => l.msg).slice(-10));
    c.eq(hazard?.level, 50, '2: skip logged at error level (50)');
    c.eq(hazard?.reason, 'peer-primary', '2: logged reason');
    c.eq(hazard?.splitBrainHazard, true, '2: logged splitBrainHazard');
    c.ok(!l2.some((l) => typeof l.msg === 'string' && l.msg.startsWith('started tiny')), '2: no "started tiny" in the log');
    c.eq(await tinyWhere(lab), [], '2 peer Primary: tiny runs nowhere (not started on dom0a)');
    c.eq((await a.exec('drbdadm role r0')).stdout.trim(), 'Secondary/Primary', '2: dom0a still Secondary/Primary');

    // ---- 3. peer Secondary -> start with the real xl create
    await waitFor(b, 'drbdadm dstate r0', (s) => s.startsWith('UpToDate/UpToDate'), 120_000, 'r0 in sync before the demotion');
    await b.run('drbdadm secondary r0');
    const tDemote = Date.now();
    let lastMissEnd = tDemote;
    for (;;) {
      const hit = await tinyHere(a);
      const t = Date.now();
      if (hit) {
        fig.demoteToListedS = (t - tDemote) / 1000;
        fig.demoteToListedLowerS = (lastMissEnd - tDemote) / 1000;
        break;
      }
      lastMissEnd = t;
      if (t - tDemote > 180_000) break;
      await sleep(200);
    }
    log(`autostart 3 (peer Secondary): tiny in xl list on dom0a ${fig.demoteToListedS === null ? 'NEVER (180 s)' : `${fig.demoteToListedLowerS!.toFixed(1)}–${fig.demoteToListedS.toFixed(1)} s`} after dom0b's demotion`);
    c.ok(fig.demoteToListedS !== null, '3 peer Secondary: tiny appears in xl list on dom0a within 180 s');
    const s3 = await waitTiny(a, remote, (g) => g.decision === 'running' && !g.starting, 240_000);
    log(`autostart 3: tiny ${JSON.stringify(s3.tiny)}`);
    c.eq(s3.tiny?.decision, 'running', '3 peer Secondary: tiny decision after the start');
    c.eq(s3.tiny?.lastStart?.ok, true, '3: lastStart.ok');
    c.eq(s3.tiny?.lastStart?.forced, false, '3: lastStart.forced');
    c.eq(await tinyWhere(lab), ['dom0a'], '3: tiny runs on dom0a only');
    c.eq((await a.exec('drbdadm role r0')).stdout.trim(), 'Primary/Secondary', '3: dom0a Primary/Secondary (xl block-drbd promoted it)');
    const l3 = await agentLog(a);
    const started = l3.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('started tiny'));
    c.eq(started.length, 1, '3: exactly one "started tiny" log line');
    const decidedStart = [...l3].reverse().find((l) => l.domu === 'tiny' && l.decision === 'start');
    c.ok(decidedStart !== undefined, '3: the agent logged the decision "start" for tiny', l3.map((l) => l.msg).slice(-10));
    if (decidedStart && started[0]) fig.createS = (started[0].time - decidedStart.time) / 1000;
    const firstLine = l3.find((l) => l.msg === 'xenherd agent starting');
    const ready = l3.find((l) => typeof l.msg === 'string' && l.msg.startsWith('ready'));
    c.ok(ready !== undefined, 'log has the "ready" line');
    if (firstLine && ready) fig.logStartToReadyS = (ready.time - firstLine.time) / 1000;
    // process start, realtime to the microsecond (the default format stops at the second)
    const startUs = await a.exec(`date -d "$(systemctl show --timestamp=us+utc -p ExecMainStartTimestamp --value ${UNIT})" +%s%N`);
    const startMs = Number(startUs.stdout.trim()) / 1e6;
    if (ready && Number.isFinite(startMs) && startMs > 0) fig.startToReadyLogS = (ready.time - startMs) / 1000;
    c.eq(s3.st?.pid, pid, '3: the same agent process throughout');
    // `xl create` leaves a child behind that watches the domain (on_poweroff/on_reboot/on_crash):
    // under systemd it lives in the agent's cgroup
    const mon = await a.exec(`for p in $(pgrep -x xl); do tr '\\0' ' ' </proc/$p/cmdline; echo " :: $(cat /proc/$p/cgroup)"; done`);
    log(`autostart: xl processes after the start: ${mon.stdout.trim().replace(/\n/g, ' | ') || 'none'}`);
    const line = mon.stdout.split('\n').find((l) => l.includes('create') && l.includes('tiny.cfg'));
    if (line) fig.xlMonitor = { cgroup: line.split(' :: ')[1]?.trim() ?? '?', survivedStop: false };
  } finally {
    // ---- stop cleanly, nothing left behind
    const t1 = Date.now();
    const stop = await a.exec(`systemctl stop ${UNIT}`, { timeoutMs: 200_000 });
    fig.stopS = (Date.now() - t1) / 1000;
    c.eq(stop.exitCode, 0, 'systemctl stop exits 0');
  }
  const after = await a.exec(`systemctl is-active ${UNIT}; systemctl is-failed ${UNIT}; journalctl -u ${UNIT} --since @${since} -o cat --no-pager | grep -v '^{' | tail -n 5`);
  log(`autostart: after stop: ${after.stdout.trim().replace(/\n/g, ' | ')}`);
  c.ok(!/^failed$/m.test(after.stdout) && !/Failed with result/.test(after.stdout), 'the unit did not fail', after.stdout);
  const l4 = await agentLog(a);
  c.ok(l4.some((l) => l.msg === 'stopped'), 'the agent logged "stopped"', l4.map((l) => l.msg).slice(-5));
  for (const p of ['drbdsetup', 'xenstore-watch', 'xenherd-agent']) {
    const r = await a.exec(`pgrep -af '${p}' | grep -v pgrep || true`);
    c.eq(r.stdout.trim(), '', `after stop: no ${p} process left in dom0a`);
  }
  if (fig.xlMonitor) {
    fig.xlMonitor.survivedStop = (await a.exec(`pgrep -af 'xl create /etc/xen/drbd-auto/tiny.cfg' | grep -v pgrep`)).exitCode === 0;
    // xl create leaves a child that handles the domU's poweroff/reboot/crash; it runs in the
    // agent's cgroup and must outlive the agent (KillMode=process in the unit)
    c.ok(fig.xlMonitor.survivedStop, `after stop: the \`xl create\` child watching tiny survived (it was in ${fig.xlMonitor.cgroup})`);
  }
  c.eq(await tinyWhere(lab), ['dom0a'], 'after stop: tiny still runs on dom0a (stopping the agent leaves domUs alone)');

  // leave the lab as the situations did: no guest, r0 down on both
  await a.run('xl destroy tiny');
  await waitFor(a, 'drbdadm role r0', (s) => s.startsWith('Secondary/'), 60_000, 'dom0a Secondary after destroy');
  await b.run('drbdadm down r0');
  await a.run('drbdadm down r0');
  return fig;
}

export function describeFigures(f: AutostartFigures): string[] {
  const s = (x: number | null, d = 1): string => (x === null ? 'n/a' : `${x.toFixed(d)} s`);
  return [
    `autostart: dom0b demoted -> tiny in xl list on dom0a: ${s(f.demoteToListedS)} (last miss/first hit window from ${s(f.demoteToListedLowerS)}; host clock, ssh polling), of which the agent's xl create (decision "start" -> "started tiny"): ${s(f.createS)}`,
    `autostart: agent process start -> READY=1: ${s(f.startToReadySystemdS, 2)} (systemd monotonic ExecMainStart -> ActiveEnter); ExecMainStart -> pino time of "ready": ${s(f.startToReadyLogS, 2)}; pino "xenherd agent starting" -> "ready": ${s(f.logStartToReadyS, 2)}; systemd-run returned after ${s(f.systemdRunS)}`,
    `autostart: systemctl stop took ${s(f.stopS)}; agent restarts by systemd before READY: ${f.restarts}; xl's watcher of tiny: ${f.xlMonitor ? `${f.xlMonitor.cgroup}, ${f.xlMonitor.survivedStop ? 'survived' : 'KILLED by'} the agent's stop` : 'not seen'} (all figures under QEMU TCG emulation: 10-50x slower than hardware)`,
  ];
}
