/**
 * SES's own sending events as they arrive on the bus (source `aws.ses`), from the configuration
 * set's EventBridge destination in the cloud and from the local SES endpoint on one machine. The
 * detail is SES's event-publishing record; only the fields the alliance reads are checked, the
 * rest passes through untouched.
 */
import * as z from 'zod';

/** EventBridge detail-type per SES event type. */
export const sesDetailTypes = {
  Send: 'Email Sent',
  Delivery: 'Email Delivered',
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
  Reject: 'Email Rejected',
  DeliveryDelay: 'Email Delivery Delayed',
  Open: 'Email Opened',
  Click: 'Email Clicked',
  'Rendering Failure': 'Email Rendering Failed',
} as const;

export type SesEventType = keyof typeof sesDetailTypes;
export const sesEventTypes = Object.keys(sesDetailTypes) as SesEventType[];
export const sesSource = 'aws.ses';

const timestamp = z.string().min(1);

export const sesEventDetailSchema = z.looseObject({
  eventType: z.enum(sesEventTypes as [SesEventType, ...SesEventType[]]),
  mail: z.looseObject({
    timestamp,
    messageId: z.string().min(1),
    destination: z.array(z.string()).default([]),
    /** The message's tags, as SES publishes them: each name with a list of values. */
    tags: z.record(z.string(), z.array(z.string())).default({}),
  }),
  send: z.looseObject({}).optional(),
  delivery: z.looseObject({ timestamp }).optional(),
  bounce: z
    .looseObject({
      bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
      bounceSubType: z.string().default('General'),
      timestamp,
    })
    .optional(),
  complaint: z.looseObject({ timestamp, complaintFeedbackType: z.string().optional() }).optional(),
  reject: z.looseObject({ reason: z.string().default('') }).optional(),
  deliveryDelay: z.looseObject({ timestamp, delayType: z.string().optional() }).optional(),
  open: z
    .looseObject({ timestamp, userAgent: z.string().default(''), ipAddress: z.string().default('') })
    .optional(),
  click: z
    .looseObject({
      timestamp,
      link: z.string().default(''),
      userAgent: z.string().default(''),
      ipAddress: z.string().default(''),
    })
    .optional(),
});

export type SesEventDetail = z.infer<typeof sesEventDetailSchema>;

/** The tags every alliance e-mail carries, so SES's events can be matched back to a delivery. */
export const emailTags = {
  /** What kind of e-mail: `mailout`, `mailout-test`, or a transactional kind. */
  category: 'category',
  mailoutId: 'mailout',
  memberId: 'member',
} as const;

/** The first value of a tag on an SES event, if any. */
export const tagOf = (detail: SesEventDetail, name: string): string | undefined =>
  detail.mail.tags[name]?.[0];
