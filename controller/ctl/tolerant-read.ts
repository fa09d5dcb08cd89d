import type * as z from 'zod';

/**
 * An answer read as an older xenherdctl must read a newer controller's: the answer schemas are
 * strict (the controller's tests hold what it sends to them), but a controller upgraded before
 * the operators' xenherdctl adds fields, and refusing a whole `where` for a field this build
 * does not use helps no one. So a key the schema does not know is dropped, at any depth, and the
 * answer read again; anything else wrong (a known field of the wrong type, a value out of its
 * range) is still refused.
 */

/**
 * Rounds of dropping: one drops every unknown key zod reports in a pass (unknown keys do not stop
 * it, so it reaches every object); more serve a union whose option is chosen anew once keys are
 * gone, and the bound keeps any answer from looping.
 */
const MAX_ROUNDS = 4;

type Path = readonly PropertyKey[];

/**
 * Where the unknown keys of ISSUES are (each as the path to the key), or null when an issue is of
 * another kind. A plain union reports its options' issues inside its own, relative to it: of the
 * options that fail only by unknown keys, the one with the fewest is read again without them. (A
 * discriminated union reports the chosen option's issues as its own; one with no option for its
 * discriminator has none to offer, and stays refused.)
 */
function unknownKeys(issues: readonly z.core.$ZodIssue[], at: Path = []): Path[] | null {
  const out: Path[] = [];
  for (const i of issues) {
    const here = [...at, ...i.path];
    if (i.code === 'unrecognized_keys') out.push(...i.keys.map((k) => [...here, k]));
    else if (i.code === 'invalid_union') {
      // the option that knows most of the value: the fewest keys to drop
      const options = i.errors.map((e) => unknownKeys(e, here)).filter((keys): keys is Path[] => keys !== null && keys.length > 0);
      const option = options.sort((a, b) => a.length - b.length)[0];
      if (option === undefined) return null;
      out.push(...option);
    } else return null;
  }
  return out;
}

const isRecord = (v: unknown): v is Record<PropertyKey, unknown> => typeof v === 'object' && v !== null;

/** VALUE without the keys at PATHS; VALUE itself (parsed JSON) is left alone. */
function without(value: unknown, paths: readonly Path[]): unknown {
  const copy = structuredClone(value);
  for (const path of paths) {
    let at: unknown = copy;
    for (const step of path.slice(0, -1)) at = isRecord(at) ? at[step] : undefined;
    const key = path[path.length - 1];
    if (isRecord(at) && key !== undefined) delete at[key];
  }
  return copy;
}

/** RAW read with SCHEMA, unknown keys dropped; a failure keeps the issues of the last reading. */
export function readTolerantly<T>(schema: z.ZodType<T>, raw: unknown): z.ZodSafeParseResult<T> {
  let input = raw;
  let r = schema.safeParse(input);
  for (let round = 0; !r.success && round < MAX_ROUNDS; round++) {
    const keys = unknownKeys(r.error.issues);
    if (keys === null || keys.length === 0) break;
    input = without(input, keys);
    r = schema.safeParse(input);
  }
  return r;
}

/** The issue to name in a refusal: the first that is not an unknown key (unknown keys alone are dropped, not refused). */
export const firstRealIssue = (e: z.ZodError): z.core.$ZodIssue | undefined => e.issues.find((i) => i.code !== 'unrecognized_keys') ?? e.issues[0];
