// One process of the race in token-store-file.test.ts: waits for "go" on stdin, then adds an
// agent token for HOST to FILE, holding the store open for 50 ms between reading and writing it
// (so processes without the lock would surely overwrite each other); prints the token id.
import { createInterface } from 'node:readline';
import { updateTokenStore } from '../../../controller/auth/token-store-file.js';
import { newToken } from '../../../controller/auth/tokens.js';
import { ok } from '../../../shared/result.js';

const [file, host] = process.argv.slice(2) as [string, string];
const rl = createInterface({ input: process.stdin });
rl.once('line', () => {
  rl.close();
  void updateTokenStore(file, (store) => {
    const t = newToken();
    store.agents[t.id] = { host, sha256: t.sha256, createdAt: new Date(0).toISOString() };
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    return ok(t.id);
  }).then((r) => {
    process.stdout.write(r.ok ? `${r.value}\n` : `error ${r.error.message}\n`);
    process.exitCode = r.ok ? 0 : 1;
  });
});
process.stdout.write('ready\n');
