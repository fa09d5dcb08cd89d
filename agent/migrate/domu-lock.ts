import { join } from 'node:path';
import type { XhError } from '../../shared/errors.js';
import { CONTROL_PROTOCOL_VERSION, type Hold } from '../../shared/protocol/agent-control.js';
import { err, ok, type Result } from '../../shared/result.js';
import { takeLock } from '../adapters/file-lock.js';
import { holdOnAgent } from '../control/client.js';
import type { HostContext } from './context.js';

/**
 * A migration command's lock on one domU. Two layers, both needed:
 * - the file lock (state dir `locks/NAME.lock`) excludes other migration commands on this host,
 *   with or without a daemon, and survives a daemon restart;
 * - the running daemon's hold (control socket `hold`) keeps the daemon from starting or
 *   force-starting the domU while the toolstack shows it mid-migration. No daemon is a normal
 *   case (the file lock alone then); a daemon that refuses means someone else has it.
 * `viaDaemon` says which it was, for the command's output.
 */
export interface DomuLock {
  readonly viaDaemon: boolean;
  release(): void;
}

export async function lockDomU(ctx: HostContext, name: string, purpose: Hold['purpose'], operation: string): Promise<Result<DomuLock, XhError>> {
  const file = await takeLock(join(ctx.stateDirReal, 'locks', `${name}.lock`), `domU ${name}`);
  if (!file.ok) return file;
  const held = await holdOnAgent(ctx.real(ctx.config.controlSocket), {
    v: CONTROL_PROTOCOL_VERSION,
    op: 'hold',
    name,
    purpose,
    operation,
    by: `xenherd-agent ${purpose} (pid ${process.pid})`,
  });
  if (!held.ok) {
    file.value.release();
    return err(held.error);
  }
  const agent = held.value === 'no-daemon' ? null : held.value;
  return ok({
    viaDaemon: agent !== null,
    release: () => {
      agent?.release();
      file.value.release();
    },
  });
}
