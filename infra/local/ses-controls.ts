/**
 * The `/_local/ses...` controls: the endpoint at a glance, the fault mode, the messages sent, the
 * events published, and SES events injected for a sent message (opens, clicks, any type).
 */
import type { LocalControl } from './gateway';
import type { SesEndpoint } from './ses-endpoint';
import { completeInjected } from './ses-inject';

type ControlRequest = Parameters<LocalControl>[0];
type ControlAnswer = Awaited<ReturnType<LocalControl>>;

const problem = (status: number, code: string, message: string, details?: string[]) => ({
  status,
  body: { error: { code, message, ...(details ? { details } : {}) } },
});

const limitOf = (query: URLSearchParams | undefined) => {
  const limit = Number(query?.get('limit') ?? 1000);
  return Number.isInteger(limit) && limit > 0 ? limit : 1000;
};

/** Answers a `/_local/ses...` control, or undefined when the request is none of them. */
export function sesControl(
  endpoint: SesEndpoint,
  { method, path, body, query }: ControlRequest,
): ControlAnswer | undefined {
  if (path === '/_local/ses' && method === 'GET') {
    return {
      status: 200,
      body: {
        endpoint: endpoint.options.url,
        emulator: endpoint.options.emulatorUrl,
        faults: endpoint.faults.view(),
        messagesRemembered: endpoint.messages.size,
      },
    };
  }
  if (path === '/_local/ses/faults') {
    if (method === 'POST') {
      const problems = endpoint.faults.update(body);
      if (problems.length > 0) return problem(400, 'invalid_request', 'bad fault settings', problems);
    } else if (method === 'DELETE') endpoint.faults.reset();
    else if (method !== 'GET') return undefined;
    return { status: 200, body: endpoint.faults.view() };
  }
  if (path === '/_local/ses/messages' && method === 'GET') {
    const messages = endpoint.messages.list(query?.get('to') ?? undefined, limitOf(query));
    return {
      status: 200,
      body: {
        messages: messages.map((message) => ({
          messageId: message.messageId,
          emulatorMessageId: message.emulatorMessageId,
          to: message.destination,
          subject: message.subject,
          tags: Object.fromEntries(
            Object.entries(message.tags)
              .filter(([name]) => !name.startsWith('ses:'))
              .map(([name, values]) => [name, values[0] ?? '']),
          ),
          time: message.timestamp,
        })),
      },
    };
  }
  if (path === '/_local/ses/events' && method === 'GET') {
    const messageId = query?.get('messageId') ?? undefined;
    return { status: 200, body: { events: endpoint.publishedEvents(messageId, limitOf(query)) } };
  }
  if (path === '/_local/ses/events' && method === 'POST') {
    const outcome = completeInjected(body, (id) => endpoint.messages.get(id), endpoint.options);
    if (!outcome.ok) {
      return problem(
        outcome.status,
        outcome.status === 404 ? 'unknown_message' : 'invalid_request',
        outcome.message,
        outcome.details,
      );
    }
    endpoint.inject(outcome.details);
    return {
      status: 200,
      body: {
        accepted: outcome.details.map((detail) => ({
          eventType: detail.eventType,
          messageId: (detail.mail as { messageId: string }).messageId,
        })),
      },
    };
  }
  return undefined;
}
