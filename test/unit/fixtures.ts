/** A registration the form would send, valid as it stands: tests change one field at a time. */
export const adaRegistration = {
  name: 'Ada Lovelace',
  email: 'ada@example.org',
  organisation: 'Analytical Engines Ltd',
  organisationType: 'sme',
  networks: ['smart-city-alliance'],
  interests: ['mobility'],
  consent: { newsletter: true, privacyNotice: true, formVersion: '2026-11' },
};
