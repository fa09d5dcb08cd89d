// What V8's sampling heap profiler gives, named by source site: shared by the measures of what the
// controller allocates per agent delta (ingest-alloc.ts) and per where request (where-alloc.ts).
import { findSourceMap } from 'node:module';

/** A node of the profile HeapProfiler.stopSampling returns. */
export interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/** A frame of the bundle run-ts.mjs made, as its source file and line (run with --enable-source-maps) */
export function site(f: ProfileNode['callFrame']): string {
  const entry = findSourceMap(f.url)?.findEntry(f.lineNumber, f.columnNumber);
  const at = entry !== undefined && 'originalSource' in entry ? `${entry.originalSource}:${entry.originalLine + 1}` : `${f.url}:${f.lineNumber + 1}`;
  return `${f.functionName || '(anonymous)'} ${at.replace(/^.*?\/(?=(controller|shared|agent|test|node_modules)\/)/, '')}`;
}

/** N's site; a built-in (JSON.parse, a Map's set) has no source and is named with CALLER, the site that called it */
export const nodeSite = (n: ProfileNode, caller: string): string => (n.callFrame.url === '' ? `${n.callFrame.functionName || '(builtin)'} < ${caller}` : site(n.callFrame));
