/**
 * E-mail: the sender's domain as an SES identity, a configuration set that reports every sending
 * event to EventBridge, and the key that signs links in e-mails.
 */
import { CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { SesEventType } from '../../shared/ses-events';

/**
 * The SES events that become `aws.ses` events on the bus (tracking, suppression, mail-out
 * progress), by the event type SES names in each event's detail (shared/ses-events.ts gives the
 * detail-type of each).
 */
export const reportedEmailEventTypes = {
  Send: ses.EmailSendingEvent.SEND,
  Delivery: ses.EmailSendingEvent.DELIVERY,
  Bounce: ses.EmailSendingEvent.BOUNCE,
  Complaint: ses.EmailSendingEvent.COMPLAINT,
  Reject: ses.EmailSendingEvent.REJECT,
  DeliveryDelay: ses.EmailSendingEvent.DELIVERY_DELAY,
  Open: ses.EmailSendingEvent.OPEN,
  Click: ses.EmailSendingEvent.CLICK,
  'Rendering Failure': ses.EmailSendingEvent.RENDERING_FAILURE,
} as const satisfies Partial<Record<SesEventType, ses.EmailSendingEvent>>;

export const reportedEmailEvents: ses.EmailSendingEvent[] = Object.values(reportedEmailEventTypes);

export const senderDomain = (address: string): string => {
  const domain = address.split('@')[1];
  if (!domain) throw new Error(`sender address "${address}" has no domain`);
  return domain.toLowerCase();
};

/** The custom MAIL FROM domain (the envelope sender, bounces go there): a subdomain of the sender's
 * own, so SPF passes aligned with the From domain for DMARC. */
export const mailFromDomain = (domain: string): string => `mail.${domain}`;

export interface AllianceMailProps {
  senderAddress: string;
  allianceName: string;
  /**
   * The account's default bus: SES configuration-set destinations can only target it; a rule there
   * forwards `aws.ses` events to the alliance bus.
   */
  defaultBus: events.IEventBus;
}

export class AllianceMail extends Construct {
  /** The one From address the alliance sends as (the IAM grants pin it). */
  readonly senderAddress: string;
  readonly domain: string;
  readonly mailFromDomain: string;
  readonly identity: ses.EmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  readonly tokenSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: AllianceMailProps) {
    super(scope, id);
    this.senderAddress = props.senderAddress;
    this.domain = senderDomain(props.senderAddress);

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: ses.EventDestination.eventBus(props.defaultBus),
      events: reportedEmailEvents,
    });

    // Easy DKIM (its three CNAME records are stack outputs, DkimRecord1..3). The configuration set is
    // the identity's default: a send that names no configuration set still goes through it, so its
    // events are reported whatever the caller forgets.
    this.mailFromDomain = mailFromDomain(this.domain);
    this.identity = new ses.EmailIdentity(this, 'SenderDomain', {
      identity: ses.Identity.domain(this.domain),
      configurationSet: this.configurationSet,
      mailFromDomain: this.mailFromDomain,
      // Until the MX record below is published, SES sends from its own amazonses.com MAIL FROM
      // (SPF then passes unaligned; DKIM still aligns) rather than refusing to send.
      mailFromBehaviorOnMxFailure: ses.MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
    });
    this.dnsRecords(props.allianceName);

    this.tokenSecret = new secretsmanager.Secret(this, 'TokenSigningKey', {
      description: `${props.allianceName}: key that signs confirmation, preference and unsubscribe links`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      // Replacing the key would invalidate every link already in someone's inbox.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** The DNS records to publish for deliverability, as stack outputs (`name TYPE value`). */
  private dnsRecords(allianceName: string): void {
    const dkim = [
      [this.identity.dkimDnsTokenName1, this.identity.dkimDnsTokenValue1],
      [this.identity.dkimDnsTokenName2, this.identity.dkimDnsTokenValue2],
      [this.identity.dkimDnsTokenName3, this.identity.dkimDnsTokenValue3],
    ] as const;
    dkim.forEach(([name, value], index) => {
      new CfnOutput(this, `DkimRecord${index + 1}`, {
        key: `DkimRecord${index + 1}`,
        value: `${name} CNAME ${value}`,
        description: `${allianceName}: DKIM record ${index + 1} of 3 for ${this.domain}`,
      });
    });
    new CfnOutput(this, 'MailFromMxRecord', {
      key: 'MailFromMxRecord',
      value: `${this.mailFromDomain} MX 10 feedback-smtp.${Stack.of(this).region}.amazonses.com`,
      description: 'Custom MAIL FROM domain: where bounces go',
    });
    new CfnOutput(this, 'MailFromSpfRecord', {
      key: 'MailFromSpfRecord',
      value: `${this.mailFromDomain} TXT "v=spf1 include:amazonses.com ~all"`,
      description: 'Custom MAIL FROM domain: SPF, aligned with the From domain',
    });
    new CfnOutput(this, 'DmarcRecord', {
      key: 'DmarcRecord',
      value: `_dmarc.${this.domain} TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@${this.domain}"`,
      description: 'DMARC to start with (reports only); tighten to quarantine, then reject (README)',
    });
  }
}
