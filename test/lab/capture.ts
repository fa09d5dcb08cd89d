import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Dom0 } from './dom0.js';
import { drbdSkipInitialSync, waitFor, whereIs } from './drbd-setup.js';
import type { Lab } from './lab.js';
import { log, sleep } from './log.js';
import { Recorder, slug, type LabIdentity } from './recorder.js';
import { writeCaptureReadme } from './capture-readme.js';

/**
 * `npm run lab -- capture`: drives the lab through the states the agent must read and records every
 * command's real stdout/stderr/exit code under test/fixtures/real-xen-4.17/.
 */

const DRBD_CMDS = [
  'drbdadm role r0',
  'drbdadm cstate r0',
  'drbdadm dstate r0',
  'drbdadm status r0',
  'drbdadm status',
  'drbdsetup status r0 --verbose --statistics',
  'drbdsetup events2 --now',
  'drbdsetup events2 --now --timestamps',
  'cat /proc/drbd',
];
const XL_CMDS = ['xl list', 'xl list -l'];

async function capAll(rec: Recorder, d: Dom0, cmds: readonly string[]): Promise<void> {
  for (const c of cmds) await rec.cap(d, slug(c), c);
}
const drbd = (rec: Recorder, d: Dom0): Promise<void> => capAll(rec, d, DRBD_CMDS);
const xl = (rec: Recorder, d: Dom0): Promise<void> => capAll(rec, d, XL_CMDS);

export async function identify(lab: Lab): Promise<LabIdentity> {
  const v = lab.image.versions;
  const info = await lab.a.run('xl info');
  const field = (k: string): string => new RegExp(`^${k}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '?';
  await lab.a.run('modprobe drbd');
  const proc = await lab.a.run('cat /proc/drbd');
  await lab.a.run('rmmod drbd');
  const drbdModule = /version: (\S+)/.exec(proc)?.[1] ?? '?';
  return {
    xenVersion: `${field('xen_major')}.${field('xen_minor')}${field('xen_extra')}`,
    xenPackage: v.xenHypervisorPackage,
    kernel: v.kernel,
    drbdModule,
    drbdUtils: v.drbdUtils,
    debian: v.debian,
  };
}

/**
 * Background `xl list` / `xl list -l` loop in a Dom0 (until /tmp/loop-stop or `secs`), each
 * iteration's three streams in /tmp/loop/NNNN-{list,listl}.{stdout,stderr,rc}.
 */
function startListLoop(d: Dom0, secs: number): Promise<unknown> {
  const script =
    `rm -rf /tmp/loop /tmp/loop-stop; mkdir -p /tmp/loop; end=$(( $(date +%s) + ${secs} )); i=0; ` +
    `while [ $(date +%s) -lt $end ] && [ ! -e /tmp/loop-stop ]; do i=$((i+1)); n=$(printf %04d $i); ` +
    `xl list > /tmp/loop/$n-list.stdout 2> /tmp/loop/$n-list.stderr; echo $? > /tmp/loop/$n-list.rc; ` +
    `if [ $((i % 3)) = 0 ]; then xl list -l > /tmp/loop/$n-listl.stdout 2> /tmp/loop/$n-listl.stderr; echo $? > /tmp/loop/$n-listl.rc; fi; ` +
    `sleep 0.3; done; echo $i`;
  return d.exec(script, { timeoutMs: (secs + 60) * 1000 });
}

/** Pick the interesting loop iterations and save them as fixtures. */
async function harvestLoop(rec: Recorder, d: Dom0, tag: string): Promise<string[]> {
  const kept: string[] = [];
  const n = Number((await d.run('ls /tmp/loop | grep -c -- "-list\\.rc$"')).trim());
  const patterns: [string, string][] = [
    ['incoming', '--incoming'],
    ['migratedaway', '--migratedaway'],
    ['null', '(null)'],
  ];
  for (const kind of ['list', 'listl'] as const) {
    const cmd = kind === 'list' ? 'xl list' : 'xl list -l';
    const picks = new Map<string, string>();
    for (const [label, pat] of patterns) {
      const hit = (await d.exec(`grep -l -F -e '${pat}' /tmp/loop/*-${kind}.stdout | head -1`)).stdout.trim();
      if (hit) picks.set(label, hit.replace(/\.stdout$/, ''));
    }
    const failed = (
      await d.exec(`for f in /tmp/loop/*-${kind}.rc; do [ -s $f ] && [ "$(cat $f)" != 0 ] && { echo \${f%.rc}; break; }; done; true`)
    ).stdout.trim();
    if (failed) picks.set('nonzero', failed);
    const errOut = (await d.exec(`for f in /tmp/loop/*-${kind}.stderr; do [ -s $f ] && { echo \${f%.stderr}; break; }; done; true`)).stdout.trim();
    if (errOut && !picks.has('nonzero')) picks.set('stderr', errOut);
    for (const [label, base] of picks) {
      const [so, se, rc] = await Promise.all(['stdout', 'stderr', 'rc'].map((s) => d.run(`cat ${base}.${s}`)));
      const iter = base.split('/').pop()!.slice(0, 4);
      if (label === 'nonzero' && rc!.trim() === '0') continue;
      rec.save(d.name, `${tag}.${slug(cmd)}.${label}`, cmd, { stdout: so!, stderr: se!, exitCode: Number(rc!.trim()) }, `background loop iteration ${iter} of ${n} during the migration`);
      kept.push(`${label}@${iter}`);
    }
  }
  log(`${d.name}: loop ${tag}: ${n} iterations, kept ${kept.join(' ') || 'none'}`);
  return kept;
}

/** Live `drbdsetup events2` for `secs` seconds in `d` while `during()` runs. */
async function liveEvents(rec: Recorder, d: Dom0, name: string, args: string, secs: number, during: () => Promise<void>): Promise<void> {
  const cmd = `drbdsetup events2 ${args}`.trim();
  const p = d.exec(`timeout ${secs} ${cmd}`, { timeoutMs: (secs + 60) * 1000 });
  await sleep(1500);
  await during();
  const r = await p;
  rec.save(d.name, name, cmd, r, `live for ${secs} s (ended by \`timeout ${secs}\`, hence rc 124)`);
}

export async function capture(lab: Lab, outDir: string): Promise<{ durationS: number; notes: string[] }> {
  const t0 = Date.now();
  const { a, b } = lab;
  const notes: string[] = [];
  const id = await identify(lab);
  log(`capture: ${JSON.stringify(id)}`);
  rmSync(outDir, { recursive: true, force: true });
  const rec = new Recorder(outDir, id);

  // ---- 01: fresh boot, no DRBD module, no guest
  rec.state('01-boot', 'fresh boot: only Domain-0, DRBD module not loaded');
  for (const d of [a, b]) await xl(rec, d);
  await rec.cap(a, 'xl-info', 'xl info');
  await rec.cap(b, 'xl-info', 'xl info');
  await rec.cap(a, 'cat-proc-drbd', 'cat /proc/drbd');
  await rec.cap(a, 'lsmod-drbd', 'lsmod | grep -c ^drbd');
  await rec.cap(a, 'drbdadm-role-r0', 'drbdadm role r0', { note: 'run with no /proc/drbd: does drbdadm load the module?' });
  await rec.cap(a, 'lsmod-drbd-after-drbdadm', 'lsmod | grep -c ^drbd');
  await rec.cap(a, 'which-xenstore-watch', 'command -v xenstore-watch; dpkg -S "$(readlink -f "$(command -v xenstore-watch)")"; readlink -f "$(command -v xenstore-watch)"');
  await rec.cap(a, 'xl-version-cmds', 'xl info | grep -E "^(xen_version|xen_extra|xen_major|xen_minor)"; dpkg-query -W xen-utils-4.17 xenstore-utils drbd-utils nodejs; node --version; uname -r');

  rec.state('02-unknown-names', 'errors for a domain / resource that does not exist (DRBD module loaded, r0 not up)');
  for (const c of ['xl list nosuch', 'xl list -l nosuch', 'xl destroy nosuch', 'xl shutdown nosuch', 'xl shutdown -w nosuch', 'xl pause nosuch', 'xl unpause nosuch', 'xl migrate nosuch dom0b', 'xl domid nosuch', 'xl domname 999']) {
    await rec.cap(a, slug(c), c);
  }
  await a.run('modprobe drbd');
  for (const c of ['drbdadm role nosuch', 'drbdadm cstate nosuch', 'drbdadm dstate nosuch', 'drbdadm status nosuch', 'drbdsetup status nosuch', 'drbdadm up nosuch']) {
    await rec.cap(a, slug(c), c);
  }
  await rec.cap(a, 'drbdsetup-status-json', 'drbdsetup status --json');

  // ---- 03/04: r0 configured, not up
  rec.state('03-drbd-down-no-metadata', 'DRBD module loaded, r0 in /etc/drbd.d but never created (no metadata) and not up');
  await drbd(rec, a);
  await b.run('modprobe drbd');
  await rec.cap(a, 'drbdadm-create-md-r0', 'drbdadm create-md --force r0');
  await rec.cap(b, 'drbdadm-create-md-r0', 'drbdadm create-md --force r0');
  rec.state('04-drbd-down-with-metadata', 'metadata created, r0 not up (dstate read from on-disk metadata?)');
  await drbd(rec, a);
  await rec.cap(a, 'drbdsetup-status-json', 'drbdsetup status --json');

  // ---- 05: up, connected, initial sync not yet done
  rec.state('05-drbd-up-inconsistent', 'r0 up on both, Connected, both Inconsistent (before the initial sync)');
  await rec.cap(a, 'drbdadm-up-r0', 'drbdadm up r0');
  await liveEvents(rec, a, 'drbdsetup-events2-live-while-peer-connects', 'r0', 12, async () => {
    await rec.cap(b, 'drbdadm-up-r0', 'drbdadm up r0');
    await waitFor(a, 'drbdadm cstate r0', (s) => s.startsWith('Connected'), 120_000, 'Connected');
  });
  for (const d of [a, b]) await drbd(rec, d);

  // ---- 06: Secondary/Secondary UpToDate
  await drbdSkipInitialSync(a, b);
  rec.state('06-connected-secondary', 'Connected, both Secondary, UpToDate/UpToDate, no guest');
  for (const d of [a, b]) await drbd(rec, d);
  await rec.cap(a, 'drbdsetup-status-json', 'drbdsetup status --json');

  // ---- 07: a Primary (no guest)
  rec.state('07-a-primary', 'dom0a Primary (drbdadm primary), dom0b Secondary, Connected, no guest');
  await rec.cap(a, 'drbdadm-primary-r0', 'drbdadm primary r0');
  for (const d of [a, b]) await drbd(rec, d);
  await rec.cap(b, 'drbdadm-primary-r0-while-peer-primary', 'drbdadm primary r0', { note: 'allow-two-primaries yes' });
  rec.state('08-primary-primary', 'both Primary (allow-two-primaries, as during a live migration), no guest');
  for (const d of [a, b]) await drbd(rec, d);
  await rec.cap(b, 'drbdadm-secondary-r0', 'drbdadm secondary r0');
  await rec.cap(a, 'drbdadm-secondary-r0', 'drbdadm secondary r0');

  // ---- 09: guest running on a
  rec.state('09-guest-running-on-a', 'PVH guest tiny (disk drbd:r0) created on dom0a; block-drbd made dom0a Primary');
  await rec.cap(a, 'xl-create-tiny', 'xl create /etc/xen/drbd-auto/tiny.cfg', { timeoutMs: 180_000 });
  await sleep(15_000);
  for (const d of [a, b]) {
    await xl(rec, d);
    await drbd(rec, d);
  }
  await rec.cap(a, 'xl-list-tiny', 'xl list tiny');
  await rec.cap(a, 'xl-list-l-tiny', 'xl list -l tiny');
  await rec.cap(a, 'xl-info', 'xl info');
  await rec.cap(a, 'xl-domid-tiny', 'xl domid tiny');
  await rec.cap(a, 'guest-console-log', 'tail -5 /var/log/xen/console/guest-tiny.log');
  await rec.cap(a, 'xenstore-ls-domain', 'xenstore-ls -f /local/domain/$(xl domid tiny) | grep -E "/(name|vm|control/shutdown|data)" | head -20');

  // ---- 10: paused
  rec.state('10-guest-paused', 'tiny paused on dom0a (xl pause), then unpaused');
  await rec.cap(a, 'xl-pause-tiny', 'xl pause tiny');
  await xl(rec, a);
  await rec.cap(a, 'xl-list-tiny', 'xl list tiny');
  await rec.cap(a, 'xl-pause-tiny-again', 'xl pause tiny', { note: 'pausing an already paused domain' });
  await rec.cap(a, 'xl-unpause-tiny', 'xl unpause tiny');
  await rec.cap(a, 'xl-unpause-tiny-again', 'xl unpause tiny', { note: 'unpausing a running domain' });
  await rec.cap(a, 'xl-list-after-unpause', 'xl list');
  await sleep(20_000);

  // ---- 11: live migration a -> b, with background `xl list` loops on both hosts (retried: real migrations fail)
  rec.state('11-migrating-a-to-b', 'xl migrate tiny dom0b on dom0a (attempt N; a failed attempt is kept with the lists after it); xl list / xl list -l looped on both hosts meanwhile');
  let ok = false;
  for (let k = 1; k <= 3 && !ok; k++) {
    const loops = [startListLoop(a, 300), startListLoop(b, 300)];
    await sleep(2000);
    const mig = await rec.cap(a, `xl-migrate-tiny-dom0b.attempt${k}`, 'xl migrate tiny dom0b', { timeoutMs: 300_000 });
    await Promise.all([a, b].map((d) => d.exec('touch /tmp/loop-stop')));
    await Promise.all(loops);
    await harvestLoop(rec, a, `during-migration-attempt${k}`);
    await harvestLoop(rec, b, `during-migration-attempt${k}`);
    notes.push(`migration a->b attempt ${k}: rc=${mig.exitCode}, ${Math.round(mig.durationMs / 1000)} s`);
    ok = mig.exitCode === 0;
    if (ok) break;
    for (const d of [a, b]) {
      await rec.cap(d, `xl-list.after-failed-attempt${k}`, 'xl list');
      await rec.cap(d, `drbdadm-role-r0.after-failed-attempt${k}`, 'drbdadm role r0');
    }
    log(`migration attempt ${k} failed; recreating tiny on dom0a`);
    await b.exec('xl destroy tiny--incoming; xl destroy tiny');
    await a.exec('xl destroy tiny--migratedaway; xl destroy tiny');
    await waitFor(a, 'drbdadm role r0', (o) => o.startsWith('Secondary/Secondary'), 90_000, 'Secondary/Secondary after a failed migration');
    await a.run('xl create /etc/xen/drbd-auto/tiny.cfg', { timeoutMs: 180_000 });
    await sleep(30_000);
  }
  const arrived = Date.now();

  rec.state('12-guest-running-on-b', 'after the migration: tiny on dom0b (Primary), dom0a Secondary');
  for (const d of [a, b]) {
    await xl(rec, d);
    await drbd(rec, d);
  }
  await rec.cap(a, 'xl-list-tiny', 'xl list tiny');
  await rec.cap(b, 'guest-console-log-incoming', 'tail -3 /var/log/xen/console/guest-tiny--incoming.log');

  // ---- 13: quick re-migration (a real failure mode: within ~10 s of arrival)
  rec.state('13-quick-remigration-b-to-a', 'xl migrate tiny dom0a on dom0b a few seconds after tiny arrived (known to fail: "resuming at sender")');
  const wait = 5000 - (Date.now() - arrived);
  if (wait > 0) await sleep(wait);
  const loops = [startListLoop(a, 240), startListLoop(b, 240)];
  const quick = await rec.cap(b, 'xl-migrate-tiny-dom0a', 'xl migrate tiny dom0a', {
    timeoutMs: 300_000,
    note: `started ${Math.round((Date.now() - arrived) / 1000)} s after the previous migration ended`,
  });
  await Promise.all([a, b].map((d) => d.exec('touch /tmp/loop-stop')));
  await Promise.all(loops);
  await harvestLoop(rec, a, 'during-remigration');
  await harvestLoop(rec, b, 'during-remigration');
  notes.push(`quick re-migration b->a: rc=${quick.exitCode}`);
  await sleep(5000);
  for (const d of [a, b]) {
    await xl(rec, d);
    await drbd(rec, d);
  }

  // ---- 14: shutdown
  const where = await whereIs([a, b], 'tiny');
  notes.push(`after re-migration tiny is on: ${where.join(',') || 'nowhere'}`);
  rec.state('14-guest-shutdown', `xl shutdown -w tiny on the host running it (${where.join(',')}), then the lists`);
  for (const h of where) {
    const d = h === 'dom0a' ? a : b;
    await rec.cap(d, 'xl-list-before', 'xl list');
    const sh = await rec.cap(d, 'xl-shutdown-w-tiny', 'xl shutdown -w tiny', { timeoutMs: 90_000 });
    if (sh.exitCode !== 0) await rec.cap(d, 'xl-destroy-tiny', 'xl destroy tiny');
    await xl(rec, d);
    await drbd(rec, d);
  }
  await rec.cap(a, 'xl-destroy-tiny-gone', 'xl destroy tiny', { note: 'domain no longer exists' });

  // ---- 15: PV guest migration failure + xenstore-watch
  rec.state('15-pv-guest-xenstore-watch', 'xenstore-watch @introduceDomain @releaseDomain on both while PV guest tinypv is created on dom0a, fails to migrate, and is destroyed');
  const watch = (d: Dom0): Promise<unknown> =>
    d.exec('rm -f /tmp/xsw.*; (xenstore-watch @introduceDomain @releaseDomain > /tmp/xsw.stdout 2> /tmp/xsw.stderr & echo $! > /tmp/xsw.pid; wait $!; echo $? > /tmp/xsw.rc) > /dev/null 2>&1 &', { timeoutMs: 30_000 });
  await Promise.all([watch(a), watch(b)]);
  await sleep(3000);
  await rec.cap(a, 'xl-create-tinypv', 'xl create /etc/xen/tinypv.cfg', { timeoutMs: 180_000 });
  await sleep(12_000);
  await rec.cap(a, 'xl-list', 'xl list');
  await rec.cap(a, 'xl-list-l-tinypv', 'xl list -l tinypv');
  const pvmig = await rec.cap(a, 'xl-migrate-tinypv-dom0b', 'xl migrate tinypv dom0b', { timeoutMs: 300_000 });
  notes.push(`PV migration: rc=${pvmig.exitCode}`);
  await sleep(3000);
  await rec.cap(a, 'xl-list-after-failed-migration', 'xl list');
  await rec.cap(b, 'xl-list-after-failed-migration', 'xl list');
  await rec.cap(a, 'xl-destroy-tinypv', 'xl destroy tinypv');
  await sleep(4000);
  for (const d of [a, b]) {
    await d.exec('kill $(cat /tmp/xsw.pid); sleep 1');
    const [so, se, rc] = await Promise.all(['stdout', 'stderr', 'rc'].map((s) => d.exec(`cat /tmp/xsw.${s}`)));
    rec.save(d.name, 'xenstore-watch', 'xenstore-watch @introduceDomain @releaseDomain', { stdout: so!.stdout, stderr: se!.stdout, exitCode: Number(rc!.stdout.trim()) }, 'background, from before xl create to after xl destroy; ended with kill (TERM)');
  }
  await rec.cap(b, 'xl-list-final', 'xl list');

  // ---- 16: peer down
  rec.state('16-peer-down', 'r0 down on dom0b (drbdadm down); dom0a waits for the connection');
  await rec.cap(b, 'drbdadm-down-r0', 'drbdadm down r0');
  await sleep(3000);
  for (const d of [a, b]) await drbd(rec, d);
  await rec.cap(b, 'drbdsetup-status-json', 'drbdsetup status --json');
  rec.state('17-peer-down-a-primary', 'r0 down on dom0b, dom0a Primary (as after a failover)');
  await rec.cap(a, 'drbdadm-primary-r0', 'drbdadm primary r0');
  await drbd(rec, a);
  await rec.cap(a, 'drbdadm-secondary-r0', 'drbdadm secondary r0');
  rec.state('18-peer-reconnects', 'dom0b brings r0 up again; live events2 on dom0a');
  await liveEvents(rec, a, 'drbdsetup-events2-live-timestamps', '--timestamps r0', 15, async () => {
    await rec.cap(b, 'drbdadm-up-r0', 'drbdadm up r0');
    await waitFor(a, 'drbdadm dstate r0', (s) => s.startsWith('UpToDate/UpToDate'), 120_000, 'UpToDate/UpToDate');
  });
  for (const d of [a, b]) await drbd(rec, d);

  // ---- 19: split brain
  rec.state('19-split-brain', 'disconnect both, promote both, write on both, demote, reconnect -> split brain, StandAlone');
  for (const d of [a, b]) {
    await rec.cap(d, 'drbdadm-disconnect-r0', 'drbdadm disconnect r0');
  }
  for (const d of [a, b]) await drbd(rec, d);
  for (const d of [a, b]) {
    await d.run('drbdadm primary r0 && dd if=/dev/urandom of=/dev/drbd0 bs=4k count=64 oflag=direct 2>/dev/null && drbdadm secondary r0');
  }
  for (const d of [a, b]) await rec.cap(d, 'drbdadm-connect-r0', 'drbdadm connect r0');
  await waitFor(a, 'drbdadm cstate r0; ssh dom0b drbdadm cstate r0', (s) => s.includes('StandAlone'), 120_000, 'StandAlone');
  await sleep(4000);
  rec.state('20-split-brain-standalone', 'after the reconnect: split brain detected');
  for (const d of [a, b]) {
    await drbd(rec, d);
    await rec.cap(d, 'dmesg-drbd', 'dmesg | grep -i -E "drbd.*(split|brain|StandAlone|conn\\()" | tail -15');
  }

  // ---- 21: resolve (dom0b discards its data) -> short resync
  rec.state('21-split-brain-resolved', 'dom0b: drbdadm connect --discard-my-data; dom0a: connect -> resync of the divergent blocks');
  await rec.cap(b, 'drbdadm-disconnect-r0', 'drbdadm disconnect r0');
  await rec.cap(b, 'drbdadm-connect-discard-my-data-r0', 'drbdadm -- --discard-my-data connect r0');
  await rec.cap(a, 'drbdadm-connect-r0', 'drbdadm connect r0');
  await sleep(1000);
  for (const d of [a, b]) await rec.cap(d, 'cat-proc-drbd', 'cat /proc/drbd');
  await waitFor(a, 'drbdadm dstate r0', (s) => s.startsWith('UpToDate/UpToDate'), 300_000, 'UpToDate after split-brain resolution');
  for (const d of [a, b]) await drbd(rec, d);

  // ---- 22: slow full resync (invalidate on b)
  rec.state('22-resync', 'full resync: resync rate limited to 2M/s on both, dom0b invalidated (SyncTarget), dom0a SyncSource');
  for (const d of [a, b]) await rec.cap(d, 'drbdadm-disk-options-slow', 'drbdadm disk-options --c-plan-ahead=0 --resync-rate=2M r0');
  await rec.cap(b, 'drbdadm-invalidate-r0', 'drbdadm invalidate r0');
  await sleep(3000);
  for (const d of [a, b]) {
    await drbd(rec, d);
    await rec.cap(d, 'drbdsetup-status-json', 'drbdsetup status --json');
  }
  await liveEvents(rec, a, 'drbdsetup-events2-live-during-resync', '--timestamps r0', 8, async () => {});
  for (const d of [a, b]) await rec.cap(d, 'cat-proc-drbd-later', 'cat /proc/drbd');

  // ---- 23: teardown
  rec.state('23-teardown', 'drbdadm down on both');
  for (const d of [a, b]) await rec.cap(d, 'drbdadm-down-r0', 'drbdadm down r0');
  await drbd(rec, a);
  await rec.cap(a, 'drbdadm-down-r0-again', 'drbdadm down r0', { note: 'already down' });

  const durationS = (Date.now() - t0) / 1000;
  writeCaptureReadme(join(outDir, 'README.md'), rec, notes, durationS);
  return { durationS, notes };
}
