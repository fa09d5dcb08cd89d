import type { XhError } from '../../shared/errors.js';
import type { HostFiles } from './files.js';
import type { AgentConfig } from '../config/schema.js';
import type { HomeEntry } from '../decide/home-claim.js';
import type { DomuConfigDialect } from '../parse/domu-config.js';
import { readGuarded, type GuardedRead } from './host-read.js';
import { domuConfigParse, migrateTabParse, readParsed, resHostsParse } from './parsed-read.js';

/**
 * What this Dom0's files say about homes and partners: its guarded dir and
 * /etc/xen/migrate-tab.txt make it the home of the domUs they list; `/etc/drbd.d/R.res` names
 * the hosts of each resource. Who may claim a domU is decided in agent/decide/home-claim.ts.
 */
export interface HostView {
  readonly files: HostFiles;
  readonly config: AgentConfig;
  readonly host: string;
}

/** migrate-tab options xenherd passes on. xl migrations are always live, so `--live` is a no-op there. */
export const OPTION_ALLOWLIST: ReadonlySet<string> = new Set(['--live']);

/** The hosts each DRBD resource's file names (and those of them diskless by it), or why it could not be read. */
export async function resourceHosts(v: HostView, resources: readonly string[]): Promise<Map<string, { hosts: string[]; diskless: string[]; file: string } | { problem: string }>> {
  const out = new Map<string, { hosts: string[]; diskless: string[]; file: string } | { problem: string }>();
  for (const r of resources) {
    const file = `${v.config.migration.drbdConfigDir}/${r}.res`;
    const shown = v.files.display(file);
    const t = await readParsed(v.files, file, resHostsParse(r, shown));
    const parsed = t.ok ? t.value : t;
    // a copy: the parse may be a full read's, shared with its other parts
    out.set(r, parsed.ok ? { hosts: [...parsed.value.hosts], diskless: [...parsed.value.diskless], file: shown } : { problem: parsed.error.message });
  }
  return out;
}

/**
 * The one other host of all these resources holding a disk of them, when there is exactly one. A
 * host whose `on` section says `disk none` (a quorum tiebreaker beside two Dom0s) holds no copy to
 * run the domU on, so it is no partner: counted as one, a domU on two Dom0s beside a tiebreaker
 * had no partner, so no target for a migrate naming none and no partner check in guarded autostart.
 */
export async function drbdPeerOf(v: HostView, resources: readonly string[]): Promise<string | null> {
  const others = new Set<string>();
  for (const h of (await resourceHosts(v, resources)).values()) if ('hosts' in h) for (const x of h.hosts) if (x !== v.host && !h.diskless.includes(x)) others.add(x);
  return others.size === 1 ? ([...others][0] as string) : null;
}

/**
 * Which domUs have this Dom0 as their home, and each one's partner. A migrate-tab or guarded dir
 * that cannot be read is a problem (with file, line and fix), never "nothing listed": a home known
 * only from the tab could otherwise be claimed by its peer. GUARDED is the guarded dir as the
 * caller read it (readGuarded, by its toolstack's rules): its configs are not parsed twice.
 */
export async function readHomes(v: HostView, guarded: GuardedRead): Promise<{ homes: Map<string, HomeEntry>; problems: XhError[] }> {
  const problems: XhError[] = [];
  const homes = new Map<string, HomeEntry>();
  if (guarded.problem && !/does not exist/.test(guarded.problem)) problems.push({ code: 'XH_ERR_FILE', message: `guarded dir unreadable: ${guarded.problem}` });
  const tabPath = v.config.migration.migrateTab;
  const tabText = await readParsed(v.files, tabPath, migrateTabParse(v.files.display(tabPath)));
  const tab = tabText.ok ? tabText.value : null;
  if (!tabText.ok && tabText.error.errno !== 'ENOENT') problems.push({ code: 'XH_ERR_FILE', message: `${tabText.error.message}: migrate-tab unreadable, so which domUs this host is home of is unknown; fix its permissions or remove it` });
  if (tab && !tab.ok) problems.push({ code: 'XH_ERR_CONFIG', message: `${tab.error.message} (the whole migrate-tab is unreadable until this line is fixed: nothing that depends on it is done)` });
  const tabEntries = tab?.ok ? tab.value.byDomu : new Map<string, { peer: string; options: readonly string[] }>();
  const names = new Set([...guarded.entries.map((g) => g.name), ...tabEntries.keys()]);
  for (const name of [...names].sort()) {
    const g = guarded.entries.find((x) => x.name === name);
    const t = tabEntries.get(name);
    const resources = g?.drbdResources ?? [];
    const opts = t?.options ?? [];
    homes.set(name, {
      name,
      peer: t?.peer ?? (await drbdPeerOf(v, resources)),
      options: opts.filter((o) => OPTION_ALLOWLIST.has(o)),
      ignoredOptions: opts.filter((o) => !OPTION_ALLOWLIST.has(o)),
      drbdResources: resources,
      source: t ? 'migrate-tab' : 'guarded',
    });
  }
  return { homes, problems };
}

/** readHomes for a caller that has not read the guarded dir: read here, by DIALECT's rules (this host's toolstack's). */
export async function readHomesReadingGuarded(v: HostView, dialect: DomuConfigDialect): Promise<Awaited<ReturnType<typeof readHomes>>> {
  return readHomes(v, await readGuarded(v.files, v.config.guardedDir, dialect));
}

/**
 * NAME's DRBD resources from its config here: the guarded dir's entry, else `<configDir>/NAME.cfg`
 * read by DIALECT's rules (this host's toolstack's, which would start it).
 */
export async function domuResources(v: HostView, homes: ReadonlyMap<string, HomeEntry>, name: string, dialect: DomuConfigDialect): Promise<string[] | null> {
  const h = homes.get(name);
  if (h && h.drbdResources.length > 0) return [...h.drbdResources];
  const cfgPath = `${v.config.migration.configDir}/${name}.cfg`;
  const read = await readParsed(v.files, cfgPath, domuConfigParse(v.files.display(cfgPath), dialect));
  if (!read.ok) return h ? [] : null;
  const cfg = read.value;
  return cfg.ok ? [...cfg.value.drbdResources] : null;
}
