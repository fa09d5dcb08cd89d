import type { XhError } from '../../shared/errors.js';

/**
 * Output the tool printed that does not match what the parser expects. `line` is 1-based within
 * the tool's stdout (0 when the problem is the output as a whole, e.g. empty or truncated).
 */
export interface ParseFailure extends XhError {
  readonly code: 'XH_ERR_TOOL_OUTPUT';
  readonly tool: string;
  readonly line: number;
  readonly text: string;
  readonly expected: string;
}

export const parseFailure = (tool: string, line: number, text: string, expected: string): ParseFailure => ({
  code: 'XH_ERR_TOOL_OUTPUT',
  tool,
  line,
  text,
  expected,
  message:
    line > 0
      ? `${tool}: output line ${line} ${JSON.stringify(text.slice(0, 200))}: expected ${expected}`
      : `${tool}: output ${text === '' ? 'is empty' : JSON.stringify(text.slice(0, 200))}: expected ${expected}`,
});
