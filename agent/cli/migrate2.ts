import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { exitCodeFor, type XhError } from '../../shared/errors.js';
import { peerLine } from '../../shared/protocol/peer.js';
import { openHost } from '../migrate/context.js';
import { serveForcedCommand } from '../migrate/forced-command.js';
import { processMigrationPorts } from '../migrate/process-ports.js';
import { migrate2Gate, refusalLines } from './migrate2-gate.js';
import { AGENT_COMMAND_HELP } from './help.js';

/**
 * The forced command of the migration key: sshd runs `xenherd-agent migrate2 --peer HOME` and
 * puts what HOME asked for in SSH_ORIGINAL_COMMAND. The request is checked against the grammar
 * before anything else happens (no tool runs for a rejected line); every answer is a JSON line of
 * the peer protocol (shared/protocol/peer.ts), a refusal also a human line on stderr.
 */
const refuse = (io: CliIo, e: XhError): number => {
  const l = refusalLines(e);
  io.stdout(l.stdout);
  io.stderr(l.stderr);
  return exitCodeFor(e.code);
};

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const gate = migrate2Gate(argv, io.env);
  if (!gate.ok) return refuse(io, gate.error);
  const { peer, config, request } = gate.value;
  const ctx = await openHost(io, config, 'xenherd-agent migrate2');
  if (!ctx.ok) return refuse(io, ctx.error);
  return serveForcedCommand(processMigrationPorts(ctx.value), peer, request, (l) => {
    io.stdout(peerLine(l));
    if (l.t === 'result' && !l.ok) io.stderr(`xenherd-agent migrate2: ${l.code ?? 'XH_ERR_REFUSED'}: ${l.message}\n`);
  });
}

export const migrate2Command: Command = { ...AGENT_COMMAND_HELP.migrate2, run };

