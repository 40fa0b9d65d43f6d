/** The wire details of the local SES endpoint: bodies, SES's REST-JSON answers and errors, forwarding. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const requestId = () => crypto.randomUUID();

export function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': requestId() });
  response.end(JSON.stringify(body));
}

/** An error as SES's REST-JSON API sends it; the SDK names the error after `x-amzn-errortype`. */
export function sesError(response: ServerResponse, status: number, type: string, message: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-requestid': requestId(),
    'x-amzn-errortype': type,
  });
  response.end(JSON.stringify({ message }));
}

/** The emulator's own refusal (a schema it does not take, say), as SES's error shape. */
export function emulatorError(response: ServerResponse, status: number, text: string): void {
  let message = text;
  try {
    const parsed = JSON.parse(text) as { message?: string; detail?: string };
    message = [parsed.message, parsed.detail].filter(Boolean).join(': ') || text;
  } catch {
    // Kept as text.
  }
  sesError(response, status >= 500 ? 500 : 400, 'BadRequestException', message);
}

/** Passes a request the endpoint does not handle itself to the emulator, and its answer back. */
export async function forward(
  emulatorUrl: string,
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers = Object.fromEntries(
    Object.entries(request.headers)
      .filter(([name]) => !['host', 'content-length', 'connection'].includes(name))
      .map(([name, value]) => [name, String(value)]),
  );
  try {
    const answer = await fetch(`${emulatorUrl}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      body: body.length > 0 && request.method !== 'GET' && request.method !== 'HEAD' ? body : undefined,
    });
    const payload = Buffer.from(await answer.arrayBuffer());
    response.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'application/json',
    });
    response.end(payload);
  } catch (error) {
    sesError(response, 500, 'InternalFailure', `SES emulator unreachable: ${String(error)}`);
  }
}
