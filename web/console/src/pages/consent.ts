/**
 * A member's consent record by member id or by e-mail address: every entry of the append-only record
 * (what they agreed to, in which words and form version, when and how), and per purpose when they
 * signed up, confirmed and withdrew. The id stays in the address (?member=<id>) so a record can be
 * linked to; an e-mail address never does (it goes to the API in a POST body, not in a URL).
 */
import { ApiError, api } from '../api';
import { formatDateTime, h, replace } from '../dom';
import { clearFieldErrors, showFieldErrors } from '../forms';
import { consolePage, errorPanel } from '../shell';

interface ConsentEntry {
  purpose: string;
  action: 'given' | 'refused' | 'confirmed' | 'withdrawn' | 'changed';
  formVersion: string;
  wording: string;
  method: string;
  at: string;
  reason?: string;
}

const purposes: Record<string, string> = {
  'privacy-notice': 'Privacy notice',
  newsletter: 'E-mail updates (newsletter)',
  'networks-and-interests': 'Networks and interests',
};
const actions: Record<ConsentEntry['action'], string> = {
  given: 'Given (signed up)',
  refused: 'Refused',
  confirmed: 'Confirmed',
  withdrawn: 'Withdrawn',
  changed: 'Changed',
};
const methods: Record<string, string> = {
  'web-form': 'Registration form',
  'email-link': 'Link in the confirmation e-mail',
  'preferences-page': 'Preferences page',
  'one-click-unsubscribe': 'One-click unsubscribe (mail client)',
  'unsubscribe-page': 'Unsubscribe page',
  complaint: 'Spam complaint reported by the mailbox provider',
};

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const badId = 'The member id must be a UUID, like 1b4e28ba-2fa1-41d2-883f-0016d3cca427.';

interface ConsentRecord {
  memberId: string;
  consent: ConsentEntry[];
}

/** Per purpose: when first given, first confirmed, last withdrawn, and what holds now. */
function purposeSummary(entries: ConsentEntry[], timeZone: string) {
  const byPurpose = new Map<string, ConsentEntry[]>();
  for (const entry of entries) byPurpose.set(entry.purpose, [...(byPurpose.get(entry.purpose) ?? []), entry]);
  const at = (entry: ConsentEntry | undefined) => (entry ? formatDateTime(entry.at, timeZone) : '—');
  return h(
    'div',
    { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': 'consent-summary-caption' },
    h(
      'table',
      { class: 'data-table consent-table' },
      h('caption', { id: 'consent-summary-caption' }, 'Consent by purpose'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Purpose'),
          h('th', { scope: 'col' }, 'Now'),
          h('th', { scope: 'col' }, 'Signed up'),
          h('th', { scope: 'col' }, 'Confirmed'),
          h('th', { scope: 'col' }, 'Withdrawn'),
          h('th', { scope: 'col' }, 'Form version'),
        ),
      ),
      h(
        'tbody',
        {},
        [...byPurpose].map(([purpose, list]) => {
          const latest = list[list.length - 1];
          const given = list.find((entry) => entry.action === 'given' || entry.action === 'changed');
          const confirmed = list.find((entry) => entry.action === 'confirmed');
          const withdrawn = [...list].reverse().find((entry) => entry.action === 'withdrawn');
          return h(
            'tr',
            {},
            h('th', { scope: 'row' }, purposes[purpose] ?? purpose),
            h('td', {}, latest ? actions[latest.action] : ''),
            h('td', {}, at(given)),
            h('td', {}, at(confirmed)),
            h('td', {}, at(withdrawn)),
            h('td', {}, latest?.formVersion ?? ''),
          );
        }),
      ),
    ),
  );
}

function history(entries: ConsentEntry[], timeZone: string) {
  return h(
    'div',
    { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': 'consent-history-caption' },
    h(
      'table',
      { class: 'data-table consent-table' },
      h('caption', { id: 'consent-history-caption' }, 'Every entry, oldest first'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'When'),
          h('th', { scope: 'col' }, 'Purpose'),
          h('th', { scope: 'col' }, 'What happened'),
          h('th', { scope: 'col' }, 'How'),
          h('th', { scope: 'col' }, 'Form version'),
          h('th', { scope: 'col' }, 'Wording shown'),
        ),
      ),
      h(
        'tbody',
        {},
        entries.map((entry) =>
          h(
            'tr',
            {},
            h('td', {}, formatDateTime(entry.at, timeZone)),
            h('td', {}, purposes[entry.purpose] ?? entry.purpose),
            h('td', {}, actions[entry.action] ?? entry.action),
            h('td', {}, methods[entry.method] ?? entry.method, entry.reason ? ` (${entry.reason})` : ''),
            h('td', {}, entry.formVersion),
            h('td', { class: 'wording' }, entry.wording),
          ),
        ),
      ),
    ),
  );
}

await consolePage({
  title: 'Consent records',
  needs: 'staff',
  async render(main, { options, announce }) {
    const timeZone = options.alliance.timeZone;
    /** A one-field lookup form: its error summary, the labelled field with a hint, and the button. */
    const lookupForm = (
      field: { name: string; id: string; label: string; hint: string; button: string },
      input: HTMLInputElement,
    ) =>
      h(
        'form',
        { class: 'consent-lookup', novalidate: true },
        h('div', { class: 'error-summary', tabindex: '-1', role: 'alert', hidden: true }),
        h(
          'div',
          { class: 'field', 'data-field': field.name },
          h('label', { for: field.id }, field.label),
          h('p', { class: 'hint', id: `${field.id}-hint` }, field.hint),
          input,
        ),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, field.button)),
      );
    const input = h('input', {
      type: 'text',
      id: 'member-id',
      name: 'member',
      autocomplete: 'off',
      spellcheck: 'false',
      'aria-describedby': 'member-id-hint',
    });
    const form = lookupForm(
      {
        name: 'memberId',
        id: 'member-id',
        label: 'Member id',
        hint: 'The id in the member’s data export or in the exports, like 1b4e28ba-2fa1-41d2-883f-0016d3cca427.',
        button: 'Show the consent record',
      },
      input,
    );
    const emailInput = h('input', {
      type: 'email',
      id: 'member-email',
      name: 'email',
      autocomplete: 'off',
      spellcheck: 'false',
      'aria-describedby': 'member-email-hint',
    });
    const emailForm = lookupForm(
      {
        name: 'email',
        id: 'member-email',
        label: 'E-mail address',
        hint: 'The address the member registered with, in any letter case, like name@example.org.',
        button: 'Find by e-mail address',
      },
      emailInput,
    );
    const result = h('section', { 'aria-labelledby': 'record-heading', class: 'consent-result' });
    main.append(
      h(
        'p',
        { class: 'lede' },
        'What a member agreed to, in which words, when, and how: the evidence kept for each purpose.',
      ),
      form,
      emailForm,
      result,
    );

    /** Keeps ?member=<id> in the address bar for a record that can be linked to; never an e-mail address. */
    function linkTo(memberId: string | undefined) {
      const url = new URL(window.location.href);
      if (memberId) url.searchParams.set('member', memberId);
      else url.searchParams.delete('member');
      window.history.replaceState(null, '', url);
    }

    function startLookUp() {
      clearFieldErrors(form);
      clearFieldErrors(emailForm);
      replace(result, h('p', { role: 'status' }, 'Looking up the record…'));
    }

    function showRecord(record: ConsentRecord) {
      const heading = h(
        'h2',
        { id: 'record-heading', tabindex: '-1' },
        `Consent record of member ${record.memberId}`,
      );
      replace(
        result,
        heading,
        h(
          'p',
          {},
          `${record.consent.length} ${record.consent.length === 1 ? 'entry' : 'entries'}, oldest first. Times in ${timeZone} time.`,
        ),
        purposeSummary(record.consent, timeZone),
        history(record.consent, timeZone),
      );
      heading.focus();
      announce(`Consent record found: ${record.consent.length} entries.`);
    }

    function showFailure(message: string) {
      replace(
        result,
        h('h2', { id: 'record-heading', class: 'visually-hidden' }, 'Result'),
        errorPanel(message),
      );
      const alert = result.querySelector<HTMLElement>('[role="alert"]');
      alert?.setAttribute('tabindex', '-1');
      alert?.focus();
    }

    /** The API's 400: its messages next to the one field of this form. */
    function showInvalid(on: HTMLFormElement, field: string, error: ApiError, title: string) {
      replace(result);
      showFieldErrors(
        on,
        error.details.length > 0
          ? error.details.map((detail) => ({ ...detail, field }))
          : [{ field, message: error.message }],
        title,
      );
    }

    async function lookUp(memberId: string) {
      clearFieldErrors(form);
      clearFieldErrors(emailForm);
      replace(result);
      linkTo(memberId);
      if (!uuid.test(memberId)) {
        showFieldErrors(form, [{ field: 'memberId', message: badId }], 'The member id is not valid');
        return;
      }
      startLookUp();
      try {
        showRecord(await api<ConsentRecord>('GET', `/api/members/${encodeURIComponent(memberId)}/consent`));
      } catch (error) {
        if (error instanceof ApiError && error.status === 400) {
          showInvalid(form, 'memberId', error, 'The member id is not valid');
          return;
        }
        showFailure(
          error instanceof ApiError && error.status === 404
            ? `No such member: there is no consent record for ${memberId}. Check the id and try again.`
            : `The consent record could not be loaded: ${(error as Error).message}`,
        );
      }
    }

    async function findByEmail(email: string) {
      linkTo(undefined);
      startLookUp();
      try {
        const record = await api<ConsentRecord>('POST', '/api/members/consent/lookup', { email });
        linkTo(record.memberId);
        showRecord(record);
      } catch (error) {
        if (error instanceof ApiError && error.status === 400) {
          showInvalid(emailForm, 'email', error, 'The e-mail address is not valid');
          return;
        }
        showFailure(
          error instanceof ApiError && error.status === 404
            ? `${error.message} Check the address, or look the member up by id.`
            : `The consent record could not be loaded: ${(error as Error).message}`,
        );
      }
    }

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void lookUp(input.value.trim());
    });
    emailForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void findByEmail(emailInput.value.trim());
    });
    const fromAddress = new URLSearchParams(window.location.search).get('member');
    if (fromAddress) {
      input.value = fromAddress;
      await lookUp(fromAddress.trim());
    } else input.focus();
  },
});
