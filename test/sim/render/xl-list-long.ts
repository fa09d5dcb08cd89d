import type { DomainState } from '../model/types.js';

/**
 * `xl list -l` on Xen >= 4.5: a JSON array of {domid, config} built by libxl's yajl generator
 * (beautified, 4-space indent), printed with puts(). Only domains with a stored config appear.
 * The config is the subset of libxl_domain_config a PV domU from drbd-auto/ carries.
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
      disks: d.drbd.map((r, i) => ({ pdev_path: r, vdev: xvd(i), format: 'raw', script: 'block-drbd', readwrite: 1 })),
      on_reboot: 'restart',
      on_soft_reset: 'soft_reset',
    },
  };
}

export function renderXlListLong(domains: readonly DomainState[]): string {
  const withConfig = domains.filter((d) => d.configPath !== null);
  // yajl ends the beautified buffer with a newline, and puts() adds another
  return `${JSON.stringify(withConfig.map(domainConfigJson), null, 4)}\n\n`;
}
