import { connect } from 'node:net';
import { describe, expect, inject, it } from 'vitest';

/** Connects, and says whether anything answered the TCP handshake. */
const reachable = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });

describe('the local services stay on this machine', () => {
  it('DynamoDB Local answers on 127.0.0.1 only, not on any other address of this host', async () => {
    const port = Number(new URL(inject('dynamoUrl')).port);
    expect(await reachable('127.0.0.1', port)).toBe(true);
    // Linux routes all of 127/8 to this host: a server bound to every interface answers on 127.0.0.2
    // as it would on the LAN address; one bound to 127.0.0.1 does not.
    expect(await reachable('127.0.0.2', port)).toBe(false);
  });
});
