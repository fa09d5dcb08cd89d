import type { DomainState, SimState } from '../model/types.js';

/**
 * How xl 4.17.7 finds the domain a command names. Most commands go through
 * tools/xl/xl_utils.c find_domain → libxl_domain_qualifier_to_domid: a string of digits (the
 * empty string too) is a domid, read by strtoul and not checked; anything else is a name, and a
 * name no domain has fails there (ERROR_INVAL). `xl domid` looks up names only
 * (libxl_name_to_domid); `xl domname` reads the domid with strtol.
 */
export type Found = DomainState | 'dom0';

export type Qualifier = { readonly kind: 'domid'; readonly domid: number } | { readonly kind: 'name'; readonly name: string };

const U32 = 2n ** 32n;
/** C's conversion of an unsigned long or long to uint32_t keeps the low 32 bits */
const toU32 = (v: bigint): number => Number(((v % U32) + U32) % U32);

export function qualifier(p: string): Qualifier {
  if (!/^\d*$/.test(p)) return { kind: 'name', name: p };
  // strtoul saturates at ULONG_MAX (64-bit), and "" reads as 0
  const v = p === '' ? 0n : BigInt(p);
  return { kind: 'domid', domid: toU32(v > 2n ** 64n - 1n ? 2n ** 64n - 1n : v) };
}

export function byDomid(s: SimState, host: string, domid: number): Found | undefined {
  if (domid === 0) return 'dom0';
  return s.domains.find((d) => d.host === host && d.domid === domid);
}

/** libxl_name_to_domid: every listed domain by its xenstore name, Domain-0 among them */
export function byName(s: SimState, host: string, name: string): Found | undefined {
  if (name === 'Domain-0') return 'dom0';
  return s.domains.find((d) => d.host === host && d.name === name);
}

/** `xl domname`'s strtol: leading blanks and a sign, digits up to the first other character; null when there are none */
export function strtolDomid(p: string): number | null {
  const m = /^[\t\n\v\f\r ]*([+-]?\d+)/.exec(p);
  if (!m) return null;
  const v = BigInt(m[1]!);
  const clamped = v > 2n ** 63n - 1n ? 2n ** 63n - 1n : v < -(2n ** 63n) ? -(2n ** 63n) : v;
  return toU32(clamped);
}
