/**
 * Where index AT of TEXT is, as an editor shows it: 1-based line and column. \r\n, \n and a lone
 * \r each end a line; columns count characters, not UTF-16 units (a surrogate pair counts once).
 */
export function lineAndColumn(text: string, at: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: [...text.slice(lineStart, at)].length + 1 };
}
