import { describe, expect, it } from 'vitest';
import { subscriptions } from '../../infra/catalogue';
import { compilePattern, UnsupportedPatternError } from '../../infra/local/pattern';

const event = {
  source: 'alliance.members',
  'detail-type': 'MemberRegistered',
  resources: ['arn:a', 'arn:b'],
  detail: { organisationType: 'sme', networks: ['smart-city-alliance', 'working-groups'], count: 7 },
};

describe('the local bus evaluates rule patterns as EventBridge does', () => {
  it('matches literal values, and any element of an array field', () => {
    expect(
      compilePattern({
        source: ['alliance.members'],
        'detail-type': ['MemberRegistered', 'MemberConfirmed'],
      })(event),
    ).toBe(true);
    expect(compilePattern({ detail: { networks: ['working-groups'] } })(event)).toBe(true);
    expect(compilePattern({ source: ['alliance.activities'] })(event)).toBe(false);
    expect(compilePattern({ detail: { missing: ['x'] } })(event)).toBe(false);
  });

  it('evaluates prefix, suffix, anything-but, exists, equals-ignore-case and numeric', () => {
    expect(compilePattern({ source: [{ prefix: 'alliance.' }] })(event)).toBe(true);
    expect(compilePattern({ 'detail-type': [{ suffix: 'Registered' }] })(event)).toBe(true);
    expect(compilePattern({ detail: { organisationType: [{ 'anything-but': ['sme'] }] } })(event)).toBe(
      false,
    );
    expect(
      compilePattern({ detail: { organisationType: [{ 'anything-but': { prefix: 'uni' } }] } })(event),
    ).toBe(true);
    expect(compilePattern({ detail: { missing: [{ exists: false }] } })(event)).toBe(true);
    expect(compilePattern({ detail: { organisationType: [{ exists: true }] } })(event)).toBe(true);
    expect(compilePattern({ source: [{ 'equals-ignore-case': 'ALLIANCE.MEMBERS' }] })(event)).toBe(true);
    expect(compilePattern({ detail: { count: [{ numeric: ['>', 5, '<=', 7] }] } })(event)).toBe(true);
    expect(compilePattern({ detail: { count: [{ numeric: ['<', 5] }] } })(event)).toBe(false);
  });

  it('refuses at start-up a pattern it cannot evaluate, instead of never matching', () => {
    expect(() => compilePattern({ source: [{ wildcard: 'alliance.*' }] })).toThrow(UnsupportedPatternError);
    expect(() => compilePattern({ $or: [{ source: ['a'] }] })).toThrow(UnsupportedPatternError);
    expect(() => compilePattern({ source: 'alliance.members' })).toThrow(UnsupportedPatternError);
    expect(() => compilePattern({})).toThrow(UnsupportedPatternError);
  });

  it('every subscription in the catalogue has a pattern the local bus can evaluate', () => {
    for (const subscription of subscriptions) {
      expect(() => compilePattern(subscription.pattern, subscription.name)).not.toThrow();
    }
  });
});
