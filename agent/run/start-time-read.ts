import type { XenstoreAdapter } from '../adapters/xenstore.js';
import type { StartTimeAnswer } from '../core/events.js';

/** What a start_time read brings the core (core/start-times.ts): the value as printed, or why not. */
export interface StartTimeRead {
  readonly value: string | null;
  readonly problem: string | null;
}

// libxl keeps a domain's /vm path under /local/domain/<domid>/vm ("/vm/<uuid>" since Xen 4.x)
// and writes start_time beneath it; the path is read rather than made from a uuid, as xl list
// does not print one.
const VM_PATH = /^\/vm\/[A-Za-z0-9-]{1,64}$/;

/**
 * Each of DOMIDS' start_time, by domid: their /vm paths in one xenstore-read, then the key under
 * each in one more, so a Dom0 with 60 domUs runs two tools at READY rather than 120 (a missing
 * node costs another run: adapters/xenstore-read-all.ts).
 */
export async function readXenStartTimes(xs: XenstoreAdapter, domids: readonly number[]): Promise<Map<number, StartTimeRead>> {
  const out = new Map<number, StartTimeRead>();
  if (domids.length === 0) return out;
  const vms = await xs.readAll(domids.map((d) => `/local/domain/${d}/vm`));
  if (!vms.ok) return new Map(domids.map((d) => [d, { value: null, problem: vms.error.message }]));
  const follow: { domid: number; vm: string }[] = [];
  domids.forEach((domid, i) => {
    const vm = vms.value[i] ?? null;
    if (vm === null) out.set(domid, { value: null, problem: null });
    else if (!VM_PATH.test(vm)) out.set(domid, { value: null, problem: `its /vm path in xenstore is ${JSON.stringify(vm.slice(0, 80))}, not /vm/<uuid>` });
    else follow.push({ domid, vm });
  });
  if (follow.length === 0) return out;
  const times = await xs.readAll(follow.map((f) => `${f.vm}/start_time`));
  follow.forEach((f, i) => out.set(f.domid, times.ok ? { value: times.value[i] ?? null, problem: null } : { value: null, problem: times.error.message }));
  return out;
}

/** DOMAINS' start_time reads as the core takes them (core/start-times.ts). */
export async function startTimeAnswers(xs: XenstoreAdapter, domains: readonly { readonly domid: number; readonly name: string }[]): Promise<StartTimeAnswer[]> {
  const got = await readXenStartTimes(xs, domains.map((d) => d.domid));
  return domains.map((d) => ({ ...d, ...(got.get(d.domid) ?? { value: null, problem: null }) }));
}
