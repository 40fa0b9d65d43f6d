import { describe, expect, it } from 'vitest';
import { type LocalControlCaller, refuseForeignCaller } from '../../infra/local/controls';

const fromTerminal: LocalControlCaller = {
  host: '127.0.0.1:3000',
  origin: undefined,
  contentType: 'application/json',
  hasBody: true,
  gatewayPort: 3000,
};

describe('the /_local controls answer only to this machine', () => {
  it('lets curl, tests and the bench through: loopback Host, no Origin, JSON body', () => {
    expect(refuseForeignCaller(fromTerminal)).toBeUndefined();
    expect(refuseForeignCaller({ ...fromTerminal, host: 'localhost:3000' })).toBeUndefined();
    expect(refuseForeignCaller({ ...fromTerminal, host: '[::1]:3000' })).toBeUndefined();
    expect(
      refuseForeignCaller({ ...fromTerminal, contentType: 'application/json; charset=utf-8' }),
    ).toBeUndefined();
    expect(refuseForeignCaller({ ...fromTerminal, contentType: undefined, hasBody: false })).toBeUndefined();
  });

  it("lets the gateway's own pages through", () => {
    for (const origin of ['http://localhost:3000', 'http://127.0.0.1:3000']) {
      expect(refuseForeignCaller({ ...fromTerminal, origin })).toBeUndefined();
    }
  });

  it('refuses a cross-site page with 403, whatever it sends', () => {
    for (const origin of ['https://evil.example', 'null', 'http://localhost:8080', 'http://127.0.0.1:3001']) {
      expect(refuseForeignCaller({ ...fromTerminal, origin })).toMatchObject({
        status: 403,
        body: { error: { code: 'forbidden', message: expect.stringMatching(/Origin/) } },
      });
    }
  });

  it('refuses a DNS-rebound name in Host with 403', () => {
    for (const host of ['evil.example:3000', 'localhost.evil.example', '127.0.0.1.nip.io:3000', undefined]) {
      expect(refuseForeignCaller({ ...fromTerminal, host })).toMatchObject({
        status: 403,
        body: { error: { message: expect.stringMatching(/Host/) } },
      });
    }
  });

  it('refuses a body that is not application/json (a form post needs no preflight)', () => {
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
      undefined,
    ]) {
      expect(refuseForeignCaller({ ...fromTerminal, contentType })).toMatchObject({
        status: 403,
        body: { error: { message: expect.stringMatching(/application\/json/) } },
      });
    }
  });
});
