/**
 * E-mail: the sender's domain as an SES identity, a configuration set that reports every sending
 * event to EventBridge, and the key that signs links in e-mails.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

/** The SES events that become `aws.ses` events on the bus (tracking, suppression, mail-out progress). */
export const reportedEmailEvents = [
  ses.EmailSendingEvent.SEND,
  ses.EmailSendingEvent.DELIVERY,
  ses.EmailSendingEvent.BOUNCE,
  ses.EmailSendingEvent.COMPLAINT,
  ses.EmailSendingEvent.OPEN,
  ses.EmailSendingEvent.CLICK,
  ses.EmailSendingEvent.REJECT,
  ses.EmailSendingEvent.RENDERING_FAILURE,
];

export const senderDomain = (address: string): string => {
  const domain = address.split('@')[1];
  if (!domain) throw new Error(`sender address "${address}" has no domain`);
  return domain.toLowerCase();
};

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
  readonly domain: string;
  readonly identity: ses.EmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  readonly tokenSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: AllianceMailProps) {
    super(scope, id);
    this.domain = senderDomain(props.senderAddress);

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: ses.EventDestination.eventBus(props.defaultBus),
      events: reportedEmailEvents,
    });

    // Easy DKIM; the three CNAME records are listed in the console (and as outputs of the stack).
    this.identity = new ses.EmailIdentity(this, 'SenderDomain', {
      identity: ses.Identity.domain(this.domain),
      configurationSet: this.configurationSet,
    });

    this.tokenSecret = new secretsmanager.Secret(this, 'TokenSigningKey', {
      description: `${props.allianceName}: key that signs confirmation, preference and unsubscribe links`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      // Replacing the key would invalidate every link already in someone's inbox.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
