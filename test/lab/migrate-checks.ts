// The migration lab check: the agent's migration commands on the real pair (Xen 4.17 `xl migrate`,
// DRBD 8.4 `block-drbd` with allow-two-primaries, OpenSSH sshd, the agent's ssh2 client), set up
// the way an operator would (README "Migrations, the ledger and reverse migrations over ssh"):
//   0. `keys setup` on both Dom0s, the printed authorized_keys lines on the peers, the peers' host
//      keys (ssh-keyscan) in /etc/xenherd/known_hosts, /etc/xen/migrate-tab.txt `tiny dom0b` on
//      dom0a (tiny's home). tiny's config stays in the guarded dir of both Dom0s, as the image
//      ships it and as operators set up guarded autostart on a pair. `ping` both ways.
//   1. tiny started on dom0a; `migrate tiny dom0b --dry-run`: the plan and a passing preflight
//      (which asks dom0b's forced command), nothing moves.
//   2. the controller on the host and both agents reporting to it (controller-checks.ts); tiny
//      goes to dom0b by `xenherdctl drain dom0a` (dom0a's agent runs the real `xl migrate`).
//   3. hostile SSH_ORIGINAL_COMMANDs through dom0b's real sshd with the migration key: exit 80, a
//      JSON `result` line refusing with XH_ERR_COMMAND_REJECTED, the marker file they try to
//      create never appears, tiny stays.
//   4. a reverse refused through the forced command: `xenherdctl reverse tiny` with dom0a's r0
//      down; dom0b's migrate2 reads r0 WFConnection and refuses before `xl migrate` (a live
//      migration onto a disconnected replica would run tiny on a stale disk): exit 77, ledgers
//      unchanged.
//   5. `xenherdctl restore dom0a`: tiny back home (dom0b's agent runs `xl migrate`), dom0a online.
//   6. `xenherdctl migrate tiny dom0b`, then `xenherdctl reverse tiny`: home again through dom0b's
//      real sshd and forced migrate2.
// Every migration waits >= 30 s after tiny's last arrival (README); after each, both ledgers must
// agree with both `xl list`s. The agents are stopped before tiny is destroyed at the end: dom0b's
// guarded autostart would otherwise start it again once it runs nowhere.
import { PeerResultSchema } from '../../shared/protocol/peer.js';
import type { Checks } from './checks.js';
import { ControllerPhase } from './controller-checks.js';
import type { ControllerFigures } from './controller-figures.js';
import { shq, type Dom0 } from './dom0.js';
import { waitFor } from './drbd-setup.js';
import type { Lab } from './lab.js';
import { log } from './log.js';
import { oneLine, PairState } from './pair-state.js';

const GUARDED_CFG = '/etc/xen/drbd-auto/tiny.cfg';
const KNOWN_HOSTS = '/etc/xenherd/known_hosts';
const MIGRATE_TAB = '/etc/xen/migrate-tab.txt';
const MARKER = '/tmp/xenherd-hostile-ran';
const ADDR: Record<string, string> = { dom0a: '10.0.0.1', dom0b: '10.0.0.2' };

export interface MigrateFigures {
  pingS: Record<string, number | null>;
  /** `migrate --dry-run`: host clock around the agent command (its preflight asks dom0b over ssh) */
  dryRunS: number | null;
  controller: ControllerFigures | null;
  /** agent/tool processes that died by a signal in the Dom0s (TCG emulation), retried */
  crashes: string[];
  /** per Dom0: user-space segfaults/traps its kernel logged this boot */
  kernelSegfaults: Record<string, number>;
}

export async function migrateCheck(lab: Lab, checks: Checks, remote: string, controllerPort: number): Promise<MigrateFigures> {
  const { a, b } = lab;
  const fig: MigrateFigures = { pingS: {}, dryRunS: null, controller: null, crashes: [], kernelSegfaults: {} };
  const c = checks.scope('[migrate] ');
  const pair = new PairState(lab, c, remote);
  const peerOf = (d: Dom0): Dom0 => (d === a ? b : a);

  // ---------------------------------------------------------------- 0. operator setup
  // r0 up and in sync on both (the autostart check left it down), both Secondary, no guest
  await b.run('modprobe drbd && drbdadm up r0');
  await a.run('drbdadm up r0');
  await waitFor(a, 'drbdadm cstate r0; drbdadm dstate r0', (s) => /^Connected\nUpToDate\/UpToDate/.test(s), 120_000, 'r0 Connected and in sync');
  await waitFor(b, 'drbdadm dstate r0', (s) => s.startsWith('UpToDate/UpToDate'), 60_000, 'r0 in sync on dom0b');
  c.eq(await pair.where(), [], 'setup: tiny runs nowhere');
  await a.run(`printf 'tiny dom0b\\n' > ${MIGRATE_TAB}`);
  // keys setup on both (dom0b's key lets it ask dom0a: `ping dom0a` from dom0b)
  const lines: Record<string, string> = {};
  await Promise.all(
    lab.hosts.map(async (d) => {
      // no --from: the agent takes the source address of its route to the peer (the replication
      // network 10.0.0.x, not slirp's 10.0.2.15 that comes first among the interfaces)
      const r = await pair.agent(d, `keys setup ${peerOf(d).name} --agent-path ${remote}`);
      lines[d.name] = r.stdout.split('\n').find((l) => l.startsWith('restrict,')) ?? '';
      log(`migrate setup: ${d.name}: keys setup exit ${String(r.exitCode)}: ${oneLine(r.stdout, 400)}`);
      c.eq(r.exitCode, 0, `${d.name}: keys setup exits 0`);
      c.ok(new RegExp(`^restrict,from="${ADDR[d.name]!.replace(/\./g, '\\.')}",command="${remote} migrate2 --peer ${d.name}" ssh-ed25519 \\S+ xenherd-migrate@${d.name}$`).test(lines[d.name]!), `${d.name}: keys setup prints the authorized_keys line`, lines[d.name]);
    }),
  );
  for (const d of lab.hosts) {
    const p = peerOf(d);
    await p.run(`printf '%s\\n' ${shq(lines[d.name]!)} >> /root/.ssh/authorized_keys`);
    // the peer's host key for the agent's ssh2 client (as an operator would: keyscan, then compare)
    await d.run(`ssh-keyscan -t ed25519 ${p.name} 2>/dev/null > ${KNOWN_HOSTS}.new && test -s ${KNOWN_HOSTS}.new && mv ${KNOWN_HOSTS}.new ${KNOWN_HOSTS}`, { timeoutMs: 120_000 });
    const fp = (await d.run(`ssh-keygen -lf ${KNOWN_HOSTS}`)).trim();
    const real = (await p.run('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub')).trim();
    c.eq(fp.split(' ')[1], real.split(' ')[1], `${d.name}: ${KNOWN_HOSTS} holds ${p.name}'s real host key`);
  }
  await Promise.all(
    lab.hosts.map(async (d) => {
      const r = await pair.agent(d, `ping ${peerOf(d).name}`);
      fig.pingS[d.name] = r.exitCode === 0 ? r.s : null;
      log(`migrate setup: ${d.name}: ping ${peerOf(d).name}: exit ${String(r.exitCode)} in ${r.s.toFixed(1)} s: ${oneLine(r.stdout + r.stderr)}`);
      c.eq(r.exitCode, 0, `${d.name}: ping ${peerOf(d).name} exits 0`);
      // the forced command answers JSON lines now; the CLI still renders them as before
      c.eq(r.stdout, `PING from ${d.name} ...\nPONG from ${peerOf(d).name} ...\nSuccess.\n`, `${d.name}: ping prints PING/PONG with both host names`);
    }),
  );

  // ---------------------------------------------------------------- 1. tiny at home; a dry run
  await a.run(`xl create ${GUARDED_CFG}`, { timeoutMs: 180_000 });
  pair.markArrival();
  await waitFor(a, 'drbdadm role r0', (s) => s.startsWith('Primary/'), 60_000, 'Primary on dom0a');
  await pair.consistent('1 before: tiny at home on dom0a');
  await dryRun(pair, a, c, fig);

  // ---------------------------------------------------------------- 2-5. through the controller
  const phase = await ControllerPhase.start(lab, checks, pair, controllerPort);
  fig.controller = phase.fig;
  try {
    const out = await phase.job('drain', a, b);
    await hostile(lab, pair, c);
    const at = await pair.where();
    c.eq(at, [out ? 'dom0b' : 'dom0a'], '3: after the hostile requests tiny still runs where it was');
    if (at[0] === 'dom0b') {
      // a home in maintenance takes nothing back but by its restore
      await phase.reverseRefusedInMaintenance();
      if (await phase.job('restore', b, a)) {
        // tiny away again with dom0a online: a reverse refused (dom0a's r0 down), then one
        // that succeeds, both through the real forced command
        if (await phase.command(['migrate', 'tiny', 'dom0b'], a, b)) {
          await phase.reverseRefusedWhileDisconnected();
          await phase.command(['reverse', 'tiny'], b, a);
        }
      }
    } else {
      c.ok(false, '2: tiny did not reach dom0b: the refused reverse and the restore were skipped');
    }
    await phase.finish();
  } catch (e) {
    await phase.abort();
    throw e;
  }

  // ---------------------------------------------------------------- clean up: tiny destroyed, r0 Secondary
  for (const d of lab.hosts) await d.exec('xl destroy tiny 2>/dev/null; true');
  for (const d of lab.hosts) await waitFor(d, 'drbdadm role r0', (s) => s.startsWith('Secondary/Secondary'), 60_000, 'r0 Secondary/Secondary after destroy');
  c.eq(await pair.where(), [], 'end: tiny runs nowhere');
  fig.crashes = pair.crashes;
  // processes the Dom0 kernels saw crash during the whole run (the lab's emulation, not the agent)
  for (const d of lab.hosts) {
    const k = await d.exec("journalctl -k -b --no-pager -o short-monotonic | grep -E 'segfault at|traps:|general protection' | tail -n 20");
    const n = k.stdout.trim() === '' ? 0 : k.stdout.trim().split('\n').length;
    fig.kernelSegfaults[d.name] = n;
    if (n > 0) log(`migrate: ${d.name}: the kernel logged ${n} user-space crash(es) this boot: ${oneLine(k.stdout, 1500)}`);
  }
  return fig;
}

/** `migrate tiny dom0b --dry-run --json` on dom0a: the plan, every preflight check passing, nothing moved. */
async function dryRun(pair: PairState, a: Dom0, c: Checks, fig: MigrateFigures): Promise<void> {
  const ledger = await pair.ledgerText(a);
  const r = await pair.agent(a, 'migrate tiny dom0b --dry-run --json');
  fig.dryRunS = r.s;
  log(`migrate 1 dry run: exit ${String(r.exitCode)} in ${r.s.toFixed(1)} s: ${oneLine(r.stdout, 2000)}${r.stderr ? ` ;; stderr ${oneLine(r.stderr, 500)}` : ''}`);
  type Verdict = { check: { check: string }; ok: boolean; detail: string };
  type DryRun = { ok: boolean; dryRun: boolean; plan: { from: string; to: string; steps: { do: string }[] }; preflight: Verdict[]; refusal: unknown };
  const out = ((): DryRun | null => {
    try {
      return JSON.parse(r.stdout) as DryRun;
    } catch {
      return null;
    }
  })();
  const k = c.scope('1 dry run: ');
  k.eq(r.exitCode, 0, 'exit 0 (it would proceed)');
  k.eq(out && { ok: out.ok, dryRun: out.dryRun, from: out.plan.from, to: out.plan.to, refusal: out.refusal }, { ok: true, dryRun: true, from: 'dom0a', to: 'dom0b', refusal: null }, 'the answer');
  // the last step judges whether r0's link stayed up through the handover (a loss is an ALARM about the disks)
  k.eq(out?.plan.steps.map((s) => s.do), ['hold', 'preflight', 'migrate', 'verify', 'record', 'tell', 'replication'], 'the plan');
  const checked = out?.preflight.map((v) => v.check.check) ?? [];
  for (const want of ['runs-here', 'replicas', 'toolstack-route', 'migration-key', 'peer-sshd', 'peer-status']) k.ok(checked.includes(want), `preflight checked ${want}`, checked);
  k.eq(out?.preflight.filter((v) => !v.ok).map((v) => v.detail), [], 'every preflight check passed');
  k.eq(await pair.where(), ['dom0a'], 'nothing moved: tiny still on dom0a only');
  k.eq(await pair.ledgerText(a), ledger, "dom0a's ledger file unchanged");
}

/** Requests a shell would run: the forced command's grammar refuses each before anything runs. */
async function hostile(lab: Lab, pair: PairState, c: Checks): Promise<void> {
  const { a, b } = lab;
  const requests = [`migrate2 tiny; touch ${MARKER}`, `migrate2 tiny $(touch ${MARKER})`, `ping && touch ${MARKER}`];
  await b.exec(`rm -f ${MARKER}`);
  for (const q of requests) {
    let r = await pair.viaSsh(a, b, q);
    log(`migrate hostile ${JSON.stringify(q)}: exit ${String(r.exitCode)}; stdout ${oneLine(r.stdout, 300)}; stderr ${oneLine(r.stderr, 300)}`);
    if (r.exitCode === 255 && r.stdout === '') {
      // sshd itself died (emulation): say so, try once more
      pair.crashes.push(`dom0b: ssh for a hostile request: ${oneLine(r.stderr, 200)}`);
      r = await pair.viaSsh(a, b, q);
    }
    const k = c.scope(`3 hostile ${JSON.stringify(q)}: `);
    k.eq(r.exitCode, 80, 'exit 80');
    const lines = r.stdout.trim().split('\n');
    let line: unknown = null;
    try {
      line = JSON.parse(lines[0] ?? '');
    } catch {
      /* checked below */
    }
    const res = PeerResultSchema.safeParse(line);
    k.eq(lines.length, 1, 'one line on stdout');
    k.ok(res.success, 'a peer-protocol result line (shared/protocol/peer.ts)', r.stdout.slice(0, 300));
    k.eq(res.success && { ok: res.data.ok, code: res.data.code }, { ok: false, code: 'XH_ERR_COMMAND_REJECTED' }, 'refused by the grammar');
    k.ok(r.stderr.includes('xenherd-agent migrate2: XH_ERR_COMMAND_REJECTED: '), 'a human line on stderr', oneLine(r.stderr, 300));
  }
  for (const d of lab.hosts) c.eq((await d.exec(`test -e ${MARKER} && echo ran || echo absent`)).stdout.trim(), 'absent', `3 hostile: ${MARKER} never created on ${d.name}`);
}

export function describeMigrateFigures(f: MigrateFigures): string[] {
  const s = (x: number | null | undefined): string => (x === null || x === undefined ? 'n/a' : `${x.toFixed(1)} s`);
  return [
    `migrate: ping over ssh2 -> sshd -> forced migrate2: dom0a->dom0b ${s(f.pingS['dom0a'])}, dom0b->dom0a ${s(f.pingS['dom0b'])}; migrate --dry-run (preflight asking dom0b) ${s(f.dryRunS)} (agent commands incl. node start-up)`,
    `migrate: processes killed by a signal in the Dom0s: ${f.crashes.length === 0 ? 'none' : f.crashes.join(' | ')}; kernel-logged user-space crashes this boot: ${Object.entries(f.kernelSegfaults).map(([h, n]) => `${h} ${n}`).join(', ') || 'n/a'}`,
  ];
}
