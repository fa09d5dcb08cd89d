import { describe, expect, it } from 'vitest';
import { renderPrometheusText, type MetricFamily } from '../../../controller/api/prometheus-text.js';
import { parsePrometheusText } from '../../helpers/prometheus-text-parser.js';

// The text exposition format 0.0.4 as rendered, read back by a strict parser written from the
// format's specification (test/helpers/prometheus-text-parser.ts).
const HOSTILE = ['we"b', 'back\\slash', 'new\nline', 'all\\"\n\\n', 'trailing\\', 'ünï', '{}=,', ''];

describe('Prometheus text rendering', () => {
  it('HELP and TYPE before the samples; histogram buckets, _sum and _count; a line feed after every line', () => {
    const text = renderPrometheusText([
      { name: 'xenherd_agents_connected', help: 'Agent links open.', type: 'gauge', samples: [{ value: 2 }] },
      { name: 'xenherd_agent_deltas_received_total', help: 'Deltas.', type: 'counter', samples: [{ value: 7 }] },
      { name: 'xenherd_migration_duration_seconds', help: 'Durations.', type: 'histogram', series: [{ labels: { outcome: 'ok' }, buckets: [{ le: 5, count: 1 }, { le: 10, count: 3 }, { le: Infinity, count: 4 }], sum: 31.5, count: 4 }] },
    ]);
    expect(text).toBe(
      [
        '# HELP xenherd_agents_connected Agent links open.',
        '# TYPE xenherd_agents_connected gauge',
        'xenherd_agents_connected 2',
        '# HELP xenherd_agent_deltas_received_total Deltas.',
        '# TYPE xenherd_agent_deltas_received_total counter',
        'xenherd_agent_deltas_received_total 7',
        '# HELP xenherd_migration_duration_seconds Durations.',
        '# TYPE xenherd_migration_duration_seconds histogram',
        'xenherd_migration_duration_seconds_bucket{outcome="ok",le="5"} 1',
        'xenherd_migration_duration_seconds_bucket{outcome="ok",le="10"} 3',
        'xenherd_migration_duration_seconds_bucket{outcome="ok",le="+Inf"} 4',
        'xenherd_migration_duration_seconds_sum{outcome="ok"} 31.5',
        'xenherd_migration_duration_seconds_count{outcome="ok"} 4',
        '',
      ].join('\n'),
    );
    expect(parsePrometheusText(text).map((f) => [f.name, f.type, f.samples.length])).toEqual([
      ['xenherd_agents_connected', 'gauge', 1],
      ['xenherd_agent_deltas_received_total', 'counter', 1],
      ['xenherd_migration_duration_seconds', 'histogram', 5],
    ]);
  });

  it('hostile label values (quotes, backslashes, newlines) are escaped and read back exactly', () => {
    const families: MetricFamily[] = [{ name: 'xenherd_domu_away_from_home_info', help: 'a "help"\\ with\na newline', type: 'gauge', samples: HOSTILE.map((domu) => ({ labels: { domu, home: 'xen1' }, value: 1 })) }];
    const text = renderPrometheusText(families);
    expect(text).toContain('xenherd_domu_away_from_home_info{domu="new\\nline",home="xen1"} 1');
    expect(text).toContain('xenherd_domu_away_from_home_info{domu="we\\"b",home="xen1"} 1');
    expect(text).toContain('# HELP xenherd_domu_away_from_home_info a "help"\\\\ with\\na newline\n');
    // one line per sample: no raw newline leaked
    expect(text.split('\n')).toHaveLength(2 + HOSTILE.length + 1);
    const [f] = parsePrometheusText(text);
    expect(f?.help).toBe('a "help"\\ with\na newline');
    expect(f?.samples.map((s) => s.labels['domu'])).toEqual(HOSTILE);
  });

  it('values: integers, fractions, NaN and infinities as Go reads them', () => {
    const text = renderPrometheusText([{ name: 'x', help: 'h', type: 'gauge', samples: [0, 0.25, 1e-7, NaN, Infinity, -Infinity].map((value, i) => ({ labels: { i: String(i) }, value })) }]);
    expect(text.split('\n').slice(2, -1).map((l) => l.split(' ')[1])).toEqual(['0', '0.25', '1e-7', 'NaN', '+Inf', '-Inf']);
    expect(parsePrometheusText(text)[0]?.samples.map((s) => s.value)).toEqual([0, 0.25, 1e-7, NaN, Infinity, -Infinity]);
  });

  it('a bad metric or label name, or a family twice, is a bug: it throws', () => {
    expect(() => renderPrometheusText([{ name: 'xenherd-bad', help: '', type: 'gauge', samples: [] }])).toThrow(/metric name/);
    expect(() => renderPrometheusText([{ name: 'x', help: '', type: 'gauge', samples: [{ labels: { 'bad-label': 'v' }, value: 1 }] }])).toThrow(/label name/);
    expect(() => renderPrometheusText([{ name: 'x', help: '', type: 'gauge', samples: [{ labels: { __name__: 'v' }, value: 1 }] }])).toThrow(/label name/);
    expect(() => renderPrometheusText([{ name: 'x', help: '', type: 'gauge', samples: [] }, { name: 'x', help: '', type: 'counter', samples: [] }])).toThrow(/twice/);
  });
});

describe('the strict test parser refuses what the format does not allow', () => {
  const refuses = (text: string, why: RegExp): void => void expect(() => parsePrometheusText(text), JSON.stringify(text)).toThrow(why);

  it('line structure, escapes, names and values', () => {
    refuses('x 1', /line feed/);
    refuses('x{a="new\nline"} 1\n', /unterminated|bad metric name|value/);
    refuses('x{a="\\t"} 1\n', /invalid escape/);
    refuses('# HELP x bad \\t escape\n', /invalid escape/);
    refuses('x-y 1\n', /metric name|blank/);
    refuses('x{1a="v"} 1\n', /label name/);
    refuses('x{a="v",a="w"} 1\n', /twice/);
    refuses('x one\n', /not a float/);
    refuses('x 1 2 3\n', /value \[timestamp\]/);
    refuses('x 1\nx 2\n', /twice/);
  });

  it('metadata and grouping', () => {
    refuses('# TYPE x gauge\n# TYPE x gauge\nx 1\n', /second TYPE/);
    refuses('# TYPE x gaugey\n', /unknown type/);
    refuses('x 1\n# TYPE x gauge\n', /after its samples/);
    refuses('x{a="1"} 1\ny 1\nx{a="2"} 1\n', /two places/);
    refuses('# TYPE c_total counter\nc_total -1\n', /counter/);
  });

  it('histograms', () => {
    const h = (lines: string[]): string => ['# TYPE h histogram', ...lines, ''].join('\n');
    refuses(h(['h_bucket{le="1"} 2', 'h_bucket{le="+Inf"} 1', 'h_sum 1', 'h_count 1']), /cumulative/);
    refuses(h(['h_bucket{le="1"} 1', 'h_sum 1', 'h_count 1']), /\+Inf/);
    refuses(h(['h_bucket{le="+Inf"} 2', 'h_sum 1', 'h_count 1']), /_count/);
    expect(parsePrometheusText(h(['h_bucket{le="1"} 1', 'h_bucket{le="+Inf"} 2', 'h_sum 3', 'h_count 2']))[0]?.samples).toHaveLength(4);
  });
});
