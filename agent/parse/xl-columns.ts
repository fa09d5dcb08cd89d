/**
 * Column helpers shared by the `xl list` and `xm list` parsers. Both print the name with `%-40s`,
 * which does not truncate: a longer name pushes every column right. So rows are read from the
 * right, and whatever is left is the name. Written as plain loops (no backtracking regex) so a
 * hostile or huge line costs linear time.
 */

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t';

/**
 * Takes up to `count` whitespace-separated fields off the right end of `line`.
 * Returns the fields left-to-right and the untouched rest (`head`, trailing blanks removed).
 */
export function takeRight(line: string, count: number): { head: string; fields: string[] } {
  const fields: string[] = [];
  let end = line.length;
  while (fields.length < count) {
    while (end > 0 && isSpace(line[end - 1])) end--;
    if (end === 0) break;
    let start = end;
    while (start > 0 && !isSpace(line[start - 1])) start--;
    fields.unshift(line.slice(start, end));
    end = start;
  }
  while (end > 0 && isSpace(line[end - 1])) end--;
  return { head: line.slice(0, end), fields };
}

/** Header of both `xl list` and `xm list`; xl separates the last three with TABs, xm with spaces. */
export const LIST_HEADER_RE = /^Name[ \t]+ID[ \t]+Mem[ \t]+VCPUs[ \t]+State[ \t]+Time\(s\)[ \t]*$/;

export const UINT_RE = /^\d{1,15}$/;
/** `%8.1f` of a non-negative float. */
export const CPU_TIME_RE = /^\d{1,15}\.\d$/;
