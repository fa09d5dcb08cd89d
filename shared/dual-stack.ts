/**
 * For every connection to the controller: when its name resolves to IPv6 and IPv4 addresses,
 * try them in turn (Happy Eyeballs) rather than only the first. Node 20 does so by default, but
 * Node 18 (Debian 12's nodejs, which runs the bundles) does not: there, a controller listening
 * on IPv4 only behind a name whose first address is IPv6 (localhost as ::1, any name with an
 * AAAA record) is refused, for good.
 */
export const TRY_EVERY_ADDRESS = { autoSelectFamily: true } as const;
