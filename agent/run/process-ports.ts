import { join } from 'node:path';
import { realClock } from '../../shared/clock/real-clock.js';
import type { Logger } from '../../shared/logger.js';
import { runTool } from '../adapters/exec.js';
import { hostFiles } from '../adapters/host-files.js';
import { spawnStream } from '../adapters/line-stream.js';
import type { SdNotify } from '../adapters/sd-notify.js';
import { BootRecord } from './boot-record.js';
import type { AgentPorts } from './ports.js';
import { createStillRunning, StartIntents } from './start-intents.js';

/** The agent's ports on a real Dom0: real tools, real files under the host root, the wall clock. */
export interface ProcessPortsInput {
  readonly root: string;
  readonly stateDirReal: string;
  /** the control socket's directory (a tmpfs on a real Dom0: emptied by every boot) */
  readonly runtimeDirReal: string;
  readonly log: Logger;
  readonly notify: SdNotify | null;
}

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
    notify: i.notify,
  };
}
