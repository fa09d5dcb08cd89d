import type { DomuDef, DrbdResource } from '../model/types.js';

/**
 * Files the agent reads on a Dom0: guarded domU configs (xl.cfg syntax), DRBD resource files,
 * migrate-tab. An HVM guest boots from its disk through the firmware, so it names no bootloader.
 */
export function renderDomuConfig(d: DomuDef): string {
  const disks = d.drbd.map((r, i) => `'drbd:${r},xvd${String.fromCharCode(97 + i)},w'`).join(', ');
  return (
    `# ${d.name}: written by the xenherd fleet simulator\n` +
    `name = "${d.name}"\n` +
    (d.type === null ? '' : `type = "${d.type}"\n`) +
    `memory = ${d.memMiB}\n` +
    `vcpus = ${d.vcpus}\n` +
    (d.type === 'hvm' ? '' : `bootloader = "pygrub"\n`) +
    `disk = [ ${disks} ]\n` +
    `vif = [ 'bridge=xenbr0' ]\n`
  );
}

export function renderDrbdRes(r: DrbdResource, address: (host: string) => string): string {
  const on = r.nodes
    .map((n, i) => `  on ${n} {\n    node-id ${i};\n    address ${address(n)}:${r.port};\n    disk /dev/vg0/${r.name};\n    meta-disk internal;\n  }\n`)
    .join('');
  return (
    `resource ${r.name} {\n` +
    `  device /dev/drbd${r.minor} minor ${r.minor};\n` +
    `  net {\n    protocol C;\n${r.allowTwoPrimaries ? '    allow-two-primaries yes;\n' : ''}  }\n` +
    on +
    `}\n`
  );
}

export function renderMigrateTab(rows: readonly { domu: string; peer: string }[]): string {
  return `# domU  peer-dom0  migrate-options\n${rows.map((r) => `${r.domu} ${r.peer} --live`).join('\n')}${rows.length ? '\n' : ''}`;
}
