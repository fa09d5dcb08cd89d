import type { XhError } from '../../shared/errors.js';
import { DOMU_NAME_RE, hostNameProblem } from '../../shared/names.js';
import { OPERATION_ID_RE } from '../../shared/protocol/agent-link-values.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { CommonArgs } from './common.js';

/**
 * The arguments both halves of a cold move take (`move-stop NAME --to HOST`, `move-start NAME
 * --from HOST`), checked before anything is read: each refusal names the argument and its fix.
 */
export interface MoveArgs {
  readonly name: string;
  /** the other Dom0: --to for move-stop, --from for move-start */
  readonly peer: string;
  /** null: not given, a new one is made */
  readonly operationId: string | null;
}

const usage = (message: string): Result<never, XhError> => err({ code: 'XH_ERR_USAGE', message });

export function moveArgs(a: CommonArgs, peerOption: 'to' | 'from', command: string): Result<MoveArgs, XhError> {
  const name = a.positionals[0] as string;
  if (!DOMU_NAME_RE.test(name)) return usage(`${JSON.stringify(name)} is not a domU name: give the name xl list shows (letters, digits, . _ -)`);
  const peer = a.options[peerOption];
  if (peer === undefined || peer === true) return usage(`--${peerOption} HOST is missing: name the Dom0 ${peerOption === 'to' ? 'that will start' : 'that shut down'} ${name} (see ${command} --help)`);
  const badPeer = hostNameProblem(peer, `--${peerOption}`);
  if (badPeer !== null) return usage(badPeer);
  const op = a.options['operation-id'];
  if (op === true || (op !== undefined && !OPERATION_ID_RE.test(op))) return usage('--operation-id needs an id of letters, digits and . _ : - (not first), at most 100, or leave it out for a new one');
  return ok({ name, peer, operationId: op ?? null });
}
