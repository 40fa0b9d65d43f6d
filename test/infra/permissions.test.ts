import { describe, expect, it } from 'vitest';
import {
  type Access,
  allHandlerEntries,
  type HandlerEntry,
  handlerId,
  routes,
  schedules,
  subscriptions,
  type TableDeclaration,
  type TableName,
  tables,
} from '../../infra/catalogue';
import {
  deadLetterSendActions,
  emailSendActions,
  secretReadActions,
  sendQuotaReadActions,
  tableReadActions,
  tableWriteActions,
  tracingActions,
} from '../../infra/cdk/function';
import { readsPseudonymKey } from '../../infra/cdk/pseudonyms';
import { config } from '../../shared/config';
import { tableEnvVar } from '../../shared/tables';
import {
  asArray,
  environmentOf,
  identityStatements,
  logicalId,
  type PolicyStatementJson,
  referencedIds,
  resourcePolicyStatements,
  statementsOfRole,
  synthesise,
} from './synth';

const { stack, resources, edgeResources } = synthesise();

const tableNames = Object.keys(tables) as TableName[];
const tableId = (name: TableName) => logicalId(stack.tables.byName[name]);
const secretId = logicalId(stack.mail.tokenSecret);
const originSecretId = logicalId(stack.site.originSecret);
const pseudonymKeyId = logicalId(stack.pseudonymKey);
const identityId = logicalId(stack.mail.identity);
const configurationSetId = logicalId(stack.mail.configurationSet);

/** (action, resource) pairs a function's role is granted, with the statement that grants them. */
function grantsOf(entry: HandlerEntry) {
  const fn = stack.functions.get(handlerId(entry));
  if (!fn) throw new Error(`no function for ${entry.handler}`);
  const statements = statementsOfRole(resources, logicalId(fn.role)).map(({ statement }) => statement);
  const pairs = statements.flatMap((statement) =>
    asArray(statement.Action).flatMap((action) =>
      asArray(statement.Resource).map((resource) => ({ action, resource, statement })),
    ),
  );
  const environment = environmentOf(resources, fn.lambda);
  return { fn, statements, pairs, environment };
}

const actionsOn = (pairs: ReturnType<typeof grantsOf>['pairs'], targetId: string) =>
  new Set(pairs.filter(({ resource }) => referencedIds(resource).has(targetId)).map(({ action }) => action));

const entries = allHandlerEntries().map((entry) => [handlerId(entry), entry] as const);

/** What the SQS event source grants a subscription's function on its queue (and only there). */
const queueConsumeActions = [
  'sqs:ReceiveMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueUrl',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
];

const subscriptionsOf = (entry: HandlerEntry) =>
  subscriptions.filter((subscription) => handlerId(subscription) === handlerId(entry));
const routesOf = (entry: HandlerEntry) => routes.filter((route) => handlerId(route) === handlerId(entry));
const schedulesOf = (entry: HandlerEntry) =>
  schedules.filter((schedule) => handlerId(schedule) === handlerId(entry));

describe('least privilege', () => {
  it('no policy anywhere grants a wildcard action (the only wildcards are TLS-only denies)', () => {
    const everyStatement = [
      ...identityStatements(resources),
      ...identityStatements(edgeResources),
      ...resourcePolicyStatements(resources),
      ...resourcePolicyStatements(edgeResources),
    ];
    expect(everyStatement.length).toBeGreaterThan(0);
    for (const { policyId, statement } of everyStatement) {
      const wildcards = asArray(statement.Action).filter((action) => action.includes('*'));
      if (wildcards.length === 0) continue;
      // enforceSSL on buckets and queues: Deny s3:* / sqs:* when aws:SecureTransport is false.
      expect({ policyId, effect: statement.Effect, condition: statement.Condition }).toEqual({
        policyId,
        effect: 'Deny',
        condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    }
  });

  it.each(entries)(
    '%s may write its own log group and send traces, and nothing it does not declare',
    (_id, entry) => {
      const { fn, statements } = grantsOf(entry);
      const { uses } = entry;
      const tableAccess = Object.values(uses.tables ?? {}) as Access[];
      const allowed = new Set<string>([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        ...tracingActions,
        ...(tableAccess.length ? tableReadActions : []),
        ...(tableAccess.includes('write') ? tableWriteActions : []),
        ...(subscriptionsOf(entry).length ? queueConsumeActions : []),
        ...(schedulesOf(entry).length ? deadLetterSendActions : []),
        ...(uses.sendsEmail ? emailSendActions : []),
        ...(uses.readsSendQuota ? sendQuotaReadActions : []),
        ...(uses.tokenSecret || routesOf(entry).length || readsPseudonymKey(uses) ? secretReadActions : []),
      ]);
      const granted = new Set(statements.flatMap((statement) => asArray(statement.Action)));
      expect([...granted].sort()).toEqual([...allowed].sort());
      expect(statements.every((statement: PolicyStatementJson) => statement.Effect === 'Allow')).toBe(true);

      const logStatement = statements.find((statement) =>
        asArray(statement.Action).includes('logs:PutLogEvents'),
      );
      expect(referencedIds(logStatement?.Resource)).toEqual(new Set([logicalId(fn.logGroup)]));
    },
  );

  it.each(entries)(
    '%s reaches exactly the tables it declares, writing only where it declares write',
    (_id, entry) => {
      const { pairs, environment } = grantsOf(entry);
      for (const name of tableNames) {
        const access = entry.uses.tables?.[name];
        const actions = actionsOn(pairs, tableId(name));
        const envVar = tableEnvVar(name);
        if (access === undefined) {
          expect(actions.size, `${name}: no access declared`).toBe(0);
          expect(environment[envVar]).toBeUndefined();
          continue;
        }
        const expected =
          access === 'write' ? [...tableReadActions, ...tableWriteActions] : [...tableReadActions];
        expect([...actions].sort(), `${name}: ${access}`).toEqual([...expected].sort());
        expect(referencedIds(environment[envVar])).toEqual(new Set([tableId(name)]));

        // Indexes are granted by name, with the same actions as their table.
        const onTable = pairs.filter(({ resource }) => referencedIds(resource).has(tableId(name)));
        const indexNames = onTable
          .map(({ resource }) => JSON.stringify(resource).match(/\/index\/([^"]+)"/)?.[1])
          .filter((index): index is string => index !== undefined);
        expect([...new Set(indexNames)].sort()).toEqual(
          (tables[name] as { globalIndexes?: Array<{ name: string }> }).globalIndexes
            ?.map((index) => index.name)
            .sort() ?? [],
        );
      }
    },
  );

  it.each(entries)(
    '%s never puts events on the bus itself: what it announces goes through an outbox table it may write',
    (_id, entry) => {
      const { statements, environment } = grantsOf(entry);
      const actions = statements.flatMap((statement) => asArray(statement.Action));
      expect(actions.filter((action) => action.startsWith('events:'))).toEqual([]);
      expect(environment.EVENT_BUS_NAME).toBeUndefined();
      if (!entry.uses.publishes?.length) return;
      const writableOutboxes = (Object.entries(entry.uses.tables ?? {}) as Array<[TableName, Access]>).filter(
        ([name, access]) => access === 'write' && (tables[name] as TableDeclaration).outbox,
      );
      expect(writableOutboxes.length, 'an outbox table it writes').toBeGreaterThan(0);
    },
  );

  it.each(entries)('%s reaches a queue only to consume its own subscription queue', (_id, entry) => {
    const { pairs } = grantsOf(entry);
    const consumed = pairs.filter(({ action }) => action !== 'sqs:SendMessage' && action.startsWith('sqs:'));
    const ownQueues = subscriptionsOf(entry).map((subscription) => {
      const wiring = stack.subscriptions.byName.get(subscription.name);
      if (!wiring) throw new Error(`subscription ${subscription.name} was not wired`);
      return logicalId(wiring.queue);
    });
    for (const { resource } of consumed)
      expect(ownQueues).toEqual(expect.arrayContaining([...referencedIds(resource)]));
    for (const queueId of ownQueues) expect(actionsOn(pairs, queueId)).toEqual(new Set(queueConsumeActions));
  });

  it.each(entries)(
    '%s may send to a queue only if it is scheduled, and then only to its own dead-letter queue',
    (_id, entry) => {
      const { pairs } = grantsOf(entry);
      const sends = pairs.filter(({ action }) => action === 'sqs:SendMessage');
      const ownDeadLetters = schedulesOf(entry).map((schedule) => {
        const queue = stack.schedules.deadLetters.get(schedule.name);
        if (!queue) throw new Error(`schedule ${schedule.name} has no dead-letter queue`);
        return logicalId(queue);
      });
      expect(new Set(sends.flatMap(({ resource }) => [...referencedIds(resource)]))).toEqual(
        new Set(ownDeadLetters),
      );
    },
  );

  it.each(entries)(
    '%s sends e-mail only if it declares sendsEmail, and then only as the alliance, from its address, through its configuration set',
    (_id, entry) => {
      const { pairs, environment } = grantsOf(entry);
      const sesPairs = pairs.filter(
        ({ action }) =>
          action.startsWith('ses:') && !(sendQuotaReadActions as readonly string[]).includes(action),
      );
      if (!entry.uses.sendsEmail) {
        expect(sesPairs).toHaveLength(0);
        expect(environment.SES_CONFIGURATION_SET).toBeUndefined();
        return;
      }
      expect(actionsOn(pairs, identityId)).toEqual(new Set(emailSendActions));
      expect(actionsOn(pairs, configurationSetId)).toEqual(new Set(emailSendActions));
      for (const { resource, statement } of sesPairs) {
        const targets = referencedIds(resource);
        expect(targets.has(identityId) || targets.has(configurationSetId)).toBe(true);
        // No condition key names the configuration set; the From address is pinned instead.
        expect(statement.Condition).toEqual({
          StringEquals: { 'ses:FromAddress': config.sender.address },
        });
      }
      expect(referencedIds(environment.SES_CONFIGURATION_SET)).toEqual(new Set([configurationSetId]));
    },
  );

  it.each(entries)('%s reads the link-signing key only if it declares tokenSecret', (_id, entry) => {
    const { pairs, environment } = grantsOf(entry);
    // The origin secret (every HTTP function) has its own test in site.test.ts; the pseudonym key, below.
    const secretPairs = pairs.filter(
      ({ action, resource }) =>
        action.startsWith('secretsmanager:') &&
        !referencedIds(resource).has(originSecretId) &&
        !referencedIds(resource).has(pseudonymKeyId),
    );
    if (!entry.uses.tokenSecret) {
      expect(secretPairs).toHaveLength(0);
      expect(environment.TOKEN_SECRET_ID).toBeUndefined();
      return;
    }
    expect(secretPairs.map(({ action }) => action)).toEqual([...secretReadActions]);
    expect(referencedIds(secretPairs[0]?.resource)).toEqual(new Set([secretId]));
    expect(referencedIds(environment.TOKEN_SECRET_ID)).toEqual(new Set([secretId]));
  });

  it.each(entries)(
    '%s reads the pseudonym key only if it makes keyed labels of addresses or IPs',
    (_id, entry) => {
      const { pairs, environment } = grantsOf(entry);
      const keyPairs = pairs.filter(({ resource }) => referencedIds(resource).has(pseudonymKeyId));
      if (!readsPseudonymKey(entry.uses)) {
        expect(keyPairs).toHaveLength(0);
        expect(environment.PSEUDONYM_KEY_ID).toBeUndefined();
        return;
      }
      expect(keyPairs.map(({ action }) => action)).toEqual([...secretReadActions]);
      expect(referencedIds(environment.PSEUDONYM_KEY_ID)).toEqual(new Set([pseudonymKeyId]));
    },
  );

  it('exactly the functions that label addresses or IPs read the pseudonym key, and it is not the link-signing key', () => {
    const readers = new Set(
      allHandlerEntries()
        .filter((entry) => actionsOn(grantsOf(entry).pairs, pseudonymKeyId).size > 0)
        .map(handlerId),
    );
    // Booking ids and person keys, and every writer of the limits table (consumeAllowance labels keys).
    for (const id of [
      'activities-request-rsvp',
      'activities-record-attendance',
      'members-erase-member',
      'members-export-member-data',
      'members-register-member',
      'tracking-track-pageview',
    ]) {
      expect(readers, id).toContain(id);
    }
    // Following a link reads the stored request or booking: no key needed there, nor to send e-mail.
    for (const id of ['activities-confirm-rsvp', 'activities-cancel-rsvp', 'activities-send-rsvp-email']) {
      expect(readers, id).not.toContain(id);
    }
    expect(pseudonymKeyId).not.toBe(secretId);
  });

  it.each(entries)(
    '%s reads the SES sending quota only if it declares readsSendQuota, in a policy of its own',
    (_id, entry) => {
      const { fn } = grantsOf(entry);
      const quotaStatements = statementsOfRole(resources, logicalId(fn.role)).filter(({ statement }) =>
        asArray(statement.Action).some((action) =>
          (sendQuotaReadActions as readonly string[]).includes(action),
        ),
      );
      if (!entry.uses.readsSendQuota) {
        expect(quotaStatements).toHaveLength(0);
        return;
      }
      expect(quotaStatements).toHaveLength(1);
      const [{ policyId, statement }] = quotaStatements as [(typeof quotaStatements)[number]];
      expect(statement).toEqual({ Effect: 'Allow', Action: 'ses:GetAccount', Resource: '*' });
      // Alone in its policy, so the acknowledged Resource "*" excuses nothing else.
      const policy = resources[policyId]?.Properties?.PolicyDocument as { Statement: unknown[] };
      expect(policy.Statement).toHaveLength(1);
    },
  );

  it('only the mail-out dispatcher reads the sending quota', () => {
    const readers = allHandlerEntries()
      .filter((entry) => entry.uses.readsSendQuota)
      .map(handlerId);
    expect([...new Set(readers)]).toEqual(['mailouts-dispatch-mailout']);
  });

  it('the only wildcard resources a function is granted are X-Ray and, for the dispatcher, the send quota, each in a policy of its own', () => {
    for (const entry of allHandlerEntries()) {
      const { fn, pairs } = grantsOf(entry);
      const wildcard = pairs.filter(({ resource }) => resource === '*');
      expect(new Set(wildcard.map(({ action }) => action))).toEqual(
        new Set([...tracingActions, ...(entry.uses.readsSendQuota ? sendQuotaReadActions : [])]),
      );
      const policiesWithWildcards = statementsOfRole(resources, logicalId(fn.role))
        .filter(({ statement }) => asArray(statement.Resource).includes('*'))
        .map(({ policyId }) => policyId);
      // The role's own (inline) grants hold no wildcard: those are in policies of their own.
      expect(policiesWithWildcards).not.toContain(logicalId(fn.role));
      expect(new Set(policiesWithWildcards).size).toBe(entry.uses.readsSendQuota ? 2 : 1);
    }
  });

  const mailoutRoutes = routes
    .filter((route) => route.path.startsWith('/api/mailouts'))
    .map((route) => [`${route.method} ${route.path}`, route] as const);

  it.each(mailoutRoutes)(
    '%s (staff) reaches its own tables and nothing else: no quota, and e-mail only for the test send',
    (_key, route) => {
      const { statements } = grantsOf(route);
      // Beyond reading the origin secret, which every HTTP function does (site.test.ts).
      const actions = statements
        .filter((statement) => !referencedIds(statement.Resource).has(originSecretId))
        .flatMap((statement) => asArray(statement.Action));
      const beyondTables = actions.filter(
        (action) =>
          !action.startsWith('dynamodb:') && !action.startsWith('logs:') && !action.startsWith('xray:'),
      );
      const isTestSend = route.path === '/api/mailouts/{id}/test';
      expect(new Set(beyondTables)).toEqual(
        new Set(isTestSend ? [...emailSendActions, ...secretReadActions] : []),
      );
      expect(route.access).toBe('staff');
      // The preview renders the draft it is sent and touches no table; every other route reads mail-outs.
      if (route.path === '/api/mailouts/preview') expect(route.uses.tables ?? {}).toEqual({});
      else
        expect(route.uses.tables?.mailouts, 'every mail-out route reads the mail-outs table').toBeDefined();
    },
  );

  it('the pages deployment may touch only the site bucket, the pages asset and this distribution', () => {
    const role = logicalId(stack.site.deploymentRole);
    const statements = statementsOfRole(resources, role).map(({ statement }) => statement);
    const actions = statements.flatMap((statement) => asArray(statement.Action)).sort();
    expect(actions).toEqual(
      [
        'cloudfront:CreateInvalidation',
        'cloudfront:GetInvalidation',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:DeleteObject',
        's3:GetObject',
        's3:ListBucket',
        's3:PutObject',
      ].sort(),
    );
    const distributionStatement = statements.find((statement) =>
      asArray(statement.Action).includes('cloudfront:CreateInvalidation'),
    );
    expect(referencedIds(distributionStatement?.Resource)).toEqual(
      new Set([logicalId(stack.site.distribution)]),
    );
  });
});
