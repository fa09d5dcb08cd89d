export type DomainType = 'pv' | 'pvh' | 'hvm';

/**
 * The domain type `type` names, as xl reads it (tools/xl/xl_parse.c parse_config_data, 4.10 on):
 * the value is taken when it is the start of "hvm", "pv" or "pvh", tried in that order, so "p" is
 * pv and an empty string is hvm; anything else makes xl stop ("Invalid domain type"). Null then.
 */
export function xlTypeOf(value: string): DomainType | null {
  for (const t of ['hvm', 'pv', 'pvh'] as const) if (t.startsWith(value)) return t;
  return null;
}

/**
 * The type the deprecated `builder` implies. xl 4.10 on takes the start of "hvm" or "generic";
 * xl before 4.10 read any other value as pv, and xm's builders are "linux" and "hvm", so "linux"
 * is pv too (a host's Xen version is not known where configs are read). Null when unknown.
 */
export function builderTypeOf(value: string): DomainType | null {
  if ('hvm'.startsWith(value)) return 'hvm';
  if ('generic'.startsWith(value) || value === 'linux') return 'pv';
  return null;
}
