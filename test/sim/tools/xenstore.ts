import type { SimState } from '../model/types.js';
import type { ToolHandler } from './context.js';

/** xenstore-read / -write / -watch against the host's simulated xenstore. */
const xs = (s: SimState, host: string): Readonly<Record<string, string>> => s.xenstore[host] ?? {};
const domids = (s: SimState, host: string): Set<number> => new Set(s.domains.filter((d) => d.host === host).map((d) => d.domid));

export const xenstoreRead: ToolHandler = async (ctx, argv) => {
  const paths = argv.filter((a) => !a.startsWith('-'));
  for (const p of paths) {
    const v = xs(ctx.state(), ctx.host)[p];
    if (v === undefined) return ctx.err(`xenstore-read: couldn't read path ${p}\n`), 1;
    ctx.out(`${v}\n`);
  }
  return 0;
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
 * transaction when there is more than one (all land or none). No pair, or an odd count, is the
 * usage error. Other options are getopt's (they may come anywhere: GNU getopt permutes argv).
 */
export const xenstoreWrite: ToolHandler = async (ctx, argv) => {
  const line = before418(ctx.state(), ctx.host) ? '[-h] [-s] [-R] key value [...]' : '[-h] [-R] key value [...]';
  if (argv.includes('-h') || argv.includes('--help')) return usage(ctx, 'xenstore-write', line);
  const a = argv.filter((x) => !x.startsWith('-'));
  if (a.length === 0 || a.length % 2) return usage(ctx, 'xenstore-write', line);
  ctx.apply('xenstore-write', (s) => {
    const cur = { ...xs(s, ctx.host) };
    for (let i = 0; i < a.length; i += 2) cur[a[i]!] = a[i + 1]!;
    return { ...s, xenstore: { ...s.xenstore, [ctx.host]: cur } };
  });
  return 0;
};

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
