import { checkoutDebVersion, debFileName } from '../../packaging/deb/deb-version.js';
import type { Checks } from './checks.js';
import { shq, type Dom0 } from './dom0.js';
import { log } from './log.js';

/**
 * The agent daemon in a Dom0 as it ships: the .deb installed with apt (its unit, its
 * /usr/sbin/xenherd-agent), and /etc/xenherd/agent.json holding the `controller` section
 * `xenherd-controller enroll` printed.
 * The default config path matters: the daemon runs a controller's migrate by starting its own CLI
 * without --config, and the operator's CLI commands of the other checks read the same file.
 * One drop-in: TimeoutStartSec, as under TCG node's start-up alone takes tens of seconds and
 * more while the other Dom0 is busy; the unit's WatchdogSec stays, so a stalled loop shows.
 */
export const AGENT_CONFIG = '/etc/xenherd/agent.json';
export const UNIT = 'xenherd-agent';

export interface UnitState {
  host: string;
  /** systemctl show: NRestarts (a crash or a watchdog kill restarts it), Result, ActiveState */
  restarts: number;
  result: string;
  active: string;
  /** journal lines of the unit that are not the agent's JSON (systemd's own, a crash's stderr) */
  systemdLines: string[];
}

/** the agent's package as `npm run package` makes it (test-lab.ts builds it before the lab boots) */
export const AGENT_DEB = `dist/${debFileName('xenherd-agent', checkoutDebVersion(process.cwd()))}`;

/**
 * The agent as an operator installs it: the package by the exact name `npm run package` printed
 * (AGENT_DEB, copied to /root), not a glob, which on a Dom0 keeping an earlier copy matches both
 * (README.md); installed with apt-get (Debian's own nodejs is already in the image, so apt needs
 * no network), then /etc/xenherd/agent.json with the `controller` section, and a drop-in for
 * TCG's slow start-up. Checks that the package's unit is the one systemd loads, with its
 * watchdog on.
 */
export async function installAgentPackage(d: Dom0, c: Checks, controller: Record<string, string>): Promise<void> {
  const remoteDeb = `/root/${AGENT_DEB.slice('dist/'.length)}`;
  await d.copyIn(AGENT_DEB, remoteDeb);
  const t0 = Date.now();
  // man-db's trigger rebuilds the whole manual index: minutes under TCG, for nothing the lab reads
  await d.exec("echo 'man-db man-db/auto-update boolean false' | debconf-set-selections");
  const apt = await d.exec(`DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${shq(remoteDeb)}`, { timeoutMs: 600_000 });
  log(`agents: ${d.name}: apt-get install ${remoteDeb}: exit ${String(apt.exitCode)} after ${((Date.now() - t0) / 1000).toFixed(1)} s${apt.exitCode === 0 ? '' : `; ${apt.stderr.trim().slice(-500)}`}`);
  c.eq(apt.exitCode, 0, `${d.name}: apt-get install ${remoteDeb} exits 0`);
  c.eq((await d.exec(`dpkg-query -W -f '\${Status}' xenherd-agent`)).stdout.trim(), 'install ok installed', `${d.name}: dpkg says xenherd-agent is installed`);
  c.eq((await d.exec(`systemctl is-active ${UNIT}`)).stdout.trim(), 'inactive', `${d.name}: the package did not start the agent before it is configured`);
  const config = JSON.stringify({ logLevel: 'info', controller }, null, 2);
  await d.run(
    [
      `umask 077 && mkdir -p /etc/xenherd && printf '%s\\n' ${shq(config)} > ${AGENT_CONFIG}`,
      `mkdir -p /etc/systemd/system/${UNIT}.service.d && printf '[Service]\\nTimeoutStartSec=600\\n' > /etc/systemd/system/${UNIT}.service.d/lab.conf`,
      `systemctl reset-failed ${UNIT} 2>/dev/null; systemctl daemon-reload`,
    ].join(' && '),
  );
  const p = await unitProperties(d, ['FragmentPath', 'ExecStart']);
  c.oneOf(p['FragmentPath'], ['/lib/systemd/system/xenherd-agent.service', '/usr/lib/systemd/system/xenherd-agent.service'], `${d.name}: systemd loads the package's unit`);
  c.ok((p['ExecStart'] ?? '').includes('/usr/sbin/xenherd-agent'), `${d.name}: the unit runs the packaged /usr/sbin/xenherd-agent`, p['ExecStart']);
  c.ok(/^WatchdogSec=30$/m.test((await d.exec(`systemctl cat ${UNIT}`)).stdout), `${d.name}: the package's unit sets WatchdogSec=30`);
}

async function unitProperties(d: Dom0, names: readonly string[]): Promise<Record<string, string>> {
  const show = await d.exec(`systemctl show -p ${names.join(',')} ${UNIT}`);
  return Object.fromEntries(show.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

/** A running agent's watchdog as systemd keeps it (WatchdogUSec reads "infinity" until the unit runs). */
export async function checkWatchdogRunning(d: Dom0, c: Checks): Promise<void> {
  const w = (await unitProperties(d, ['WatchdogUSec']))['WatchdogUSec'];
  c.ok(w !== undefined && !['', '0', 'infinity'].includes(w), `${d.name}: the running agent's watchdog is on (WatchdogUSec=${String(w)})`);
}

/** `systemctl start` (returns once READY=1 arrived); the journal's first lines from now on */
export async function startAgentUnit(d: Dom0): Promise<{ ok: boolean; s: number; detail: string }> {
  const t0 = Date.now();
  const r = await d.exec(`systemctl start ${UNIT}`, { timeoutMs: 660_000 });
  const s = (Date.now() - t0) / 1000;
  const st = await d.exec(`systemctl show -p ActiveState,SubState,StatusText,NRestarts ${UNIT} | tr '\\n' ' '`);
  log(`agents: ${d.name}: systemctl start ${UNIT}: exit ${String(r.exitCode)} after ${s.toFixed(1)} s; ${st.stdout.trim()}${r.stderr ? `; ${r.stderr.trim()}` : ''}`);
  return { ok: r.exitCode === 0, s, detail: st.stdout.trim() };
}

export async function unitState(d: Dom0, since: string): Promise<UnitState> {
  const show = await d.exec(`systemctl show -p NRestarts,Result,ActiveState ${UNIT}`);
  const p = Object.fromEntries(show.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const j = await d.exec(`journalctl -u ${UNIT} --since @${since} -o cat --no-pager | grep -v '^{' | tail -n 20`);
  return { host: d.name, restarts: Number(p['NRestarts'] ?? 0), result: p['Result'] ?? '?', active: p['ActiveState'] ?? '?', systemdLines: j.stdout.trim() === '' ? [] : j.stdout.trim().split('\n') };
}

/** Stop the daemon (KillMode=process: domUs and their xl children stay); no agent process left. */
export async function stopAgentUnit(d: Dom0, c: Checks, since: string): Promise<UnitState> {
  const before = await unitState(d, since);
  const stop = await d.exec(`systemctl stop ${UNIT}`, { timeoutMs: 200_000 });
  c.eq(stop.exitCode, 0, `${d.name}: systemctl stop ${UNIT} exits 0`);
  const left = await d.exec(`pgrep -af 'xenherd-agent (run|migrate|reverse)' | grep -v pgrep || true`);
  c.eq(left.stdout.trim(), '', `${d.name}: no agent process left after the stop`);
  return before;
}

/** The agent's own log lines (pino JSON) since SINCE, as the journal kept them. */
export async function agentJournal(d: Dom0, since: string): Promise<Record<string, unknown>[]> {
  const r = await d.exec(`journalctl -u ${UNIT} --since @${since} -o cat --no-pager`, { timeoutMs: 60_000 });
  const out: Record<string, unknown>[] = [];
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      /* a systemd line */
    }
  }
  return out;
}
