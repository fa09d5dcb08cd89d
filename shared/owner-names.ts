/**
 * Whether two owner names of a Dom0's maintenance flag name one controller. A controller names
 * itself `xenherd-controller@HOST:PORT/ID` (ID kept in its state dir); a release before the id
 * wrote `xenherd-controller@HOST:PORT`. A flag, a lease or a roll record written by a
 * controller's run before its upgrade carries that short name, and is the upgraded controller's
 * own: otherwise a drain the upgrade cut would wait out its own lease, `jobs` would not list it,
 * and a roll the upgrade cut would drain and reboot again the hosts it had finished. Only a short
 * name matches a long one with the same host and port; two names with ids match only when equal.
 */
export function sameOwner(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return a === b || withoutId(a) === b || withoutId(b) === a;
}

/** NAME's short form (its id dropped), or null when it carries no id. */
const withoutId = (name: string): string | null => {
  const m = /^(xenherd-controller@.+)\/[0-9a-f]{8}$/.exec(name);
  return m === null ? null : (m[1] ?? null);
};

/**
 * A maintenance flag's owner as an operator reads it: a controller's name as its host and port
 * ("ctl1:7443"), without "xenherd-controller@" and without its instance id, which only tells
 * apart two controllers sharing one host and port and read as an internal code; any other owner
 * (a name an older release or a person wrote) as it is.
 */
export function ownerShort(owner: string): string {
  const m = /^xenherd-controller@(.+)$/.exec(withoutId(owner) ?? owner);
  return m?.[1] ?? owner;
}

/** "the controller on ctl1:7443" (ownerShort), or any other owner as it is: for a sentence. */
export const ownerWords = (owner: string): string => (ownerShort(owner) === owner ? owner : `the controller on ${ownerShort(owner)}`);
