import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseAgentConfig } from '../../agent/config/load.js';
import { parseControllerConfig } from '../../controller/config/load.js';
import { loadCtlConfig } from '../../controller/ctl/config.js';
import { nearestWord } from '../../shared/text/nearest-word.js';

const refusal = (r: { ok: true } | { ok: false; error: { message: string } }): string => {
  if (r.ok) throw new Error('expected a refusal');
  return r.error.message;
};

describe('an unknown config key names the key that was meant', () => {
  it('agent.json: a misspelt key, at the top and in a section, and a case slip', () => {
    const agent = (o: unknown): string => refusal(parseAgentConfig(JSON.stringify(o), '/etc/xenherd/agent.json'));
    expect(agent({ autostart: { paralel: 3 } })).toBe('/etc/xenherd/agent.json: unknown key "autostart.paralel" (did you mean "autostart.parallel"?): remove it or fix its spelling (see README, "xenherd-agent run")');
    expect(agent({ guardDir: '/etc/xen/auto' })).toContain('unknown key "guardDir" (did you mean "guardedDir"?)');
    expect(agent({ Autostart: {} })).toContain('unknown key "Autostart" (did you mean "autostart"?)');
    // inside a record of peers, each peer's keys
    expect(agent({ migration: { peers: { xen2: { adress: '10.0.0.2' } } } })).toContain('unknown key "migration.peers.xen2.adress" (did you mean "migration.peers.xen2.address"?)');
    // nothing close: the plain refusal
    expect(agent({ colour: 'blue' })).toBe('/etc/xenherd/agent.json: unknown key "colour": remove it or fix its spelling (see README, "xenherd-agent run")');
  });

  it('a key with spaces, quotes, commas or a control character is quoted as JSON, so it reads unambiguously', () => {
    const agent = (o: unknown): string => refusal(parseAgentConfig(JSON.stringify(o), '/etc/xenherd/agent.json'));
    // the space is one edit from the key meant: still suggested
    expect(agent({ 'auto start': {} })).toContain('unknown key "auto start" (did you mean "autostart"?): remove it');
    // a quote and a comma inside a key no longer look like the end of one key and the start of the next
    expect(agent({ 'a", "b': 1 })).toBe('/etc/xenherd/agent.json: unknown key "a\\", \\"b": remove it or fix its spelling (see README, "xenherd-agent run")');
    // an escape sequence reaches the terminal as words, not as a colour change
    const m = agent({ 'x\u001b[31my': 1 });
    expect(m).toContain('unknown key "x\\u001b[31my"');
    expect(m).not.toContain('\u001b');
    // a wrong value under such a key (a peer's name is the operator's own) is named the same way
    expect(agent({ migration: { peers: { 'x"y': { address: 5 } } } })).toContain('/etc/xenherd/agent.json: key "migration.peers.x\\"y.address": must be');
  });

  it('controller.json', () => {
    const m = refusal(parseControllerConfig(JSON.stringify({ tls: { cert: '/c', key: '/k' }, stateDir: '/var/lib/x', logLevle: 'debug' }), '/etc/xenherd/controller.json'));
    expect(m).toContain('unknown key "logLevle" (did you mean "logLevel"?)');
  });

  it('ctl.json', () => {
    const home = mkdtempSync(join(tmpdir(), 'xenherd-didyoumean-'));
    onTestFinished(() => rmSync(home, { recursive: true, force: true }));
    mkdirSync(join(home, '.config', 'xenherd'), { recursive: true });
    writeFileSync(join(home, '.config', 'xenherd', 'ctl.json'), JSON.stringify({ url: 'https://ctl.example:7443', tokn: 'xh1.x' }), { mode: 0o600 });
    expect(refusal(loadCtlConfig({ HOME: home }))).toContain('unknown key "tokn" (did you mean "token"?): remove it or fix its spelling (see xenherdctl --help)');
  });

  it('nearestWord: case first, then at most two edits, never more than half the word', () => {
    expect(nearestWord('URL', ['url', 'token'])).toBe('url');
    expect(nearestWord('tokne', ['url', 'token'])).toBe('token');
    expect(nearestWord('x', ['ca', 'url'])).toBeNull();
    expect(nearestWord('parallelism', ['parallel'])).toBeNull();
  });
});
