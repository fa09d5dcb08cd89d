import type { HostView } from '../model/host-view.js';

/**
 * tools/xl/xl_info.c print_info(): node info, physinfo, xen info, "xend_config_format : 4".
 * Every line is "%-23s: %s" (key padded to 23 columns, then ": "). Values that no simulated state
 * decides (release, compiler, ...) come from host.info overrides or these defaults.
 */
const DEFAULTS: Record<string, string> = {
  release: '6.1.0-28-amd64',
  version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)',
  machine: 'x86_64',
  nr_nodes: '1',
  threads_per_core: '1',
  cpu_mhz: '2399.998',
  hw_caps: '178bfbff:f6fa3203:2c100800:00000121:0000000f:009c67af:00000000:00000100',
  virt_caps: 'pv hvm hap shadow gnttab-v1 gnttab-v2',
  sharing_freed_memory: '0',
  sharing_used_memory: '0',
  outstanding_claims: '0',
  free_cpus: '0',
  // the trailing space is real (lab capture 09-guest-running-on-a/dom0a.xl-info)
  xen_caps: 'xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64 ',
  xen_scheduler: 'credit2',
  xen_pagesize: '4096',
  platform_params: 'virt_start=0xffff800000000000',
  xen_changeset: '',
  xen_commandline: 'placeholder dom0_mem=1024M,max:1024M',
  cc_compiler: 'x86_64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0',
  cc_compile_by: 'pkg-xen-devel',
  cc_compile_domain: 'lists.alioth.debian.org',
  cc_compile_date: 'Mon Nov 25 10:00:00 UTC 2024',
  build_id: '6d3e2f7c5b0e4a2c8f1d9b7a3e5c4d2f1a0b9c8d',
  xend_config_format: '4',
};

export const XL_INFO_KEYS = [
  'host', 'release', 'version', 'machine', 'nr_cpus', 'max_cpu_id', 'nr_nodes', 'cores_per_socket', 'threads_per_core',
  'cpu_mhz', 'hw_caps', 'virt_caps', 'total_memory', 'free_memory', 'sharing_freed_memory', 'sharing_used_memory',
  'outstanding_claims', 'free_cpus', 'xen_major', 'xen_minor', 'xen_extra', 'xen_version', 'xen_caps', 'xen_scheduler',
  'xen_pagesize', 'platform_params', 'xen_changeset', 'xen_commandline', 'cc_compiler', 'cc_compile_by',
  'cc_compile_domain', 'cc_compile_date', 'build_id', 'xend_config_format',
] as const;

export function xlInfoValues(v: HostView): Record<string, string> {
  const [major = '4', minor = '0', ...rest] = v.host.xenVersion.split('.');
  const extra = rest.length ? `.${rest.join('.')}` : '';
  const computed: Record<string, string> = {
    host: v.host.name,
    nr_cpus: String(v.host.cpus),
    max_cpu_id: String(v.host.cpus - 1),
    cores_per_socket: String(v.host.cpus),
    total_memory: String(v.host.totalMiB),
    free_memory: String(v.freeMiB),
    xen_major: major,
    xen_minor: minor,
    xen_extra: extra,
    xen_version: `${major}.${minor}${extra}`,
  };
  return { ...DEFAULTS, ...computed, ...v.host.info, total_memory: computed.total_memory!, free_memory: computed.free_memory!, host: computed.host! };
}

/** `xl info [KEY]`: with a key, only that value (maybe_printf prints what follows ": "). */
export function renderXlInfo(v: HostView, key?: string): string {
  const values = xlInfoValues(v);
  const lines = XL_INFO_KEYS.map((k) => `${k.padEnd(23)}: ${values[k] ?? ''}\n`);
  if (key === undefined) return lines.join('');
  return lines.filter((l) => l.startsWith(key) && l.indexOf(':') >= 0).map((l) => l.slice(l.indexOf(':') + 2)).join('');
}
