import { connectionAsPrinted } from '../../shared/drbd-words.js';
import type { DrbdResourceView, Inventory } from '../../shared/inventory.js';
import { printableDeep } from '../../shared/text/printable.js';

/** Lays out rows as left-aligned columns separated by two spaces. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

const dash = (v: string | number | null): string => (v === null ? '-' : String(v));

function drbdLine(r: DrbdResourceView | undefined, name: string, unreadable: boolean): string {
  if (unreadable) return `${name}: state could not be read (see problems)`;
  if (!r) return `${name}: not known to DRBD here`;
  if (!r.up) return `${name}: not up`;
  // DRBD 8.4 names its one peer literally "peer": no need to say it twice
  const peerText = (p: DrbdResourceView['peers'][number]): string =>
    `${p.name === 'peer' ? '' : `${p.name} `}${dash(p.role)} ${dash(p.connection === null ? null : connectionAsPrinted(p.name, p.connection, p.replication))} ${dash(p.disk)}${p.syncedPercent === null ? '' : ` ${p.syncedPercent}%`}`;
  const peers = r.peers.length === 0 ? 'no peer' : r.peers.map(peerText).join('; ');
  return `${name}: local ${dash(r.role)} ${dash(r.disk)} | peer ${peers}`;
}

const here = (running: boolean | null): string => (running === null ? 'running here unknown (domains not listed)' : running ? 'running here' : 'not running here');

/** The operator's view of one inventory, in plain words and tables. */
export function renderInventoryText(raw: Inventory): string {
  // domain names come from xl list, peer names from DRBD, messages from tools: none may steer the terminal
  const inv = printableDeep(raw);
  const out: string[] = [];
  const ts = inv.toolstack;
  out.push(`host ${inv.host}`);
  out.push(inv.config === null ? 'config: none, defaults apply' : `config ${inv.config}`);
  out.push(
    ts
      ? `toolstack ${ts.kind}, Xen ${dash(ts.xenVersion)}, memory ${dash(ts.freeMemMiB)} MiB free of ${dash(ts.totalMemMiB)} MiB, ${dash(ts.cpus)} cpus`
      : 'toolstack: none readable (see problems)',
  );
  out.push('');
  if (inv.domains === null) out.push('domains: unknown: the toolstack could not list them (see problems)');
  else {
    out.push('domains:');
    if (inv.domains.length === 0) out.push('  (none)');
    const rows = inv.domains.map((d) => [
      d.name,
      dash(d.domid),
      String(d.memMiB),
      String(d.vcpus),
      d.stateLetters,
      d.state + (d.shutdownReason ? ` (${d.shutdownReason})` : '') + (d.migration ? `, migration ${d.migration}` : ''),
    ]);
    if (rows.length > 0) out.push(...table(['NAME', 'ID', 'MEM', 'VCPUS', 'FLAGS', 'STATE'], rows).map((l) => `  ${l}`));
  }
  out.push('');
  const drbdWord = {
    ok: `DRBD ${dash(inv.drbd.version)}`,
    'tools-missing': 'DRBD tools not installed',
    'module-not-loaded': 'DRBD kernel module not loaded',
    unknown: 'DRBD state unknown (see problems)',
  }[inv.drbd.availability];
  const byName = new Map(inv.drbd.resources.map((r) => [r.name, r]));
  const unreadable = new Set(inv.drbd.unreadable);
  const resourceLines = (names: readonly string[]): string[] => {
    if (names.length === 0) return ['    no DRBD disks'];
    // without readable DRBD the resources are still named, their state plainly not read
    const a = inv.drbd.availability;
    if (a !== 'ok') return names.map((res) => `    ${res}: state not read: ${a === 'unknown' ? 'DRBD could not be checked (see problems)' : drbdWord}`);
    return names.map((res) => `    ${drbdLine(byName.get(res), res, unreadable.has(res))}`);
  };
  out.push(`guarded domUs (${inv.guardedDir}), ${drbdWord}:`);
  if (inv.guarded.length === 0) out.push('  (none)');
  for (const g of inv.guarded) {
    if (g.error !== null) {
      out.push(`  ${g.name}: config unreadable: ${g.error}`);
      continue;
    }
    out.push(`  ${g.name}: ${here(g.runningHere)}, ${dash(g.memMiB)} MiB, ${dash(g.vcpus)} vcpus`);
    out.push(...resourceLines(g.drbdResources));
  }
  if (inv.standby.length > 0) {
    out.push('', `standby domUs (replicas of domUs homed on another Dom0, configs in ${inv.configDir}):`);
    for (const s of inv.standby) {
      const home = s.home !== null ? `home ${s.home}` : `home not known (its resources also name ${s.otherHosts.join(', ') || 'no other host'})`;
      out.push(`  ${s.name}: standby: replica of ${s.drbdResources.join(', ')}, ${home}, ${here(s.runningHere)}`);
      out.push(...resourceLines(s.drbdResources));
    }
  }
  if (inv.problems.length > 0) {
    out.push('', 'problems:');
    for (const p of inv.problems) out.push(`  ${p.code} ${p.source}: ${p.message}`);
  }
  return `${out.join('\n')}\n`;
}
