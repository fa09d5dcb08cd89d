import { describe, expect, it } from 'vitest';
import { detailLine } from '../../../controller/ctl/commands/migrate.js';

describe("the agent's own words under a failed migrate or reverse", () => {
  it("its JSON answer (a move it called done that the reports do not show) is said to be the agent's answer", () => {
    expect(detailLine('{"ok":true,"domu":"mail1","targetConfirmed":true}')).toBe('the agent\'s answer: {"ok":true,"domu":"mail1","targetConfirmed":true}');
  });

  it('plain text (what xl printed) stands as it is, escaped for the terminal', () => {
    expect(detailLine('xl said so')).toBe('xl said so');
    expect(detailLine('bad\u001b[2J')).toBe('bad\\x1b[2J');
  });
});
