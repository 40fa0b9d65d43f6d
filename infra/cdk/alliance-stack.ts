/**
 * The alliance backend in one stack, built by walking the catalogue: tables (with an outbox pipe to
 * the bus where declared), bus, mail, one function per handler (granted exactly what its `uses`
 * declares), a queue per subscription, a rule per schedule, API and hosted site, and the raw event
 * history for analysts (S3 + Glue + Athena).
 */
import path from 'node:path';
import { CfnOutput, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { AllianceConfig } from '../../shared/config';
import {
  allHandlerEntries,
  type HandlerEntry,
  handlerId,
  routes,
  schedules,
  subscriptions,
  type TableName,
  tables,
} from '../catalogue';
import { AllianceApi, consolePaths } from './api';
import { AllianceTables } from './data';
import { AllianceBus, AllianceSchedules } from './events';
import {
  AllianceFunction,
  bindEmail,
  bindSecret,
  bindSendQuota,
  bindTable,
  bindTokenSecret,
  repoRoot,
} from './function';
import { EventHistory } from './history';
import { AllianceMail } from './mail';
import { OutboxRelays } from './outbox';
import { bindPseudonymKey, pseudonymKeySecret, readsPseudonymKey } from './pseudonyms';
import { AllianceSubscriptions } from './queues';
import { AllianceSite } from './site';

export interface AllianceStackProps extends StackProps {
  config: AllianceConfig;
  /** ARN of the CLOUDFRONT-scope WebACL (from the us-east-1 edge stack). */
  webAclArn: string;
  /** The origin links in e-mails point to; defaults to the CloudFront distribution's own URL. */
  publicBaseUrl?: string;
  /** Name of the custom event bus; defaults to the stack name in lower case (`alliance`), so that
   * two alliances in one account (two `stackPrefix`es) never share a bus. */
  busName?: string;
}

export class AllianceStack extends Stack {
  readonly tables: AllianceTables;
  readonly events: AllianceBus;
  readonly mail: AllianceMail;
  /** The HMAC key of the one-way labels of addresses and IPs (see ./pseudonyms). */
  readonly pseudonymKey: ReturnType<typeof pseudonymKeySecret>;
  readonly functions = new Map<string, AllianceFunction>();
  readonly outbox: OutboxRelays;
  readonly subscriptions: AllianceSubscriptions;
  readonly schedules: AllianceSchedules;
  readonly api: AllianceApi;
  readonly site: AllianceSite;
  readonly history: EventHistory;

  constructor(scope: Construct, id: string, props: AllianceStackProps) {
    super(scope, id, props);
    const allianceName = props.config.alliance.name;
    Tags.of(this).add('alliance', props.config.alliance.shortName);

    this.tables = new AllianceTables(this, 'Tables');
    this.events = new AllianceBus(this, 'Events', {
      busName: props.busName ?? this.stackName.toLowerCase(),
      allianceName,
    });
    this.outbox = new OutboxRelays(this, 'Outbox', {
      tables: this.tables.byName,
      bus: this.events.bus,
      allianceName,
    });
    this.mail = new AllianceMail(this, 'Mail', {
      senderAddress: props.config.sender.address,
      allianceName,
      defaultBus: this.events.defaultBus,
    });
    this.events.forwardSesEvents(this.mail.configurationSet);
    Validations.of(this.mail.tokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The link-signing key is not rotated automatically: rotation would invalidate confirmation and unsubscribe links already delivered (RFC 8058 requires unsubscribe links to keep working).',
    });

    this.pseudonymKey = pseudonymKeySecret(this, allianceName);

    for (const entry of allHandlerEntries()) this.functionFor(entry, allianceName);

    this.subscriptions = new AllianceSubscriptions(this, 'Subscriptions', {
      bus: this.events.bus,
      subscriptions,
      functionFor: (entry) => this.functionFor(entry, allianceName),
      allianceName,
    });
    this.schedules = new AllianceSchedules(this, 'Schedules', {
      schedules,
      functionFor: (entry) => this.functionFor(entry, allianceName),
      allianceName,
    });
    this.api = new AllianceApi(this, 'Api', {
      routes,
      functionFor: (entry) => this.functionFor(entry, allianceName),
      allianceName,
      signInDomainPrefix: props.config.console?.signInDomainPrefix,
    });
    this.site = new AllianceSite(this, 'Site', {
      api: this.api.api,
      pagesDir: path.join(repoRoot, 'web'),
      webAclArn: props.webAclArn,
      allianceName,
      connectSources: this.api.signInOrigins,
      jsonFiles: { [consolePaths.config]: this.api.consoleConfig() },
    });
    this.history = new EventHistory(this, 'History', {
      bus: this.events.bus,
      accessLogs: this.site.logBucket,
      allianceName,
    });

    // Every HTTP function refuses requests that did not come through CloudFront (shared/http/origin.ts).
    for (const route of routes) {
      const fn = this.functions.get(handlerId(route));
      if (fn) bindSecret(fn, this.site.originSecret, 'ORIGIN_SECRET_ID');
    }

    const siteUrl = `https://${this.site.distribution.distributionDomainName}`;
    const publicBaseUrl = props.publicBaseUrl ?? siteUrl;
    for (const fn of this.functions.values()) fn.addEnvironment('PUBLIC_BASE_URL', publicBaseUrl);
    // The console signs in on the distribution's own origin, and on the public one where it differs.
    this.api.returnSignInTo(...new Set([siteUrl, publicBaseUrl.replace(/\/$/, '')]));

    new CfnOutput(this, 'SiteUrl', { value: siteUrl, description: 'The hosted pages and /api, one origin' });
    new CfnOutput(this, 'UserPoolId', { value: this.api.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.api.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'ConsoleUrl', {
      value: `${siteUrl}${consolePaths.home}`,
      description:
        'The staff and analyst console (sign in with a user of the pool, in group staff or analyst)',
    });
    new CfnOutput(this, 'SignInDomain', {
      value: this.api.signInDomain.baseUrl(),
      description: "The user pool's hosted sign-in the console sends people to",
    });
    new CfnOutput(this, 'EventBusName', { value: this.events.bus.eventBusName });
  }

  /**
   * The function for a catalogue entry, created (and bound to what it uses) the first time its
   * handler is seen; two entries naming the same handler must declare the same uses.
   */
  private functionFor(entry: HandlerEntry, allianceName: string): AllianceFunction {
    const id = handlerId(entry);
    const existing = this.functions.get(id);
    if (existing) {
      if (JSON.stringify(existing.entry.uses) !== JSON.stringify(entry.uses)) {
        throw new Error(`${entry.handler} appears twice in the catalogue with different "uses"`);
      }
      return existing;
    }
    const fn = new AllianceFunction(this, id, { entry, allianceName });
    this.functions.set(id, fn);

    const { uses } = entry;
    for (const [name, access] of Object.entries(uses.tables ?? {}) as Array<[TableName, 'read' | 'write']>) {
      bindTable(fn, this.tables.byName[name], name, tables[name], access);
    }
    // `uses.publishes` grants nothing here: a handler announces events by writing outbox items to a
    // table it writes (granted above), and the outbox pipe puts them on the bus.
    if (uses.sendsEmail) {
      bindEmail(fn, this.mail.identity, this.mail.configurationSet, this.mail.senderAddress);
    }
    if (uses.readsSendQuota) bindSendQuota(fn);
    if (uses.tokenSecret) bindTokenSecret(fn, this.mail.tokenSecret);
    if (readsPseudonymKey(uses)) bindPseudonymKey(fn, this.pseudonymKey);
    return fn;
  }
}
