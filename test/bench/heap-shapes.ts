// A heap snapshot of this process summed by object shape: each object's constructor name and its
// first few property names (plain objects are all "Object": their keys tell a DRBD peer from a row),
// so a census can say which kinds of object fill the heap.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';

interface Snapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[]; readonly node_types: [string[]]; readonly edge_fields: string[]; readonly edge_types: [string[]] } };
  readonly nodes: number[];
  readonly edges: number[];
  readonly strings: string[];
}

/** The TOP shapes by bytes (their own sizes, not what they retain): [shape, bytes, count]. */
export async function heapShapes(top: number): Promise<Array<[string, number, number]>> {
  const dir = mkdtempSync(join(tmpdir(), 'xenherd-heap-'));
  try {
    const file = writeHeapSnapshot(join(dir, 'census.heapsnapshot'));
    return shapesOf(JSON.parse(readFileSync(file, 'utf8')) as Snapshot, top);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function shapesOf(s: Snapshot, top: number): Array<[string, number, number]> {
  const nf = s.snapshot.meta.node_fields;
  const ef = s.snapshot.meta.edge_fields;
  const nodeTypes = s.snapshot.meta.node_types[0];
  const edgeTypes = s.snapshot.meta.edge_types[0];
  const [TYPE, NAME, SIZE, EDGES] = ['type', 'name', 'self_size', 'edge_count'].map((f) => nf.indexOf(f));
  const [ETYPE, ENAME] = ['type', 'name_or_index'].map((f) => ef.indexOf(f));
  const sums = new Map<string, [number, number]>();
  let edge = 0;
  for (let n = 0; n < s.nodes.length; n += nf.length) {
    const type = nodeTypes[s.nodes[n + (TYPE ?? 0)] ?? 0] ?? '?';
    const name = type === 'string' || type === 'concatenated string' || type === 'sliced string' ? '' : (s.strings[s.nodes[n + (NAME ?? 0)] ?? 0] ?? '?');
    const edges = s.nodes[n + (EDGES ?? 0)] ?? 0;
    const keys: string[] = [];
    for (let e = 0; e < edges && keys.length < 4; e++) {
      const at = (edge + e) * ef.length;
      if (edgeTypes[s.edges[at + (ETYPE ?? 0)] ?? 0] === 'property') keys.push(s.strings[s.edges[at + (ENAME ?? 0)] ?? 0] ?? '?');
    }
    edge += edges;
    const shape = type === 'object' ? `${name}{${keys.join(',')}}` : `(${type}) ${name.slice(0, 40)}`;
    const sum = sums.get(shape) ?? [0, 0];
    sum[0] += s.nodes[n + (SIZE ?? 0)] ?? 0;
    sum[1]++;
    sums.set(shape, sum);
  }
  return [...sums].map(([shape, [bytes, count]]): [string, number, number] => [shape, bytes, count]).sort((a, b) => b[1] - a[1]).slice(0, top);
}
