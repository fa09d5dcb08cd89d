/**
 * JSON as libxl's yajl generator prints it beautified: four-space indent, `"key": value`, and an
 * empty map or array as its opening line, a blank line and its close (JSON.stringify prints `{}`).
 */
export function yajlBeautify(v: unknown, indent = ''): string {
  const inner = `${indent}    `;
  if (Array.isArray(v)) {
    if (v.length === 0) return `[\n\n${indent}]`;
    return `[\n${v.map((x) => inner + yajlBeautify(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    if (entries.length === 0) return `{\n\n${indent}}`;
    return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${yajlBeautify(x, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v);
}
