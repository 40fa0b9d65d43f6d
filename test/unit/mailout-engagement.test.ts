import { describe, expect, it } from 'vitest';
import { classifyClick, classifyOpen, openMachineReason } from '../../functions/mailouts/domain/engagement';

const deliveredAt = '2026-11-27T10:00:00.000Z';
const minutesLater = '2026-11-27T10:42:00.000Z';
const secondsLater = (seconds: number) => new Date(Date.parse(deliveredAt) + seconds * 1000).toISOString();

const agents = {
  applePrivacyProxy: 'Mozilla/5.0',
  appleMailMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)',
  appleMailIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  gmail: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
  yahoo: 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html',
  outlook: 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)',
  chrome:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  barracuda: 'Barracuda Sentinel (EE)',
  bingbot: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  curl: 'curl/8.5.0',
  pythonRequests: 'python-requests/2.31.0',
  headless:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36',
};

const open = (userAgent: string, timestamp = minutesLater) => ({
  userAgent,
  timestamp,
  ipAddress: '17.58.1.1',
});
const click = (userAgent: string, timestamp = minutesLater) => ({
  userAgent,
  timestamp,
  link: 'https://example.org/events',
});

describe('honest opens', () => {
  it('an Apple Mail Privacy Protection prefetch counts as a machine open, even long after delivery', () => {
    expect(classifyOpen(open(agents.applePrivacyProxy), deliveredAt)).toBe('machine');
    expect(openMachineReason(open(agents.applePrivacyProxy), deliveredAt)).toEqual({
      kind: 'proxy',
      name: 'Apple Mail Privacy Protection',
    });
  });

  it('Apple Mail opened by a person (privacy protection off) counts as human', () => {
    expect(classifyOpen(open(agents.appleMailMac), deliveredAt)).toBe('human');
    expect(classifyOpen(open(agents.appleMailIphone), deliveredAt)).toBe('human');
  });

  it("an open through Gmail's image proxy minutes after delivery counts as human (Gmail fetches on open)", () => {
    expect(classifyOpen(open(agents.gmail), deliveredAt)).toBe('human');
  });

  it("Yahoo's caching proxy counts as a machine open", () => {
    expect(classifyOpen(open(agents.yahoo), deliveredAt)).toBe('machine');
  });

  it('an open in Outlook or a browser minutes after delivery counts as human', () => {
    expect(classifyOpen(open(agents.outlook), deliveredAt)).toBe('human');
    expect(classifyOpen(open(agents.chrome), deliveredAt)).toBe('human');
  });

  it('any open within 10 seconds of delivery is a machine: nobody reads that fast', () => {
    expect(classifyOpen(open(agents.chrome, secondsLater(3)), deliveredAt)).toBe('machine');
    expect(classifyOpen(open(agents.gmail, secondsLater(9.9)), deliveredAt)).toBe('machine');
    expect(classifyOpen(open(agents.chrome, secondsLater(10)), deliveredAt)).toBe('human');
  });

  it('without a delivery time the user agent decides', () => {
    expect(classifyOpen(open(agents.chrome, secondsLater(1)), undefined)).toBe('human');
  });

  it('security scanners, crawlers and scripts count as machine opens', () => {
    for (const agent of [
      agents.barracuda,
      agents.bingbot,
      agents.curl,
      agents.pythonRequests,
      agents.headless,
    ]) {
      expect(classifyOpen(open(agent), deliveredAt), agent).toBe('machine');
    }
  });

  it('an open with no user agent at all counts as a machine', () => {
    expect(classifyOpen(open(''), deliveredAt)).toBe('machine');
  });
});

describe('honest clicks', () => {
  it('a click from a browser counts as a human read', () => {
    expect(classifyClick(click(agents.chrome), { deliveredAt })).toBe('human');
  });

  it('a link scanner clicking within seconds of delivery counts as a machine', () => {
    expect(classifyClick(click(agents.chrome, secondsLater(2)), { deliveredAt })).toBe('machine');
  });

  it('a scanner user agent counts as a machine whenever it clicks', () => {
    expect(classifyClick(click(agents.barracuda), { deliveredAt })).toBe('machine');
  });

  it('a person clicking three links in a few seconds is still human', () => {
    expect(classifyClick(click(agents.chrome), { deliveredAt, otherClicksWithinSeconds: 2 })).toBe('human');
  });

  it('clicking every link at once (more than 3 within 5 seconds) is a scanner', () => {
    expect(classifyClick(click(agents.chrome), { deliveredAt, otherClicksWithinSeconds: 3 })).toBe('machine');
  });

  it('a bare "Mozilla/5.0" click is no browser a person uses', () => {
    expect(classifyClick(click(agents.applePrivacyProxy), { deliveredAt })).toBe('machine');
  });
});
