import { dirname } from 'node:path';
import * as z from 'zod';
import { parseArgv } from '../../shared/cli/argv.js';
import type { CliIo } from '../../shared/cli/io.js';
import { reportError, type Command } from '../../shared/cli/program.js';
import { createLogger } from '../../shared/logger.js';
import { realRandom } from '../../shared/clock/real-clock.js';
import { kernelHostName } from '../adapters/host-identity.js';
import { describeRepair, ensurePrivateDir, openStateDir } from '../../shared/fs/private-dir.js';
import { runTool } from '../adapters/exec.js';
import { createSdNotify, watchdogIntervalMs } from '../../shared/systemd/sd-notify.js';
import { bootId, bootStartMs } from '../host/boot-id.js';
import type { SelfCommand } from '../run/command-process.js';
import { VERSION } from '../../shared/version.js';
import { restartOnlyChanges } from '../config/restart-only.js';
import { loadAgentConfig } from '../config/resolve.js';
import { tokenFileExposure } from '../config/token-file.js';
import { bareKeyWarnings } from '../adapters/peer-ssh-refusals.js';
import { peerEndpoint } from '../migrate/route-read.js';
import { DEFAULT_CONFIG_PATH } from '../config/schema.js';
import { listenControl, type ControlConnection } from '../control/server.js';
import { CONTROL_PROTOCOL_VERSION, type ControlRequest, type ControlResponse } from '../../shared/protocol/agent-control.js';
import type { XhError } from '../../shared/errors.js';
import { AgentCore } from '../run/agent-core.js';
import { stopDaemon } from '../run/stop-daemon.js';
import { BootRecord, bootRecordAtReload } from '../run/boot-record.js';
import { underRoot } from '../host/paths.js';
import { bootRecordFile, processPorts } from '../run/process-ports.js';
import { standInFileOf } from '../adapters/state-disk-stand-in.js';
import { hostNameRecordFile, recordedHostName } from '../run/host-name-record.js';
import { AGENT_COMMAND_HELP } from './help.js';

const BIN = 'xenherd-agent';

/** What only the composition root may touch: signals, this process's identity and how to run itself. */
export interface ProcessHooks {
  readonly onSignal: (signal: 'SIGTERM' | 'SIGINT', handler: () => void) => void;
  /** HANDLER hears every SIGHUP from now on; true when one came before, while the agent started (it owes that reload) */
  readonly onHangUp: (handler: () => void) => boolean;
  readonly pid: number;
  readonly self: (env: CliIo['env']) => SelfCommand;
}

const OptionsSchema = z.strictObject({ config: z.string().min(1, 'needs a file path').optional() });

async function run(argv: readonly string[], io: CliIo, hooks: ProcessHooks): Promise<number> {
  const parsed = parseArgv(argv, [{ name: 'config', takesValue: true }]);
  if (!parsed.ok) return reportError(BIN, parsed.error, io);
  if (parsed.value.positionals.length > 0) return reportError(BIN, { code: 'XH_ERR_USAGE', message: `run takes no arguments, got ${JSON.stringify(parsed.value.positionals[0])}` }, io);
  const opts = OptionsSchema.safeParse(parsed.value.options);
  if (!opts.success) return reportError(BIN, { code: 'XH_ERR_USAGE', message: `--config: ${opts.error.issues[0]?.message ?? 'invalid'}` }, io);
  const root = io.env['XENHERD_HOST_ROOT'] ?? '/';
  const loaded = loadAgentConfig(opts.data.config, root);
  if (!loaded.ok) return reportError(BIN, loaded.error, io);
  const config = loaded.value.config;
  const log = createLogger({ name: BIN, level: config.logLevel });
  log.info({ config: loaded.value.file ?? `(none: ${DEFAULT_CONFIG_PATH} absent, defaults apply)`, hostRoot: root }, 'xenherd agent starting');
  const exposed = tokenFileExposure(loaded.value.file, config);
  if (exposed !== null) log.warn({ code: 'XH_ERR_CONFIG', config: loaded.value.file }, exposed);
  // said at start, so an upgrade's restart reports it before a migration at night meets it
  const peers = Object.keys(config.migration.peers).map((name) => ({ name, ...peerEndpoint({ config }, name) }));
  for (const w of bareKeyWarnings(underRoot(root, config.migration.knownHostsFile), peers)) log.warn({ code: 'XH_ERR_FILE' }, w);

  const stateDirReal = underRoot(root, config.stateDir);
  const socketReal = underRoot(root, config.controlSocket);
  const runtimeDirReal = dirname(socketReal);
  // the state dir and the runtime dir must be the agent's own: a refused one ends the start here
  for (const dir of [openStateDir(stateDirReal), ensurePrivateDir(runtimeDirReal)]) {
    if (!dir.ok) return reportError(BIN, dir.error, io);
    for (const r of dir.value.repairs) log.warn({ path: r.path }, describeRepair(r));
  }
  const notify = createSdNotify(io.env, runTool, hooks.pid);
  const kernel = kernelHostName();
  const recorded = recordedHostName(hostNameRecordFile(stateDirReal), kernel);
  if (recorded.problem !== null) log.warn({ code: 'XH_ERR_FILE' }, recorded.problem);
  const stateDiskStandIn = standInFileOf(io.env, root);
  if (stateDiskStandIn !== null) log.info({ file: stateDiskStandIn }, 'the filesystem under the state dirs is answered by the simulator while this file exists');
  const ports = processPorts({ config, root, stateDirReal, runtimeDirReal, stateDiskStandIn, log, kernelHostName: kernel, notify, self: { ...hooks.self(io.env), ...(opts.data.config !== undefined ? { config: opts.data.config } : {}) } });
  const thisBoot = await bootId(ports.files);
  // the default socket dir, /run, is a tmpfs every boot empties: a record there of unknown boot is this boot's;
  // elsewhere its mtime is weighed against when this boot began
  const startedAtMs = await bootStartMs(ports.files, ports.clock.now());
  const boot = { bootId: thisBoot, emptiedByBoot: /^\/(var\/)?run\//.test(config.controlSocket), startedAtMs };
  const bootRecord = new BootRecord(bootRecordFile(runtimeDirReal), boot);
  // lost: autostart starts nothing on its own this boot, which an operator must hear of
  if (bootRecord.lost !== null) log.error({ code: 'XH_ERR_FILE' }, bootRecord.problem ?? bootRecord.lost.why);
  else if (bootRecord.problem) log.warn(bootRecord.problem);
  if (bootRecord.idFileProblem) log.warn(bootRecord.idFileProblem);
  if (bootRecord.earlierBoot) log.info(bootRecord.earlierBoot);
  if (bootRecord.byTimeAlone) log.info(bootRecord.byTimeAlone);
  if (bootRecord.mended) log.info(bootRecord.mended);
  const daemon = new AgentCore(ports, {
    config,
    configFile: loaded.value.file,
    host: recorded.host ?? kernel,
    hostToConfirm: recorded.host !== null,
    pid: hooks.pid,
    seed: Math.floor(realRandom() * 2 ** 32),
    handledThisBoot: new Set(bootRecord.all),
    bootRecordLost: bootRecord.lost,
    bootId: thisBoot,
    agentVersion: VERSION,
    watchdogMs: watchdogIntervalMs(io.env, hooks.pid),
  });
  let running = config;
  /** the config file read again and applied; what refused it otherwise (the old config stays), logged */
  const reloadConfig = (by: string): XhError | null => {
    const again = loadAgentConfig(opts.data.config, root);
    if (!again.ok) {
      log.error({ code: again.error.code }, `${by}: configuration not reloaded, the old one stays: ${again.error.message}`);
      return again.error;
    }
    const moved = restartOnlyChanges(running, again.value.config);
    if (moved.length > 0) {
      const message = `${moved.join(', ')} changed, which only a restart applies: systemctl restart xenherd-agent (or put the old value back)`;
      log.error({ code: 'XH_ERR_CONFIG' }, `${by}: configuration not reloaded, the old one stays: ${message}`);
      return { code: 'XH_ERR_CONFIG', message: `configuration not reloaded, the old one stays: ${message}` };
    }
    log.info({ config: again.value.file }, `${by}: reloading configuration`);
    running = again.value.config;
    // a lost boot record is read again: an operator who mended it or moved it away expects the reload to see it
    const record = bootRecordAtReload(bootRecord, boot, (ended, said) => (ended ? log.info(`${by}: ${said}`) : log.error({ code: 'XH_ERR_FILE' }, `${by}: ${said}`)));
    daemon.reload(again.value.config, again.value.file, record);
    return null;
  };
  // `autostart reload` (systemctl reload runs it) re-reads the config as SIGHUP does, and its
  // caller hears a refusal: an exit code, not only a journal line
  const control = (req: ControlRequest, conn: ControlConnection): Promise<ControlResponse> => {
    if (req.op !== 'reload') return daemon.control(req, conn);
    const refused = reloadConfig('autostart reload');
    return refused === null ? daemon.control(req, conn) : Promise.resolve({ v: CONTROL_PROTOCOL_VERSION, ok: false, error: refused });
  };
  const server = await listenControl(socketReal, control, ports.clock);
  if (!server.ok) return reportError(BIN, server.error, io);

  let stopping: Promise<void> | null = null;
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => () => {
      stopping ??= (async () => {
        log.info({ signal }, 'stopping: no new starts, watchers ended, waiting for running starts');
        await stopDaemon(daemon, server.value);
        log.info('stopped');
        resolve();
      })();
    };
    hooks.onSignal('SIGTERM', stop('SIGTERM'));
    hooks.onSignal('SIGINT', stop('SIGINT'));
  });
  const hungUpWhileStarting = hooks.onHangUp(() => void reloadConfig('SIGHUP'));
  // a stop may come before READY (a slow start: a full state disk, slow DRBD tools): the start
  // ends with it, and the process exits as after a stop of a ready agent
  const reached = await daemon.start();
  // a reload asked for before the handler above was in place: the operator may have edited the
  // file after the start read it, and expects the edit to apply once the agent is up
  if (hungUpWhileStarting && reached === 'ready' && stopping === null) reloadConfig('SIGHUP sent while the agent started');
  await stopped;
  if (reached === 'stopped') log.info('it was stopped before it was ready: guarded autostart decided nothing in this run');
  return 0;
}

export const createRunCommand = (hooks: ProcessHooks): Command => ({ ...AGENT_COMMAND_HELP.run, run: (argv, io) => run(argv, io, hooks) });
