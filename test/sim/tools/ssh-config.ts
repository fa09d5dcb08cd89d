import { posix } from 'node:path';
import type { ToolCtx } from './context.js';

/**
 * Root's ssh_config files on a simulated Dom0 applied to one host name as OpenSSH 9.2 applies them
 * for `ssh -G` (readconf.c): root's ~/.ssh/config then /etc/ssh/ssh_config, each starting active;
 * `Host` patterns with `*`, `?` and `!`; `Match all`; `Include` followed where it stands, its
 * relative paths under ~/.ssh (root's file) or /etc/ssh (the system's, as Debian's own
 * `Include /etc/ssh/ssh_config.d/*.conf`), globs with `*` and `?` expanded in name order, a
 * pattern matching nothing skipped, an Include under a Host that does not match read as matching
 * nothing, and the Host state of the including file kept across it; the first value of a keyword
 * wins. What the simulator cannot model is refused naming the line, never guessed: any other
 * `Match` (its criteria read the canonical name, the user, commands run), and CanonicalizeHostname
 * (the name printed then depends on DNS lookups of NAME.DOMAIN. the simulator has no answer for).
 */
export type SshOptions = { readonly ok: true; readonly options: ReadonlyMap<string, string> } | { readonly ok: false; readonly why: string };

/** readconf.c's READCONF_MAX_DEPTH: deeper Includes are an error there too */
const MAX_DEPTH = 16;

class Unmodelled extends Error {}

const FILE_LISTS: ReadonlySet<string> = new Set(['userknownhostsfile', 'globalknownhostsfile']);

const globRe = (pattern: string, fold: boolean): RegExp => {
  const p = fold ? pattern.toLowerCase() : pattern;
  return new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
};

/**
 * ssh's match_hostname: any pattern matches and no negated one does. It lower-cases the patterns,
 * not the name: `ssh -G XEN3` is not matched by `Host xen*` (OpenSSH 9.2 prints port 22 for it).
 */
function hostMatches(host: string, patterns: readonly string[]): boolean {
  let hit = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (globRe(p.slice(1), true).test(host)) return false;
    } else if (globRe(p, true).test(host)) hit = true;
  }
  return hit;
}

/** glob(3) over the host's files: `*` and `?` within a path component, dot files only by a dot pattern. */
function globHost(ctx: ToolCtx, path: string): string[] {
  if (path.includes('[')) throw new Unmodelled(`a [...] class in Include ${path}`);
  let found = ['/'];
  for (const part of path.split('/').filter((p) => p !== '')) {
    if (!/[*?]/.test(part)) {
      found = found.map((d) => posix.join(d, part));
      continue;
    }
    const re = globRe(part, false);
    found = found.flatMap((d) => (ctx.listHostDir(d) ?? []).filter((n) => re.test(n) && (part.startsWith('.') || !n.startsWith('.'))).map((n) => posix.join(d, n)));
  }
  return found.filter((f) => ctx.readHostFile(f) !== null);
}

interface Reading {
  readonly ctx: ToolCtx;
  readonly host: string;
  readonly options: Map<string, string>;
}

/** One file's lines into the options; `active` is the Host state, shared with the file that included it. */
function readFile(r: Reading, path: string, user: boolean, active: { on: boolean }, depth: number): void {
  const text = r.ctx.readHostFile(path) ?? '';
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const key = (m[1] ?? '').toLowerCase();
    const given = (m[2] ?? '').trim();
    // a list of files keeps its quotes: ssh-g-dump.ts splits it into words as ssh does
    const value = FILE_LISTS.has(key) ? given : given.replace(/^"(.*)"$/, '$1');
    const where = `${path} line ${i + 1}`;
    if (key === 'host') active.on = hostMatches(r.host, value.split(/\s+/));
    else if (key === 'match') {
      if (value.toLowerCase() !== 'all') throw new Unmodelled(`${where}: \`Match ${value}\` (only \`Match all\` is modelled)`);
      active.on = true;
    } else if (key === 'include') {
      // an Include under a Host that does not match includes nothing that could apply
      if (!active.on) continue;
      if (depth >= MAX_DEPTH) throw new Unmodelled(`${where}: Includes nested deeper than ${MAX_DEPTH}`);
      for (const arg of value.split(/\s+/)) {
        if (arg.startsWith('~') && !user) throw new Unmodelled(`${where}: Include ${arg} (ssh refuses ~ in a system file)`);
        const full = arg.startsWith('~/') ? `/root/${arg.slice(2)}` : posix.isAbsolute(arg) ? arg : posix.join(user ? '/root/.ssh' : '/etc/ssh', arg);
        for (const file of globHost(r.ctx, full)) {
          readFile(r, file, user, active, depth + 1);
          // an included file's Host lines do not change the including file's state, which was on
          active.on = true;
        }
      }
    } else if (active.on && !r.options.has(key)) r.options.set(key, value);
  }
}

export function sshOptions(ctx: ToolCtx, host: string): SshOptions {
  const r: Reading = { ctx, host, options: new Map() };
  try {
    readFile(r, '/root/.ssh/config', true, { on: true }, 0);
    readFile(r, '/etc/ssh/ssh_config', false, { on: true }, 0);
    const canonical = r.options.get('canonicalizehostname')?.toLowerCase();
    if (canonical !== undefined && canonical !== 'no' && canonical !== 'false') throw new Unmodelled(`CanonicalizeHostname ${canonical} (the name ssh prints then depends on DNS answers for NAME.DOMAIN.)`);
  } catch (e) {
    if (e instanceof Unmodelled) return { ok: false, why: `ssh (simulator): cannot model ${e.message}; write root's ssh_config as Host entries` };
    throw e;
  }
  return { ok: true, options: r.options };
}
