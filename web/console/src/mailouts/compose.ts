/**
 * Composing a mail-out: subject, preheader, Markdown body and audience, saved as a draft as staff
 * type (POST once, then PATCH), with the live audience count and sample and a live preview rendered
 * by the sender's own renderer (POST /api/mailouts/preview). Then a test send, and send or schedule.
 */
import { ApiError, api } from '../api';
import { h, replace } from '../dom';
import { clearFieldErrors, showFieldErrors } from '../forms';
import type { AllianceOptions } from '../shell';
import { zonedToIso } from '../zoned-time';
import { emailFrame, showEmail } from './email-preview';
import type { Audience, AudiencePreview, Mailout, RenderedEmail } from './types';

export interface ComposeContext {
  options: AllianceOptions;
  announce: (message: string) => void;
  /** The draft was created (it now has an id) or changed. */
  saved: (mailout: Mailout) => void;
  /** The mail-out was sent now or scheduled: the page shows what follows. */
  sent: (mailout: Mailout) => void;
}

/** Waits `ms` after the last call before running `run` (typing pauses, not every key). */
function debounce(run: () => void, ms: number): () => void {
  let timer: number | undefined;
  return () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(run, ms);
  };
}

const timeNow = (timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).format(new Date());

function checkboxGroup(
  name: keyof Audience,
  legend: string,
  choices: Array<{ id: string; name: string }>,
  chosen: string[] | undefined,
): HTMLElement {
  return h(
    'fieldset',
    { class: 'field mailout-audience-group', 'data-field': `audience.${name}` },
    h('legend', {}, legend),
    h(
      'div',
      { class: 'choices' },
      choices.map((choice) =>
        h(
          'div',
          { class: 'choice' },
          h('input', {
            type: 'checkbox',
            id: `${name}-${choice.id}`,
            name,
            value: choice.id,
            checked: chosen?.includes(choice.id) ?? false,
          }),
          h('label', { for: `${name}-${choice.id}` }, choice.name),
        ),
      ),
    ),
  );
}

export function composeView(initial: Mailout | undefined, context: ComposeContext): HTMLElement {
  const { options, announce } = context;
  const timeZone = options.alliance.timeZone;
  let mailout = initial;

  const subject = h('input', {
    type: 'text',
    id: 'subject',
    name: 'subject',
    maxlength: '200',
    autocomplete: 'off',
    value: initial?.subject ?? '',
  });
  const preheader = h('input', {
    type: 'text',
    id: 'preheader',
    name: 'preheader',
    maxlength: '200',
    autocomplete: 'off',
    'aria-describedby': 'preheader-hint',
    value: initial?.preheader ?? '',
  });
  const markdown = h('textarea', {
    id: 'markdown',
    name: 'markdown',
    rows: '14',
    'aria-describedby': 'markdown-hint',
  });
  markdown.value = initial?.markdown ?? '';

  const followUp = initial?.followUpOf ?? null;
  const audienceFields = followUp
    ? [
        h(
          'p',
          { class: 'hint' },
          'This follow-up goes to the recipients the earlier mail-out did not reach (checked again when it is sent). ',
          h(
            'a',
            { href: `/console/mailout.html?id=${encodeURIComponent(followUp)}` },
            'Open the earlier mail-out',
          ),
        ),
      ]
    : [
        h(
          'p',
          { class: 'hint' },
          'Leave a list empty to include everyone. Members must match one ticked item in each list.',
        ),
        checkboxGroup('networks', 'Networks', options.networks, initial?.audience.networks),
        checkboxGroup(
          'organisationTypes',
          'Organisation types',
          options.organisationTypes,
          initial?.audience.organisationTypes,
        ),
        checkboxGroup('interests', 'Interests', options.interests, initial?.audience.interests),
      ];

  // Not a live region: saving as one types would be announced at every pause. An explicit save is.
  const saveStatus = h('p', { class: 'status mailout-save-status' });
  const form = h(
    'form',
    { class: 'form mailout-form', novalidate: true, 'aria-labelledby': 'compose-heading' },
    h('h2', { id: 'compose-heading' }, 'Compose'),
    h('div', { class: 'field', 'data-field': 'subject' }, h('label', { for: 'subject' }, 'Subject'), subject),
    h(
      'div',
      { class: 'field', 'data-field': 'preheader' },
      h('label', { for: 'preheader' }, 'Preheader ', h('span', { class: 'required' }, '(optional)')),
      h('p', { class: 'hint', id: 'preheader-hint' }, 'The line many inboxes show after the subject.'),
      preheader,
    ),
    h(
      'div',
      { class: 'field', 'data-field': 'markdown' },
      h('label', { for: 'markdown' }, 'Body'),
      h(
        'p',
        { class: 'hint', id: 'markdown-hint' },
        'Markdown: # Heading, **bold**, *italic*, [link text](https://…), - list item. HTML is shown as text.',
      ),
      markdown,
    ),
    h(
      'section',
      { class: 'mailout-audience', 'aria-labelledby': 'audience-heading' },
      h('h3', { id: 'audience-heading' }, 'Audience'),
      audienceFields,
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'button' }, 'Save draft'),
      saveStatus,
    ),
  );

  // The audience: how many and who, as the API counts them for the saved draft.
  const audienceCount = h(
    'p',
    { class: 'mailout-audience-count', role: 'status' },
    'Save the draft to see who it reaches.',
  );
  const audienceSample = h('ul', { class: 'mailout-sample' });
  const audiencePanel = h(
    'section',
    { class: 'panel mailout-audience-panel', 'aria-labelledby': 'reach-heading' },
    h('h2', { id: 'reach-heading' }, 'Who it reaches'),
    audienceCount,
    audienceSample,
  );

  let audienceSize: number | undefined;
  async function refreshAudience() {
    if (!mailout) return;
    try {
      const preview = await api<AudiencePreview>('GET', `/api/mailouts/${mailout.id}/audience`);
      audienceSize = preview.count;
      audienceCount.textContent =
        preview.count === 1 ? '1 member would receive it.' : `${preview.count} members would receive it.`;
      replace(
        audienceSample,
        preview.sample.map((member) => h('li', {}, `${member.name}, ${member.organisation}`)),
      );
      if (preview.count > preview.sample.length && preview.sample.length > 0)
        audienceSample.append(
          h('li', { class: 'hint' }, `and ${preview.count - preview.sample.length} more`),
        );
    } catch (error) {
      audienceCount.textContent = `The audience could not be counted: ${(error as Error).message}`;
    }
  }

  // The preview, rendered by the sender's renderer from what is in the form now.
  const frame = emailFrame('Preview of the e-mail as recipients will see it');
  const previewSubject = h('p', { class: 'mailout-preview-subject' });
  const previewText = h('pre', { class: 'mailout-preview-text', tabindex: '0' });
  // Not a live region either: the preview follows every pause in typing.
  const previewStatus = h('p', { class: 'status' });
  const previewPanel = h(
    'section',
    { class: 'mailout-preview', 'aria-labelledby': 'preview-heading' },
    h('h2', { id: 'preview-heading' }, 'Preview'),
    previewStatus,
    previewSubject,
    frame,
    h('details', {}, h('summary', {}, 'Plain-text version'), previewText),
  );
  let previewRun = 0;
  async function refreshPreview() {
    const draft = { subject: subject.value, markdown: markdown.value, preheader: preheader.value };
    if (!draft.subject.trim() || !draft.markdown.trim()) {
      previewStatus.textContent = 'Write a subject and a body to see the preview.';
      return;
    }
    const run = ++previewRun;
    try {
      const email = await api<RenderedEmail>('POST', '/api/mailouts/preview', draft);
      if (run !== previewRun) return;
      previewStatus.textContent = `Preview updated at ${timeNow(timeZone)}.`;
      previewSubject.textContent = `Subject: ${email.subject}`;
      previewText.textContent = email.text;
      showEmail(frame, email.html);
    } catch (error) {
      if (run !== previewRun) return;
      previewStatus.textContent = `The preview could not be drawn: ${(error as Error).message}`;
    }
  }

  const readDraft = () => {
    const audience: Audience = {};
    if (!followUp)
      for (const name of ['networks', 'organisationTypes', 'interests'] as const)
        audience[name] = [...form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map(
          (input) => input.value,
        );
    return {
      subject: subject.value,
      markdown: markdown.value,
      preheader: preheader.value,
      ...(followUp ? {} : { audience }),
    };
  };

  // Saves run one after another, so a PATCH never overtakes the POST that made the draft.
  let saving: Promise<boolean> = Promise.resolve(true);
  const save = (explicit: boolean): Promise<boolean> => {
    saving = saving.then(() => saveNow(explicit));
    return saving;
  };
  async function saveNow(explicit: boolean): Promise<boolean> {
    const draft = readDraft();
    if (!explicit && (!draft.subject.trim() || !draft.markdown.trim())) {
      saveStatus.textContent = 'Not saved yet: a draft needs a subject and a body.';
      return false;
    }
    try {
      mailout = mailout
        ? await api<Mailout>('PATCH', `/api/mailouts/${mailout.id}`, draft)
        : await api<Mailout>('POST', '/api/mailouts', draft);
      clearFieldErrors(form);
      saveStatus.textContent = `Draft saved at ${timeNow(timeZone)}.`;
      context.saved(mailout);
      updateSendSection();
      void refreshAudience();
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 400 && explicit) {
        saveStatus.textContent = '';
        showFieldErrors(form, error.details, 'The draft could not be saved');
      } else {
        const details = error instanceof ApiError ? error.details.map((problem) => problem.message) : [];
        saveStatus.textContent = `Not saved: ${[(error as Error).message, ...details].join(' ')}`;
      }
      return false;
    }
  }

  const saveSoon = debounce(() => void save(false), 800);
  const previewSoon = debounce(() => void refreshPreview(), 400);
  form.addEventListener('input', (event) => {
    const target = event.target as HTMLInputElement;
    if (target.type === 'checkbox') return;
    previewSoon();
    saveSoon();
  });
  form.addEventListener('change', (event) => {
    if ((event.target as HTMLInputElement).type === 'checkbox') void save(false);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void save(true).then((ok) => {
      if (ok) announce('Draft saved.');
    });
  });

  // Test send and send, once there is a saved draft.
  const testTo = h('input', {
    type: 'text',
    id: 'to',
    name: 'to',
    autocomplete: 'email',
    'aria-describedby': 'to-hint',
  });
  const testStatus = h('p', { class: 'status', role: 'status' });
  const testForm = h(
    'form',
    { class: 'form mailout-test-form', novalidate: true, 'aria-labelledby': 'test-heading' },
    h('h3', { id: 'test-heading' }, 'Send a test'),
    h(
      'div',
      { class: 'field', 'data-field': 'to' },
      h('label', { for: 'to' }, 'Test addresses'),
      h(
        'p',
        { class: 'hint', id: 'to-hint' },
        'Up to 5 addresses, separated by commas. The subject starts with [TEST].',
      ),
      testTo,
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'button button-secondary' }, 'Send a test'),
      testStatus,
    ),
  );
  testForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    testStatus.textContent = '';
    if (!(await save(true)) || !mailout) return;
    const to = testTo.value
      .split(/[,;\s]+/)
      .map((address) => address.trim())
      .filter(Boolean);
    try {
      const answer = await api<{ sent: number }>('POST', `/api/mailouts/${mailout.id}/test`, { to });
      clearFieldErrors(testForm);
      testStatus.textContent = `Test sent to ${answer.sent === 1 ? '1 address' : `${answer.sent} addresses`}.`;
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) {
        showFieldErrors(
          testForm,
          error.details.map((problem) => ({ ...problem, field: problem.field.replace(/^to\.\d+$/, 'to') })),
          'The test could not be sent',
        );
      } else testStatus.textContent = `The test could not be sent: ${(error as Error).message}`;
    }
  });

  const whenNow = h('input', { type: 'radio', id: 'when-now', name: 'when', value: 'now', checked: true });
  const whenLater = h('input', { type: 'radio', id: 'when-later', name: 'when', value: 'later' });
  const at = h('input', { type: 'datetime-local', id: 'at', name: 'at', 'aria-describedby': 'at-hint' });
  const atField = h(
    'div',
    { class: 'field', 'data-field': 'at', hidden: true },
    h('label', { for: 'at' }, 'Date and time'),
    h('p', { class: 'hint', id: 'at-hint' }, `In ${timeZone} time.`),
    at,
  );
  const sendButton = h('button', { type: 'submit', class: 'button' }, 'Send now');
  const sendStatus = h('p', { class: 'status', role: 'status' });
  // Sending now cannot be undone for the messages already out: one more, deliberate step.
  let sendConfirmed = false;
  const sendConfirm = h('div', { class: 'panel panel-warning', id: 'send-confirm', hidden: true });
  const closeSendConfirm = () => {
    sendConfirm.hidden = true;
    replace(sendConfirm);
  };
  const sendForm = h(
    'form',
    { class: 'form mailout-send-form', novalidate: true, 'aria-labelledby': 'send-heading' },
    h('h3', { id: 'send-heading' }, 'Send'),
    h(
      'fieldset',
      { class: 'field' },
      h('legend', {}, 'When'),
      h(
        'div',
        { class: 'choices' },
        h('div', { class: 'choice' }, whenNow, h('label', { for: 'when-now' }, 'Now')),
        h('div', { class: 'choice' }, whenLater, h('label', { for: 'when-later' }, 'At a time')),
      ),
    ),
    atField,
    h('div', { class: 'actions' }, sendButton, sendStatus),
    sendConfirm,
  );
  sendForm.addEventListener('change', () => {
    closeSendConfirm();
    atField.hidden = !whenLater.checked;
    sendButton.textContent = whenLater.checked ? 'Schedule' : 'Send now';
  });
  sendForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    sendStatus.textContent = '';
    clearFieldErrors(sendForm);
    let body: { at?: string } = {};
    if (whenLater.checked) {
      const iso = zonedToIso(at.value, timeZone);
      if (!iso) {
        showFieldErrors(
          sendForm,
          [{ field: 'at', message: 'Enter the date and time to send it' }],
          'It could not be scheduled',
        );
        return;
      }
      body = { at: iso };
    } else if (!sendConfirmed) {
      const reach =
        audienceSize === undefined
          ? 'everyone in its audience'
          : audienceSize === 1
            ? '1 member'
            : `${audienceSize} members`;
      const yes = h(
        'button',
        {
          type: 'button',
          class: 'button',
          onclick: () => {
            sendConfirmed = true;
            closeSendConfirm();
            sendForm.requestSubmit();
          },
        },
        `Yes, send it to ${reach} now`,
      );
      replace(
        sendConfirm,
        h('p', {}, `Send “${subject.value}” to ${reach} now? Messages already sent cannot be called back.`),
        h(
          'div',
          { class: 'button-group' },
          yes,
          h(
            'button',
            {
              type: 'button',
              class: 'button button-secondary',
              onclick: () => {
                closeSendConfirm();
                sendButton.focus();
              },
            },
            'Not yet',
          ),
        ),
      );
      sendConfirm.hidden = false;
      yes.focus();
      return;
    }
    sendConfirmed = false;
    if (!(await save(true)) || !mailout) return;
    sendButton.disabled = true;
    try {
      const next = await api<Mailout>('POST', `/api/mailouts/${mailout.id}/send`, body);
      context.sent(next);
    } catch (error) {
      if (error instanceof ApiError && error.status === 400)
        showFieldErrors(sendForm, error.details, 'It could not be sent');
      else sendStatus.textContent = `It could not be sent: ${(error as Error).message}`;
    } finally {
      sendButton.disabled = false;
    }
  });

  const sendSection = h(
    'section',
    { class: 'panel mailout-send', 'aria-labelledby': 'test-and-send-heading' },
    h('h2', { id: 'test-and-send-heading' }, 'Test and send'),
  );
  function updateSendSection() {
    if (!mailout) {
      replace(
        sendSection,
        h('h2', { id: 'test-and-send-heading' }, 'Test and send'),
        h('p', {}, 'Save the draft first.'),
      );
      return;
    }
    if (!sendSection.contains(sendForm))
      replace(sendSection, h('h2', { id: 'test-and-send-heading' }, 'Test and send'), testForm, sendForm);
  }
  updateSendSection();

  if (initial) {
    void refreshAudience();
  }
  void refreshPreview();

  // One column: the console is at most 72rem wide, too narrow to show a 600 px e-mail beside the form.
  return h('div', { class: 'mailout-compose' }, form, audiencePanel, previewPanel, sendSection);
}
