import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { hostNameProblem } from '../../shared/names.js';
import { openHost } from '../migrate/context.js';
import { askPing } from '../migrate/peer-requests.js';
import { processMigrationPorts } from '../migrate/process-ports.js';
import { jsonLine, printable } from '../../shared/text/printable.js';
import { fail, parseCommon } from './common.js';
import { AGENT_COMMAND_HELP } from './help.js';

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseCommon(argv, [], 1, 1, 'ping HOST');
  if (!a.ok) return fail(a.error, io, false);
  const peer = a.value.positionals[0] as string;
  const json = a.value.json;
  const badPeer = hostNameProblem(peer);
  if (badPeer !== null) return fail({ code: 'XH_ERR_USAGE', message: badPeer }, io, json);
  const ctx = await openHost(io, a.value.config);
  if (!ctx.ok) return fail(ctx.error, io, json);
  const ping = `PING from ${ctx.value.host} ...`;
  if (!json) io.stdout(`${printable(ping)}\n`);
  const r = await askPing(processMigrationPorts(ctx.value), peer);
  if ('code' in r) return fail(r, io, json);
  const pong = `PONG from ${r.host} ...`;
  if (json) io.stdout(jsonLine({ ok: true, ping, pong }));
  else io.stdout(`${printable(pong)}\nSuccess.\n`);
  return 0;
}

export const pingCommand: Command = { ...AGENT_COMMAND_HELP.ping, run };
