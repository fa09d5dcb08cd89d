import type { ParsedArgv } from '../../shared/cli/argv.js';

export const optionValue = (a: ParsedArgv, name: string): string | undefined => {
  const v = a.options[name];
  return typeof v === 'string' ? v : undefined;
};
