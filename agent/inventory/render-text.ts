import type { DrbdResourceView, Inventory } from '../../shared/inventory.js';

/** Lays out rows as left-aligned columns separated by two spaces. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

const dash = (v: string | number | null): string => (v === null ? '-' : String(v));

function drbdLine(r: DrbdResourceView | undefined, name: string): string {
  if (!r) return `${name}: not known to DRBD here`;
  if (!r.up) return `${name}: not up`;
  // DRBD 8.4 names its one peer literally "peer": no need to say it twice
  const peerText = (p: DrbdResourceView['peers'][number]): string =>
    `${p.name === 'peer' ? '' : `${p.name} `}${dash(p.role)} ${dash(p.connection)} ${dash(p.disk)}${p.syncedPercent === null ? '' : ` ${p.syncedPercent}%`}`;
  const peers = r.peers.length === 0 ? 'no peer' : r.peers.map(peerText).join('; ');
  return `${name}: local ${dash(r.role)} ${dash(r.disk)} | peer ${peers}`;
}

/** The operator's view of one inventory, in plain words and tables. */
export function renderInventoryText(inv: Inventory): string {
  const out: string[] = [];
  const ts = inv.toolstack;
  out.push(`host ${inv.host}`);
  out.push(
    ts
      ? `toolstack ${ts.kind}, Xen ${dash(ts.xenVersion)}, memory ${dash(ts.freeMemMiB)} MiB free of ${dash(ts.totalMemMiB)} MiB, ${dash(ts.cpus)} cpus`
      : 'toolstack: none readable (see problems)',
  );
  out.push('');
  out.push('domains:');
  if (inv.domains.length === 0) out.push('  (none)');
  else {
    const rows = inv.domains.map((d) => [
      d.name,
      dash(d.domid),
      String(d.memMiB),
      String(d.vcpus),
      d.stateLetters,
      d.state + (d.shutdownReason ? ` (${d.shutdownReason})` : '') + (d.migration ? `, migration ${d.migration}` : ''),
    ]);
    out.push(...table(['NAME', 'ID', 'MEM', 'VCPUS', 'FLAGS', 'STATE'], rows).map((l) => `  ${l}`));
  }
  out.push('');
  const drbdWord = { ok: `DRBD ${dash(inv.drbd.version)}`, 'tools-missing': 'DRBD tools not installed', 'module-not-loaded': 'DRBD kernel module not loaded' }[inv.drbd.availability];
  out.push(`guarded domUs (${inv.guardedDir}), ${drbdWord}:`);
  if (inv.guarded.length === 0) out.push('  (none)');
  const byName = new Map(inv.drbd.resources.map((r) => [r.name, r]));
  for (const g of inv.guarded) {
    if (g.error !== null) {
      out.push(`  ${g.name}: config unreadable: ${g.error}`);
      continue;
    }
    out.push(`  ${g.name}: ${g.runningHere ? 'running here' : 'not running here'}, ${dash(g.memMiB)} MiB, ${dash(g.vcpus)} vcpus`);
    if (g.drbdResources.length === 0) out.push('    no DRBD disks');
    for (const res of g.drbdResources) out.push(`    ${drbdLine(byName.get(res), res)}`);
  }
  if (inv.problems.length > 0) {
    out.push('', 'problems:');
    for (const p of inv.problems) out.push(`  ${p.code} ${p.source}: ${p.message}`);
  }
  return `${out.join('\n')}\n`;
}
