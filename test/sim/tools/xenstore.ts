import type { SimState } from '../model/types.js';
import type { ToolHandler } from './context.js';
import { unsanitiseXenstoreValue } from '../../../agent/parse/xenstore-value.js';

/** xenstore-read / -write / -watch against the host's simulated xenstore. */
const xs = (s: SimState, host: string): Readonly<Record<string, string>> => s.xenstore[host] ?? {};
const domids = (s: SimState, host: string): Set<number> => new Set(s.domains.filter((d) => d.host === host).map((d) => d.domid));

/**
 * `xenstore-read [-h] [-p] [-R] key [...]` as xenstore_client.c runs it: each value on a line of
 * its own, sanitised (a newline in it printed `\n`), with -p after "PATH: ", and with -R as
 * stored, no newline after it (two values run together). All printed at the end: at the first path
 * it cannot read it says so on stderr and exits 1, the values before it printed.
 */
export const xenstoreRead: ToolHandler = async (ctx, argv) => {
  const paths = argv.filter((a) => !a.startsWith('-'));
  const prefix = argv.includes('-p') || argv.includes('--prefix');
  const raw = argv.includes('-R') || argv.includes('--raw');
  let out = '';
  let code = 0;
  for (const p of paths) {
    const v = xs(ctx.state(), ctx.host)[p];
    if (v === undefined || !xenstoredTakes(p)) {
      ctx.err(`xenstore-read: couldn't read path ${p}\n`);
      code = 1;
      break;
    }
    out += `${prefix ? `${p}: ` : ''}${raw ? Buffer.from(v, 'latin1').toString() : `${sanitiseValue(v)}\n`}`;
  }
  ctx.out(out);
  return code;
};

/**
 * `xenstore-list [-h] [-p] key [...]` as xenstore_client.c runs it: each key's children, one name a
 * line (with -p after "KEY/"), all printed at the end; at the first key that is no node it says
 * "could not list path P" on stderr and exits 1, the lists before it printed. A node is a key
 * stored or the parent of one (xenstored makes the parents of a node it writes).
 */
export const xenstoreList: ToolHandler = async (ctx, argv) => {
  const keys = argv.filter((a) => !a.startsWith('-'));
  if (keys.length === 0 || argv.includes('-h') || argv.includes('--help')) return usage(ctx, 'xenstore-list', '[-h] [-p] key [...]');
  const prefix = argv.includes('-p') || argv.includes('--prefix');
  const store = xs(ctx.state(), ctx.host);
  let out = '';
  for (const k of keys) {
    const under = Object.keys(store).filter((p) => p.startsWith(k === '/' ? '/' : `${k}/`) && p !== k);
    if (!xenstoredTakes(k) || (store[k] === undefined && under.length === 0)) {
      ctx.out(out);
      return ctx.err(`xenstore-list: could not list path ${k}\n`), 1;
    }
    const children = new Set(under.map((p) => p.slice(k === '/' ? 1 : k.length + 1).split('/')[0] ?? ''));
    for (const c of children) out += `${prefix ? `${k === '/' && !before422(ctx.state(), ctx.host) ? '' : k}/` : ''}${c}\n`;
  }
  ctx.out(out);
  return 0;
};

/**
 * `xenstore-list -p /` printed "/" and then "/" before each child ("//local") until a fix posted in
 * March 2026 (tools/xs-clients: fix output of "xenstore-list -p /"), taken here as of Xen 4.22.
 */
const before422 = (s: SimState, host: string): boolean => {
  const [major = 4, minor = 17] = (s.hosts[host]?.xenVersion ?? '4.17').split('.').map(Number);
  return major < 4 || (major === 4 && minor < 22);
};

/** The usage lines lost -s in 2023 (Xen 4.18), after the option itself was removed (xen.git c65687e). */
const before418 = (s: SimState, host: string): boolean => {
  const [major = 4, minor = 17] = (s.hosts[host]?.xenVersion ?? '4.17').split('.').map(Number);
  return major < 4 || (major === 4 && minor < 18);
};

/**
 * Usage errors as xenstore_client.c prints them: errx(1, "Usage: %s …", argv[0]), so the program's
 * name, ": ", the usage line and a newline on stderr, exit code 1 (the agent runs the tool by its
 * bare name, which is then argv[0]).
 */
const usage = (ctx: Parameters<ToolHandler>[0], tool: string, line: string): number => (ctx.err(`${tool}: Usage: ${tool} ${line}\n`), 1);

/**
 * `xenstore-write [-h] [-s] [-R] key value [...]`: any number of pairs, written in one
 * transaction when there is more than one, each value unsanitised unless -R. At the first path
 * xenstored refuses it says "could not write path P" on stderr and exits 1, and the transaction is
 * aborted: nothing of the run is written, not the pairs before P either. No pair, or an odd count,
 * is the usage error. Its options are read as getopt would (writeOptions).
 */
export const xenstoreWrite: ToolHandler = async (ctx, argv) => {
  const line = before418(ctx.state(), ctx.host) ? '[-h] [-s] [-R] key value [...]' : '[-h] [-R] key value [...]';
  const o = writeOptions(argv);
  for (const c of o.complaints) ctx.err(`xenstore-write: ${c}\n`);
  // -h is usage(0, …): errx(0, …), the usage line on stderr and exit 0, nothing written
  if (o.usage !== null) {
    usage(ctx, 'xenstore-write', line);
    return o.usage;
  }
  const a = o.operands;
  if (a.length === 0 || a.length % 2) return usage(ctx, 'xenstore-write', line);
  const pairs = a.flatMap((p, i) => (i % 2 === 0 ? [{ path: p, value: a[i + 1] ?? '' }] : []));
  const refused = pairs.find((w) => !xenstoredTakes(w.path));
  if (refused !== undefined) return ctx.err(`xenstore-write: could not write path ${refused.path}\n`), 1;
  ctx.apply('xenstore-write', (s) => {
    const cur = { ...xs(s, ctx.host) };
    // argv is bytes: a value's UTF-8 kept one char a byte, as the read prints it back
    for (const w of pairs) cur[w.path] = o.raw ? Buffer.from(w.value).toString('latin1') : unsanitiseXenstoreValue(Buffer.from(w.value).toString('latin1'));
    return { ...s, xenstore: { ...s.xenstore, [ctx.host]: cur } };
  });
  return 0;
};

/**
 * xenstore-write's argv as xenstore_client.c reads it: getopt_long with "hfspturn:Rd:" and no
 * leading + or -, so glibc permutes: an argument starting with - is an option wherever it stands,
 * a value too, until a `--`, after which all are operands. -h asks for the usage and exit 0; -R
 * sets raw; -s is in the string with no case (ignored); the other letters are another mode's,
 * the usage and exit 1. A letter not in the string, or a long option it does not know, is
 * getopt's complaint on stderr and otherwise dropped: the run goes on without it. (Abbreviated
 * long options are not modelled.) USAGE: the exit code when the usage line ends the run.
 */
interface WriteOptions {
  raw: boolean;
  usage: number | null;
  operands: string[];
  complaints: string[];
}
function writeOptions(argv: readonly string[]): WriteOptions {
  const out: WriteOptions = { raw: false, usage: null, operands: [], complaints: [] };
  for (let i = 0; i < argv.length && out.usage === null; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      out.operands.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const name = arg.slice(2).split('=')[0] ?? '';
      if (name === 'help') out.usage = 0;
      else if (name === 'raw') out.raw = true;
      else if (['flat', 'prefix', 'tidy', 'upto', 'recurse', 'number', 'depth'].includes(name)) out.usage = 1;
      else out.complaints.push(`unrecognized option '${arg}'`);
    } else if (arg.startsWith('-') && arg.length > 1) {
      for (const c of arg.slice(1)) {
        if (c === 'h') out.usage = 0;
        else if (c === 'R') out.raw = true;
        else if ('fpturnd'.includes(c)) out.usage = 1;
        else if (c !== 's') out.complaints.push(`invalid option -- '${c}'`);
        if (out.usage !== null) break;
      }
    } else out.operands.push(arg);
  }
  return out;
}

/**
 * A path xenstored takes (core.c canonicalize): only letters, digits and - / _ @, not ending in /
 * and no //. A relative path (the caller's own area) is taken as it is; the simulator keeps it so.
 */
const xenstoredTakes = (path: string): boolean => /^[A-Za-z0-9\-/_@]+$/.test(path) && !path.includes('//') && (path === '/' || !path.endsWith('/'));

/**
 * A value as xenstore_client.c's sanitise_value prints it: printable ASCII but \ as it is; tab,
 * newline, CR and \ escaped; other bytes \ooo below 010, else \xhh. The simulator keeps values as
 * byte strings (one char a byte), as xenstore-write's unsanitise_value leaves them.
 */
export function sanitiseValue(v: string): string {
  const esc: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\\': '\\\\' };
  return [...v]
    .map((c) => {
      const b = c.charCodeAt(0);
      if (b >= 0x20 && b <= 0x7e && c !== '\\') return c;
      return esc[c] ?? (b < 0o10 ? `\\${b.toString(8).padStart(3, '0')}` : `\\x${b.toString(16).padStart(2, '0')}`);
    })
    .join('');
}

/** Prints each watched path once at registration, then once per event; @introduceDomain/@releaseDomain on domain arrival/departure. */
export const xenstoreWatch: ToolHandler = async (ctx, argv) => {
  // -n NR and -d DEPTH take a value: it is not a path
  const paths = argv.filter((a, i) => !a.startsWith('-') && argv[i - 1] !== '-n' && argv[i - 1] !== '-d');
  if (!paths.length || argv.includes('-h') || argv.includes('--help')) return usage(ctx, 'xenstore-watch', '[-h] [-n NR] key');
  for (const p of paths) ctx.out(`${p}\n`);
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((res) => (finish = res));
  const unsubscribe = ctx.subscribe((before, after) => {
    if (after.hosts[ctx.host]?.power !== 'on') return finish(255);
    // the domain list and this host's xenstore are new objects only where a commit changed them:
    // most commits of a fleet are another Dom0's, and each scan of every domain was for every watch
    if (before.domains !== after.domains) {
      const b = domids(before, ctx.host);
      const a = domids(after, ctx.host);
      const introduced = [...a].some((d) => !b.has(d));
      const released = [...b].some((d) => !a.has(d));
      if (introduced && paths.includes('@introduceDomain')) ctx.out('@introduceDomain\n');
      if (released && paths.includes('@releaseDomain')) ctx.out('@releaseDomain\n');
    }
    const bx = xs(before, ctx.host);
    const ax = xs(after, ctx.host);
    if (bx === ax) return;
    for (const p of paths) {
      if (p.startsWith('@')) continue;
      const changed = new Set([...Object.keys(bx), ...Object.keys(ax)].filter((k) => (k === p || k.startsWith(`${p}/`)) && bx[k] !== ax[k]));
      for (const k of changed) ctx.out(`${k}\n`);
    }
  });
  void ctx.closed.then(() => finish(0));
  const code = await done;
  unsubscribe();
  return code;
};
