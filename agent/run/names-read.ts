import type { XenstoreAdapter } from '../adapters/xenstore.js';
import type { NamesReadAnswer } from '../core/events.js';

/**
 * What DOMUS' xenstore areas already hold of this Dom0's naming, `data/xenherd/dom0` and `since`,
 * every domU's two nodes in one `xenstore-read` (adapters/xenstore-read-all.ts: a node missing
 * costs one run more, so a Dom0 whose domUs were all named before reads them in one run).
 */
export async function readNamesBack(xs: XenstoreAdapter, domus: readonly { readonly domid: number; readonly name: string }[]): Promise<NamesReadAnswer> {
  const area = (domid: number): string => `/local/domain/${domid}/data/xenherd`;
  const r = await xs.readAll(domus.flatMap((d) => [`${area(d.domid)}/dom0`, `${area(d.domid)}/since`]));
  if (!r.ok) return { ok: false, problem: r.error.message };
  return { ok: true, reads: domus.map((d, i) => ({ ...d, dom0: r.value[2 * i] ?? null, since: r.value[2 * i + 1] ?? null })) };
}
