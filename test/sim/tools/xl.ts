import { posix } from 'node:path';
import { hostView } from '../model/host-view.js';
import { createDomain, findDomain, removeDomain, updateDomain } from '../ops/domain.js';
import * as M from '../render/xl-messages.js';
import { renderXlInfo } from '../render/xl-info.js';
import { renderXlList } from '../render/xl-list.js';
import { renderXlListLong } from '../render/xl-list-long.js';
import { readCfg } from './cfg-reader.js';
import type { ToolCtx, ToolHandler } from './context.js';
import { runMigration } from './migrate-flow.js';
import { byDomid, byName, qualifier, strtolDomid, type Found } from './xl-find.js';

/** Simulated guest shutdown time after `xl shutdown`. */
export const SHUTDOWN_MS = 1000;

const opts = (argv: readonly string[], withValue: string): { flags: Set<string>; args: string[] } => {
  const flags = new Set<string>();
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('-') && a.length > 1) {
      flags.add(a);
      if (withValue.includes(a.replace(/^-+/, '')) && a.length === 2) i++;
    } else args.push(a);
  }
  return { flags, args };
};

function resolve(ctx: ToolCtx, p: string) {
  const d = findDomain(ctx.state(), ctx.host, p);
  if (d) return d;
  if (p === 'Domain-0' || p === '0') return 'dom0' as const;
  ctx.err(M.invalidDomain(p));
  return null;
}

async function list(ctx: ToolCtx, argv: readonly string[]): Promise<number> {
  const { flags, args } = opts(argv, '');
  const v = hostView(ctx.state(), ctx.host)!;
  let only: Found | undefined;
  if (args[0] !== undefined) {
    const q = qualifier(args[0]);
    only = q.kind === 'name' ? byName(ctx.state(), ctx.host, q.name) : byDomid(ctx.state(), ctx.host, q.domid);
    // a name is refused by find_domain; a domid only when libxl_domain_info finds no such domain
    if (only === undefined) return ctx.err(q.kind === 'name' ? M.invalidDomain(args[0]) : M.noSuchDomain(args[0])), 1;
  }
  if (flags.has('-l') || flags.has('--long')) {
    const dom0MiB = ctx.state().hosts[ctx.host]!.dom0MiB;
    ctx.out(only === undefined ? renderXlListLong(dom0MiB, v.domains) : only === 'dom0' ? renderXlListLong(dom0MiB, []) : renderXlListLong(null, [only]));
    return 0;
  }
  ctx.out(renderXlList(v, only));
  return 0;
}

/** xl's exit status for a libxl error code its command returned (main_create: `return -rc`) */
const ERROR_FAIL = 3;
const ERROR_INVAL = 6;

/**
 * `xl create`'s arguments as Xen 4.17.7's xl_vmcontrol.c main_create reads them: a first argument
 * that is neither an option nor KEY=VALUE is the config file, as is the value of -f/--defconfig;
 * every KEY=VALUE is extra config; the file is read as given (an absolute path, or one relative to
 * the working directory, which for a root daemon under systemd is /), never looked up in /etc/xen
 * (that was xm). Without one: "Config file not specified and none in save file".
 */
function createArgs(argv: readonly string[]): { file: string | null; overrides: string[]; quiet: boolean } {
  let file: string | null = null;
  let quiet = false;
  const overrides: string[] = [];
  let rest = argv;
  if (rest[0] !== undefined && !rest[0].startsWith('-') && !rest[0].includes('=')) {
    file = rest[0];
    rest = rest.slice(1);
  }
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] ?? '';
    if (a === '-f' || a === '--defconfig') file = rest[++i] ?? file;
    else if (a.startsWith('--defconfig=')) file = a.slice('--defconfig='.length);
    else if (a.startsWith('-f') && a.length > 2) file = a.slice(2);
    else if (a === '-q' || a === '--quiet') quiet = true;
    else if (a.startsWith('-')) continue;
    else if (a.includes('=')) overrides.push(a);
    else file ??= a;
  }
  return { file, overrides, quiet };
}

async function create(ctx: ToolCtx, argv: readonly string[]): Promise<number> {
  const { file: path, overrides, quiet } = createArgs(argv);
  if (path === null) {
    ctx.err('Config file not specified and none in save file\n');
    return ERROR_INVAL;
  }
  const text = ctx.readHostFile(posix.resolve('/', path));
  if (text === null) {
    ctx.err(`Failed to read config file: ${path}: No such file or directory\n`);
    return ERROR_FAIL;
  }
  if (!quiet) ctx.err(M.parsingConfig(path));
  const cfg = readCfg(text, overrides);
  ctx.err(cfg.notes);
  if (cfg.refusal !== null) {
    ctx.err(cfg.refusal);
    return 1;
  }
  const domid = ctx.state().hosts[ctx.host]!.nextDomid;
  const r = ctx.apply('create', (s) => createDomain(s, ctx.host, { name: cfg.name ?? path, memMiB: cfg.memMiB, vcpus: cfg.vcpus, drbd: cfg.drbd, configPath: path, guest: cfg.guest }));
  if (!r.ok) {
    ctx.err(M.createFailure(r.error, domid, path));
    return 1;
  }
  return 0;
}

async function shutdown(ctx: ToolCtx, argv: readonly string[]): Promise<number> {
  const { flags, args } = opts(argv, '');
  const all = flags.has('-a') || flags.has('--all');
  if (!args[0] && !all) {
    ctx.err('You must specify -a or a domain id.\n\n');
    return 1;
  }
  const targets = all ? ctx.state().domains.filter((d) => d.host === ctx.host) : [resolve(ctx, args[0]!)];
  if (targets.some((t) => t === null)) return 1;
  const doms = targets.filter((t): t is Exclude<typeof t, null | 'dom0' | undefined> => t !== null && t !== 'dom0' && t !== undefined);
  for (const d of doms) ctx.err(M.shuttingDown(d.domid));
  const wait = flags.has('-w') || flags.has('--wait');
  if (wait) ctx.err(M.waitingFor(doms.length));
  await ctx.sleep(SHUTDOWN_MS);
  for (const d of doms) {
    ctx.apply('shutdown', (s) => removeDomain(s, ctx.host, d.domid));
    if (wait) ctx.err(M.hasShutDown(d.domid));
  }
  return 0;
}

async function simple(ctx: ToolCtx, sub: string, argv: readonly string[]): Promise<number> {
  const { args } = opts(argv, '');
  const d = resolve(ctx, args[0] ?? '');
  if (d === null) return 1;
  if (d === 'dom0') return sub === 'destroy' ? (ctx.err('Not destroying domain 0; use -f to force.\nThis can only be done when using a disaggregated hardware domain and toolstack.\n\n'), 1) : 0;
  if (sub === 'destroy') ctx.apply('destroy', (s) => removeDomain(s, ctx.host, d.domid));
  else if (sub === 'pause') ctx.apply('pause', (s) => updateDomain(s, ctx.host, d.domid, { run: 'paused' }));
  else if (sub === 'unpause') ctx.apply('unpause', (s) => updateDomain(s, ctx.host, d.domid, { run: d.run === 'paused' ? 'blocked' : d.run }));
  else if (sub === 'rename') ctx.apply('rename', (s) => updateDomain(s, ctx.host, d.domid, { name: args[1] ?? d.name }));
  else if (sub === 'domid') ctx.out(`${d.domid}\n`);
  return 0;
}

export const xl: ToolHandler = async (ctx, argv) => {
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('-')) i++;
  const sub = argv[i];
  const rest = argv.slice(i + 1);
  switch (sub) {
    case 'list':
      return list(ctx, rest);
    case 'info': {
      const key = rest.find((a) => !a.startsWith('-'));
      ctx.out(renderXlInfo(hostView(ctx.state(), ctx.host)!, key));
      return 0;
    }
    case 'create':
      return create(ctx, rest);
    case 'shutdown':
      return shutdown(ctx, rest);
    case 'domid': {
      const d = byName(ctx.state(), ctx.host, rest[0] ?? '');
      if (!d) return ctx.err(`Can't get domid of domain name '${rest[0] ?? ''}', maybe this domain does not exist.\n`), 1;
      ctx.out(`${d === 'dom0' ? 0 : d.domid}\n`);
      return 0;
    }
    case 'domname': {
      const domid = strtolDomid(rest[0] ?? '');
      if (domid === null) return ctx.err('Invalid domain id.\n\n'), 1;
      const name = ctx.state().xenstore[ctx.host]?.[`/local/domain/${domid}/name`];
      if (name === undefined) return ctx.err(`Can't get domain name of domain id '${domid}', maybe this domain does not exist.\n`), 1;
      ctx.out(`${name}\n`);
      return 0;
    }
    case 'destroy': case 'pause': case 'unpause': case 'rename':
      return simple(ctx, sub, rest);
    case 'migrate': {
      const { args } = opts(rest, 'sC');
      if (args.length < 2) {
        ctx.err("'xl migrate' requires at least 2 arguments.\n\n");
        return 2;
      }
      return runMigration(ctx, args[0]!, args[1]!, 'xl');
    }
    default:
      ctx.err(M.commandNotImplemented);
      return 1;
  }
};
