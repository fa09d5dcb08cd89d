import { dirname, join } from 'node:path';
import { readStateDirs, type StateDir } from '../adapters/state-disk.js';
import { realClock } from '../../shared/clock/real-clock.js';
import type { Logger } from '../../shared/logger.js';
import { runTool } from '../adapters/exec.js';
import { hostFiles } from '../host/files.js';
import { spawnStream } from '../adapters/line-stream.js';
import type { SdNotify } from '../../shared/systemd/sd-notify.js';
import { BootRecord } from './boot-record.js';
import { hostNameRecordFile, saveHostName } from './host-name-record.js';
import { runCommandProcess, type SelfCommand } from './command-process.js';
import type { AgentConfig } from '../config/schema.js';
import { readControllerCa } from './controller-ca.js';
import { connectAgentLink } from '../../shared/link/ws-connect.js';
import { PinnedCas } from '../../shared/link/pinned-cas.js';
import { err } from '../../shared/result.js';
import { controllerUrlList } from '../core/link-urls.js';
import { CLOSE } from '../../shared/link/link.js';
import type { AgentPorts } from './ports.js';
import { createStillRunning, StartIntents } from './start-intents.js';

/** The agent's ports on a real Dom0: real tools, real files under the host root, the wall clock. */
export interface ProcessPortsInput {
  readonly config: AgentConfig;
  readonly root: string;
  readonly stateDirReal: string;
  /** the control socket's directory (a tmpfs on a real Dom0: emptied by every boot) */
  readonly runtimeDirReal: string;
  /** a simulated Dom0's filesystem answered in this file (adapters/state-disk-stand-in.ts); null on a real one */
  readonly stateDiskStandIn?: string | null;
  readonly log: Logger;
  /** the kernel's name for this machine, which the host-name record is kept against */
  readonly kernelHostName: string;
  readonly notify: SdNotify | null;
  /** how to run this agent's own CLI (for a controller's migrate/reverse) */
  readonly self: SelfCommand;
}

/**
 * The controller link of the config, its CA file read, dialling the URL the core chose
 * (agent/core/link-urls.ts), and the check whether the primary answers; null without a
 * `controller` section.
 */
function controllerConnection(config: AgentConfig, root: string): Pick<AgentPorts, 'connectController' | 'probePrimary'> {
  const c = config.controller;
  if (!c) return { connectController: null };
  const urls = controllerUrlList(c.url, c.standbyUrls);
  // the CA read by caFingerprint is kept for the process, so a try is one TLS connection, not two
  const pinnedCas = new PinnedCas();
  const open = async (url: string): ReturnType<NonNullable<AgentPorts['connectController']>> => {
    let caPem: string | null = null;
    if (c.caFile) {
      const pem = readControllerCa(root, c.caFile);
      if (!pem.ok) return err({ kind: 'untrusted', message: pem.error });
      caPem = pem.value;
    }
    return connectAgentLink({ url, token: c.token, caPem, caFingerprint: c.caFingerprint ?? null, maxPayload: LINK_MAX_PAYLOAD, handshakeTimeoutMs: LINK_HANDSHAKE_TIMEOUT_MS, clock: realClock, pinnedCas });
  };
  return {
    connectController: async (at) => {
      const url = urls[at % urls.length] as string;
      const link = await open(url);
      // which controller refused or could not be reached matters once there are several
      return link.ok || urls.length === 1 ? link : err({ ...link.error, message: `${url}: ${link.error.message}` });
    },
    // the whole handshake, token included: a primary that is up but refuses this agent is not one to go back to
    probePrimary: async () => {
      const link = await open(urls[0] as string);
      if (link.ok) link.value.close(CLOSE.normal, 'only checking that the controller answers');
      return link.ok;
    },
  };
}

/** the controller's own bound on a frame (its maxMessageBytes default): a snapshot of 4,096 domUs fits */
export const LINK_MAX_PAYLOAD = 4 * 1024 * 1024;
/** How long one try of the controller link may take, TCP, TLS and the upgrade together (ws-connect.ts). */
export const LINK_HANDSHAKE_TIMEOUT_MS = 10_000;

/** The agent's own dirs: the state dir (ledger, maintenance flag) and the control socket's (boot record, locks). */
export const stateDirsOf = (i: Pick<ProcessPortsInput, 'config' | 'stateDirReal' | 'runtimeDirReal'>): StateDir[] => [
  { role: 'state', dir: i.config.stateDir, real: i.stateDirReal },
  { role: 'runtime', dir: dirname(i.config.controlSocket), real: i.runtimeDirReal },
];

export const bootRecordFile = (runtimeDirReal: string): string => join(runtimeDirReal, 'autostart-boot.json');

export function processPorts(i: ProcessPortsInput): AgentPorts {
  const intents = new StartIntents(i.stateDirReal);
  const bootFile = bootRecordFile(i.runtimeDirReal);
  return {
    clock: realClock,
    log: i.log,
    run: runTool,
    spawn: spawnStream,
    files: hostFiles(i.root),
    stateDirReal: i.stateDirReal,
    intents: {
      write: (x) => intents.write(x),
      remove: (n) => intents.remove(n),
      readAll: () => intents.readAll((problem) => i.log.warn({ code: 'XH_ERR_FILE' }, `start record ignored: ${problem}`)),
      stillRunning: createStillRunning,
    },
    saveBootRecord: (names) => {
      const r = new BootRecord(bootFile);
      for (const n of names) {
        const added = r.add(n);
        if (!added.ok) throw new Error(added.error.message);
      }
    },
    readStateDisks: (at) => readStateDirs(stateDirsOf(i), at, i.stateDiskStandIn ?? null),
    saveHostName: (host) => {
      const problem = saveHostName(hostNameRecordFile(i.stateDirReal), i.kernelHostName, host);
      if (problem !== null) i.log.warn({ code: 'XH_ERR_FILE' }, `cannot record this host's name for the next start: ${problem}`);
    },
    notify: i.notify,
    ...controllerConnection(i.config, i.root),
    runCommand: (command, progress) => runCommandProcess(i.self, command, progress),
  };
}
