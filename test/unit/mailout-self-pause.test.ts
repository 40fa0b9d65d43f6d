import { describe, expect, it } from 'vitest';
import { selfPauseReason } from '../../functions/mailouts/domain/self-pause';

const rules = { minimumSends: 200, bounceRate: 0.02, complaintRate: 0.0008 };

describe('a mail-out pausing itself', () => {
  it('does not judge before 200 sends, however bad the start', () => {
    expect(selfPauseReason({ sent: 199, bounced: 100, complained: 10 }, rules)).toBeUndefined();
  });

  it('pauses when hard bounces reach exactly 2% of 200 sends', () => {
    expect(selfPauseReason({ sent: 200, bounced: 4, complained: 0 }, rules)).toBe('bounce-rate');
  });

  it('keeps going just under the bounce threshold', () => {
    expect(selfPauseReason({ sent: 200, bounced: 3, complained: 0 }, rules)).toBeUndefined();
  });

  it('pauses when complaints reach 0.08% (1 in 1250)', () => {
    expect(selfPauseReason({ sent: 1250, bounced: 0, complained: 1 }, rules)).toBe('complaint-rate');
    expect(selfPauseReason({ sent: 1251, bounced: 0, complained: 1 }, rules)).toBeUndefined();
  });

  it('a complaint rate is reported ahead of a bounce rate when both trip', () => {
    expect(selfPauseReason({ sent: 1000, bounced: 50, complained: 5 }, rules)).toBe('complaint-rate');
  });

  it('follows thresholds set in config', () => {
    expect(
      selfPauseReason(
        { sent: 10, bounced: 1, complained: 0 },
        { ...rules, minimumSends: 10, bounceRate: 0.1 },
      ),
    ).toBe('bounce-rate');
  });
});
