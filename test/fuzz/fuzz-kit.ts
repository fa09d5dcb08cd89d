import fc from 'fast-check';
import { afterAll } from 'vitest';

/**
 * What every fuzz test shares: the seed, the input counts it reports, and the generators of
 * hostile input (JSON values of the wrong shape, JSON and text mutated from something valid).
 *
 * Runs are deterministic: every property runs with FUZZ_SEED (XENHERD_FUZZ_SEED=N replays another
 * run; XENHERD_FUZZ_SCALE=K runs K times as many inputs, for a longer hunt than `npm test` has
 * time for). fast-check prints the seed, the path and the shrunk counterexample of a failure;
 * replay it with XENHERD_FUZZ_SEED and the printed path in fc.assert's `path` parameter.
 */
export const FUZZ_SEED = Number(process.env['XENHERD_FUZZ_SEED'] ?? 20_250_501);
const SCALE = Math.max(1, Number(process.env['XENHERD_FUZZ_SCALE'] ?? 1));

export const runs = (n: number): fc.Parameters<unknown> => ({ seed: FUZZ_SEED, numRuns: Math.round(n * SCALE) });
export const scaled = (n: number): number => Math.round(n * SCALE);

const tried = new Map<string, number>();

/** Counts inputs fed to a surface; each fuzz file prints its counts when it ends. */
export function count(surface: string, n = 1): void {
  tried.set(surface, (tried.get(surface) ?? 0) + n);
}

export const counted = (surface: string): number => tried.get(surface) ?? 0;

/** Call once per fuzz file: prints "fuzz <surface>: N inputs (seed S)" for each surface after its tests. */
export function reportCounts(file: string): void {
  afterAll(() => {
    const lines = [...tried.entries()].map(([s, n]) => `fuzz ${file} ${s}: ${n} inputs (seed ${FUZZ_SEED})`);
    process.stdout.write(`${lines.join('\n')}\n`);
    // the next file in this worker counts its own
    tried.clear();
  });
}

/** Nested N deep: arrays or objects, as JSON text (V8 parses these without recursion; a schema must not choke on them). */
export const deepArrayText = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;
export const deepObjectText = (n: number): string => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

/** Values that break naive code: wrong types, edge numbers, odd strings, nesting. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom<unknown>(
    null, true, false, 0, -1, -0, 1.5, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, '', ' ', '\u0000', '\n', '-rf', '--live', '../../etc/passwd',
    '$(reboot)', '`id`', 'a;b', '\u202e', '\ud800', '💥', 'Domain-0', 'x'.repeat(5000), [], {}, [[[]]], JSON.parse('{"__proto__": {"polluted": 1}}') as unknown, { constructor: { prototype: 1 } },
  ),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.integer({ min: 1, max: 200 }).map((n) => JSON.parse(deepArrayText(n)) as unknown),
  fc.integer({ min: 1, max: 200 }).map((n) => JSON.parse(deepObjectText(n)) as unknown),
);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

function paths(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

const MUTATIONS = ['replace', 'delete', 'add-key', 'wrong-type', 'wrap', 'stringify', 'duplicate-array', 'huge'] as const;
type Mutation = (typeof MUTATIONS)[number];

function wrongType(v: unknown): unknown {
  if (typeof v === 'string') return v.length;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === null) return 'null';
  if (Array.isArray(v)) return Object.fromEntries(v.map((x, i) => [String(i), x]));
  return Object.values(v as object);
}

function apply(base: unknown, at: Path, m: Mutation, value: unknown, key: string): unknown {
  const copy = structuredClone(base) as Json;
  const change = (v: unknown): unknown => {
    switch (m) {
      case 'replace':
        return value;
      case 'wrong-type':
        return wrongType(v);
      case 'wrap':
        return [v];
      case 'stringify':
        return JSON.stringify(v);
      case 'duplicate-array':
        return Array.isArray(v) ? [...v, ...v, ...v] : [v, v];
      case 'huge':
        return typeof v === 'string' ? v.repeat(Math.ceil(3000 / Math.max(1, v.length))) : Array.isArray(v) ? Array.from({ length: 5000 }, () => v[0] ?? 0) : 1e300;
      case 'add-key':
        return v !== null && typeof v === 'object' && !Array.isArray(v) ? { ...v, [key]: value } : v;
      default:
        return v;
    }
  };
  if (at.length === 0) return m === 'delete' ? undefined : change(copy);
  let parent: Json = copy;
  for (const p of at.slice(0, -1)) parent = (parent as Record<string | number, Json>)[p] as Json;
  const last = at[at.length - 1] as string | number;
  const holder = parent as Record<string | number, unknown>;
  if (m === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete holder[last];
  } else holder[last] = change(holder[last]);
  return copy;
}

const jsonStep = fc.tuple(fc.nat(), fc.constantFrom(...MUTATIONS), hostileValue, fc.constantFrom('extra', 'type', 'protocol', '__proto__', 'constructor', 'x'));

/**
 * Nodes of V counted as JSON text spells them, a node held twice counted twice; stops counting past
 * LIMIT. 'huge' and 'duplicate-array' hold one element many times: two of them nested make a value
 * whose text would have billions of nodes (one seed drew 625 million), which no frame of at most a
 * few MB can carry and whose serialization alone held a test's worker for minutes.
 */
function spelledNodes(v: unknown, limit: number, memo = new Map<object, number>()): number {
  if (v === null || typeof v !== 'object') return 1;
  const known = memo.get(v);
  if (known !== undefined) return known;
  let n = 1;
  for (const x of Object.values(v)) {
    n += spelledNodes(x, limit, memo);
    if (n > limit) break;
  }
  memo.set(v, n);
  return n;
}

/** The most nodes a mutated value may spell: 5,000 copies of a delta's row, and then some. */
const MOST_NODES = 500_000;

/** MIN..MAX mutations in a row, each at one node of what the last left (replace, delete, add a key, change the type, ...); one that would make a value no frame could carry is skipped. */
function mutations(base: unknown, min: number, max: number): fc.Arbitrary<unknown> {
  return fc.array(jsonStep, { minLength: min, maxLength: max }).map((steps) =>
    steps.reduce<unknown>((v, [i, m, value, key]) => {
      const all = paths(v ?? null);
      const next = apply(v ?? null, all[i % all.length] as Path, m, value, key);
      return spelledNodes(next, MOST_NODES) > MOST_NODES ? v : next;
    }, base),
  );
}

/** One mutation of BASE at one of its nodes. */
export const mutatedJson = (base: unknown): fc.Arbitrary<unknown> => mutations(base, 1, 1);

/** One to three mutations in a row. */
export const mutatedJsonDeep = (base: unknown): fc.Arbitrary<unknown> => mutations(base, 1, 3);

const TEXT_OPS = ['truncate', 'flip', 'insert', 'delete', 'dup-line', 'drop-line', 'swap-lines', 'digits', 'whitespace', 'crlf', 'nul', 'garbage-line', 'long-line'] as const;

function mutateText(text: string, op: (typeof TEXT_OPS)[number], at: number, junk: string): string {
  const k = text.length === 0 ? 0 : at % (text.length + 1);
  const lines = text.split('\n');
  const li = lines.length === 0 ? 0 : at % lines.length;
  switch (op) {
    case 'truncate':
      return text.slice(0, k);
    case 'flip':
      return k < text.length ? `${text.slice(0, k)}${String.fromCharCode((text.charCodeAt(k) ^ (1 << at % 7)) || 1)}${text.slice(k + 1)}` : `${text}\u0001`;
    case 'insert':
      return `${text.slice(0, k)}${junk}${text.slice(k)}`;
    case 'delete':
      return `${text.slice(0, k)}${text.slice(k + 1 + (at % 17))}`;
    case 'dup-line':
      return [...lines.slice(0, li + 1), lines[li] ?? '', ...lines.slice(li + 1)].join('\n');
    case 'drop-line':
      return [...lines.slice(0, li), ...lines.slice(li + 1)].join('\n');
    case 'swap-lines': {
      const j = (li + 1 + (at % 5)) % Math.max(1, lines.length);
      const copy = [...lines];
      [copy[li], copy[j]] = [copy[j] ?? '', copy[li] ?? ''];
      return copy.join('\n');
    }
    case 'digits':
      return text.replace(/\d+/g, (d, off: number) => ((off + at) % 3 === 0 ? '99999999999999999999' : (off + at) % 3 === 1 ? '-1' : d));
    case 'whitespace':
      return at % 2 === 0 ? text.replace(/ +/g, '\t') : text.replace(/[ \t]+/g, ' ');
    case 'crlf':
      return text.replace(/\n/g, '\r\n');
    case 'nul':
      return `${text.slice(0, k)}\u0000${text.slice(k)}`;
    case 'garbage-line':
      return [...lines.slice(0, li), junk, ...lines.slice(li)].join('\n');
    case 'long-line':
      return [...lines.slice(0, li), (lines[li] ?? 'x').repeat(200).slice(0, 20_000), ...lines.slice(li + 1)].join('\n');
  }
}

/** TEXT with 1-4 mutations: bytes flipped, cut short, lines dropped or repeated, digits and whitespace changed, junk inserted. */
export function mutatedText(text: string): fc.Arbitrary<string> {
  const step = fc.tuple(fc.constantFrom(...TEXT_OPS), fc.nat(), fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('"', '[', '{', '\\', '#', '=', ':', '(', '\t', '  ', '--', '0x')));
  return fc.array(step, { minLength: 1, maxLength: 4 }).map((ops) => ops.reduce((t, [op, at, junk]) => mutateText(t, op, at, junk), text));
}

/** Inputs that have made parsers slow (backtracking regexes) or deep: long runs of one character, nesting. */
export const PATHOLOGICAL_TEXTS: readonly string[] = [
  '',
  '\n'.repeat(10_000),
  ' '.repeat(50_000),
  '\t'.repeat(50_000),
  'a'.repeat(50_000),
  '0'.repeat(50_000),
  '['.repeat(20_000),
  '{'.repeat(20_000),
  '"'.repeat(20_000),
  '\\'.repeat(20_000),
  `${'a '.repeat(25_000)}!`,
  `${'a='.repeat(10_000)}`,
  `${'x:'.repeat(20_000)}`,
  deepArrayText(50_000),
  deepObjectText(20_000),
  '\u0000'.repeat(1000),
  '\ud800'.repeat(1000),
  'Name ID Mem VCPUs State Time(s)\n' + `${'x '.repeat(20_000)}\n`,
];

/** Milliseconds fn takes, for the "never a hang" bound of a synchronous parser. */
export function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}
