import { describe, expect, it } from 'vitest';
import { claimsAsApiGatewayPassesThem } from '../../infra/local/jwt';
import { Forbidden } from '../../shared/errors';
import { assertAccess, groupsOf } from '../../shared/http/access';
import { httpEvent } from './http-event';

describe('group membership from the cognito:groups claim', () => {
  it('reads exact group names from the array form', () => {
    expect(groupsOf({ 'cognito:groups': ['staff', 'analyst'] })).toEqual(['staff', 'analyst']);
  });

  it('reads the "[a b]" string API Gateway hands to Lambda, split on spaces only', () => {
    expect(groupsOf({ 'cognito:groups': '[staff analyst]' })).toEqual(['staff', 'analyst']);
    expect(groupsOf({ 'cognito:groups': '[analyst]' })).toEqual(['analyst']);
    expect(groupsOf({ 'cognito:groups': '[]' })).toEqual([]);
  });

  it('keeps a group named "partners,staff" whole: it is not the staff group', () => {
    expect(groupsOf({ 'cognito:groups': ['partners,staff'] })).toEqual(['partners,staff']);
    expect(groupsOf({ 'cognito:groups': '[partners,staff]' })).toEqual(['partners,staff']);
    expect(groupsOf({ 'cognito:groups': '[partners,staff analyst]' })).toEqual(['partners,staff', 'analyst']);
  });

  it('ignores a string that is not in the bracketed form API Gateway uses', () => {
    expect(groupsOf({ 'cognito:groups': 'partners,staff' })).toEqual([]);
    expect(groupsOf({ 'cognito:groups': 'staff' })).toEqual([]);
    expect(groupsOf({ 'cognito:groups': 42 })).toEqual([]);
    expect(groupsOf(undefined)).toEqual([]);
  });

  it('agrees with the local gateway, which passes claims the way API Gateway does', () => {
    for (const groups of [['staff'], ['partners,staff', 'analyst'], []]) {
      expect(groupsOf(claimsAsApiGatewayPassesThem({ 'cognito:groups': groups }))).toEqual(groups);
    }
  });

  it('refuses a staff route to a member of "partners,staff" in either claim form', () => {
    for (const claim of [['partners,staff'], '[partners,staff]', 'partners,staff']) {
      const event = httpEvent('POST /api/activities');
      event.requestContext.authorizer.jwt.claims = { 'cognito:groups': claim } as never;
      expect(() => assertAccess(event)).toThrow(Forbidden);
    }
  });
});
