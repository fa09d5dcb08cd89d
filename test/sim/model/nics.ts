import { createHash } from 'node:crypto';
import type { GuestConfig, NicConfig } from './types.js';

/**
 * What libxl settles for each vif when it creates the domain and copies back into the config it
 * stores (tools/libs/light/libxl_nic.c libxl__device_nic_setdefault, libxl__update_config_nic):
 * a MAC when the config gave none, and the nic type (vif for PV and PVH; for HVM the config's, else
 * vif_ioemu). libxl draws the MAC at random under Xen's OUI 00:16:3e; the sim derives it from the
 * domain's name, so it stays with the guest through a migration as the real one does (xl sends
 * the stored config, MAC included, to the target).
 */
export function settleNics(guest: GuestConfig, domain: string): GuestConfig {
  const base = domain.replace(/--(incoming|migratedaway)$/, '');
  const settle = (n: NicConfig): NicConfig => ({
    ...n,
    mac: n.mac ?? macFor(base, n.devid),
    nictype: guest.type === 'hvm' ? (n.nictype ?? 'vif_ioemu') : 'vif',
  });
  return guest.nics.length === 0 ? guest : { ...guest, nics: guest.nics.map(settle) };
}

/** 00:16:3e and three bytes, the first with its top bit clear, as libxl__device_nic_setdefault builds it */
function macFor(domain: string, devid: number): string {
  const r = createHash('sha1').update(`xenherd-sim-mac:${domain}:${devid}`).digest();
  return ['00', '16', '3e', (r[0]! & 0x7f).toString(16), r[1]!.toString(16), r[2]!.toString(16)].map((b) => b.padStart(2, '0')).join(':');
}
