import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { rsvpIdWith } from '../../functions/activities/domain/rsvp';
import {
  api,
  bearerToken,
  calendarOf,
  createActivity,
  db,
  emailsTo,
  pseudonymKey,
  rsvpByEmail,
  runSchedule,
  type StoredEmail,
  table,
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
    // Their booking e-mails come from another queue than the cancellation: let them arrive first.
    await api('GET', '/_local/bus/idle');

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

  it('a run that died between claiming a reminder and sending it loses nothing: a later run sends it once', async () => {
    const activity = await createActivity();
    const email = uniqueEmail('crashed-run');
    await rsvpByEmail(activity.id, email);
    const stored = await db().send(
      new GetCommand({ TableName: table('activities'), Key: { pk: `ACTIVITY#${activity.id}`, sk: 'META' } }),
    );
    const marker = {
      pk: `ACTIVITY#${activity.id}`,
      sk: `REMIND#${rsvpIdWith(pseudonymKey(), activity.id, email)}#${stored.Item?.startsAt}#168`,
    };
    // What a run that crashed after claiming leaves behind: a claim with a live lease, and no e-mail.
    await db().send(
      new PutCommand({
        TableName: table('activities'),
        Item: { ...marker, state: 'claimed', leaseUntil: Date.now() + 60_000 },
      }),
    );
    const start = new Date(activity.startsAt).getTime();

    // A run overlapping the crashed one (its claim still live) leaves the reminder to it.
    await runSchedule('reminders', new Date(start - hours(167)));
    expect(await reminderMails(email)).toHaveLength(0);
    // The crashed run never comes back; its lease lapses, and a late run sends the reminder.
    await db().send(
      new UpdateCommand({
        TableName: table('activities'),
        Key: marker,
        UpdateExpression: 'SET leaseUntil = :past',
        ExpressionAttributeValues: { ':past': Date.now() - 1000 },
      }),
    );
    await runSchedule('reminders', new Date(start - hours(150)));
    await runSchedule('reminders', new Date(start - hours(149)));

    expect((await reminderMails(email)).map((mail) => mail.subject)).toEqual([
      expect.stringMatching(/in 7 days$/),
    ]);
    const done = await db().send(new GetCommand({ TableName: table('activities'), Key: marker }));
    expect(done.Item?.state).toBe('sent');
  });
});
