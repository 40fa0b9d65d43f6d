import { describe, expect, it } from 'vitest';
import { reportedEmailEvents, senderDomain } from '../../infra/cdk/mail';
import { config } from '../../shared/config';
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

  it("SES's own events are forwarded from the default bus to the alliance bus, with a dead-letter queue", () => {
    const rule = resources[logicalId(stack.events.sesForwarding)];
    expect(rule?.Properties?.EventBusName).toBeUndefined();
    expect(rule?.Properties?.EventPattern).toEqual({ source: ['aws.ses'] });
    const [target] = listOf<Record<string, unknown>>(rule?.Properties?.Targets);
    expect(referencedIds(target?.Arn)).toEqual(new Set([logicalId(stack.events.bus)]));
    const [queueId] = [...referencedIds(target?.DeadLetterConfig)];
    expect(queueId && resources[queueId]?.Type).toBe('AWS::SQS::Queue');
  });
});
