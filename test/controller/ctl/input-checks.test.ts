import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { compilePattern } from '../../../shared/name-pattern.js';
import { controllerBed } from '../api/controller-bed.js';
import { dom, hostState } from '../states.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

// What xenherdctl refuses before it asks the controller, and how it says so.
const TOKEN = `xh1.000000000000.${'a'.repeat(43)}`;
/** a loopback port nothing listens on: anything that reaches the network exits 87 */
const DOWN = { XENHERD_URL: 'http://127.0.0.1:1', XENHERD_TOKEN: TOKEN };
const bed = controllerBed();

describe('a where pattern is checked here, as the controller checks it', () => {
  it('names the pattern and its first bad character', () => {
    const e = (p: string): string => {
      const r = compilePattern(p);
      if (r.ok) throw new Error(`${p} compiled`);
      return r.error;
    };
    expect(e('web1 ')).toBe('"web1 " is not a pattern: character 5, " ", is not allowed; a pattern is a domU name or a glob of letters, digits, . _ - and * ? [ ] ! (1 to 128 characters)');
    expect(e('web1\n')).toMatch(/^"web1\\n" is not a pattern: character 5, "\\n", is not allowed; /);
    expect(e('wéb')).toMatch(/^"wéb" is not a pattern: character 2, "é", is not allowed/);
    expect(e('')).toMatch(/^the pattern is empty: a pattern is a domU name/);
    expect(e('web[')).toBe('unclosed "[" in "web[": close it with "]" (e.g. web[0-9]*)');
    // a long one is cut in the message, its length given
    const long = e('a'.repeat(20_000));
    expect(long).toBe(`"${'a'.repeat(100)}"... (20000 characters) is not a pattern: it is longer than 128 characters; a pattern is a domU name or a glob of letters, digits, . _ - and * ? [ ] ! (1 to 128 characters)`);
  });

  it('with the controller down: a bad pattern is 64 (usage), with the message the controller would give', async () => {
    const ctl = ctlFor(null);
    for (const p of ['[', 'web1 ', 'web1\n', 'x'.repeat(20_000)]) {
      const r = await ctl(['where', p], DOWN);
      expect(r.code, r.stderr).toBe(64);
      const expected = compilePattern(p);
      expect(expected.ok).toBe(false);
      if (!expected.ok) expect(r.stderr).toBe(`xenherdctl: XH_ERR_USAGE: ${expected.error}\n`);
    }
    // a good one does try the network
    expect((await ctl(['where', 'web*'], DOWN)).code).toBe(87);
  });

  it('--json puts the usage error on stdout too', async () => {
    const r = await ctlFor(null)(['where', 'a b', '--json'], DOWN);
    expect(r.code).toBe(64);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'XH_ERR_USAGE', message: expect.stringMatching(/^"a b" is not a pattern: character 2, " "/) } });
  });
});

describe('an option that takes a value is never given the next option', () => {
  it('roll xen1 --reboot-command --dry-run: a usage error (2) before any connection, not a roll that runs "--dry-run"', async () => {
    const ctl = ctlFor(null);
    const r = await ctl(['roll', 'xen1', '--reboot-command', '--dry-run'], DOWN);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^xenherdctl: XH_ERR_USAGE: option --reboot-command needs a value, not the option "--dry-run" \(a value that starts with "-" is written --reboot-command=VALUE\); usage: xenherdctl roll HOST\.\.\. /);
    expect((await ctl(['drain', 'xen1', '--max-parallel', '--dry-run'], DOWN)).code).toBe(2);
    expect((await ctl(['domains', '--host', '--json'], DOWN)).code).toBe(64);
  });
});

describe('drain and restore take one HOST', () => {
  it('given several: a usage error (2) naming plan drain and roll, before any connection', async () => {
    const ctl = ctlFor(null);
    const d = await ctl(['drain', 'xen1', 'xen2', '--max-parallel', '2'], DOWN);
    expect([d.code, d.stderr]).toEqual([2, 'xenherdctl: XH_ERR_USAGE: drain takes one HOST, not 2: drain them one after the other (`xenherdctl plan drain xen1 xen2` shows whether the rest of the fleet holds all their domUs), or `xenherdctl roll xen1 xen2` to drain, reboot and restore each in turn; usage: xenherdctl drain HOST [--max-parallel N] [--cold-fallback] [--allow-partial] [--timeout DURATION] [--dry-run] [--json]\n']);
    const r = await ctl(['restore', 'xen1', 'xen2', 'xen3', '--json'], DOWN);
    expect([r.code, JSON.parse(r.stdout)]).toEqual([2, { error: { code: 'XH_ERR_USAGE', message: expect.stringMatching(/^restore takes one HOST, not 3: restore them one after the other; usage: xenherdctl restore HOST /) } }]);
    // a name from the command line reaches the terminal only printable
    expect((await ctl(['drain', 'xen1', 'x\u001b[2J'], DOWN)).stderr).toContain('roll xen1 x\\x1b[2J`');
    // one HOST goes on to the (down) controller
    expect((await ctl(['drain', 'xen1'], DOWN)).code).toBe(87);
  });
});

describe('roll and plan drain|roll take at most 256 hosts, and say so', () => {
  it('257 hosts: a usage error (2) naming the limit and the way round it; 256 go on to the (down) controller', async () => {
    const ctl = ctlFor(null);
    const hosts = (n: number): string[] => Array.from({ length: n }, (_, i) => `xen${i}`);
    for (const argv of [['roll', '--wait-for-reboot'], ['plan', 'roll'], ['plan', 'drain']]) {
      const r = await ctl([...argv, ...hosts(257)], DOWN);
      const what = argv[0] === 'roll' ? 'roll' : `plan ${argv[1]}`;
      expect([argv, r.code, r.stderr]).toEqual([argv, 2, `xenherdctl: XH_ERR_USAGE: ${what} takes at most 256 hosts, not 257: give them in parts of at most 256 (a rack or a row at a time), one after the other\n`]);
      expect((await ctl([...argv, ...hosts(256)], DOWN)).code).toBe(87);
    }
  });
});

describe('plan takes only the options of the plan kind it is given', () => {
  it('plan drain|restore|roll --max-moves: a usage error (2) naming the option and plan rebalance, before any connection', async () => {
    const ctl = ctlFor(null);
    for (const argv of [['plan', 'drain', 'xen1'], ['plan', 'roll', 'xen1', 'xen2'], ['plan', 'restore', 'xen1']]) {
      const r = await ctl([...argv, '--max-moves', '2'], DOWN);
      expect([argv, r.code, r.stderr]).toEqual([argv, 2, expect.stringMatching(new RegExp(`^xenherdctl: XH_ERR_USAGE: plan ${argv[1]} takes no --max-moves: only plan rebalance does; usage: xenherdctl plan `))]);
    }
    const json = await ctl(['plan', 'drain', 'xen1', '--max-moves=2', '--json'], DOWN);
    expect([json.code, JSON.parse(json.stdout)]).toEqual([2, { error: { code: 'XH_ERR_USAGE', message: expect.stringMatching(/^plan drain takes no --max-moves/) } }]);
    // --max-parallel is drain's (and roll's), not plan's: plan refuses it as it does any unknown option
    expect((await ctl(['plan', 'drain', 'xen1', '--max-parallel', '2'], DOWN)).stderr).toMatch(/^xenherdctl: XH_ERR_USAGE: unknown option "--max-parallel"/);
    // an unknown kind is named as such, whatever the options
    expect((await ctl(['plan', 'nothing', '--max-moves', '2'], DOWN)).stderr).toMatch(/^xenherdctl: XH_ERR_USAGE: unknown plan "nothing"; usage: /);
    // where they belong they are sent: the command reaches for the (down) controller
    expect((await ctl(['plan', 'rebalance', '--max-moves', '2'], DOWN)).code).toBe(87);
    expect((await ctl(['plan', 'drain', 'xen1'], DOWN)).code).toBe(87);
  });
});

describe('--group-size goes with roll and plan roll only', () => {
  it('elsewhere, or not a whole number from 1 to 256, it is a usage error (2) before any connection', async () => {
    const ctl = ctlFor(null);
    for (const argv of [['plan', 'drain', 'xen1'], ['plan', 'restore', 'xen1'], ['plan', 'rebalance']]) {
      const r = await ctl([...argv, '--group-size', '2'], DOWN);
      expect([argv, r.code, r.stderr]).toEqual([argv, 2, expect.stringMatching(new RegExp(`^xenherdctl: XH_ERR_USAGE: plan ${argv[1]} takes no --group-size: only plan roll does; usage: xenherdctl plan `))]);
    }
    expect((await ctl(['drain', 'xen1', '--group-size', '2'], DOWN)).stderr).toMatch(/^xenherdctl: XH_ERR_USAGE: unknown option "--group-size"/);
    for (const bad of ['0', '257', '1.5', 'two']) {
      for (const argv of [['roll', 'xen1', 'xen2'], ['plan', 'roll', 'xen1', 'xen2']]) {
        const r = await ctl([...argv, '--group-size', bad], DOWN);
        expect([argv, bad, r.code, r.stderr]).toEqual([argv, bad, 2, `xenherdctl: XH_ERR_USAGE: --group-size ${JSON.stringify(bad)}: a whole number from 1 to 256\n`]);
      }
    }
    // where it belongs it is sent: the command reaches for the (down) controller
    expect((await ctl(['plan', 'roll', 'xen1', 'xen2', '--group-size', '1'], DOWN)).code).toBe(87);
    expect((await ctl(['roll', 'xen1', 'xen2', '--group-size', '1', '--dry-run'], DOWN)).code).toBe(87);
  });
});

describe('rebalance --dry-run, as drain, restore and roll take it', () => {
  it('is the default dry run (it asks the controller); with --apply it is a usage error (2), before any connection', async () => {
    const ctl = ctlFor(null);
    expect((await ctl(['rebalance', '--dry-run'], DOWN)).code).toBe(87);
    const both = await ctl(['rebalance', '--apply', '--dry-run'], DOWN);
    expect([both.code, both.stderr]).toEqual([2, expect.stringMatching(/^xenherdctl: XH_ERR_USAGE: --apply and --dry-run contradict each other: give one; usage: xenherdctl rebalance \[--apply \| --dry-run\]/)]);
  });
});

describe('migrate, reverse and ssh take a domU name, and say what one may contain', () => {
  it('a pattern or a bad character: 64 before any connection, naming the rule', async () => {
    const ctl = ctlFor(null);
    const m = await ctl(['migrate', 'web*', 'xen2'], DOWN);
    expect(m.code).toBe(64);
    expect(m.stderr).toBe(
      'xenherdctl: XH_ERR_USAGE: "web*" is not a domU name: character 4, "*", is not allowed; a domU name is 1 to 64 letters, digits, . _ and -, starting with a letter or digit (migrate takes one exact name, not a pattern: xenherdctl where PATTERN lists the names a pattern matches)\n',
    );
    expect((await ctl(['reverse', '-web'], DOWN)).stderr).toMatch(/XH_ERR_USAGE: unknown option "-web"/);
    expect((await ctl(['reverse', '.web'], DOWN)).stderr).toMatch(/"\.web" is not a domU name: it starts with "\."; a domU name is/);
    expect((await ctl(['ssh', 'web 1'], DOWN)).stderr).toMatch(/"web 1" is not a domU name: character 4, " ", is not allowed; a domU name is/);
    expect((await ctl(['migrate', 'w'.repeat(65)], DOWN)).stderr).toMatch(/is not a domU name: it is longer than 64 characters;/);
    expect((await ctl(['migrate', 'web01', 'xen 2'], DOWN)).stderr).toMatch(/"xen 2" is not a host name/);
  });
});

describe('xenherdctl ssh NAME --json: the Dom0 and the ssh command line, nothing run', () => {
  it('--json before NAME, or alone right after it, is xenherdctl\'s; after -- it is part of the remote command', async () => {
    const c = await bed.start();
    const xen2 = await c.agent('xen2');
    xen2.hello();
    xen2.snapshot(hostState({ domains: [dom('web01')] }));
    await until(() => c.core.hosts().hosts.some((h) => h.reported), 'xen2 reported', { limitMs: 10_000 });
    const ctl = ctlFor(c);
    for (const argv of [
      ['ssh', 'web01', '--json'],
      ['ssh', '--json', 'web01'],
    ]) {
      const r = await ctl(argv);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ name: 'web01', host: 'xen2', stale: false, argv: ['ssh', 'root@xen2'] });
    }
    const withCmd = await ctl(['ssh', 'web01', '--json', '--', 'xl', 'list', '-l']);
    expect(JSON.parse(withCmd.stdout)).toMatchObject({ argv: ['ssh', 'root@xen2', 'xl', 'list', '-l'] });
    expect(ctl.sshCalls).toEqual([]);
    expect((await ctl(['ssh', 'web01', '--', 'echo', '--json'])).code).toBe(0);
    expect(ctl.sshCalls).toEqual([['root@xen2', 'echo', '--json']]);
    const none = await ctl(['ssh', 'nope', '--json']);
    expect(none.code).toBe(1);
    expect(JSON.parse(none.stdout)).toEqual({ error: { code: 'XH_ERR_NOT_FOUND', message: 'no domU named nope' } });
    const help = await ctl(['ssh', '--help']);
    expect(help.stdout).toMatch(/usage: xenherdctl ssh \[--json\] NAME \[CMD\.\.\.\]/);
    expect(help.stdout).toMatch(/--json {2}run nothing: print/);
    // what follows -- reaches ssh as typed: its own -t (a terminal for xl console) before the command
    expect(help.stdout).toMatch(/ssh's own options come\n {2}first: xenherdctl ssh web01 -t xl console web01/);
    expect((await ctl(['ssh', 'web01', '--', '-t', 'xl', 'console', 'web01'])).code).toBe(0);
    expect(ctl.sshCalls.at(-1)).toEqual(['root@xen2', '-t', 'xl', 'console', 'web01']);
  });
});

describe('the controller URL is https://HOST:PORT and nothing more', () => {
  it('XENHERD_URL with a user, password, path, query or fragment: 78, naming the variable and the fix, never the password', async () => {
    const ctl = ctlFor(null);
    const r = await ctl(['hosts'], { XENHERD_URL: 'https://u:s3cret@ctl.example:7443/some/path?x#f', XENHERD_TOKEN: TOKEN });
    expect(r.code).toBe(78);
    expect(r.stderr).toBe(
      `xenherdctl: XH_ERR_CONFIG: XENHERD_URL: the controller's URL is https://HOST:PORT and nothing more, but this one has a user name and password, a path ("/some/path"), a query ("?x"), a fragment ("#f"): give https://ctl.example:7443 (https://HOST:PORT)\n`,
    );
    for (const url of ['https://ctl.example:7443/v1', 'https://ctl.example:7443?', 'https://ctl.example:7443/#', 'https://alice@ctl.example:7443']) {
      const e = await ctl(['hosts'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
      expect(e.code, url).toBe(78);
      expect(e.stderr).toMatch(/XENHERD_URL: the controller's URL is https:\/\/HOST:PORT and nothing more/);
    }
    // orchestration commands keep their own code for configuration errors; check is UNKNOWN
    expect((await ctl(['drain', 'xen1'], { XENHERD_URL: 'https://ctl.example:7443/x', XENHERD_TOKEN: TOKEN })).code).toBe(2);
    expect((await ctl(['check'], { XENHERD_URL: 'https://ctl.example:7443/x', XENHERD_TOKEN: TOKEN })).code).toBe(3);
  });

  it('ctl.json\'s url too, naming the file and key; a bare origin (with or without "/") is fine', async () => {
    const home = mkdtempSync(join(tmpdir(), 'xenherd-ctlurl-'));
    onTestFinished(() => rmSync(home, { recursive: true, force: true }));
    mkdirSync(join(home, '.config', 'xenherd'), { recursive: true });
    const file = join(home, '.config', 'xenherd', 'ctl.json');
    writeFileSync(file, JSON.stringify({ url: 'https://ctl.example:7443/xenherd', token: TOKEN }));
    const ctl = ctlFor(null);
    const r = await ctl(['hosts'], { HOME: home });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`XH_ERR_CONFIG: ${file}: key "url": the controller's URL is https://HOST:PORT and nothing more, but this one has a path ("/xenherd")`);
    for (const url of ['http://127.0.0.1:1', 'http://127.0.0.1:1/']) {
      writeFileSync(file, JSON.stringify({ url, token: TOKEN }));
      expect((await ctl(['hosts'], { HOME: home })).code, url).toBe(87);
    }
  });

  it('ctl.json with a key given twice: 78, naming the file, the place and the key, before any connection', async () => {
    const home = mkdtempSync(join(tmpdir(), 'xenherd-ctltwice-'));
    onTestFinished(() => rmSync(home, { recursive: true, force: true }));
    mkdirSync(join(home, '.config', 'xenherd'), { recursive: true });
    const file = join(home, '.config', 'xenherd', 'ctl.json');
    // the url written first would lose to the older one below it without a word
    writeFileSync(file, `{\n  "url": "http://127.0.0.1:1",\n  "token": "${TOKEN}",\n  "url": "https://old.example:7443"\n}\n`);
    const r = await ctlFor(null)(['hosts'], { HOME: home });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`XH_ERR_CONFIG: ${file}: line 4, column 3: key "url" appears twice (lines 2 and 4): keep one`);
  });
});
