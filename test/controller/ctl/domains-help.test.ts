import { expect, it } from 'vitest';
import { domainsHelp } from '../../../controller/ctl/help/listing.js';
import { DomainStateSchema } from '../../../shared/domain-words.js';

// `xenherdctl domains` prints xl's state words: a newcomer saw every running guest as "blocked",
// which `where` calls running, and nothing said blocked is an idle guest's usual state.
it('domains --help says what each STATE word means, blocked among the live ones', () => {
  const help = (domainsHelp.help ?? '').replace(/\s+/g, ' ');
  for (const word of DomainStateSchema.options) expect(help).toMatch(new RegExp(`\\b${word}\\b`));
  expect(help).toContain('blocked (waiting for work');
  expect(help).toMatch(/are a live guest, as where says running/);
});
