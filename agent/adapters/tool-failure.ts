import type { XhError } from '../../shared/errors.js';
import type { ParseFailure } from '../parse/parse-failure.js';

/**
 * How an external tool went wrong. Never thrown: adapters return it inside a Result so callers
 * handle it as data (DESIGN §4.3).
 */
export interface ToolFailure extends XhError {
  /** XH_ERR_TOOL_OUTPUT here: more output than we keep (a cut answer is refused, not parsed) */
  readonly code: 'XH_ERR_TOOL_NOT_FOUND' | 'XH_ERR_TOOL_FAILED' | 'XH_ERR_TOOL_TIMEOUT' | 'XH_ERR_TOOL_OUTPUT';
  readonly tool: string;
  readonly args: readonly string[];
  /** null when the process never ran or was killed by a signal. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

export type AdapterFailure = ToolFailure | ParseFailure;
