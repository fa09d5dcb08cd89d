import { parseDomuConfig } from '../parse/domu-config.js';
import { drbdResHosts } from '../parse/drbd-res-hosts.js';
import { parseMigrateTab } from '../parse/migrate-tab.js';
import { readGuarded } from '../run/host-read.js';
import type { Ledger } from '../state/ledger.js';
import type { HomeEntry } from '../decide/home-claim.js';
import type { HostContext } from './context.js';

/** migrate-tab options xenherd passes on. xl migrations are always live, so `--live` is a no-op there. */
export const OPTION_ALLOWLIST: ReadonlySet<string> = new Set(['--live']);

export async function drbdPeerOf(ctx: HostContext, resources: readonly string[]): Promise<string | null> {
  const others = new Set<string>();
  for (const r of resources) {
    const t = await ctx.files.readText(`${ctx.config.migration.drbdConfigDir}/${r}.res`);
    if (!t.ok) continue;
    for (const h of drbdResHosts(t.value)) if (h !== ctx.host) others.add(h);
  }
  return others.size === 1 ? ([...others][0] as string) : null;
}

/**
 * Which domUs have this Dom0 as their home (its guarded dir, or /etc/xen/migrate-tab.txt), and
 * each one's migration partner; who may claim them is decided in agent/decide/home-claim.ts.
 */
export async function readHomes(ctx: HostContext): Promise<{ homes: Map<string, HomeEntry>; problems: string[] }> {
  const problems: string[] = [];
  const homes = new Map<string, HomeEntry>();
  const guarded = await readGuarded(ctx.files, ctx.config.guardedDir);
  if (guarded.problem && !/does not exist/.test(guarded.problem)) problems.push(guarded.problem);
  const tabText = await ctx.files.readText(ctx.config.migration.migrateTab);
  const tab = tabText.ok ? parseMigrateTab(tabText.value, ctx.files.display(ctx.config.migration.migrateTab)) : null;
  if (tabText.ok === false && tabText.error.errno !== 'ENOENT') problems.push(tabText.error.message);
  if (tab && !tab.ok) problems.push(tab.error.message);
  const tabEntries = tab?.ok ? tab.value.byDomu : new Map();
  const names = new Set([...guarded.entries.map((g) => g.name), ...tabEntries.keys()]);
  for (const name of [...names].sort()) {
    const g = guarded.entries.find((x) => x.name === name);
    const t = tabEntries.get(name);
    const resources = g?.drbdResources ?? [];
    const opts = t?.options ?? [];
    homes.set(name, {
      name,
      peer: t?.peer ?? (await drbdPeerOf(ctx, resources)),
      options: opts.filter((o: string) => OPTION_ALLOWLIST.has(o)),
      ignoredOptions: opts.filter((o: string) => !OPTION_ALLOWLIST.has(o)),
      drbdResources: resources,
      source: t ? 'migrate-tab' : 'guarded',
    });
  }
  return { homes, problems };
}

/** A visiting domU's home: the ledger's record, else the other host of its DRBD resources. */
export async function visitorHome(ctx: HostContext, ledger: Ledger, name: string): Promise<{ home: string | null; from: 'ledger' | 'drbd' | null }> {
  const rec = ledger.visitors[name];
  if (rec) return { home: rec.home, from: 'ledger' };
  const cfgPath = `${ctx.config.migration.configDir}/${name}.cfg`;
  const text = await ctx.files.readText(cfgPath);
  if (!text.ok) return { home: null, from: null };
  const cfg = parseDomuConfig(text.value, cfgPath);
  if (!cfg.ok) return { home: null, from: null };
  const peer = await drbdPeerOf(ctx, cfg.value.drbdResources);
  return { home: peer, from: peer ? 'drbd' : null };
}
