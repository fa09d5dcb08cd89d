import type { ParsedArgv } from '../../../shared/cli/argv.js';
import type { CliIo } from '../../../shared/cli/io.js';
import type { XhError } from '../../../shared/errors.js';
import { CheckAnswerSchema, CheckThresholdsSchema, DEFAULT_CHECK_THRESHOLDS, type CheckThresholds } from '../../../shared/protocol/ctl-check.js';
import { err, ok, type Result } from '../../../shared/result.js';
import { begin, wantsJson, type CtlHooks } from '../context.js';
import { parseDuration } from '../duration.js';
import { CHECK_USAGE } from '../help/check.js';
import { renderCheck, unknownOutput, type PluginOutput } from '../nagios-output.js';
import { optionValue } from '../options.js';

const OPTIONS: ReadonlyArray<readonly [string, keyof CheckThresholds]> = [
  ['warn-deferred', 'warnDeferredMs'],
  ['crit-deferred', 'critDeferredMs'],
  ['not-home-after', 'notHomeAfterMs'],
];

/** The thresholds from the command line, defaults for those not given. */
function thresholdsOf(args: ParsedArgv): Result<CheckThresholds, XhError> {
  const t: Record<string, number> = { ...DEFAULT_CHECK_THRESHOLDS };
  for (const [option, key] of OPTIONS) {
    const text = optionValue(args, option);
    if (text === undefined) continue;
    const ms = parseDuration(text);
    if (ms === null) return err({ code: 'XH_ERR_USAGE', message: `--${option} ${JSON.stringify(text)} is not a duration (e.g. 90s, 15m, 1h)` });
    t[key] = ms;
  }
  const parsed = CheckThresholdsSchema.safeParse(t);
  return parsed.success ? ok(parsed.data) : err({ code: 'XH_ERR_USAGE', message: `${parsed.error.issues[0]?.message ?? 'bad thresholds'} (--warn-deferred, --crit-deferred)` });
}

async function verdict(argv: readonly string[], io: CliIo, hooks: CtlHooks, json: boolean): Promise<PluginOutput> {
  const inv = begin(argv, io, hooks, OPTIONS.map(([name]) => ({ name, takesValue: true })), [0, 0], CHECK_USAGE);
  if (!inv.ok) return unknownOutput(inv.error, json);
  const t = thresholdsOf(inv.value.args);
  if (!t.ok) return unknownOutput(t.error, json);
  const query = new URLSearchParams(OPTIONS.map(([, key]): [string, string] => [key, String(t.value[key])]));
  const r = await inv.value.client.get(`/check?${query.toString()}`, CheckAnswerSchema);
  if (!r.ok) return unknownOutput(r.error, json);
  // a controller that judged by other thresholds than asked must not pass for an answer
  if (OPTIONS.some(([, key]) => r.value.thresholds[key] !== t.value[key])) {
    return unknownOutput({ code: 'XH_ERR_PROTOCOL', message: 'the controller judged with other thresholds than asked: are xenherdctl and the controller the same version?' }, json);
  }
  return json ? { text: `${JSON.stringify(r.value)}\n`, exitCode: renderCheck(r.value).exitCode } : renderCheck(r.value);
}

/**
 * A Nagios plugin: whatever goes wrong (a bad option, no config, the controller down or refusing
 * the token, an answer that is not one, a bug here) ends as one UNKNOWN line on stdout and exit
 * 3, never with another code: a monitoring system reads anything else as a broken plugin.
 */
export async function check(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const json = wantsJson(argv);
  let out: PluginOutput;
  try {
    out = await verdict(argv, io, hooks, json);
  } catch (e) {
    out = unknownOutput({ code: 'XH_ERR_INTERNAL', message: e instanceof Error ? e.message : String(e) }, json);
  }
  io.stdout(out.text);
  return out.exitCode;
}
