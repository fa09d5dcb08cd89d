/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests: it throws on
 * anything the format does not allow instead of guessing (the npm parsers we looked at tolerate
 * unknown escapes, never check names or values, and merge labelled histogram series). Rules, from
 * the format's definition:
 * - lines end in "\n", the last one too; empty lines are skipped; "# HELP name text" and
 *   "# TYPE name type" are metadata, any other line starting with "#" a comment;
 * - HELP text escapes only "\\" and "\n"; label values only "\\", "\"" and "\n";
 * - metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* (not "__...");
 * - a value is a Go float (NaN, +Inf, -Inf included), an optional timestamp an integer;
 * - HELP and TYPE at most once per family and before its samples; a family's samples together;
 *   no two samples with the same name and labels;
 * - a histogram has, per label set, buckets with "le" ascending and cumulative counts, a
 *   "+Inf" bucket equal to its _count, and a _sum; counters are never negative.
 */
export interface ParsedSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface ParsedFamily {
  readonly name: string;
  help: string | null;
  type: string | null;
  readonly samples: ParsedSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const FLOAT = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|Inf|inf)$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseFloatStrict(text: string, where: string): number {
  if (text === 'NaN') return Number.NaN;
  if (!FLOAT.test(text)) throw new Error(`${where}: not a float: ${JSON.stringify(text)}`);
  return /inf$/i.test(text) ? (text.startsWith('-') ? -Infinity : Infinity) : Number(text);
}

function unescape(text: string, allowed: Record<string, string>, where: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = text[++i];
    const v = next === undefined ? undefined : allowed[next];
    if (v === undefined) throw new Error(`${where}: invalid escape \\${next ?? ''}`);
    out += v;
  }
  return out;
}

function parseSampleLine(line: string, where: string): ParsedSample {
  const m = /^([^\s{]+)/.exec(line);
  const name = m?.[1] ?? '';
  if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name ${JSON.stringify(name)}`);
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      if (line[i] === '}') break;
      const ln = /^([^=\s]*)="/.exec(line.slice(i));
      if (!ln) throw new Error(`${where}: expected label="value" at ${i}`);
      const labelName = ln[1] as string;
      if (!LABEL_NAME.test(labelName) || labelName.startsWith('__')) throw new Error(`${where}: bad label name ${JSON.stringify(labelName)}`);
      if (labelName in labels) throw new Error(`${where}: label ${labelName} twice`);
      i += ln[0].length;
      let raw = '';
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\') raw += line[i++];
        raw += line[i++];
      }
      if (line[i] !== '"') throw new Error(`${where}: unterminated label value`);
      labels[labelName] = unescape(raw, { '\\': '\\', '"': '"', n: '\n' }, where);
      i++;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') throw new Error(`${where}: expected , or } after a label value`);
    }
    i++;
  }
  const rest = line.slice(i);
  if (!/^[ \t]/.test(rest)) throw new Error(`${where}: no blank before the value`);
  const tokens = rest.trim().split(/[ \t]+/);
  if (tokens.length < 1 || tokens.length > 2) throw new Error(`${where}: expected value [timestamp]`);
  if (tokens[1] !== undefined && !/^-?\d+$/.test(tokens[1])) throw new Error(`${where}: bad timestamp`);
  return { name, labels, value: parseFloatStrict(tokens[0] as string, where) };
}

/** The family a sample belongs to: a histogram's or summary's _bucket/_sum/_count go to their base name. */
function familyOf(name: string, families: ReadonlyMap<string, ParsedFamily>): string {
  for (const [suffix, types] of [['_bucket', ['histogram']], ['_sum', ['histogram', 'summary']], ['_count', ['histogram', 'summary']]] as const) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const t = families.get(base)?.type;
    if (t && (types as readonly string[]).includes(t)) return base;
  }
  return name;
}

export function parsePrometheusText(text: string): ParsedFamily[] {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('the exposition does not end with a line feed');
  const families = new Map<string, ParsedFamily>();
  const order: ParsedFamily[] = [];
  const closed = new Set<string>();
  const seen = new Set<string>();
  let current: string | null = null;
  const family = (name: string): ParsedFamily => {
    let f = families.get(name);
    if (!f) {
      f = { name, help: null, type: null, samples: [] };
      families.set(name, f);
      order.push(f);
    }
    return f;
  };
  const enter = (name: string, where: string): ParsedFamily => {
    if (current !== name) {
      if (closed.has(name)) throw new Error(`${where}: family ${name} appears in two places`);
      if (current !== null) closed.add(current);
      current = name;
    }
    return family(name);
  };
  text.split('\n').slice(0, -1).forEach((line, n) => {
    const where = `line ${n + 1}`;
    if (line === '') return;
    const meta = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
    if (line.startsWith('#') && !meta) return;
    if (meta) {
      const [, kind, name, rest = ''] = meta as unknown as [string, string, string, string | undefined];
      if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name in ${kind}`);
      const f = enter(name, where);
      if (f.samples.length > 0) throw new Error(`${where}: ${kind} of ${name} after its samples`);
      if (kind === 'HELP') {
        if (f.help !== null) throw new Error(`${where}: second HELP of ${name}`);
        f.help = unescape(rest, { '\\': '\\', n: '\n' }, where);
      } else {
        if (f.type !== null) throw new Error(`${where}: second TYPE of ${name}`);
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type ${JSON.stringify(rest)}`);
        f.type = rest;
      }
      return;
    }
    const s = parseSampleLine(line, where);
    const key = `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`;
    if (seen.has(key)) throw new Error(`${where}: sample ${key} twice`);
    seen.add(key);
    const f = enter(familyOf(s.name, families), where);
    if (f.type === 'counter' && !(s.value >= 0)) throw new Error(`${where}: counter ${s.name} is ${s.value}`);
    f.samples.push(s);
  });
  for (const f of order) if (f.type === 'histogram') checkHistogram(f);
  return order;
}

function checkHistogram(f: ParsedFamily): void {
  const series = new Map<string, { buckets: Array<[number, number]>; sum: number | null; count: number | null }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const h = series.get(key) ?? { buckets: [], sum: null, count: null };
    series.set(key, h);
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new Error(`${f.name}: a bucket without le`);
      h.buckets.push([parseFloatStrict(le, `${f.name} le`), s.value]);
    } else if (s.name === `${f.name}_sum`) h.sum = s.value;
    else if (s.name === `${f.name}_count`) h.count = s.value;
    else throw new Error(`${f.name}: sample ${s.name} in a histogram`);
  }
  for (const [key, h] of series) {
    for (let i = 1; i < h.buckets.length; i++) {
      const [leA, a] = h.buckets[i - 1] as [number, number];
      const [leB, b] = h.buckets[i] as [number, number];
      if (!(leB > leA) || b < a) throw new Error(`${f.name}${key}: buckets not ascending and cumulative`);
    }
    const last = h.buckets[h.buckets.length - 1];
    if (!last || last[0] !== Infinity) throw new Error(`${f.name}${key}: no +Inf bucket`);
    if (h.count === null || h.sum === null || last[1] !== h.count) throw new Error(`${f.name}${key}: _count and _sum missing, or +Inf bucket != _count`);
  }
}
