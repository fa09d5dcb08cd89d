import type { XhError } from '../../shared/errors.js';

/**
 * A problem in a configuration file xenherd reads (domU configs, migrate-tab, DRBD .res files).
 * It names the file, the 1-based line (and column when it helps) and says what was expected, so
 * an operator can fix the file without reading xenherd's code.
 */
export interface ConfigFileError extends XhError {
  readonly code: 'XH_ERR_CONFIG';
  readonly file: string;
  readonly line: number;
  /** 1-based; null when the whole line (or file) is the problem */
  readonly column: number | null;
  /** what is wrong, e.g. "unterminated string" */
  readonly problem: string;
  /** what was expected or how to fix it */
  readonly expected: string;
}

export function configError(file: string, line: number, column: number | null, problem: string, expected: string): ConfigFileError {
  const where = column === null ? `${file}:${line}` : `${file}:${line}:${column}`;
  return { code: 'XH_ERR_CONFIG', file, line, column, problem, expected, message: `${where}: ${problem}; ${expected}` };
}

/** Quote a piece of the offending text for a message, short enough for a log line. */
export const near = (text: string): string => JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
