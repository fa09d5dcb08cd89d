/**
 * The Prometheus text exposition format, version 0.0.4: per metric family a `# HELP` and a
 * `# TYPE` line, then its samples, every line ending in a line feed. Label values escape
 * backslash, double quote and line feed; HELP text escapes backslash and line feed. Pure: the
 * numbers come in, the text goes out.
 */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels?: Labels;
  readonly value: number;
}

export interface HistogramSeries {
  readonly labels?: Labels;
  /** cumulative counts by upper bound, ascending; the last bound is +Inf and its count the total */
  readonly buckets: ReadonlyArray<{ readonly le: number; readonly count: number }>;
  readonly sum: number;
  readonly count: number;
}

export type MetricFamily =
  | { readonly name: string; readonly help: string; readonly type: 'gauge' | 'counter'; readonly samples: readonly Sample[] }
  | { readonly name: string; readonly help: string; readonly type: 'histogram'; readonly series: readonly HistogramSeries[] };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** label names starting with __ are Prometheus's own */
const LABEL_NAME = /^(?!__)[a-zA-Z_][a-zA-Z0-9_]*$/;

export const escapeLabelValue = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
export const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** A sample value as Go's ParseFloat reads it: NaN, +Inf, -Inf, or the number. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

function labelText(labels: Labels | undefined, extra?: readonly [string, string]): string {
  const pairs = [...Object.entries(labels ?? {}), ...(extra ? [extra] : [])];
  if (pairs.length === 0) return '';
  for (const [k] of pairs) if (!LABEL_NAME.test(k)) throw new Error(`not a Prometheus label name: ${JSON.stringify(k)}`);
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

/** The families as one exposition; a bad metric or label name is a bug here, so it throws. */
export function renderPrometheusText(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new Error(`not a Prometheus metric name: ${JSON.stringify(f.name)}`);
    if (seen.has(f.name)) throw new Error(`metric family ${f.name} twice`);
    seen.add(f.name);
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    if (f.type !== 'histogram') {
      for (const s of f.samples) out.push(`${f.name}${labelText(s.labels)} ${formatValue(s.value)}`);
      continue;
    }
    for (const h of f.series) {
      for (const b of h.buckets) out.push(`${f.name}_bucket${labelText(h.labels, ['le', formatValue(b.le)])} ${formatValue(b.count)}`);
      out.push(`${f.name}_sum${labelText(h.labels)} ${formatValue(h.sum)}`, `${f.name}_count${labelText(h.labels)} ${formatValue(h.count)}`);
    }
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}
