import { afterEach, describe, expect, it } from 'vitest';
import { ApiErrorSchema } from '../../../shared/protocol/ctl-api.js';
import { apiRequest } from '../../security/api-request.js';
import { controllerBed, type TestController } from './controller-bed.js';

let c: TestController | null = null;
afterEach(async () => {
  await c?.stop();
  c = null;
});

describe('a request body above the limit', () => {
  it('is answered 400 saying why (the client is not left with a reset), and the server goes on', async () => {
    c = await controllerBed().start();
    for (const path of ['/v1/commands', '/v1/jobs']) {
      const r = await apiRequest(c, { method: 'POST', path, headers: { authorization: `Bearer ${c.adminToken}`, 'content-type': 'application/json' }, body: Buffer.alloc(20 * 1024, 'a'), from: '127.0.0.1' });
      expect('status' in r && r.status, JSON.stringify(r)).toBe(400);
      expect('body' in r && ApiErrorSchema.parse(JSON.parse(r.body)).error.message).toMatch(/request body is above 16384 bytes/);
    }
    const after = await apiRequest(c, { method: 'GET', path: '/v1/hosts', headers: { authorization: `Bearer ${c.adminToken}` }, from: '127.0.0.1' });
    expect('status' in after && after.status).toBe(200);
  });
});
