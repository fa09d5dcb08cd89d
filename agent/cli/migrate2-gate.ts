import { parseArgv } from '../../shared/cli/argv.js';
import type { XhError } from '../../shared/errors.js';
import { HOST_NAME_RE } from '../../shared/names.js';
import type { PeerResult } from '../../shared/protocol/peer.js';
import { err, ok, type Result } from '../../shared/result.js';
import { parseMigrate2Command, type Migrate2Request } from '../parse/migrate2-command.js';

/**
 * The first thing the forced command does, before any other module of the agent is loaded:
 * the forced command line (`--peer HOME [--config FILE]`) and SSH_ORIGINAL_COMMAND against the grammar. A
 * rejected request ends here; nothing has run.
 */
export interface Migrate2Gate {
  readonly peer: string;
  readonly config: string | undefined;
  readonly request: Migrate2Request;
}

export function migrate2Gate(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Result<Migrate2Gate, XhError> {
  const p = parseArgv(argv, [{ name: 'peer', takesValue: true }, { name: 'config', takesValue: true }]);
  if (!p.ok) return p;
  const peer = p.value.options['peer'];
  const config = p.value.options['config'];
  if (typeof peer !== 'string' || !HOST_NAME_RE.test(peer) || p.value.positionals.length > 0 || config === true) {
    return err({ code: 'XH_ERR_USAGE', message: 'the forced command must be `xenherd-agent migrate2 --peer HOME [--config FILE]` with HOME a host name (check authorized_keys)' });
  }
  const req = parseMigrate2Command(env['SSH_ORIGINAL_COMMAND']);
  if (!req.ok) return req;
  return ok({ peer, config, request: req.value });
}

/**
 * How a refused request is reported: the peer protocol's result line for the asking Dom0 (built
 * by hand: this runs before zod and the schemas are loaded), a human line with the code on stderr.
 */
export const refusalLines = (e: XhError): { stdout: string; stderr: string } => {
  const line: PeerResult = { v: PEER_PROTOCOL_VERSION_LITERAL, t: 'result', ok: false, code: e.code, message: e.message, operationId: null };
  return { stdout: `${JSON.stringify(line)}\n`, stderr: `xenherd-agent migrate2: ${e.code}: ${e.message}\n` };
};

/** shared/protocol/peer.ts's version, repeated as a literal: importing it would load zod here */
const PEER_PROTOCOL_VERSION_LITERAL = 1 as const;
