import { config } from '../../shared/config';
import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';

const options = {
  alliance: {
    name: config.alliance.name,
    shortName: config.alliance.shortName,
    convenor: config.alliance.convenor,
    timeZone: config.alliance.timeZone,
  },
  formVersion: config.alliance.currentFormVersion,
  privacyNoticeUrl: config.alliance.privacyNoticeUrl,
  consentWording: config.consentWording,
  unconfirmedRetentionDays: config.limits.unconfirmedRetentionDays,
  contactEmail: config.sender.replyTo ?? config.sender.address,
  networks: config.networks,
  interests: config.interests,
  organisationTypes: config.organisationTypes,
  activityKinds: config.activityKinds.map(({ id, name }) => ({ id, name })),
  branding: config.branding,
};

/** What the hosted forms and the console need from the alliance config: names and ids, never anything private. */
export const handler = route({}, async () => json(200, options, { 'cache-control': 'public, max-age=300' }));
