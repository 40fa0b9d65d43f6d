/** A small JSON-over-HTTP client for the benchmarks: keep-alive sockets, a timeout, no retries. */
import { Agent, request } from 'node:http';

export interface Answer {
  status: number;
  body: unknown;
}

export interface CallOptions {
  body?: unknown;
  token?: string;
  timeoutMs?: number;
  /** A loopback source address (127.x.y.z), to stand for a visitor of its own (per-IP limits). */
  fromIp?: string;
}

export function httpClient(baseUrl: string, maxSockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const call = (method: string, pathAndQuery: string, options: CallOptions = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
      const req = request(
        new URL(pathAndQuery, baseUrl),
        {
          method,
          // A call from an address of its own cannot share the pool's sockets.
          ...(options.fromIp ? { agent: false, localAddress: options.fromIp } : { agent }),
          timeout: options.timeoutMs ?? 30_000,
          headers: {
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON: keep the text
            }
            resolve({ status: res.statusCode ?? 0, body });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${pathAndQuery} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  return { call, close: () => agent.destroy() };
}

export type HttpClient = ReturnType<typeof httpClient>;

export const errorCodeOf = (body: unknown) =>
  (body as { error?: { code?: string } } | undefined)?.error?.code ??
  (body as { message?: string } | undefined)?.message;
