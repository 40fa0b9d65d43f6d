import { describe, expect, it } from 'vitest';
import {
  api,
  bearerToken,
  calendarOf,
  createActivity,
  emailsTo,
  rsvpByEmail,
  runSchedule,
  type StoredEmail,
  uniqueEmail,
  waitForEmails,
} from './helpers';

const hours = (count: number) => count * 3_600_000;
const reminderMails = async (email: string) =>
  (await emailsTo(email)).filter((mail) => mail.subject.startsWith('Reminder:'));

describe('meeting reminders', () => {
  it('reminders at 7 days and 1 day arrive once each, even when the schedule fires twice or late', async () => {
    const activity = await createActivity();
    const email = uniqueEmail('remind');
    await rsvpByEmail(activity.id, email);
    const start = new Date(activity.startsAt).getTime();

    await runSchedule('reminders', new Date(start - hours(170)));
    expect(await reminderMails(email)).toHaveLength(0);
    await runSchedule('reminders', new Date(start - hours(167)));
    await runSchedule('reminders', new Date(start - hours(167)));
    await runSchedule('reminders', new Date(start - hours(100)));
    const weekAhead = await reminderMails(email);
    expect(weekAhead.map((mail) => mail.subject)).toEqual([expect.stringMatching(/in 7 days$/)]);

    await runSchedule('reminders', new Date(start - hours(20)));
    await runSchedule('reminders', new Date(start - hours(20)));
    await runSchedule('reminders', new Date(start - hours(2)));
    await runSchedule('reminders', new Date(start + hours(1)));
    const all = await reminderMails(email);
    expect(all.map((mail) => mail.subject)).toEqual([
      expect.stringMatching(/in 7 days$/),
      expect.stringMatching(/in 1 day$/),
    ]);
  });

  it('a missed week-ahead run sends only the nearest reminder, and someone who books late gets no "7 days to go"', async () => {
    const activity = await createActivity({
      startsAt: new Date(Date.now() + hours(100)).toISOString(),
      endsAt: new Date(Date.now() + hours(102)).toISOString(),
    });
    const email = uniqueEmail('late');
    await rsvpByEmail(activity.id, email);
    const start = new Date(activity.startsAt).getTime();

    await runSchedule('reminders', new Date(start - hours(50)));
    expect(await reminderMails(email)).toHaveLength(0);
    await runSchedule('reminders', new Date(start - hours(3)));
    expect((await reminderMails(email)).map((mail) => mail.subject)).toEqual([
      expect.stringMatching(/in 1 day$/),
    ]);
  });

  it('a rescheduled activity sends an updated invite and gets reminders for its new time', async () => {
    const activity = await createActivity();
    const email = uniqueEmail('moved');
    await rsvpByEmail(activity.id, email);
    const oldStart = new Date(activity.startsAt).getTime();
    await runSchedule('reminders', new Date(oldStart - hours(167)));
    expect(await reminderMails(email)).toHaveLength(1);
    const newStart = new Date(oldStart + hours(72));

    const moved = await api('PATCH', `/api/activities/${activity.id}`, {
      token: await bearerToken(['staff']),
      body: {
        startsAt: newStart.toISOString(),
        endsAt: new Date(newStart.getTime() + hours(2)).toISOString(),
      },
    });

    expect(moved.status).toBe(200);
    expect(moved.json()).toMatchObject({ sequence: 1 });
    const mails = await waitForEmails(email, 4);
    const update = mails.find((mail) => mail.subject.startsWith('Changed:')) as StoredEmail;
    const invite = calendarOf(update) ?? '';
    expect(invite).toContain('METHOD:REQUEST');
    expect(invite).toContain('SEQUENCE:1');
    expect(invite).toContain(
      `DTSTART:${newStart
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '')}`,
    );
    await runSchedule('reminders', new Date(newStart.getTime() - hours(167)));
    await runSchedule('reminders', new Date(newStart.getTime() - hours(23)));
    expect((await reminderMails(email)).map((mail) => mail.subject)).toEqual([
      expect.stringMatching(/in 7 days$/),
      expect.stringMatching(/in 7 days$/),
      expect.stringMatching(/in 1 day$/),
    ]);
  });

  it('a cancelled activity sends a cancellation to everyone, and no reminders', async () => {
    const activity = await createActivity({ capacity: 1 });
    const [booked, waiting] = [uniqueEmail('booked'), uniqueEmail('waiting')];
    await rsvpByEmail(activity.id, booked);
    await rsvpByEmail(activity.id, waiting);

    const cancelled = await api('POST', `/api/activities/${activity.id}/cancel`, {
      token: await bearerToken(['staff']),
    });

    expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
    const bookedMails = await waitForEmails(booked, 3);
    expect(bookedMails[2]?.subject).toMatch(/^Cancelled:/);
    expect(calendarOf(bookedMails[2] as StoredEmail)).toContain('METHOD:CANCEL');
    expect((await waitForEmails(waiting, 3))[2]?.subject).toMatch(/^Cancelled:/);
    const start = new Date(activity.startsAt).getTime();
    await runSchedule('reminders', new Date(start - hours(167)));
    await runSchedule('reminders', new Date(start - hours(23)));
    expect(await reminderMails(booked)).toHaveLength(0);
    const again = await api('POST', `/api/activities/${activity.id}/cancel`, {
      token: await bearerToken(['staff']),
    });
    expect(again.status).toBe(200);
    await api('GET', '/_local/bus/idle');
    expect(await emailsTo(booked)).toHaveLength(3);
  });
});
