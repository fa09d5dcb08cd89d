import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { hostNameProblem } from '../../shared/names.js';
import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import { sourceAddressTowards } from '../adapters/route-source.js';
import { describeRepair, ensurePrivateDir } from '../../shared/fs/private-dir.js';
import { openHost } from '../migrate/context.js';
import { peerEndpoint } from '../migrate/route-read.js';
import { migrationPublicKey, pubFileMatches } from '../adapters/migration-public-key.js';
import { fail, parseCommon, positionalsProblem } from './common.js';
import { AGENT_COMMAND_HELP } from './help.js';
import { jsonLine } from '../../shared/text/printable.js';

const AGENT_PATH = '/usr/sbin/xenherd-agent';

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseCommon(argv, [{ name: 'from', takesValue: true }, { name: 'agent-path', takesValue: true }], 0, 2, 'keys setup PEER');
  if (!a.ok) return fail(a.error, io, false);
  const [verb, peer] = a.value.positionals;
  const json = a.value.json;
  // an unknown word first is named as such, not as "PEER is missing"
  if (verb !== undefined && verb !== 'setup') return fail({ code: 'XH_ERR_USAGE', message: `unknown keys subcommand ${JSON.stringify(verb)} (keys setup PEER)` }, io, json);
  const missing = positionalsProblem('keys setup PEER', a.value.positionals, 2, 2);
  if (missing !== null || peer === undefined) return fail({ code: 'XH_ERR_USAGE', message: missing ?? 'keys setup PEER: PEER is missing' }, io, json);
  const badPeer = hostNameProblem(peer);
  if (badPeer !== null) return fail({ code: 'XH_ERR_USAGE', message: badPeer }, io, json);
  const fromOpt = a.value.options['from'];
  if (fromOpt !== undefined && (typeof fromOpt !== 'string' || !/^[0-9A-Fa-f.:/*,]+$/.test(fromOpt))) return fail({ code: 'XH_ERR_USAGE', message: '--from IP: the address (or pattern) this Dom0 connects to PEER from' }, io, json);
  const agentPath = a.value.options['agent-path'] ?? AGENT_PATH;
  if (typeof agentPath !== 'string' || !/^\/[A-Za-z0-9._/-]+$/.test(agentPath)) return fail({ code: 'XH_ERR_USAGE', message: '--agent-path must be an absolute path' }, io, json);
  const ctx = await openHost(io, a.value.config);
  if (!ctx.ok) return fail(ctx.error, io, json);
  const c = ctx.value;
  let from = fromOpt;
  if (from === undefined) {
    // the address PEER sees: the source of this host's route to it (not the first interface: a
    // management network would come first on many Dom0s)
    const { address } = peerEndpoint(c, peer);
    const src = await sourceAddressTowards(address);
    if (!src.ok) return fail({ code: 'XH_ERR_USAGE', message: `cannot tell which address ${peer} sees this host connect from (${address}: ${src.why}): give --from IP` }, io, json);
    from = src.address;
  }
  const key = c.real(c.config.migration.keyFile);
  let created = false;
  if (!existsSync(key)) {
    // the private key's directory must be root's alone: nobody else may swap the key
    const dir = ensurePrivateDir(dirname(key), { create: true, repair: true });
    if (!dir.ok) return fail(dir.error, io, json);
    for (const r of dir.value.repairs) io.stderr(`${describeRepair(r)}\n`);
    const g = await c.run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `xenherd-migrate@${c.host}`, '-f', key]);
    if (!g.ok) return fail(g.error, io, json);
    created = true;
  }
  const privateText = readRegularFileSync(key, { symlinks: 'follow' });
  if (!privateText.ok) return fail(privateText.error, io, json);
  const derived = migrationPublicKey(key, privateText.value);
  if (!derived.ok) return fail(derived.error, io, json);
  const pub = derived.value.line;
  // the .pub is only compared: the line always carries the key migrations sign with
  const pubFile = readRegularFileSync(`${key}.pub`, { symlinks: 'follow' });
  if (pubFile.ok && !pubFileMatches(pubFile.value, derived.value.material)) {
    io.stderr(`xenherd-agent: warning: ${key}.pub is not the public half of ${key}: the line below is ${key}'s own; to mend the .pub: ssh-keygen -y -f ${key} > ${key}.pub\n`);
  }
  const line = `restrict,from="${from}",command="${agentPath} migrate2 --peer ${c.host}" ${pub}`;
  if (json) io.stdout(jsonLine({ ok: true, keyFile: key, created, peer, authorizedKeysLine: line }));
  else {
    io.stdout(`# ${created ? 'created' : 'using'} ${key}\n# add this line to root's authorized_keys on ${peer}:\n`);
    io.stdout(`${line}\n`);
  }
  return 0;
}

export const keysCommand: Command = { ...AGENT_COMMAND_HELP.keys, run };
