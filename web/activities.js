/**
 * The activities page: lists GET /api/activities as cards, each with a form to book a place by e-mail
 * (POST /api/activities/{id}/rsvps, answered by a link in the person's inbox). A member who came from
 * a link in one of our e-mails (?token=) can book at once with their membership instead.
 * The page's name and branding come from app.js, which every page loads. The DOM is built with
 * createElement and textContent only, so no text from the server can ever become markup.
 */

const $ = (selector, root = document) => root.querySelector(selector);

/** createElement with properties and children; strings become text nodes, never HTML. */
function el(tag, properties = {}, ...children) {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

const sentence = (text) => String(text).charAt(0).toUpperCase() + String(text).slice(1);
const looksLikeEmail = (value) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);

function retryWording(retryAfter) {
  const seconds = Number.parseInt(retryAfter ?? '', 10);
  if (!Number.isFinite(seconds) || seconds <= 0) return 'later';
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  return hours === 1 ? 'in about an hour' : `in about ${hours} hours`;
}

/** The member's link token from their e-mail, if they came that way. */
let memberToken = new URLSearchParams(location.search).get('token') || null;

async function callApi(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20000),
  });
  const payload = await response.json().catch(() => null);
  return { response, payload, code: payload?.error?.code };
}

/* ---------- what a card says ---------- */

function placesText(activity) {
  if (activity.capacity === null || activity.placesLeft === null) return 'Places available';
  if (activity.placesLeft <= 0) return 'Full — join the waitlist';
  return activity.placesLeft === 1 ? '1 place left' : `${activity.placesLeft} places left`;
}

function whereText(activity) {
  if (activity.venue && activity.online) return `${activity.venue}, and online`;
  if (activity.venue) return activity.venue;
  return 'Online';
}

const isFull = (activity) => activity.placesLeft !== null && activity.placesLeft <= 0;

/* ---------- a booking form's errors: a summary at its top, a message beside each field ---------- */

function formErrors(form, idPrefix) {
  const fieldOf = (key) => $(`[data-field="${key}"]`, form);
  const inputOf = (key) => $('input', fieldOf(key));
  const errorIdOf = (key) => `${idPrefix}-${key}-error`;

  function clear() {
    $(':scope > .error-summary', form)?.remove();
    for (const message of form.querySelectorAll('.error-message')) message.remove();
    for (const field of form.querySelectorAll('.field-error')) field.classList.remove('field-error');
    for (const input of form.querySelectorAll('input')) {
      input.removeAttribute('aria-invalid');
      const ids = (input.getAttribute('aria-describedby') ?? '').split(' ');
      const kept = ids.filter((id) => id && !id.endsWith('-error')).join(' ');
      if (kept) input.setAttribute('aria-describedby', kept);
      else input.removeAttribute('aria-describedby');
    }
  }

  /** problems: [{ key: 'email' | 'name', message }]; text: when no field is to blame. */
  function show({ problems = [], text }) {
    clear();
    const items = [];
    for (const { key, message } of problems) {
      const field = fieldOf(key);
      const input = inputOf(key);
      const errorId = errorIdOf(key);
      field.classList.add('field-error');
      field.insertBefore(
        el(
          'p',
          { className: 'error-message', id: errorId },
          el('span', { className: 'visually-hidden' }, 'Error: '),
          message,
        ),
        input,
      );
      const ids = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
      input.setAttribute('aria-describedby', [...ids, errorId].join(' '));
      input.setAttribute('aria-invalid', 'true');
      const link = el('a', { href: `#${input.id}`, textContent: message });
      link.addEventListener('click', (event) => {
        event.preventDefault();
        input.focus();
      });
      items.push(el('li', {}, link));
    }
    const titleId = `${idPrefix}-error-title`;
    const summary = el(
      'div',
      { className: 'error-summary', tabIndex: -1 },
      el('h4', { id: titleId, className: 'error-summary-title' }, 'There is a problem'),
      text ? el('p', {}, text) : null,
      items.length ? el('ul', { className: 'error-summary-list' }, ...items) : null,
    );
    summary.setAttribute('role', 'alert');
    summary.setAttribute('aria-labelledby', titleId);
    form.prepend(summary);
    summary.focus();
  }

  return { show, clear };
}

/** A 400's details as field problems (email, name); its message when no field is named. */
function problemsOf(payload, fallback) {
  const details = Array.isArray(payload?.error?.details) ? payload.error.details : [];
  const problems = details
    .filter((detail) => detail.field === 'email' || detail.field === 'name')
    .map((detail) => ({ key: detail.field, message: sentence(detail.message) }));
  return problems.length ? { problems } : { text: fallback };
}

/* ---------- one activity ---------- */

function activityCard(activity) {
  const id = `activity-${activity.id}`;
  const full = isFull(activity);
  const bookLabel = full ? 'Join the waitlist' : 'Book a place';

  const places = el('dd', { className: 'activity-places' }, placesText(activity));
  const facts = el(
    'dl',
    { className: 'activity-facts' },
    el(
      'div',
      {},
      el('dt', {}, 'When'),
      el(
        'dd',
        {},
        el('time', { dateTime: activity.startsAt }, activity.startsAtDisplay ?? activity.startsAt),
      ),
    ),
    el('div', {}, el('dt', {}, 'Where'), el('dd', {}, whereText(activity))),
    el('div', {}, el('dt', {}, 'Places'), places),
  );

  const calendar = el(
    'a',
    {
      href: `/api/activities/${encodeURIComponent(activity.id)}/calendar.ics`,
      className: 'activity-calendar',
    },
    'Add to calendar (.ics)',
    el('span', { className: 'visually-hidden' }, `: ${activity.title}`),
  );
  calendar.setAttribute('download', '');

  const status = el('p', { className: 'status activity-status', id: `${id}-status` });
  status.setAttribute('role', 'status');

  const nameId = `${id}-name`;
  const emailId = `${id}-email`;
  const hintId = `${id}-email-hint`;
  const nameInput = el('input', {
    id: nameId,
    name: 'name',
    type: 'text',
    autocomplete: 'name',
    maxLength: 200,
    spellcheck: false,
  });
  const emailInput = el('input', {
    id: emailId,
    name: 'email',
    type: 'email',
    autocomplete: 'email',
    maxLength: 254,
    spellcheck: false,
    required: true,
  });
  emailInput.setAttribute('aria-describedby', hintId);
  const nameField = el(
    'div',
    { className: 'field' },
    el('label', { htmlFor: nameId }, 'Full name ', el('span', { className: 'required' }, '(optional)')),
    nameInput,
  );
  const emailField = el(
    'div',
    { className: 'field' },
    el('label', { htmlFor: emailId }, 'E-mail address'),
    el('p', { className: 'hint', id: hintId }, 'We will send a link to this address to confirm your place.'),
    emailInput,
  );
  // dataset is read-only as a property, so the field keys go on after creation.
  nameField.dataset.field = 'name';
  emailField.dataset.field = 'email';
  const submit = el('button', { className: 'button', type: 'submit' }, bookLabel);
  const form = el(
    'form',
    { className: 'form activity-form', noValidate: true },
    nameField,
    emailField,
    submit,
  );
  form.setAttribute('aria-labelledby', `${id}-book`);
  const errors = formErrors(form, id);

  const memberButton = memberToken
    ? el('button', { className: 'button member-booking', type: 'button' }, 'Book with my membership')
    : null;
  const memberPart = memberButton
    ? el(
        'div',
        { className: 'member-part' },
        memberButton,
        el('p', { className: 'hint or-email' }, 'Or use an e-mail address:'),
      )
    : null;

  // The heading names the activity too (for screen readers), so each booking form's name is unique.
  const booking = el(
    'div',
    { className: 'activity-booking' },
    el(
      'h3',
      { id: `${id}-book` },
      bookLabel,
      el('span', { className: 'visually-hidden' }, `: ${activity.title}`),
    ),
    memberPart,
    form,
    status,
  );

  const article = el(
    'article',
    { className: 'activity-card' },
    el('h2', { id: `${id}-title`, className: 'activity-title' }, activity.title),
    el('p', { className: 'activity-kind' }, `${activity.kindName} · ${activity.networkName}`),
    facts,
    activity.description ? el('p', { className: 'activity-description' }, activity.description) : null,
    el('p', {}, calendar),
    booking,
  );
  article.setAttribute('aria-labelledby', `${id}-title`);

  /** Say something in the card's live region: success, or a problem that no field is to blame for. */
  const say = (text, tone) => {
    status.className = `status activity-status status-${tone}`;
    status.textContent = text;
  };
  /** The activity can no longer be booked here: say why and take the forms away. */
  const closeBooking = (text) => {
    form.hidden = true;
    if (memberPart) memberPart.hidden = true;
    say(text, 'error');
  };
  const refreshPlaces = async () => {
    try {
      const { response, payload } = await callApi(
        'GET',
        `/api/activities/${encodeURIComponent(activity.id)}`,
      );
      if (response.ok && payload) places.textContent = placesText(payload);
    } catch {
      // the figure stays as it was; the booking itself is done
    }
  };
  /** Answers both ways of booking share: the activity closed, too many requests, or a failure. */
  const explainCommon = (result) => {
    const { response, payload, code } = result;
    if (response.status === 410 && (code === 'activity_cancelled' || code === 'activity_started')) {
      closeBooking(payload?.error?.message ?? 'This activity can no longer be booked.');
      return true;
    }
    if (response.status === 404) {
      closeBooking('This activity is no longer listed, so it cannot be booked.');
      return true;
    }
    if (response.status === 429) {
      const when = retryWording(response.headers.get('retry-after'));
      errors.show({
        text: `There have been too many booking requests from your connection. Please try again ${when}.`,
      });
      return true;
    }
    return false;
  };

  let sending = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (sending) return;
    say('', 'success');
    const data = new FormData(form);
    const email = String(data.get('email') ?? '').trim();
    const name = String(data.get('name') ?? '').trim();
    if (!email) return errors.show({ problems: [{ key: 'email', message: 'Enter your e-mail address' }] });
    if (!looksLikeEmail(email)) {
      return errors.show({
        problems: [
          { key: 'email', message: 'Enter an e-mail address in the correct format, like name@example.org' },
        ],
      });
    }
    sending = true;
    submit.disabled = true;
    submit.textContent = 'Sending…';
    form.setAttribute('aria-busy', 'true');
    try {
      const path = `/api/activities/${encodeURIComponent(activity.id)}/rsvps`;
      const result = await callApi('POST', path, name ? { email, name } : { email });
      if (result.response.status === 202) {
        errors.clear();
        form.reset();
        const message =
          result.payload?.message ?? 'Check your inbox: follow the link in our e-mail to confirm your place.';
        say(`${message} We sent it to ${email}.`, 'success');
      } else if (explainCommon(result)) {
        // said
      } else if (result.response.status === 400) {
        errors.show(problemsOf(result.payload, 'Check your name and e-mail address and try again.'));
      } else {
        errors.show({
          text: 'Sorry, something went wrong and your place was not requested. Please try again.',
        });
      }
    } catch {
      errors.show({ text: 'We could not reach the server. Check your connection and try again.' });
    } finally {
      sending = false;
      submit.disabled = false;
      submit.textContent = bookLabel;
      form.removeAttribute('aria-busy');
    }
  });

  memberButton?.addEventListener('click', async () => {
    if (memberButton.disabled || !memberToken) return;
    errors.clear();
    say('', 'success');
    memberButton.disabled = true;
    memberButton.textContent = 'Booking…';
    try {
      const path = `/api/activities/${encodeURIComponent(activity.id)}/rsvps`;
      const result = await callApi('POST', path, { memberToken });
      const outcome = result.payload?.status;
      if (result.response.ok && (outcome === 'accepted' || outcome === 'waitlisted')) {
        const fallback =
          outcome === 'accepted' ? 'You have a place.' : 'The activity is full, so you are on the waitlist.';
        say(result.payload?.message ?? fallback, 'success');
        await refreshPlaces();
      } else if (explainCommon(result)) {
        // said
      } else if ([400, 401, 403, 410].includes(result.response.status)) {
        membershipUnusable(result.code);
        say(
          result.code === 'member_gone'
            ? 'We no longer hold a membership for your link. You can still book with an e-mail address.'
            : 'Your link can no longer be used to book. You can still book with an e-mail address.',
          'error',
        );
        emailInput.focus();
      } else {
        say('Sorry, something went wrong and you are not booked yet. Please try again.', 'error');
      }
    } catch {
      say('We could not reach the server. Check your connection and try again.', 'error');
    } finally {
      memberButton.disabled = false;
      memberButton.textContent = 'Book with my membership';
    }
  });

  return el('li', {}, article);
}

/* ---------- the member's link ---------- */

function showMembership() {
  if (memberToken) $('#membership').hidden = false;
}

/** The link stopped working (expired, not valid, member gone): every card falls back to e-mail. */
function membershipUnusable(code) {
  memberToken = null;
  for (const part of document.querySelectorAll('.member-part')) part.hidden = true;
  const text = $('#membership-text');
  text.textContent =
    code === 'token_expired'
      ? 'The link you came from has expired, so please book with your e-mail address. '
      : 'The link you came from can no longer be used to book, so please book with your e-mail address. ';
  text.append(el('a', { href: '/preferences.html' }, 'Get a fresh link'));
}

/* ---------- the page ---------- */

async function start({ retried = false } = {}) {
  const status = $('#activities-status');
  const list = $('#activity-list');
  status.textContent = 'Loading activities…';
  let activities;
  try {
    const { response, payload } = await callApi('GET', '/api/activities');
    if (!response.ok || !Array.isArray(payload?.activities)) throw new Error(`answered ${response.status}`);
    activities = payload.activities;
  } catch {
    const retry = el('button', { type: 'button', className: 'button-link' }, 'Try again');
    retry.addEventListener('click', () => start({ retried: true }), { once: true });
    status.replaceChildren('Sorry, the activities could not be loaded. Check your connection. ', retry);
    if (retried) retry.focus();
    return;
  }
  status.textContent = '';
  if (activities.length === 0) {
    $('#no-activities').hidden = false;
    return;
  }
  showMembership();
  list.replaceChildren(...activities.map(activityCard));
  list.hidden = false;
  if (retried) $('#main').focus();
}

start();
