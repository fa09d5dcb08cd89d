import type { XenstoreAdapter } from '../adapters/xenstore.js';

/** What a start_time read brings the core (core/start-times.ts): the value as printed, or why not. */
export interface StartTimeRead {
  readonly value: string | null;
  readonly problem: string | null;
}

// libxl keeps a domain's /vm path under /local/domain/<domid>/vm ("/vm/<uuid>" since Xen 4.x)
// and writes start_time beneath it; the path is read rather than made from a uuid, as xl list
// does not print one.
const VM_PATH = /^\/vm\/[A-Za-z0-9-]{1,64}$/;

/** DOMID's start_time, through two xenstore-reads: its /vm path, then the key under it. */
export async function readXenStartTime(xs: XenstoreAdapter, domid: number): Promise<StartTimeRead> {
  const vm = await xs.read(`/local/domain/${domid}/vm`);
  if (!vm.ok) return { value: null, problem: vm.error.message };
  if (vm.value === null) return { value: null, problem: null };
  if (!VM_PATH.test(vm.value)) return { value: null, problem: `its /vm path in xenstore is ${JSON.stringify(vm.value.slice(0, 80))}, not /vm/<uuid>` };
  const t = await xs.read(`${vm.value}/start_time`);
  return t.ok ? { value: t.value, problem: null } : { value: null, problem: t.error.message };
}
