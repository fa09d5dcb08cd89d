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

export const xenstoreWrite: ToolHandler = async (ctx, argv) => {
  const a = argv.filter((x) => !x.startsWith('-'));
  if (a.length < 2 || a.length % 2) return ctx.err('Usage: xenstore-write [-h] [-s] [-R] key value [...]\n'), 2;
  ctx.apply('xenstore-write', (s) => {
    const cur = { ...xs(s, ctx.host) };
    for (let i = 0; i < a.length; i += 2) cur[a[i]!] = a[i + 1]!;
    return { ...s, xenstore: { ...s.xenstore, [ctx.host]: cur } };
  });
  return 0;
};

/** Prints each watched path once at registration, then once per event; @introduceDomain/@releaseDomain on domain arrival/departure. */
export const xenstoreWatch: ToolHandler = async (ctx, argv) => {
  const paths = argv.filter((a) => !a.startsWith('-'));
  if (!paths.length) return ctx.err('Usage: xenstore-watch [-h] [-n NR] [-s] [-R] key [...]\n'), 2;
  for (const p of paths) ctx.out(`${p}\n`);
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((res) => (finish = res));
  const unsubscribe = ctx.subscribe((before, after) => {
    if (after.hosts[ctx.host]?.power !== 'on') return finish(255);
    const b = domids(before, ctx.host);
    const a = domids(after, ctx.host);
    const introduced = [...a].some((d) => !b.has(d));
    const released = [...b].some((d) => !a.has(d));
    if (introduced && paths.includes('@introduceDomain')) ctx.out('@introduceDomain\n');
    if (released && paths.includes('@releaseDomain')) ctx.out('@releaseDomain\n');
    const bx = xs(before, ctx.host);
    const ax = xs(after, ctx.host);
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
