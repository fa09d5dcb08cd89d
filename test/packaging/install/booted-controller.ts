import { readFileSync, writeFileSync } from 'node:fs';
import { ctlEnv } from './booted-steps.js';
import { check, ok, type Ctx } from './steps.js';

/**
 * The controller's unit in the booted tree: `systemctl restart` (what the README makes routine
 * after every enroll and operator) reports what became of the start. Type=notify: it returns once
 * the controller listens, and fails, naming the key in the journal, when it cannot serve.
 */
const CONTROLLER = 'xenherd-controller.service';
const show = async (c: Ctx, prop: string): Promise<string> => (await ok(c, ['systemctl', 'show', '-p', prop, '--value', CONTROLLER])).stdout.trim();
const active = async (c: Ctx): Promise<string> => (await c.chroot.run(['systemctl', 'is-active', CONTROLLER])).stdout.trim();
/** the journal since the cursor CURSOR (its messages only) */
const journalSince = async (c: Ctx, cursor: string): Promise<string> => (await c.chroot.run(['journalctl', '-u', CONTROLLER, '--no-pager', '-o', 'cat', `--after-cursor=${cursor}`])).stdout;
const cursorNow = async (c: Ctx): Promise<string> => /^-- cursor: (.+)$/m.exec((await c.chroot.run(['journalctl', '-n', '0', '--show-cursor', '--no-pager'])).stdout)?.[1] ?? '';

/** A restart with FILE (under the tree's root) as BROKEN fails at once, and the journal names WHAT. */
async function failsWith(c: Ctx, file: string, broken: string, what: RegExp): Promise<void> {
  await ok(c, ['systemctl', 'reset-failed', CONTROLLER]);
  const good = readFileSync(c.chroot.host(file));
  writeFileSync(c.chroot.host(file), broken);
  try {
    const cursor = await cursorNow(c);
    const r = await c.chroot.run(['systemctl', 'restart', CONTROLLER], {}, 60_000);
    const said = await journalSince(c, cursor);
    check(r.code !== 0, `systemctl restart ${CONTROLLER} returned 0 with a broken /${file}:\n${said}`);
    c.note(`broken /${file}: systemctl restart exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
    // no restart to come (exit 78 is RestartPreventExitStatus): failed now, not activating
    const [state, restarts, status] = [await active(c), await show(c, 'NRestarts'), await show(c, 'ExecMainStatus')];
    check(state === 'failed' && restarts === '0' && status === '78', `${CONTROLLER} with a broken /${file}: ${state}, ${restarts} restarts, exit ${status} (expected failed, 0, 78)`);
    const line = said.split('\n').find((l) => what.test(l));
    check(line !== undefined, `the journal does not say ${what}:\n${said}`);
    c.note(`  journal: ${line}`);
  } finally {
    writeFileSync(c.chroot.host(file), good);
  }
  await ok(c, ['systemctl', 'reset-failed', CONTROLLER]);
}

export async function controllerRestarts(c: Ctx): Promise<void> {
  // READY=1 comes from an unprivileged systemd-notify child: were it lost (the notifier gone
  // before PID 1 reads the message), a restart would hang until TimeoutStartSec and fail
  let slowest = 0;
  for (let i = 0; i < 10; i++) {
    // 5 starts within 30 s are the unit's start limit, manual ones too: reset-failed resets it
    await ok(c, ['systemctl', 'reset-failed', CONTROLLER]);
    const t = Date.now();
    const r = await c.chroot.run(['systemctl', 'restart', CONTROLLER], {}, 60_000);
    slowest = Math.max(slowest, Date.now() - t);
    check(r.code === 0 && (await active(c)) === 'active', `systemctl restart ${CONTROLLER} (round ${i + 1}): exit ${r.code} ${r.stderr}`);
    // active means listening: xenherdctl answers at once
    const hosts = await c.chroot.run(['xenherdctl', 'hosts'], ctlEnv());
    check(hosts.code === 0, `xenherdctl hosts right after systemctl restart (round ${i + 1}): ${hosts.stderr}`);
  }
  check(slowest < 10_000, `a restart took ${slowest} ms`);
  const status = await show(c, 'StatusText');
  check(/^listening on https:\/\/127\.0\.0\.1:\d+, 1 agent enrolled$/.test(status), `the controller's STATUS=: ${JSON.stringify(status)}`);
  const all = (await c.chroot.run(['journalctl', '-u', CONTROLLER, '--no-pager', '-o', 'cat'])).stdout;
  check(!all.includes('systemd-notify failed'), `systemd-notify failed under the controller's sandbox:\n${all.slice(-2000)}`);
  // what PID 1 logs when a notifier has gone before it read the message: none was lost
  const lost = (await c.chroot.run(['journalctl', '--no-pager', '-o', 'cat', '-g', 'Cannot find unit for notify message'])).stdout.trim();
  check(lost === '' || lost === '-- No entries --', `PID 1 dropped notify messages:\n${lost}`);
  c.note(`10 restarts, each active and answering at once (slowest ${slowest} ms); Status: "${status}"`);

  const config = JSON.parse(readFileSync(c.chroot.host('etc/xenherd/controller.json'), 'utf8')) as Record<string, unknown>;
  await failsWith(c, 'etc/xenherd/controller.json', `${JSON.stringify({ ...config, logLevle: 'debug' }, null, 2)}\n`, /XH_ERR_CONFIG.*unknown key "logLevle"/);
  await failsWith(c, 'etc/xenherd/tls/server.crt', 'hello\n', /XH_ERR_CONFIG.*key "tls\.cert"/);

  await ok(c, ['systemctl', 'reset-failed', CONTROLLER]);
  const back = await c.chroot.run(['systemctl', 'restart', CONTROLLER], {}, 60_000);
  check(back.code === 0 && (await active(c)) === 'active', `${CONTROLLER} after the files were put back: ${back.code} ${back.stderr}`);
  check((await c.chroot.run(['xenherdctl', 'hosts'], ctlEnv())).code === 0, 'xenherdctl hosts after the files were put back');
}

/** What the unit's comment tells a controller without TLS files to put in an override. */
const PLAINTEXT_OVERRIDE = `[Unit]
AssertPathExists=
AssertPathExists=/etc/xenherd/state/tokens.json
AssertPathExists=/etc/xenherd/controller.json
[Service]
LoadCredential=
LoadCredential=controller.json:/etc/xenherd/controller.json
LoadCredential=tokens.json:/etc/xenherd/state/tokens.json
`;

/**
 * A credential's source missing fails the start before it runs, `systemctl status` naming the
 * path (systemd itself would say only "Protocol error", status=243/CREDENTIALS); a controller
 * without TLS files starts with the override the unit's comment gives.
 */
export async function missingCredential(c: Ctx): Promise<void> {
  const tokens = 'etc/xenherd/state/tokens.json';
  await ok(c, ['mv', `/${tokens}`, `/${tokens}.away`]);
  try {
    await ok(c, ['systemctl', 'reset-failed', CONTROLLER]);
    const r = await c.chroot.run(['systemctl', 'restart', CONTROLLER], {}, 60_000);
    const status = (await c.chroot.run(['systemctl', 'status', '--no-pager', CONTROLLER])).stdout;
    check(r.code !== 0, `systemctl restart ${CONTROLLER} returned 0 without /${tokens}:\n${status}`);
    const line = status.split('\n').find((l) => l.includes(`AssertPathExists=/${tokens}`));
    check(line !== undefined, `systemctl status ${CONTROLLER} without /${tokens} does not name it:\n${status}`);
    check(!status.includes('243/CREDENTIALS'), `systemd tried to load the missing credential:\n${status}`);
    c.note(`/${tokens} moved away: systemctl restart exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
    c.note(`  systemctl status: ${(line ?? "").trim()}`);
  } finally {
    await ok(c, ['mv', `/${tokens}.away`, `/${tokens}`]);
  }

  const configFile = c.chroot.host('etc/xenherd/controller.json');
  const config = readFileSync(configFile);
  const dropIn = c.chroot.host('etc/systemd/system/xenherd-controller.service.d/plaintext.conf');
  await ok(c, ['mv', '/etc/xenherd/tls', '/etc/xenherd/tls.away']);
  try {
    const plain = JSON.parse(config.toString('utf8')) as Record<string, unknown>;
    writeFileSync(configFile, `${JSON.stringify({ ...plain, tls: false, publicUrl: 'http://127.0.0.1:7443' }, null, 2)}\n`);
    await ok(c, ['mkdir', '-p', '/etc/systemd/system/xenherd-controller.service.d']);
    writeFileSync(dropIn, PLAINTEXT_OVERRIDE);
    await ok(c, ['systemctl', 'daemon-reload']);
    await ok(c, ['systemctl', 'reset-failed', CONTROLLER]);
    const r = await c.chroot.run(['systemctl', 'restart', CONTROLLER], {}, 60_000);
    check(r.code === 0 && (await active(c)) === 'active', `${CONTROLLER} without TLS files, with the override from the unit's comment: ${r.code} ${r.stderr}`);
    const hosts = await c.chroot.run(['xenherdctl', 'hosts'], { XENHERD_URL: 'http://127.0.0.1:7443', XENHERD_TOKEN: ctlEnv()['XENHERD_TOKEN'] ?? '' });
    check(hosts.code === 0, `xenherdctl hosts over plaintext: ${hosts.stderr}`);
    c.note(`without TLS files, with the override: active, Status: "${await show(c, 'StatusText')}"`);
  } finally {
    writeFileSync(configFile, config);
    await ok(c, ['rm', '-f', '/etc/systemd/system/xenherd-controller.service.d/plaintext.conf']);
    await ok(c, ['mv', '/etc/xenherd/tls.away', '/etc/xenherd/tls']);
    await ok(c, ['systemctl', 'daemon-reload']);
  }
  await ok(c, ['systemctl', 'reset-failed', CONTROLLER]);
  const back = await c.chroot.run(['systemctl', 'restart', CONTROLLER], {}, 60_000);
  check(back.code === 0 && (await active(c)) === 'active', `${CONTROLLER} with its files back: ${back.code} ${back.stderr}`);
  check((await c.chroot.run(['xenherdctl', 'hosts'], ctlEnv())).code === 0, 'xenherdctl hosts with the files back');
}
