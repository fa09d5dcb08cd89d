import { ok, type Result } from '../../shared/result.js';
import type { ToolFailure } from '../adapters/tool-failure.js';
import type { XenstoreAdapter } from '../adapters/xenstore.js';
import type { NamesReadAnswer } from '../core/events.js';

/**
 * What DOMUS' xenstore areas already hold of this Dom0's naming, `data/xenherd/dom0` and `since`:
 * every domU's `data` (libxl makes it for each domain) listed in one `xenstore-list`, then the two
 * nodes of those holding `xenherd` read in one `xenstore-read`. Two runs for them all, whatever
 * they hold: read straight away, each area never named (domUs started before the agent at boot,
 * or arrived while it was down) would cost a run of its own, as the tool stops at a missing node
 * (adapters/xenstore-read-all.ts).
 */
export async function readNamesBack(xs: XenstoreAdapter, domus: readonly { readonly domid: number; readonly name: string }[]): Promise<NamesReadAnswer> {
  const area = (domid: number): string => `/local/domain/${domid}/data`;
  const lists = await xs.listAll(domus.map((d) => area(d.domid)));
  if (!lists.ok) return { ok: false, problem: lists.error.message };
  const named = domus.filter((_, i) => lists.value[i]?.includes('xenherd') === true);
  const r: Result<(string | null)[], ToolFailure> = named.length === 0 ? ok([]) : await xs.readAll(named.flatMap((d) => [`${area(d.domid)}/xenherd/dom0`, `${area(d.domid)}/xenherd/since`]));
  if (!r.ok) return { ok: false, problem: r.error.message };
  const held = new Map(named.map((d, i) => [d.domid, { dom0: r.value[2 * i] ?? null, since: r.value[2 * i + 1] ?? null }]));
  return { ok: true, reads: domus.map((d) => ({ ...d, ...(held.get(d.domid) ?? { dom0: null, since: null }) })) };
}
