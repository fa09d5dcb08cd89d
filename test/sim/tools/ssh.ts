import type { ToolHandler } from './context.js';
import { sshOptions } from './ssh-config.js';

/**
 * OpenSSH's `ssh -G HOST` on a simulated Dom0: root's ~/.ssh/config, then /etc/ssh/ssh_config,
 * applied as ssh applies them (`ssh-config.ts`, which refuses what it cannot model; `HostName`
 * expands %h), printed as ssh prints its effective configuration: lower-case `key value` lines,
 * the host name lower-cased. It connects nowhere; any other use of ssh here
 * fails as a missing route would, so a test never mistakes it for a real connection.
 */
const USAGE = 'usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface] [-b bind_address]\n           destination [command [argument ...]]\n';

/**
 * ProxyJump and ProxyCommand exclude each other, the first one set winning: a ProxyCommand (even
 * `none`) shuts out a later ProxyJump, a ProxyJump a later ProxyCommand, but `ProxyJump none`
 * does not (OpenSSH 9.2, tried). `none` unsets. The one left is printed near the end of the dump,
 * nothing when neither is (test/fixtures/ssh/ has both as captured).
 */
function proxyLine(opts: ReadonlyMap<string, string>): string {
  const set = (v: string | undefined): v is string => v !== undefined && v.toLowerCase() !== 'none';
  const jump = opts.get('proxyjump');
  const command = opts.get('proxycommand');
  const jumpFirst = [...opts.keys()].find((k) => k === 'proxyjump' || k === 'proxycommand') === 'proxyjump';
  if (jumpFirst && set(jump)) return `proxyjump ${jump}\n`;
  return set(command) ? `proxycommand ${command}\n` : '';
}

export const ssh: ToolHandler = async (ctx, argv) => {
  // -v adds ssh's debug lines on stderr: the one the route reads says a name was canonicalized,
  // which the simulator refuses to model, so it has none to print
  const flags = argv[0] === '-v' ? argv.slice(1) : argv;
  const args = flags[0] === '-G' ? flags.slice(flags[1] === '--' ? 2 : 1) : null;
  const host = args?.[0];
  if (args === null || host === undefined || host.startsWith('-')) return ctx.err(args === null ? `ssh: the simulator answers \`ssh -G HOST\` only\n` : USAGE), 255;
  const read = sshOptions(ctx, host);
  if (!read.ok) return ctx.err(`${read.why}\n`), 255;
  const opts = read.options;
  const hostname = (opts.get('hostname') ?? '%h').replace(/%(%|h)/g, (_m: string, c: string) => (c === 'h' ? host : '%')).toLowerCase();
  const port = opts.get('port') ?? '22';
  ctx.out(`host ${host}\nuser ${opts.get('user') ?? 'root'}\nhostname ${hostname}\nport ${port}\naddressfamily any\nbatchmode no\nconnecttimeout none\n${proxyLine(opts)}`);
  return 0;
};
