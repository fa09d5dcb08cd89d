/** Names that xenherd accepts from outside for domUs and hosts. */
export const DOMU_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const HOST_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;
/**
 * DRBD resource names: drbd-utils accepts letters, digits and a few punctuation characters. Not a
 * leading "-": on a command line it would be read as an option.
 */
export const DRBD_RESOURCE_RE = /^[A-Za-z0-9_.:+][A-Za-z0-9_.:+-]{0,127}$/;
