/**
 * A record keyed by names that come from outside (domU names), without Object.prototype under
 * it: a domU may be called `constructor` or `valueOf`, and `record[name]` must then be undefined
 * when there is no entry, not an inherited function.
 */
export const ownKeysOnly = <T>(r: Readonly<Record<string, T>>): Record<string, T> => Object.assign(Object.create(null) as Record<string, T>, r);
