/** Names that xenherd accepts from outside for domUs and hosts. */
export const DOMU_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/**
 * Host names as read back from files xenherd wrote and from the wire (tokens.json, ledgers, agent
 * links): deliberately the older, looser rule, so that nothing stored before HOST_NAME_STRICT_RE
 * stops parsing. A name a person gives now is checked with hostNameProblem (the strict rule).
 */
export const HOST_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;
/**
 * Host names as DRBD names them (an `on` section of a .res file, a DRBD 9 peer's connection): the
 * HOST_NAME_RE rule plus `_`, which drbdadm takes in a name and Dom0s have been named with.
 */
export const DRBD_HOST_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/**
 * A host name as DNS has it: labels of letters, digits and '-' (not first or last, at most 63)
 * joined by single dots, no trailing dot, at most 253 characters. IPv4 literals pass too.
 */
export const HOST_NAME_STRICT_RE = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);

/** Host names compare without case, as DNS does: XEN1 and xen1 are one Dom0. */
export const sameHostName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * Why VALUE is not a host name, with the fix, for a usage error (LABEL: where it was given, e.g.
 * `--to`); null when it is one.
 */
export function hostNameProblem(value: string, label?: string): string | null {
  if (HOST_NAME_STRICT_RE.test(value)) return null;
  const given = `${label === undefined ? '' : `${label} `}${JSON.stringify(value)}`;
  return `${given} is not a host name: give the Dom0's name as \`xl info\` (host) and \`uname -n\` print it (labels of letters, digits and -, joined by single dots; no label starts or ends with -, no trailing dot)`;
}
/**
 * DRBD resource names: drbd-utils accepts letters, digits and a few punctuation characters. Not a
 * leading "-": on a command line it would be read as an option.
 */
export const DRBD_RESOURCE_RE = /^[A-Za-z0-9_.:+][A-Za-z0-9_.:+-]{0,127}$/;
