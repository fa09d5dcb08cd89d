import type * as z from 'zod';

/** The parts of a zod schema's definition the walk below reads (zod 4's `_zod.def`). */
interface Def {
  readonly type: string;
  readonly shape?: Readonly<Record<string, z.core.$ZodType>>;
  readonly innerType?: z.core.$ZodType;
  readonly in?: z.core.$ZodType;
  readonly valueType?: z.core.$ZodType;
  readonly element?: z.core.$ZodType;
}

const defOf = (s: z.core.$ZodType): Def => s._zod.def as Def;

/** Through defaults, optionals, nullables and pipes to the schema that holds the value's shape. */
function unwrapped(s: z.core.$ZodType): z.core.$ZodType {
  let at = s;
  for (let i = 0; i < 16; i++) {
    const d = defOf(at);
    const next = d.innerType ?? (d.type === 'pipe' ? d.in : undefined);
    if (next === undefined) return at;
    at = next;
  }
  return at;
}

/**
 * The keys an object of SCHEMA at PATH may have (a config file's keys where an unknown one was
 * found), or none when the path leads to no object of known keys (a record's keys are anyone's).
 */
export function knownKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): readonly string[] {
  let at: z.core.$ZodType | undefined = schema;
  for (const step of path) {
    if (at === undefined) return [];
    const d = defOf(unwrapped(at));
    at = d.type === 'object' ? d.shape?.[String(step)] : d.type === 'record' ? d.valueType : d.type === 'array' ? d.element : undefined;
  }
  if (at === undefined) return [];
  const d = defOf(unwrapped(at));
  return d.type === 'object' && d.shape !== undefined ? Object.keys(d.shape) : [];
}
