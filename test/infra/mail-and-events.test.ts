import { describe, expect, it } from 'vitest';
import { subscriptions } from '../../infra/catalogue';
import { reportedEmailEvents, reportedEmailEventTypes, senderDomain } from '../../infra/cdk/mail';
import { config } from '../../shared/config';
import { type SesEventType, sesDetailTypes, sesSource } from '../../shared/ses-events';
import { listOf, logicalId, referencedIds, synthesise } from './synth';

const { stack, template, resources } = synthesise();

describe('e-mail', () => {
  it('the sender address domain from the alliance config is the SES identity, sending through the configuration set', () => {
    const identity = resources[logicalId(stack.mail.identity)];
    expect(identity?.Properties?.EmailIdentity).toBe(senderDomain(config.sender.address));
    expect(referencedIds(identity?.Properties?.ConfigurationSetAttributes)).toEqual(
      new Set([logicalId(stack.mail.configurationSet)]),
    );
  });

  it('every sending event SES reports goes to the default bus (where SES can deliver them)', () => {
    const destinations = Object.values(template.findResources('AWS::SES::ConfigurationSetEventDestination'));
    expect(destinations).toHaveLength(1);
    const [destination] = destinations;
    expect(referencedIds(destination?.Properties.ConfigurationSetName)).toEqual(
      new Set([logicalId(stack.mail.configurationSet)]),
    );
    expect(destination?.Properties.EventDestination.Enabled).toBe(true);
    expect(listOf<string>(destination?.Properties.EventDestination.MatchingEventTypes).sort()).toEqual(
      [...reportedEmailEvents].sort(),
    );
    expect(
      JSON.stringify(destination?.Properties.EventDestination.EventBridgeDestination.EventBusArn),
    ).toContain(':event-bus/default');
  });

  it('SES reports sends, deliveries, bounces, complaints, rejections, delays, opens and clicks', () => {
    expect(reportedEmailEvents).toEqual(
      expect.arrayContaining([
        'send',
        'delivery',
        'bounce',
        'complaint',
        'reject',
        'deliveryDelay',
        'open',
        'click',
      ]),
    );
  });

  it('every SES event a subscription listens for is one the configuration set reports', () => {
    const typeOfDetailType = new Map(
      (Object.entries(sesDetailTypes) as Array<[SesEventType, string]>).map(([type, detailType]) => [
        detailType,
        type,
      ]),
    );
    const listened = subscriptions
      .filter((entry) => entry.pattern.source?.includes(sesSource))
      .flatMap((entry) => entry.pattern['detail-type'] ?? []);
    expect(listened.length).toBeGreaterThan(0);
    for (const detailType of listened) {
      const type = typeOfDetailType.get(detailType);
      expect(type, `"${detailType}" is an SES detail-type`).toBeDefined();
      expect(reportedEmailEventTypes, detailType).toHaveProperty([type as string]);
    }
  });

  it("sends with a custom MAIL FROM domain under the sender domain (SPF aligned), falling back to SES's own if its MX is missing", () => {
    const identity = resources[logicalId(stack.mail.identity)];
    expect(identity?.Properties?.MailFromAttributes).toEqual({
      MailFromDomain: `mail.${senderDomain(config.sender.address)}`,
      BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
    });
  });

  it('the DNS records to publish are stack outputs: three DKIM CNAMEs, the MAIL FROM MX and SPF, a DMARC record that starts at p=none with reports', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const identityId = logicalId(stack.mail.identity);
    for (const index of [1, 2, 3]) {
      const value = JSON.stringify(outputs[`DkimRecord${index}`]?.Value);
      expect(value).toContain(`"Fn::GetAtt":["${identityId}","DkimDNSTokenName${index}"]`);
      expect(value).toContain(`"Fn::GetAtt":["${identityId}","DkimDNSTokenValue${index}"]`);
      expect(value).toContain(' CNAME ');
    }
    const domain = senderDomain(config.sender.address);
    expect(JSON.stringify(outputs.MailFromMxRecord?.Value)).toMatch(
      new RegExp(`mail\\.${domain.replace(/\./g, '\\.')} MX 10 feedback-smtp\\.`),
    );
    expect(outputs.MailFromSpfRecord?.Value).toBe(`mail.${domain} TXT "v=spf1 include:amazonses.com ~all"`);
    expect(outputs.DmarcRecord?.Value).toBe(
      `_dmarc.${domain} TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@${domain}"`,
    );
  });

  it('the link-signing key is generated (64 characters, no punctuation) and outlives the stack', () => {
    const secret = resources[logicalId(stack.mail.tokenSecret)];
    expect(secret?.Properties?.GenerateSecretString).toEqual({
      PasswordLength: 64,
      ExcludePunctuation: true,
    });
    expect(secret?.DeletionPolicy).toBe('Retain');
  });
});

describe('the alliance bus', () => {
  it('is a custom bus whose archive keeps every alliance event, for replay', () => {
    const busId = logicalId(stack.events.bus);
    expect(resources[busId]?.Properties?.Name).toBe('alliance');
    const archive = resources[logicalId(stack.events.archive)];
    expect(referencedIds(archive?.Properties?.SourceArn)).toEqual(new Set([busId]));
    expect(archive?.Properties?.EventPattern).toEqual({ source: [{ prefix: 'alliance.' }] });
    // 0 = kept indefinitely.
    expect(archive?.Properties?.RetentionDays ?? 0).toBe(0);
  });

  it("SES's own events are not archived: counters replay from the alliance events track-email-event makes of them", () => {
    const archive = resources[logicalId(stack.events.archive)];
    const sourcePrefixes = listOf<{ prefix: string }>(
      (archive?.Properties?.EventPattern as { source?: unknown } | undefined)?.source,
    ).map(({ prefix }) => prefix);
    expect(sourcePrefixes.some((prefix) => sesSource.startsWith(prefix))).toBe(false);
    // So nothing that counts may read them directly, only through alliance.* events.
    const counters = subscriptions.find((entry) => entry.name === 'update-counters');
    expect(counters?.pattern.source?.every((source) => source.startsWith('alliance.'))).toBe(true);
    const tracker = subscriptions.find((entry) => entry.pattern.source?.includes(sesSource));
    expect(tracker?.uses.publishes?.length).toBeGreaterThan(0);
  });

  it("SES's own events are forwarded from the default bus to the alliance bus only for this alliance's configuration set, with a dead-letter queue", () => {
    const rule = resources[logicalId(stack.events.sesForwarding)];
    expect(rule?.Properties?.EventBusName).toBeUndefined();
    expect(rule?.Properties?.EventPattern).toEqual({
      source: ['aws.ses'],
      detail: {
        mail: { tags: { 'ses:configuration-set': [{ Ref: logicalId(stack.mail.configurationSet) }] } },
      },
    });
    const [target] = listOf<Record<string, unknown>>(rule?.Properties?.Targets);
    expect(referencedIds(target?.Arn)).toEqual(new Set([logicalId(stack.events.bus)]));
    const [queueId] = [...referencedIds(target?.DeadLetterConfig)];
    expect(queueId && resources[queueId]?.Type).toBe('AWS::SQS::Queue');
  });
});
