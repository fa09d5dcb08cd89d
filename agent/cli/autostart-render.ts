import type { AgentStatus } from '../../shared/protocol/agent-control.js';
import { printableDeep } from '../../shared/text/printable.js';
import { spanText } from '../../shared/text/span-text.js';
import { table } from '../inventory/render-text.js';

const when = (iso: string): string => iso.replace(/\.\d{3}Z$/, 'Z');

/** `xenherd-agent autostart status` as a person reads it. */
export function renderAutostartStatus(raw: AgentStatus): string {
  // domU names and config paths are file names of the guarded dir, details come from tools: a
  // control character in any of them could steer the terminal or forge a table line
  const s = printableDeep(raw);
  const out: string[] = [];
  out.push(`xenherd agent on ${s.host} (pid ${s.pid}, up since ${when(s.startedAt)}): autostart ${s.autostart}, toolstack ${s.toolstack ?? 'none'}, DRBD ${s.drbd}`);
  out.push(`  DRBD changes:   ${s.sources.drbd}`);
  out.push(`  domain changes: ${s.sources.domains}`);
  out.push(`  maintenance:    ${s.maintenance ? 'yes: nothing is started' : 'no'}`);
  out.push(`  last full read: ${s.lastFullRead ? when(s.lastFullRead) : 'not yet'}`);
  if (s.controller !== undefined) out.push(`  controller:     ${controllerText(s.controller)}`);
  out.push('');
  // the warnings below say why when the guarded dir gave nothing (missing, unreadable)
  if (s.guarded.length === 0) out.push(`no guarded domUs (no configs in the guarded dir${s.warnings.length > 0 ? ': see the warnings below' : ''})`);
  else {
    const rows = s.guarded.map((g) => [
      g.name,
      g.starting ? 'starting' : g.decision,
      g.reason ?? '-',
      when(g.since),
      g.detail +
        (g.lastStart ? ` [last start ${when(g.lastStart.at)}: ${g.lastStart.ok ? 'ok' : `failed: ${g.lastStart.message}`}${g.lastStart.forced ? ', forced' : ''}]` : '') +
        (g.retryAt ? ` [retry after ${when(g.retryAt)}]` : '') +
        (g.nextTry ? ` [${nextTryText(g.nextTry)}]` : ''),
    ]);
    out.push(...table(['DOMU', 'DECISION', 'REASON', 'SINCE', 'DETAIL'], rows));
  }
  if (s.holds.length > 0) {
    out.push('', 'held by a migration (not started meanwhile):');
    for (const h of s.holds) out.push(`  ${h.name}: ${h.purpose}, operation ${h.operation}, by ${h.by}, since ${when(h.since)}`);
  }
  if (s.warnings.length > 0) {
    out.push('', 'warnings:');
    for (const w of s.warnings) out.push(`  ${w}`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * "next try in 25 s, at 03:12:40 UTC": the time of day alone while it is within the next 12 hours
 * (the re-check is minutes away unless deferRecheckSeconds says otherwise), the date too beyond.
 */
function nextTryText(t: NonNullable<AgentStatus['guarded'][number]['nextTry']>): string {
  const view = t.kind === 'controller-view';
  if (t.inSeconds === 0) return view ? 'deciding now, by the DRBD rules alone' : 'next try now: the host is being read again';
  const clock = t.inSeconds < 12 * 3600 ? t.at.slice(11, 19) : `${t.at.slice(0, 10)} ${t.at.slice(11, 19)}`;
  const at = `in ${spanText(t.inSeconds * 1000)}, at ${clock} UTC`;
  return view ? `decided ${at} at the latest, sooner if the controller's view comes` : `next try ${at}, sooner if DRBD or the domains change`;
}

function controllerText(c: NonNullable<AgentStatus['controller']>): string {
  if (c.link === 'off') return 'none (no controller section in the agent config)';
  if (c.link === 'up') return 'link up, reporting this host';
  const tries = c.failures > 0 ? ` (${c.failures} ${c.failures === 1 ? 'try' : 'tries in a row'} failed)` : '';
  if (c.link === 'connecting') return `connecting${tries}`;
  return `link DOWN${tries}: ${c.problem ?? 'no cause recorded'}; trying again (the journal has each try)`;
}
