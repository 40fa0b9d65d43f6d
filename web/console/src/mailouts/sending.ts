/**
 * A mail-out once it is scheduled or going out: a live progress bar (sent / audience, rate,
 * failures, time left) refreshed by polling while it sends, pause / resume / cancel, the results
 * (deliveries, bounces, complaints, readers, clicks, unsubscribes), the recipients as CSV and a
 * resend to the undelivered.
 */
import { ApiError, api, downloadCsv } from '../api';
import { formatDateTime, h, replace } from '../dom';
import type { AllianceOptions } from '../shell';
import { emailFrame, showEmail } from './email-preview';
import { milestone, progressSummary, settledOf } from './progress';
import { hasStarted, type Mailout, type RenderedEmail, stateLabels } from './types';

export interface SendingContext {
  options: AllianceOptions;
  announce: (message: string) => void;
  /** The state changed (the page's heading and state line follow). */
  changed: (mailout: Mailout) => void;
}

/** How often the figures are read while sending, and afterwards while delivery reports come in. */
const sendingPollMs = 1500;
const reportsPollMs = 3000;
const reportsWaitMs = 2 * 60_000;

export function sendingView(initial: Mailout, context: SendingContext, options: { justSent?: boolean } = {}) {
  const { announce } = context;
  const timeZone = context.options.alliance.timeZone;
  let mailout = initial;
  // Quarters already announced: a page opened mid-way does not announce the quarters behind it.
  let lastQuarter = options.justSent
    ? 0
    : initial.state === 'sent' || initial.state === 'cancelled'
      ? 4
      : Math.min(3, Math.floor(initial.percentDone / 25));

  const heading = h('h2', { id: 'progress-heading', tabindex: '-1' }, 'Progress');
  const bar = h('progress', { id: 'send-progress', class: 'progress', max: '1', value: '0' });
  const barLabel = h('label', { for: 'send-progress', class: 'mailout-progress-label' }, 'Sent so far');
  const summary = h('p', { class: 'mailout-progress-summary', id: 'progress-summary' });
  bar.setAttribute('aria-describedby', 'progress-summary');
  const timing = h('p', { class: 'hint mailout-timing' });
  const actions = h('div', { class: 'button-group mailout-actions' });
  const actionStatus = h('p', { class: 'status', role: 'status' });
  const confirmPanel = h('div', { class: 'panel panel-warning mailout-confirm', hidden: true });
  const progressSection = h(
    'section',
    { class: 'panel mailout-progress', 'aria-labelledby': 'progress-heading' },
    heading,
    barLabel,
    bar,
    summary,
    timing,
    actions,
    confirmPanel,
    actionStatus,
  );

  const resultsBody = h('tbody', {});
  const resultsSection = h(
    'section',
    { class: 'mailout-results', 'aria-labelledby': 'results-heading' },
    h('h2', { id: 'results-heading' }, 'Results'),
    h(
      'div',
      { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': 'results-caption' },
      h(
        'table',
        { class: 'data-table mailout-results-table' },
        h('caption', { class: 'visually-hidden', id: 'results-caption' }, 'Figures of this mail-out'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Figure'),
            h('th', { scope: 'col', class: 'number' }, 'Count'),
          ),
        ),
        resultsBody,
      ),
    ),
  );

  const downloadStatus = h('p', { class: 'status', role: 'status' });
  const resendStatus = h('div', { class: 'status', role: 'status' });
  const followUpSection = h(
    'section',
    { class: 'mailout-recipients', 'aria-labelledby': 'recipients-heading' },
    h('h2', { id: 'recipients-heading' }, 'Recipients'),
    h(
      'div',
      { class: 'button-group' },
      h(
        'button',
        {
          type: 'button',
          class: 'button button-secondary',
          onclick: async () => {
            downloadStatus.textContent = 'Preparing the download…';
            try {
              await downloadCsv(
                `/api/mailouts/${mailout.id}/recipients?format=csv`,
                `mailout-${mailout.id}-recipients.csv`,
              );
              downloadStatus.textContent = 'The recipients were downloaded as CSV.';
            } catch (error) {
              downloadStatus.textContent = `The download failed: ${(error as Error).message}`;
            }
          },
        },
        'Download recipients (CSV)',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'button button-secondary',
          id: 'resend-undelivered',
          onclick: async () => {
            replace(resendStatus, 'Making a follow-up draft…');
            try {
              const followUp = await api<Mailout & { recipients: number }>(
                'POST',
                `/api/mailouts/${mailout.id}/resend-undelivered`,
              );
              replace(
                resendStatus,
                h(
                  'p',
                  {},
                  `A follow-up draft for ${followUp.recipients === 1 ? '1 recipient' : `${followUp.recipients} recipients`} is ready. `,
                  h(
                    'a',
                    { href: `/console/mailout.html?id=${encodeURIComponent(followUp.id)}` },
                    'Open the follow-up draft',
                  ),
                ),
              );
            } catch (error) {
              replace(resendStatus, h('p', {}, (error as Error).message));
            }
          },
        },
        'Resend to the undelivered',
      ),
    ),
    downloadStatus,
    resendStatus,
  );

  const frame = emailFrame('The e-mail as recipients see it');
  const contentSection = h(
    'section',
    { class: 'mailout-preview', 'aria-labelledby': 'content-heading' },
    h('h2', { id: 'content-heading' }, 'The e-mail'),
    frame,
  );
  void api<RenderedEmail>('POST', '/api/mailouts/preview', {
    subject: initial.subject,
    markdown: initial.markdown,
    ...(initial.preheader ? { preheader: initial.preheader } : {}),
  })
    .then((email) => showEmail(frame, email.html))
    .catch(() => contentSection.append(h('p', {}, 'The e-mail could not be drawn.')));

  function actionButton(label: string, run: () => Promise<void>, extra: Record<string, string> = {}) {
    return h(
      'button',
      {
        type: 'button',
        class: 'button button-secondary',
        ...extra,
        onclick: async () => {
          actionStatus.textContent = '';
          try {
            await run();
          } catch (error) {
            actionStatus.textContent =
              error instanceof ApiError ? error.message : `That did not work: ${(error as Error).message}`;
          }
        },
      },
      label,
    );
  }

  async function act(path: 'pause' | 'resume' | 'cancel', done: string) {
    const next = await api<Mailout>('POST', `/api/mailouts/${mailout.id}/${path}`);
    update(next);
    announce(done);
    actionStatus.textContent = done;
    if (next.state === 'sending') schedulePoll(sendingPollMs);
  }

  function askToCancel(opener: HTMLButtonElement) {
    const question = h(
      'p',
      { id: 'cancel-question', tabindex: '-1' },
      mailout.state === 'sending' || mailout.state === 'paused'
        ? 'Cancel this mail-out? Nobody else will be sent it; those already sent keep their copy. This cannot be undone.'
        : 'Cancel this mail-out? It will not be sent. This cannot be undone.',
    );
    const close = () => {
      confirmPanel.hidden = true;
      replace(confirmPanel);
      opener.focus();
    };
    replace(
      confirmPanel,
      question,
      h(
        'div',
        { class: 'button-group' },
        h(
          'button',
          {
            type: 'button',
            class: 'button button-warning',
            onclick: async () => {
              confirmPanel.hidden = true;
              replace(confirmPanel);
              try {
                await act('cancel', 'The mail-out was cancelled.');
              } catch (error) {
                actionStatus.textContent = (error as Error).message;
              }
              heading.focus();
            },
          },
          'Yes, cancel the mail-out',
        ),
        h('button', { type: 'button', class: 'button button-secondary', onclick: close }, 'No, keep it'),
      ),
    );
    confirmPanel.hidden = false;
    question.focus();
  }

  function drawActions() {
    const buttons: HTMLElement[] = [];
    if (mailout.state === 'sending')
      buttons.push(actionButton('Pause', () => act('pause', 'The mail-out is paused.')));
    if (mailout.state === 'paused')
      buttons.push(actionButton('Resume', () => act('resume', 'The mail-out is sending again.')));
    if (mailout.state === 'scheduled')
      buttons.push(
        actionButton('Send now instead', async () => {
          const next = await api<Mailout>('POST', `/api/mailouts/${mailout.id}/send`, {});
          lastQuarter = 0;
          update(next);
          announce('The mail-out is sending.');
          schedulePoll(sendingPollMs);
        }),
      );
    if (['draft', 'scheduled', 'sending', 'paused'].includes(mailout.state)) {
      const cancel = h(
        'button',
        { type: 'button', class: 'button button-warning', 'aria-controls': 'cancel-confirm' },
        'Cancel mail-out…',
      );
      cancel.addEventListener('click', () => askToCancel(cancel));
      buttons.push(cancel);
    }
    confirmPanel.id = 'cancel-confirm';
    replace(actions, buttons);
  }

  function resultRows() {
    const rows: Array<[string, number]> = [
      ['Audience', mailout.audienceSize],
      ['Sent', mailout.sent],
      ['Failed to send', mailout.failed],
      ['Skipped (no longer mailable)', mailout.skipped],
      ['Delivered', mailout.delivered],
      ['Bounced', mailout.bounced],
      ['Bounced permanently', mailout.bouncedPermanent],
      ['Bounced for now', mailout.bouncedTransient],
      ['Complaints', mailout.complained],
      ['Readers (people who opened or clicked)', mailout.uniqueReaders],
      ['Opens by people', mailout.opens.human],
      ['Opens by machines (privacy proxies, scanners)', mailout.opens.machine],
      ['Clicks', mailout.clicks],
      ['Unsubscribes', mailout.unsubscribes],
    ];
    return rows.map(([label, value]) =>
      h('tr', {}, h('th', { scope: 'row' }, label), h('td', { class: 'number' }, String(value))),
    );
  }

  function update(next: Mailout) {
    const stateChanged = next.state !== mailout.state;
    mailout = next;
    bar.max = Math.max(1, mailout.audienceSize);
    bar.value = Math.min(settledOf(mailout), bar.max);
    if (mailout.state === 'sent' && mailout.audienceSize === 0) bar.value = bar.max;
    summary.textContent =
      mailout.state === 'scheduled'
        ? `Scheduled for ${formatDateTime(mailout.scheduledAt ?? '', timeZone)}.`
        : progressSummary(mailout);
    timing.textContent = [
      mailout.startedAt ? `Started ${formatDateTime(mailout.startedAt, timeZone)}` : '',
      mailout.finishedAt ? `finished ${formatDateTime(mailout.finishedAt, timeZone)}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    replace(resultsBody, resultRows());
    resultsSection.hidden = !hasStarted(mailout);
    followUpSection.hidden = !hasStarted(mailout);
    const resend = followUpSection.querySelector<HTMLButtonElement>('#resend-undelivered');
    if (resend) resend.hidden = mailout.state !== 'sent' && mailout.state !== 'cancelled';
    if (stateChanged || actions.childElementCount === 0) drawActions();
    const step = milestone(mailout, lastQuarter);
    if (step) {
      lastQuarter = step.quarter;
      announce(step.message);
    }
    if (stateChanged) context.changed(mailout);
  }

  let timer: number | undefined;
  let reportsSince: number | undefined;
  function schedulePoll(ms: number) {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void poll(), ms);
  }
  /** Delivery reports come after the sends: keep reading a while until every send has one. */
  const awaitingReports = () =>
    (mailout.state === 'sent' || mailout.state === 'cancelled') &&
    mailout.delivered + mailout.bounced + mailout.complained < mailout.sent &&
    Date.now() - (reportsSince ?? Date.now()) < reportsWaitMs;
  async function poll() {
    try {
      update(await api<Mailout>('GET', `/api/mailouts/${mailout.id}`));
    } catch (error) {
      actionStatus.textContent = `The figures could not be refreshed: ${(error as Error).message}`;
    }
    if (mailout.state === 'sending') schedulePoll(sendingPollMs);
    else if (mailout.state === 'scheduled') schedulePoll(10_000);
    else {
      reportsSince ??= Date.now();
      if (awaitingReports()) schedulePoll(reportsPollMs);
    }
  }

  update(initial);
  if (initial.state === 'sending' || initial.state === 'scheduled') schedulePoll(sendingPollMs);
  else if (awaitingReports() || (initial.state === 'sent' && initial.delivered < initial.sent)) {
    reportsSince = Date.now();
    schedulePoll(reportsPollMs);
  }

  const view = h(
    'div',
    { class: 'mailout-sending' },
    progressSection,
    resultsSection,
    followUpSection,
    contentSection,
  );
  return {
    view,
    focus: () => heading.focus(),
    stop: () => window.clearTimeout(timer),
    stateLabel: () => stateLabels[mailout.state],
  };
}
