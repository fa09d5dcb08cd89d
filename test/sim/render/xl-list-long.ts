import type { DomainState, NicConfig } from '../model/types.js';
import { yajlBeautify } from './yajl-json.js';

/**
 * `xl list -l` on Xen >= 4.5: a JSON array of {domid, config} built by libxl's yajl generator
 * (beautified, 4-space indent), printed with puts(). Domain-0 comes first; of the domUs, only
 * those with a stored config appear.
 *
 * A domU's config is what libxl stored at creation: the config as xl parsed it (not libxl's
 * defaults), with the uuid, video memory, msr_relaxed, the disks' COLO flag and the vifs' devid,
 * MAC and nic type libxl filled in, then the live vcpus, memory and scheduler
 * (libxl_retrieve_domain_configuration). libxl's JSON
 * leaves out fields at their default and always prints nested structs; a KeyedUnion's key is
 * "type.<member>" (tools/libs/light/gentypes.py, libxl_types.idl). PV and PVH are the lab's
 * captures (09 `xl list -l tiny`, 15 `xl list -l tinypv`); the lab has no HVM guest, so HVM
 * follows the 4.17.7 source: the five structs of u.hvm that a config without display settings
 * leaves empty, and the 8 MiB of video memory libxl gives qemu-xen's default (cirrus) VGA.
 */
export function domainConfigJson(d: DomainState): unknown {
  // the stored config's c_info.domid: libxl's INVALID_DOMID, not the domain's id
  return { domid: d.domid, config: libxlConfig(d, 4294967295) };
}

/**
 * The length `xl migrate` reports in "Saving to migration stream new xl format (info
 * 0x3/0x0/LEN)": tools/xl/xl_saverestore.c save_domain_core_begin turns the retrieved config into
 * JSON (libxl_domain_config_to_json: yajl beautified, ending in a newline) with c_info.domid 0, so
 * left out, and counts its NUL; save_domain_core_writeconfig adds the 4-byte length before it.
 * The lab's 1130 (tiny) and 891 (tinypv) are this figure for their configs.
 */
export function migrationStreamConfigLength(d: DomainState): number {
  return 4 + Buffer.byteLength(`${yajlBeautify(libxlConfig(d, null))}\n`) + 1;
}

function libxlConfig(d: DomainState, cInfoDomid: number | null): Record<string, unknown> {
  const memkb = d.memMiB * 1024;
  const g = d.guest;
  const xvd = (i: number): string => `xvd${String.fromCharCode(97 + i)}`;
  const set = (key: string, v: string | null): Record<string, string> => (v === null ? {} : { [key]: v });
  // libxl's init value of every on_* action is destroy, so destroy is never printed
  const action = (key: string, v: string): Record<string, string> => (v === 'destroy' ? {} : { [key]: v });
  const union = g.type === 'hvm' ? { vga: {}, vnc: {}, sdl: {}, spice: {}, rdm: {} } : {};
  return {
    c_info: { type: g.type, name: d.name, ...(cInfoDomid === null ? {} : { domid: cInfoDomid }), uuid: d.uuid, run_hotplug_scripts: 'True' },
    b_info: {
      max_vcpus: d.vcpus,
      avail_vcpus: Array.from({ length: d.vcpus }, (_, i) => i),
      ...set('tsc_mode', g.tscMode),
      max_memkb: memkb,
      target_memkb: memkb,
      video_memkb: g.type === 'hvm' ? 8192 : 0,
      sched_params: { sched: 'credit2', weight: 256, cap: 0 },
      claim_mode: 'True',
      ...set('kernel', g.kernel),
      ...set('cmdline', g.cmdline),
      ...set('ramdisk', g.ramdisk),
      ...set('bootloader', g.bootloader),
      [`type.${g.type}`]: union,
      arch_arm: {},
      arch_x86: { msr_relaxed: 'False' },
    },
    ...(d.drbd.length > 0 ? { disks: d.drbd.map((r, i) => ({ pdev_path: r, vdev: xvd(i), format: 'raw', script: 'block-drbd', readwrite: 1, colo_restore_enable: 'False' })) } : {}),
    ...(g.nics.length > 0 ? { nics: g.nics.map(nicJson) } : {}),
    ...action('on_poweroff', g.onPoweroff),
    ...action('on_reboot', g.onReboot),
    ...action('on_watchdog', g.onWatchdog),
    ...action('on_crash', g.onCrash),
    ...action('on_soft_reset', g.onSoftReset),
  };
}

/**
 * One libxl_device_nic as libxl's JSON prints it: libxl_types.idl's field order, a field at its
 * init value left out (devid's is -1, so xl's devid 0 is printed), a defbool as "True"/"False".
 * The bridge, script and model libxl fills in by default stay out: it does not store them.
 */
function nicJson(n: NicConfig): Record<string, string | number> {
  const set = (key: string, v: string | null): Record<string, string> => (v === null ? {} : { [key]: v });
  return {
    ...set('backend_domname', n.backendDomname),
    ...(n.devid === -1 ? {} : { devid: n.devid }),
    ...(n.mtu === 0 ? {} : { mtu: n.mtu }),
    ...set('model', n.model),
    ...set('mac', n.mac),
    ...set('ip', n.ip),
    ...set('bridge', n.bridge),
    ...set('ifname', n.ifname),
    ...set('script', n.script),
    ...set('nictype', n.nictype),
    ...set('gatewaydev', n.gatewaydev),
    ...(n.trusted === null ? {} : { trusted: n.trusted ? 'True' : 'False' }),
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
