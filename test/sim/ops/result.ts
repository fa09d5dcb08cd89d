import type { SimState } from '../model/types.js';

/** An operation either yields the next state or a refusal the tool turns into its own error text. */
export type OpResult = { readonly ok: true; readonly state: SimState } | { readonly ok: false; readonly error: OpError };

export type OpError =
  | { readonly kind: 'no-host'; readonly host: string }
  | { readonly kind: 'host-off'; readonly host: string }
  | { readonly kind: 'no-domain'; readonly name: string }
  | { readonly kind: 'name-taken'; readonly name: string }
  | { readonly kind: 'no-memory'; readonly host: string; readonly needMiB: number; readonly freeMiB: number }
  | { readonly kind: 'drbd-state'; readonly res: string; readonly minor: number; readonly code: number; readonly text: string }
  | { readonly kind: 'drbd-missing'; readonly res: string }
  | { readonly kind: 'not-replica'; readonly res: string; readonly host: string }
  /** `drbdadm connect`/`disconnect` refused by the kernel; each DRBD version words it its own way (tools/drbdadm-connect.ts) */
  | { readonly kind: 'drbd-connect'; readonly res: string; readonly reason: 'not-standalone' | 'discard-while-primary' | 'already-standalone' }
  /** `drbdadm attach` of a device that has its disk (tools/drbdadm-disk.ts) */
  | { readonly kind: 'drbd-attach'; readonly res: string; readonly reason: 'attached' };

export const ok = (state: SimState): OpResult => ({ ok: true, state });
export const fail = (error: OpError): OpResult => ({ ok: false, error });
