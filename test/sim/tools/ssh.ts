import type { ToolHandler } from './context.js';
import { sshOptions } from './ssh-config.js';
import { sshGDump } from './ssh-g-dump.js';

/**
 * OpenSSH's `ssh -G HOST` on a simulated Dom0: root's ~/.ssh/config, then /etc/ssh/ssh_config,
 * applied as ssh applies them (`ssh-config.ts`, which refuses what it cannot model; `HostName`
 * expands %h), printed as OpenSSH 9.2 prints its effective configuration (`ssh-g-dump.ts`). It
 * connects nowhere; any other use of ssh here fails as a missing route would, so a test never
 * mistakes it for a real connection.
 */
const USAGE = 'usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface] [-b bind_address]\n           destination [command [argument ...]]\n';

export const ssh: ToolHandler = async (ctx, argv) => {
  // -v adds ssh's debug lines on stderr: the one the route reads says a name was canonicalized,
  // which the simulator refuses to model, so it has none to print
  const flags = argv[0] === '-v' ? argv.slice(1) : argv;
  const args = flags[0] === '-G' ? flags.slice(flags[1] === '--' ? 2 : 1) : null;
  const host = args?.[0];
  if (args === null || host === undefined || host.startsWith('-')) return ctx.err(args === null ? `ssh: the simulator answers \`ssh -G HOST\` only\n` : USAGE), 255;
  const read = sshOptions(ctx, host);
  if (!read.ok) return ctx.err(`${read.why}\n`), 255;
  // the Dom0's own name is what gethostname gives ssh on it
  const dump = sshGDump(host, read.options, ctx.host);
  if (!dump.ok) return ctx.err(dump.stderr), 255;
  ctx.out(dump.text);
  return 0;
};
