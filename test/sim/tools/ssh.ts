import type { ToolHandler } from './context.js';

/**
 * OpenSSH's `ssh -G HOST` on a simulated Dom0: root's ~/.ssh/config, then /etc/ssh/ssh_config,
 * applied as ssh applies them (the first value of a keyword wins; `Host` patterns with `*`, `?`
 * and `!`; `HostName` expands %h), printed as ssh prints its effective configuration: lower-case
 * `key value` lines, the host name lower-cased. It connects nowhere; any other use of ssh here
 * fails as a missing route would, so a test never mistakes it for a real connection.
 */
const USAGE = 'usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface] [-b bind_address]\n           destination [command [argument ...]]\n';

const globRe = (pattern: string): RegExp => new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

/**
 * ssh's match_hostname: any pattern matches and no negated one does. It lower-cases the patterns,
 * not the name: `ssh -G XEN3` is not matched by `Host xen*` (OpenSSH 9.2 prints port 22 for it).
 */
function hostMatches(host: string, patterns: readonly string[]): boolean {
  let hit = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (globRe(p.slice(1)).test(host)) return false;
    } else if (globRe(p).test(host)) hit = true;
  }
  return hit;
}

/** The options of HOST from one file's text into OPTS, keeping values set before (first wins). */
function apply(text: string, host: string, opts: Map<string, string>): void {
  let active = true;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const key = (m[1] ?? '').toLowerCase();
    const value = (m[2] ?? '').trim().replace(/^"(.*)"$/, '$1');
    if (key === 'host') active = hostMatches(host, value.split(/\s+/));
    else if (key === 'match') active = value.toLowerCase() === 'all';
    else if (active && !opts.has(key)) opts.set(key, value);
  }
}

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
  const args = argv[0] === '-G' ? argv.slice(argv[1] === '--' ? 2 : 1) : null;
  const host = args?.[0];
  if (args === null || host === undefined || host.startsWith('-')) return ctx.err(args === null ? `ssh: the simulator answers \`ssh -G HOST\` only\n` : USAGE), 255;
  const opts = new Map<string, string>();
  for (const file of ['/root/.ssh/config', '/etc/ssh/ssh_config']) apply(ctx.readHostFile(file) ?? '', host, opts);
  const hostname = (opts.get('hostname') ?? '%h').replace(/%(%|h)/g, (_m: string, c: string) => (c === 'h' ? host : '%')).toLowerCase();
  const port = opts.get('port') ?? '22';
  ctx.out(`host ${host}\nuser ${opts.get('user') ?? 'root'}\nhostname ${hostname}\nport ${port}\naddressfamily any\nbatchmode no\nconnecttimeout none\n${proxyLine(opts)}`);
  return 0;
};
