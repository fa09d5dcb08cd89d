import type { XhError } from '../../shared/errors.js';
import type { ParseFailure } from '../parse/parse-failure.js';
import { libxlSays } from '../parse/xl-stderr.js';

/**
 * How an external tool went wrong. Never thrown: adapters return it inside a Result so callers
 * handle it as data (DESIGN §4.3).
 */
export interface ToolFailure extends XhError {
  /**
   * XH_ERR_TOOL_OUTPUT here: more output than we keep (a cut answer is refused, not parsed);
   * XH_ERR_REFUSED: never run, the agent had stopped (run/tool-runs.ts)
   */
  readonly code: 'XH_ERR_TOOL_NOT_FOUND' | 'XH_ERR_TOOL_FAILED' | 'XH_ERR_TOOL_TIMEOUT' | 'XH_ERR_TOOL_OUTPUT' | 'XH_ERR_REFUSED';
  readonly tool: string;
  readonly args: readonly string[];
  /** null when the process never ran or was killed by a signal. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

export type AdapterFailure = ToolFailure | ParseFailure;

/**
 * Progress lines xl and xm print before the answer, failed or not (real 4.17 `xl create`:
 * "Parsing config from PATH", then "got a tsc mode string: …"; xm: "Using config file …"):
 * never the cause of a failure.
 */
const PREAMBLE_RE = /^(?:Parsing config from |Using config file |got a tsc mode string)/;
const ERRORISH_RE = /error|fail|unable|cannot|can't|denied|invalid|refused/i;
/**
 * What libxl and libxc say failed. xl's own complaints before them are about the config it read
 * and went on after (xl_parse.c ignores parse_nic_config's answer: a vif's "Invalid parameter
 * `type'." is printed, and the domain is still built), so these say why before those do.
 */
const LIB_ERROR_RE = /^(?:libxl|xc): error: /;
const MAX_CAUSE_LINES = 3;
const MAX_LINE_CHARS = 200;

/**
 * The lines of a failed tool's stderr that say why: its progress preamble skipped, lines that
 * read as errors preferred, libxl's and libxc's first (libxl prints the cause first, then what
 * it undid), at most three, each bounded; '' when nothing is left. The whole stderr stays in the
 * failure for the log.
 */
export function stderrCause(lines: readonly string[]): string {
  const useful = lines.map((l) => l.trim()).filter((l) => l !== '' && !PREAMBLE_RE.test(l));
  const errorish = useful.filter((l) => ERRORISH_RE.test(l));
  const errors = [...errorish.filter((l) => LIB_ERROR_RE.test(l)), ...errorish.filter((l) => !LIB_ERROR_RE.test(l))];
  const pool = errors.length > 0 ? errors : useful;
  const shown = pool.slice(0, MAX_CAUSE_LINES).map((l) => {
    const short = libxlSays(l);
    return short.length > MAX_LINE_CHARS ? `${short.slice(0, MAX_LINE_CHARS - 1)}…` : short;
  });
  const more = pool.length - shown.length;
  return shown.join('; ') + (more > 0 ? ` (and ${more} more line${more === 1 ? '' : 's'})` : '');
}

/** FAILURE, for a tool that exited non-zero, with the message naming the cause from its stderr. */
export function withStderrCause(f: ToolFailure, lines: readonly string[]): ToolFailure {
  if (f.code !== 'XH_ERR_TOOL_FAILED' || f.exitCode === null || f.signal !== null) return f;
  const cause = stderrCause(lines);
  return { ...f, message: `${[f.tool, ...f.args].join(' ')}: exit code ${f.exitCode}${cause ? `: ${cause}` : ''}` };
}
