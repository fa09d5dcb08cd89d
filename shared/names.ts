/** Names that xenherd accepts from outside for domUs and hosts. */
export const DOMU_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const HOST_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;

/**
 * Why VALUE is not a host name, with the fix, for a usage error (LABEL: where it was given, e.g.
 * `--to`); null when it is one.
 */
export function hostNameProblem(value: string, label?: string): string | null {
  if (HOST_NAME_RE.test(value)) return null;
  const given = `${label === undefined ? '' : `${label} `}${JSON.stringify(value)}`;
  return `${given} is not a host name: give the Dom0's name as \`xl info\` (host) and \`uname -n\` print it (letters, digits, . and -, starting with a letter or digit)`;
}
/**
 * DRBD resource names: drbd-utils accepts letters, digits and a few punctuation characters. Not a
 * leading "-": on a command line it would be read as an option.
 */
export const DRBD_RESOURCE_RE = /^[A-Za-z0-9_.:+][A-Za-z0-9_.:+-]{0,127}$/;
