import { readFileSync, writeFileSync } from 'node:fs';
import { check, ok, type Ctx } from './steps.js';

/**
 * Log lines reach the journal with their own priority: the daemons' JSON lines carry the
 * sd-daemon prefix (shared/logger.ts) on their journal stream, which journald strips, and what a
 * failed start writes to stderr is at err (shared/cli/io.ts), so `journalctl -p err` finds errors
 * and leaves info lines out.
 */
const AGENT = 'xenherd-agent.service';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const atPriority = async (c: Ctx, priority: string): Promise<string> => (await c.chroot.run(['journalctl', '-u', AGENT, '-p', priority, '--no-pager', '-o', 'cat'])).stdout;

export async function agentLogPriorities(c: Ctx): Promise<void> {
  // an error-level line: a SIGHUP with an agent.json with an unknown key is refused
  const file = c.chroot.host('etc/xenherd/agent.json');
  const good = readFileSync(file);
  writeFileSync(file, '{"autostrat": {}}\n');
  const refused = 'SIGHUP: configuration not reloaded';
  let errors = '';
  try {
    // systemctl reload fails on it, naming the key, where it used to report success
    const reload = await c.chroot.run(['systemctl', 'reload', AGENT]);
    check(reload.code !== 0, `systemctl reload ${AGENT} of an agent.json with an unknown key reported success`);
    // the agent's own SIGHUP, through systemd (the base tree has no procps, as a minimal Dom0 may not)
    await ok(c, ['systemctl', 'kill', '--signal=SIGHUP', '--kill-who=main', AGENT]);
    for (let i = 0; i < 50 && !errors.includes(refused); i++) {
      await sleep(100);
      errors = await atPriority(c, 'err');
    }
  } finally {
    writeFileSync(file, good);
  }
  const line = errors.split('\n').find((l) => l.includes(refused));
  check(line !== undefined, `journalctl -u ${AGENT} -p err does not show the refused reload:\n${errors}\n--- all:\n${(await atPriority(c, 'debug')).slice(-2000)}`);
  // the prefix is taken off by journald: the message is the JSON line itself
  check((line ?? '').startsWith('{"level":50,'), `the error line in the journal is not the plain JSON line: ${line}`);
  c.note(`journalctl -u ${AGENT} -p err -o cat: ${(line ?? '').slice(0, 160)}…`);
  // the start-up info line and the world-readable agent.json warning stay out of -p err, at their own priorities
  check(!errors.includes('xenherd agent starting'), `an info line shows with -p err:\n${errors}`);
  const info = await atPriority(c, 'info..info');
  check(info.includes('xenherd agent starting') && !info.includes(refused), `journalctl -p info..info:\n${info.slice(-2000)}`);
  const warnings = await atPriority(c, 'warning..warning');
  check(/chmod 600/.test(warnings) && !/chmod 600/.test(errors), `the agent.json mode warning is not at priority warning:\n${warnings}`);
  // why a start failed, written to stderr (the journal too): the broken agent.json of the agent
  // step, the broken controller.json of the controller's
  const startError = errors.split('\n').find((l) => l.startsWith('xenherd-agent: XH_ERR_CONFIG:'));
  check(startError !== undefined, `the agent's refused start (XH_ERR_CONFIG on stderr) is not at priority err:\n${errors}`);
  const controller = (await c.chroot.run(['journalctl', '-u', 'xenherd-controller.service', '-p', 'err', '--no-pager', '-o', 'cat'])).stdout;
  const refusedConfig = controller.split('\n').find((l) => l.startsWith('xenherd-controller: XH_ERR_CONFIG:') && l.includes('"logLevle"'));
  check(refusedConfig !== undefined && !controller.includes('listening on'), `journalctl -u xenherd-controller -p err:\n${controller}`);
  c.note(`journalctl -u ${AGENT} -p err -o cat: ${(startError ?? '').slice(0, 160)}…`);
  c.note(`journalctl -u xenherd-controller -p err -o cat: ${(refusedConfig ?? '').slice(0, 160)}…`);
}
