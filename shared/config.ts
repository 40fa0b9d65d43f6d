import * as z from 'zod';
import rawConfig from '../alliance.config.json' with { type: 'json' };
import { lazy } from './lazy';

/**
 * The config's schemas, built on first use rather than at import: building them costs several
 * milliseconds of every cold start, and a Lambda bundle never needs them (its config arrives parsed,
 * see below), so there esbuild drops this function altogether.
 */
function buildConfigSchemas() {
  const slug = z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case slug like "smart-city-alliance"');
  const named = z.object({ id: slug, name: z.string().min(1).max(120) });
  const uniqueIds = <T extends { id: string }>(items: T[]) =>
    new Set(items.map((item) => item.id)).size === items.length;

  /** A metric id: dotted lower-case words, like `social.engagement`. */
  const metricId = z
    .string()
    .regex(
      /^[a-z][a-zA-Z0-9-]*(?:\.[a-z][a-zA-Z0-9-]*)+$/,
      'must be a dotted metric id like "social.engagement"',
    );

  /**
   * One line of the evidence report. `metric` is a counted metric (see `GET /api/exports/engagement/metrics`)
   * or an external one; where both exist they are added month by month. `filter` narrows counted
   * activity metrics to kinds (or all kinds but some) or networks. `aggregate` says how a year becomes
   * one figure: `sum` of its months, the `peakMonth`, the running total at the `endOfYear` (stocks such
   * as members), or the `average` of `metric` per `per` (a rating sum per response).
   * `text` is the sentence, with `{value}`, `{previousValue}`, `{change}` ("a 77% increase"),
   * `{count}` (the `per` figure of an average), `{year}` and `{s}` (the value's plural ending).
   */
  const evidenceLineSchema = z
    .object({
      id: slug,
      label: z.string().min(1).max(120),
      metric: metricId,
      filter: z
        .object({
          kinds: z.array(slug).min(1).optional(),
          excludeKinds: z.array(slug).min(1).optional(),
          networks: z.array(slug).min(1).optional(),
        })
        .strict()
        .refine(
          (filter) => [filter.kinds, filter.excludeKinds, filter.networks].filter(Boolean).length <= 1,
          'a filter names kinds, excludeKinds or networks, one of them (counters are kept by one dimension at a time)',
        )
        .optional(),
      aggregate: z.enum(['sum', 'peakMonth', 'endOfYear', 'average']),
      /** For `average`: the metric to divide by (the number of answers). */
      per: metricId.optional(),
      /** Also give the figure by this dimension (members by organisation type). */
      breakdownBy: z.enum(['organisationType', 'kind', 'network']).optional(),
      text: z.string().min(1).max(300),
    })
    .strict()
    .refine((line) => (line.aggregate === 'average') === (line.per !== undefined), {
      message: '`per` is given with the `average` aggregate, and only with it',
      path: ['per'],
    })
    .refine(
      (line) => {
        const filtered = line.filter?.networks ? 'network' : line.filter ? 'kind' : undefined;
        return line.breakdownBy === undefined || filtered === undefined || filtered === line.breakdownBy;
      },
      {
        message:
          'a filtered line can be broken down only by the dimension it filters on (counters are kept by one dimension at a time)',
        path: ['breakdownBy'],
      },
    );

  const allianceConfigSchema = z
    .object({
      alliance: z.object({
        name: z.string().min(1).max(120),
        shortName: z.string().min(1).max(20),
        convenor: z.string().min(1).max(120),
        timeZone: z.string().refine((zone) => {
          try {
            new Intl.DateTimeFormat('en-GB', { timeZone: zone });
            return true;
          } catch {
            return false;
          }
        }, 'must be an IANA time zone such as "Europe/London"'),
        publicUrl: z.url(),
        privacyNoticeUrl: z.string().min(1),
        currentFormVersion: z.string().min(1).max(40),
      }),
      /** Shown beside each consent box on the form and kept word for word in the consent record. */
      consentWording: z.object({
        newsletter: z.string().min(10).max(500),
        privacyNotice: z.string().min(10).max(500),
      }),
      sender: z.object({
        address: z.email(),
        name: z.string().min(1).max(120),
        replyTo: z.email().optional(),
      }),
      networks: z.array(named).min(1).refine(uniqueIds, 'network ids must be unique'),
      activityKinds: z
        .array(
          named.extend({
            reminderOffsetsHours: z
              .array(
                z
                  .number()
                  .int()
                  .positive()
                  .max(24 * 60),
              )
              .max(5),
          }),
        )
        .min(1)
        .refine(uniqueIds, 'activity kind ids must be unique'),
      interests: z.array(named).min(1).refine(uniqueIds, 'interest ids must be unique'),
      organisationTypes: z.array(named).min(1).refine(uniqueIds, 'organisation type ids must be unique'),
      /** The staff and analyst console (`/console/`). */
      console: z
        .object({
          /**
           * The Cognito hosted sign-in's domain prefix (`<prefix>.auth.<region>.amazoncognito.com`),
           * unique across AWS in the region; by default the stack prefix, `-console-` and the account id.
           */
          signInDomainPrefix: z
            .string()
            .regex(
              /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
              'must be lower-case letters, digits and hyphens, 1 to 63 characters, not starting or ending with a hyphen',
            )
            .refine(
              (prefix) => !/aws|amazon|cognito/.test(prefix),
              'must not contain "aws", "amazon" or "cognito" (Cognito reserves them)',
            )
            .optional(),
        })
        .strict()
        .optional(),
      /** Cloud operations: where the alarms (infra/cdk/monitoring.ts) are e-mailed; no subscription when unset. */
      operations: z
        .object({
          alertEmail: z.email().optional(),
        })
        .optional(),
      mail: z.object({
        /** The share of the send rate left free for transactional mail while a mail-out goes out. */
        sendRateHeadroom: z.number().min(0).max(0.9),
        /** Overrides the SES account's `MaxSendRate` (GetAccount) when set. */
        maxSendRatePerSecond: z.number().positive().optional(),
        /** Where notices for staff go (a mail-out that paused itself). */
        staffAddress: z.email(),
        /** A running mail-out pauses itself at these rates, once it has sent `minimumSends`. */
        selfPause: z
          .object({
            minimumSends: z.number().int().positive(),
            bounceRate: z.number().positive().max(1),
            complaintRate: z.number().positive().max(1),
          })
          .default({ minimumSends: 200, bounceRate: 0.02, complaintRate: 0.0008 }),
        /**
         * A send whose outcome was never recorded (the dispatcher died between SES accepting and the
         * record) is settled by SES's Send event; after this long without one it is sent again.
         */
        unsettledSendGraceSeconds: z.number().int().min(10).max(3600).default(60),
      }),
      limits: z.object({
        maxBodyBytes: z
          .number()
          .int()
          .min(1024)
          .max(1024 * 1024),
        registrationsPerIpPerHour: z.number().int().positive(),
        confirmationEmailsPerAddressPerDay: z.number().int().positive(),
        confirmTokenHours: z.number().int().positive(),
        preferencesTokenDays: z.number().int().positive(),
        eraseTokenMinutes: z.number().int().positive(),
        unconfirmedRetentionDays: z.number().int().min(1).max(365),
      }),
      /**
       * Figures kept outside the system that analysts import month by month (`PUT /api/metrics/{id}`).
       * An id that is also a counted metric adds to it: own figures plus imported ones, month by month.
       */
      externalMetrics: z
        .array(
          z.object({
            id: metricId,
            label: z.string().min(1).max(120),
            unit: z.string().min(1).max(40),
          }),
        )
        .refine(uniqueIds, 'external metric ids must be unique')
        .default([]),
      /** Satisfaction: who is asked, and until when, after an activity ends. */
      feedback: z
        .object({
          /** No feedback e-mail for an activity that ended longer ago than this (recording history). */
          maxAgeDays: z.number().int().min(1).max(90),
          /** Links in the feedback e-mail work this long. */
          linkDays: z.number().int().min(1).max(365),
        })
        .default({ maxAgeDays: 14, linkDays: 60 }),
      /** The yearly evidence report: one line each, in this order (`GET /api/exports/evidence`). */
      evidence: z.array(evidenceLineSchema).refine(uniqueIds, 'evidence line ids must be unique').default([]),
      branding: z.object({
        primaryColour: z.string().regex(/^#[0-9a-fA-F]{6}$/),
        logoUrl: z.url().nullable(),
        footer: z.string().max(500),
      }),
    })
    .strict();
  return { evidenceLineSchema, allianceConfigSchema };
}

// Pure: when nothing parses a config (a Lambda bundle), esbuild drops the schemas altogether.
const schemas = /* @__PURE__ */ lazy(buildConfigSchemas);

/** One line of the evidence report, as the config declares it (see `evidenceLineSchema` above). */
export const evidenceLineSchema = () => schemas().evidenceLineSchema;

export type EvidenceLine = z.infer<ReturnType<typeof buildConfigSchemas>['evidenceLineSchema']>;

export type AllianceConfig = z.infer<ReturnType<typeof buildConfigSchemas>['allianceConfigSchema']>;

/** Parses a config, throwing one readable line per problem. */
export function parseAllianceConfig(input: unknown): AllianceConfig {
  const result = schemas().allianceConfigSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new Error(`alliance.config.json is not valid:\n${problems.join('\n')}`);
  }
  return result.data;
}

/**
 * In a Lambda bundle the config arrives already parsed: infra/cdk/function.ts puts the result of this
 * same parse of this same file in `__ALLIANCE_CONFIG__` at bundling (and `__ALLIANCE_CONFIG_PARSED__`
 * says so), so no cold start repeats it.
 */
declare const __ALLIANCE_CONFIG_PARSED__: true | undefined;
declare const __ALLIANCE_CONFIG__: AllianceConfig;

export const config: AllianceConfig =
  typeof __ALLIANCE_CONFIG_PARSED__ === 'undefined' ? parseAllianceConfig(rawConfig) : __ALLIANCE_CONFIG__;

/** Where links in e-mails and pages point: the deployment's own origin. */
export const publicBaseUrl = (): string =>
  (process.env.PUBLIC_BASE_URL ?? config.alliance.publicUrl).replace(/\/$/, '');

export const ids = {
  networks: config.networks.map((network) => network.id),
  interests: config.interests.map((interest) => interest.id),
  organisationTypes: config.organisationTypes.map((type) => type.id),
  activityKinds: config.activityKinds.map((kind) => kind.id),
};
