import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { authorizationOf } from '../../../controller/api/authorization-header.js';

const req = (rawHeaders: string[], distinct: boolean): Pick<IncomingMessage, 'headersDistinct' | 'rawHeaders'> => {
  const headersDistinct: Record<string, string[]> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) (headersDistinct[(rawHeaders[i] as string).toLowerCase()] ??= []).push(rawHeaders[i + 1] as string);
  // Node below 18.3 has no headersDistinct: the raw list must give the same answer
  return { rawHeaders, headersDistinct: (distinct ? headersDistinct : undefined) as unknown as IncomingMessage['headersDistinct'] };
};

describe('the one Authorization header of a request', () => {
  for (const distinct of [true, false]) {
    it(`none, one, or refused when repeated (${distinct ? 'headersDistinct' : 'raw headers, Node < 18.3'})`, () => {
      expect(authorizationOf(req(['Host', 'x'], distinct))).toEqual({ ok: true, value: undefined });
      expect(authorizationOf(req(['Host', 'x', 'Authorization', 'Bearer a'], distinct))).toEqual({ ok: true, value: 'Bearer a' });
      expect(authorizationOf(req(['authorization', 'Bearer a', 'Host', 'x', 'AUTHORIZATION', 'Bearer b'], distinct))).toEqual({ ok: false, message: 'Authorization given 2 times: send it once' });
    });
  }
});
