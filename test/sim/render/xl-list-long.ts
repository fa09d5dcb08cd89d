import type { DomainState } from '../model/types.js';
import { yajlBeautify } from './yajl-json.js';

/**
 * `xl list -l` on Xen >= 4.5: a JSON array of {domid, config} built by libxl's yajl generator
 * (beautified, 4-space indent), printed with puts(). Domain-0 comes first; of the domUs, only
 * those with a stored config appear. The config is the subset of libxl_domain_config a PV domU
 * from drbd-auto/ carries; libxl leaves out an empty device list.
 */
export function domainConfigJson(d: DomainState): unknown {
  const memkb = d.memMiB * 1024;
  const xvd = (i: number): string => `xvd${String.fromCharCode(97 + i)}`;
  return {
    domid: d.domid,
    config: {
      c_info: { type: 'pv', name: d.name, uuid: d.uuid, run_hotplug_scripts: 'True' },
      b_info: {
        max_vcpus: d.vcpus,
        avail_vcpus: Array.from({ length: d.vcpus }, (_, i) => i),
        max_memkb: memkb,
        target_memkb: memkb,
        shadow_memkb: 0,
        'type.pv': { bootloader: 'pygrub' },
      },
      ...(d.drbd.length > 0 ? { disks: d.drbd.map((r, i) => ({ pdev_path: r, vdev: xvd(i), format: 'raw', script: 'block-drbd', readwrite: 1 })) } : {}),
      on_reboot: 'restart',
      on_soft_reset: 'soft_reset',
    },
  };
}

/**
 * Domain-0's entry as Xen 4.17's xl prints it (lab capture 01-boot): no uuid, its memory, the
 * scheduler's parameters and empty per-architecture maps. The target is a KiB under the maximum
 * there: what the Dom0 kernel's balloon driver wrote to xenstore.
 */
export function dom0ConfigJson(dom0MiB: number): unknown {
  const memkb = dom0MiB * 1024;
  return {
    domid: 0,
    config: {
      c_info: { type: 'pv', name: 'Domain-0' },
      b_info: { max_memkb: memkb, target_memkb: memkb - 1, sched_params: { sched: 'credit2', weight: 256, cap: 0 }, 'type.pv': {}, arch_arm: {}, arch_x86: {} },
    },
  };
}

/** DOM0_MIB: Domain-0's entry first (null when it is not asked for) */
export function renderXlListLong(dom0MiB: number | null, domains: readonly DomainState[]): string {
  const entries = [...(dom0MiB === null ? [] : [dom0ConfigJson(dom0MiB)]), ...domains.filter((d) => d.configPath !== null).map(domainConfigJson)];
  // yajl ends the beautified buffer with a newline, and puts() adds another
  return `${yajlBeautify(entries)}\n\n`;
}
