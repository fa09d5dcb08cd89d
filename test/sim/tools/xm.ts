import { hostView } from '../model/host-view.js';
import { createDomain, findDomain, removeDomain } from '../ops/domain.js';
import { findXmDomain, leavingNames, renderXmList } from '../render/xm-list.js';
import { renderXlInfo } from '../render/xl-info.js';
import { readCfg } from './cfg-reader.js';
import type { ToolHandler } from './context.js';
import { runMigration } from './migrate-flow.js';

/** xend's `xm`: list, info, create, shutdown, destroy, migrate --live. Errors are "Error: …" lines. */
const notFound = (p: string): string => `Error: Domain '${p}' does not exist.\n`;

export const xm: ToolHandler = async (ctx, argv) => {
  const [sub, ...rest] = argv;
  const args = rest.filter((a) => !a.startsWith('-'));
  const v = hostView(ctx.state(), ctx.host)!;
  const leaving = leavingNames(ctx.state(), ctx.host);
  switch (sub) {
    case 'list': {
      if (args[0]) {
        const d = findXmDomain(v, leaving, args[0]);
        if (!d) return ctx.err(notFound(args[0])), 1;
        ctx.out(renderXmList(v, leaving, d));
        return 0;
      }
      ctx.out(renderXmList(v, leaving));
      return 0;
    }
    case 'info':
      ctx.out(renderXlInfo(v));
      return 0;
    case 'create': {
      const path = args[0] ?? '';
      const text = ctx.readHostFile(path);
      if (text === null) return ctx.err(`Error: CONFIG_FILE '${path}' does not exist\n`), 1;
      const cfg = readCfg(text);
      const r = ctx.apply('create', (s) => createDomain(s, ctx.host, { name: cfg.name ?? path, memMiB: cfg.memMiB, vcpus: cfg.vcpus, drbd: cfg.drbd, configPath: path, guest: cfg.guest }));
      if (!r.ok) return ctx.err(`Error: ${r.error.kind === 'name-taken' ? `Domain '${cfg.name}' already exists with ID '${findDomain(ctx.state(), ctx.host, cfg.name ?? '')?.domid}'` : `Device 51712 (vbd) could not be connected. /etc/xen/scripts/block-drbd failed; error detected.`}\n`), 1;
      ctx.out(`Using config file "${path}".\nStarted domain ${cfg.name} (id=${findDomain(ctx.state(), ctx.host, cfg.name ?? '')?.domid})\n`);
      return 0;
    }
    case 'shutdown': case 'destroy': {
      const d = findXmDomain(v, leaving, args[0] ?? '');
      if (!d) return ctx.err(notFound(args[0] ?? '')), 1;
      if (sub === 'shutdown') await ctx.sleep(1000);
      ctx.apply(sub, (s) => removeDomain(s, ctx.host, d.domid));
      return 0;
    }
    case 'migrate': {
      if (args.length < 2) return ctx.err('Error: \'xm migrate\' requires between 2 and 3 arguments.\n\nUsage: xm migrate <Domain> <Host>\n'), 1;
      return runMigration(ctx, args[0]!, args[1]!, 'xm');
    }
    default:
      ctx.err(`Error: Subcommand ${sub ?? ''} not found!\n`);
      return 1;
  }
};
