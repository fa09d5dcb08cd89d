import type { LinkDomuConfig } from '../../shared/protocol/agent-link-state.js';
import type { ConfigsByName } from './configs-by-name.js';

type Resources = LinkDomuConfig['resources'];

const sameResources = (a: Resources, b: Resources): boolean =>
  a === b ||
  (a.length === b.length &&
    a.every((r, i) => {
      const o = b[i];
      return o !== undefined && o.name === r.name && o.hosts.length === r.hosts.length && o.hosts.every((h, k) => h === r.hosts[k]);
    }));

const sameConfig = (a: LinkDomuConfig, b: LinkDomuConfig): boolean => a.name === b.name && a.source === b.source && a.memMiB === b.memMiB && a.vcpus === b.vcpus && sameResources(a.resources, b.resources);

/**
 * A frozen copy of RESOURCES: held configs are shared between hosts, so none of them may be changed
 * in place. A host list equal to one in LISTS is that list: every config of a DRBD pair's domUs
 * names the pair's same two hosts, and a list of its own per config was 40,000 lists at 2,000 Dom0s.
 */
function frozenResources(resources: Resources, lists: Map<string, string[]>): Resources {
  const out = resources.map((r) => {
    const key = JSON.stringify(r.hosts);
    let hosts = lists.get(key);
    if (hosts === undefined) {
      const copy = [...r.hosts];
      Object.freeze(copy);
      lists.set(key, copy);
      hosts = copy;
    }
    const entry = { name: r.name, hosts };
    Object.freeze(entry);
    return entry;
  });
  Object.freeze(out);
  return out;
}

/**
 * A host's configs (its `domus` section) with each entry the object the fleet view holds already
 * where one is equal: the host's own from its last report, or another host's config of the same
 * domU. Both Dom0s of a DRBD pair report every domU of the pair, with the same resources and
 * hosts (read from the same `.res` files); held as each report parsed them, 2,000 Dom0s' configs
 * were some 80,000 copies of 40,000 resource lists, and every delta that re-sent the section made
 * them again. Now a pair's two configs of a domU share the name, the resource list and its host
 * lists, and a config unchanged since the last report is that very object. HELD is name → host →
 * config, as the fleet view holds them (FleetIndex.configs): it is its own intern table, an entry
 * going when the last host reporting it does. Every value is the one reported; only which object
 * holds it changes.
 */
export function withHeldConfigs(domus: readonly LinkDomuConfig[], held: ConfigsByName): LinkDomuConfig[] {
  // the host lists made in this call, by their hosts: one per distinct list in a report
  const lists = new Map<string, string[]>();
  return domus.map((c) => {
    let twin: LinkDomuConfig | undefined;
    let name: string | undefined;
    for (const o of held.configsOf(c.name)) {
      if (sameConfig(o, c)) return o;
      name ??= o.name;
      if (twin === undefined && sameResources(o.resources, c.resources)) twin = o;
    }
    const config = { name: name ?? c.name, source: c.source, memMiB: c.memMiB, vcpus: c.vcpus, resources: twin?.resources ?? frozenResources(c.resources, lists) };
    Object.freeze(config);
    return config;
  });
}
