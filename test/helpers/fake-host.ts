import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** What a fake tool answers to one exact argv. */
export interface Canned {
  readonly stdout?: string;
  readonly stderr?: string;
  readonly rc?: number;
}

export interface FakeHostSpec {
  /** tool name → (argv joined by single spaces → answer). Tools not listed do not exist. */
  readonly tools: Readonly<Record<string, Readonly<Record<string, Canned>>>>;
  /** absolute host path → content, created under the host root (e.g. /proc/drbd) */
  readonly files?: Readonly<Record<string, string>>;
}

export interface FakeHost {
  readonly root: string;
  readonly binDir: string;
  /** env for a process "on" this host: fake tools first on PATH, files under XENHERD_HOST_ROOT */
  readonly env: Record<string, string>;
  readonly cleanup: () => void;
}

const key = (argv: string): string => Buffer.from(argv).toString('hex') || 'empty';

/**
 * A host made of real files and real executables: each fake tool is a small sh script that
 * prints canned output for an exact argv and fails loudly (exit 97) for any other argv, so a
 * test notices a call it did not plan for.
 */
export function makeFakeHost(spec: FakeHostSpec): FakeHost {
  const base = mkdtempSync(join(tmpdir(), 'xenherd-fakehost-'));
  const root = join(base, 'root');
  const binDir = join(base, 'bin');
  mkdirSync(root);
  mkdirSync(binDir);
  for (const [tool, answers] of Object.entries(spec.tools)) {
    const dir = join(base, 'answers', tool);
    mkdirSync(dir, { recursive: true });
    for (const [argv, a] of Object.entries(answers)) {
      writeFileSync(join(dir, `${key(argv)}.out`), a.stdout ?? '');
      writeFileSync(join(dir, `${key(argv)}.err`), a.stderr ?? '');
      writeFileSync(join(dir, `${key(argv)}.rc`), String(a.rc ?? 0));
    }
    const script = [
      '#!/bin/sh',
      `d='${dir}'`,
      'k=$(printf %s "$*" | od -An -tx1 | tr -d " \\n")',
      '[ -n "$k" ] || k=empty',
      'if [ ! -f "$d/$k.rc" ]; then echo "fake ' + tool + ': no answer for: $*" >&2; exit 97; fi',
      'cat "$d/$k.out"; cat "$d/$k.err" >&2; exit "$(cat "$d/$k.rc")"',
      '',
    ].join('\n');
    writeFileSync(join(binDir, tool), script);
    chmodSync(join(binDir, tool), 0o755);
  }
  for (const [path, content] of Object.entries(spec.files ?? {})) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  // PATH holds the fake tools and links to the few utilities the scripts use: a real xl or
  // drbdadm installed on the machine must never be reached.
  const sysBin = join(base, 'sysbin');
  mkdirSync(sysBin);
  for (const util of ['cat', 'od', 'tr', 'sleep']) symlinkSync(which(util), join(sysBin, util));
  return {
    root,
    binDir,
    env: { PATH: `${binDir}:${sysBin}`, XENHERD_HOST_ROOT: root, HOME: base, LANG: 'C' },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

function which(util: string): string {
  for (const dir of ['/usr/bin', '/bin']) if (existsSync(join(dir, util))) return join(dir, util);
  throw new Error(`${util} not found in /usr/bin or /bin`);
}
