/**
 * The lab guests' configs as test/lab/build-image.sh writes them (tiny: PVH with disk drbd:r0,
 * tinypv: diskless PV), at the memory sizes of the capture run in test/fixtures/real-xen-4.17/.
 * Tests that compare the sim with those captures create the guests from these.
 */
export const labCfg = (name: string, type: string, memory: number, disk: string): string =>
  `name     = "${name}"\ntype     = "${type}"\ntsc_mode = "native"\nkernel   = "/boot/vmlinuz-6.1.0-56-amd64"\n` +
  `ramdisk  = "/root/tiny-initrd.gz"\nextra    = "console=hvc0 quiet"\nmemory   = ${memory}\nvcpus    = 1\n${disk}on_crash = "preserve"\n`;

export const LAB_TINY_CFG = labCfg('tiny', 'pvh', 128, "disk     = [ 'drbd:r0,xvda,w' ]\n");
export const LAB_TINYPV_CFG = labCfg('tinypv', 'pv', 96, '');
