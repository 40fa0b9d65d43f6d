import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { ses } from '../clients';
import { config } from '../config';
import { oneLine } from '../escape';
import { countBusinessEvent } from '../metrics';
import type { RenderedEmail } from './render';

export interface Outgoing {
  to: string;
  email: RenderedEmail;
  headers?: Record<string, string>;
  /** Tags SES copies onto its delivery/open/click events. */
  tags?: Record<string, string>;
  attachments?: Array<{ filename: string; contentType: string; content: string }>;
}

const fromAddress = `"${oneLine(config.sender.name).replace(/["\\]/g, '')}" <${config.sender.address}>`;

/** Sends through SES v2. Header values are folded to one line, so CR/LF in user text never reach a header. */
export async function sendEmail({
  to,
  email,
  headers = {},
  tags = {},
  attachments = [],
}: Outgoing): Promise<string | undefined> {
  const headerList = Object.entries(headers).map(([Name, Value]) => ({ Name, Value: oneLine(Value) }));
  const result = await ses.send(
    new SendEmailCommand({
      FromEmailAddress: fromAddress,
      Destination: { ToAddresses: [oneLine(to)] },
      ReplyToAddresses: config.sender.replyTo ? [config.sender.replyTo] : undefined,
      ConfigurationSetName: process.env.SES_CONFIGURATION_SET || undefined,
      EmailTags: Object.entries(tags).map(([Name, Value]) => ({
        Name,
        Value: Value.replace(/[^\w.-]/g, '_'),
      })),
      Content: {
        Simple: {
          Subject: { Data: oneLine(email.subject), Charset: 'UTF-8' },
          Body: {
            Html: { Data: email.html, Charset: 'UTF-8' },
            Text: { Data: email.text, Charset: 'UTF-8' },
          },
          Headers: headerList.length > 0 ? headerList : undefined,
          Attachments:
            attachments.length > 0
              ? attachments.map((attachment) => ({
                  FileName: attachment.filename,
                  ContentType: attachment.contentType,
                  RawContent: new TextEncoder().encode(attachment.content),
                  ContentDisposition: 'ATTACHMENT' as const,
                }))
              : undefined,
        },
      },
    }),
  );
  countBusinessEvent('EmailSent');
  return result.MessageId;
}
