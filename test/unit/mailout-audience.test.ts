import { describe, expect, it } from 'vitest';
import { inSegment, mayReceiveMailouts } from '../../functions/mailouts/domain/audience';

const member = {
  organisationType: 'university',
  networks: ['smart-city-alliance', 'working-groups'],
  interests: ['mobility'],
};

describe('who is in a segment', () => {
  it('with no segment everyone on the newsletter list is in', () => {
    expect(inSegment(member, undefined)).toBe(true);
    expect(inSegment(member, {})).toBe(true);
  });

  it('an empty list does not narrow the audience', () => {
    expect(inSegment(member, { networks: [], organisationTypes: [], interests: [] })).toBe(true);
  });

  it('a member in any one of the chosen networks is in', () => {
    expect(inSegment(member, { networks: ['innovation-support-forum', 'working-groups'] })).toBe(true);
  });

  it('a member in none of the chosen networks is out', () => {
    expect(inSegment(member, { networks: ['innovation-support-forum'] })).toBe(false);
  });

  it('every list given must match: right network but wrong organisation type is out', () => {
    expect(inSegment(member, { networks: ['smart-city-alliance'], organisationTypes: ['business'] })).toBe(
      false,
    );
    expect(
      inSegment(member, {
        networks: ['smart-city-alliance'],
        organisationTypes: ['business', 'university'],
        interests: ['energy', 'mobility'],
      }),
    ).toBe(true);
  });

  it('a member with no interests is out of a segment chosen by interest', () => {
    expect(inSegment({ ...member, interests: [] }, { interests: ['mobility'] })).toBe(false);
  });
});

describe('who may get mail-outs at all', () => {
  it('a confirmed member with newsletter consent may', () => {
    expect(mayReceiveMailouts({ status: 'confirmed', newsletter: true })).toBe(true);
  });

  it('an unconfirmed member may not', () => {
    expect(mayReceiveMailouts({ status: 'pending', newsletter: true })).toBe(false);
  });

  it('a member who unsubscribed may not', () => {
    expect(mayReceiveMailouts({ status: 'confirmed', newsletter: false })).toBe(false);
  });

  it('a member whose address bounced or complained may not', () => {
    expect(
      mayReceiveMailouts({ status: 'confirmed', newsletter: true, suppressedAt: '2026-11-01T10:00:00Z' }),
    ).toBe(false);
  });

  it('an erased member (no profile) may not', () => {
    expect(mayReceiveMailouts(undefined)).toBe(false);
  });
});
