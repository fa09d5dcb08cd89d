// Test files that change what their worker holds for the next file: a module replaced with vi.mock,
// the working directory, the umask, environment variables, a spied-on built-in. The suite's other
// files share their worker's loaded modules (each file no longer pays for loading the whole code
// again, about a third of the suite's time); these run each in a module context of its own.
// test/vitest-projects.test.ts finds such files by what they call and fails until they are listed.
export const ownContextFiles: readonly string[] = [
  'test/shared/dual-stack.test.ts',
  'test/shared/fs-file-lock-handover.test.ts',
  'test/shared/fs-file-lock-errno.test.ts',
  'test/shared/fs-atomic-file.test.ts',
  'test/agent/control/socket-path.test.ts',
  'test/agent/cli/status-migration-halves.test.ts',
  'test/agent/cli/status-all-hint.test.ts',
  'test/agent/adapters/xenstore.test.ts',
  'test/agent/adapters/ledger-bak-warning.test.ts',
  'test/controller/cli/init-input.test.ts',
  // these spy only on an index each test builds, but a spy is a spy to the check that finds them
  'test/controller/fleet/look-shortlist.test.ts',
  'test/controller/fleet/fleet-counts-kept.test.ts',
  'test/controller/fleet/running-count.test.ts',
  // spies only on the agent message schema, to see the usual delta read without it
  'test/shared/delta-quick-read.test.ts',
];
