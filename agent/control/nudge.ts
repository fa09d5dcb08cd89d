import type { XhError } from '../../shared/errors.js';
import { CONTROL_PROTOCOL_VERSION, type ControlRequest, type ControlResponse } from '../../shared/protocol/agent-control.js';
import type { Result } from '../../shared/result.js';
import { askAgent } from './client.js';
import type { StateDirRole } from '../../shared/protocol/state-disk.js';

/** one request to the agent and its answer (a socket in the process, a fake in tests) */
export type AskAgent = (req: ControlRequest) => Promise<Result<ControlResponse, XhError>>;

const WHY_MAX = 300;

/**
 * A migration command's nudge after it wrote the ledger: the running agent reads the host again
 * and decides every guarded domU again (`rescan`), the config file left alone, so the journal of
 * a drain says why each re-read happened instead of one config reload per move.
 *
 * After an upgrade, until the unit restarts, the agent answering may be the old package's, whose
 * request schema has no `rescan`: it answers XH_ERR_USAGE ("not a control request"), a code no
 * agent answers a well-formed request with. That agent is sent the old `reload` once, which
 * re-reads its config file too but re-reads the ledger all the same.
 */
export async function nudgeAgent(ask: AskAgent, why: string): Promise<Result<ControlResponse, XhError>> {
  const said = why.trim() === '' ? 'a migration command changed the ledger' : why.slice(0, WHY_MAX);
  const r = await ask({ v: CONTROL_PROTOCOL_VERSION, op: 'rescan', why: said });
  if (r.ok && !r.value.ok && r.value.error.code === 'XH_ERR_USAGE') return ask({ v: CONTROL_PROTOCOL_VERSION, op: 'reload' });
  return r;
}

/** nudgeAgent on the control socket at PATH; no agent listening is a normal case the result says */
export const nudgeSocket = (path: string, why: string, timeoutMs = 5_000): Promise<Result<ControlResponse, XhError>> => nudgeAgent((req) => askAgent(path, req, timeoutMs), why);

/**
 * A command's write under the agent's dirs that failed for a full or read-only filesystem, told
 * to the running agent at PATH so its report names that write (control op `write-failed`). The
 * command has said the failure already; an agent not listening, or one older than the op, is
 * left to find the filesystem at its next minute's reading.
 */
export async function tellWriteFailed(path: string, role: StateDirRole, what: string, timeoutMs = 5_000): Promise<void> {
  await askAgent(path, { v: CONTROL_PROTOCOL_VERSION, op: 'write-failed', role, what: what.slice(0, 200) }, timeoutMs);
}
