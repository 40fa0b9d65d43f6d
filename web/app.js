/**
 * The hosted pages' one script. Every page: name and brand it from GET /api/form-options.
 * The registration page: build the choices, check, submit, and show errors the GOV.UK way
 * (summary at the top, message beside each field). The preferences page: load the member behind
 * the link in their e-mail, save their choices, hand them their data, unsubscribe or erase them.
 * The DOM is built with createElement and textContent only, so neither config nor server text can
 * ever become markup.
 */

const $ = (selector, root = document) => root.querySelector(selector);

/** createElement with properties and children; strings become text nodes, never HTML. */
function el(tag, properties = {}, ...children) {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
}

/** "Smart City Alliance" reads "the Smart City Alliance"; "The Forum" stays as it is. */
const withThe = (name) => (/^the\s/i.test(name) ? name : `the ${name}`);
const sentence = (text) => String(text).charAt(0).toUpperCase() + String(text).slice(1);

/** Only http(s) addresses from config reach an href or src: never `javascript:` and the like. */
function safeUrl(value) {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const url = new URL(value, location.href);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

/** The brand colour carries white text and marks links, so it must reach 4.5:1 against white. */
function readableOnWhite(colour) {
  const hex = /^#([0-9a-f]{6})$/i.exec(colour ?? '')?.[1];
  if (!hex) return false;
  const [r, g, b] = [0, 2, 4].map((at) => {
    const channel = Number.parseInt(hex.slice(at, at + 2), 16) / 255;
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05) >= 4.5;
}

const pageTitle = document.title;
/** Swaps the page's own part of the title, keeping " · Alliance name" and any "Error: " out of it. */
const setTitle = (text) => {
  document.title = document.title.replace(/^(Error: )?.*?(?= · |$)/, text);
};

async function loadOptions() {
  const response = await fetch('/api/form-options', {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(15000),
  });
  if (!response.ok) throw new Error(`form-options answered ${response.status}`);
  return response.json();
}

function applyBranding({ alliance = {}, branding = {} }) {
  const name = alliance.name;
  if (name) {
    for (const node of document.querySelectorAll('[data-alliance="name"]')) node.textContent = name;
    const heading = $('[data-alliance="join-heading"]');
    if (heading) heading.textContent = `Join ${withThe(name)}`;
    document.title = `${pageTitle} · ${name}`;
  }
  const convenorLine = $('[data-alliance="convenor-line"]');
  if (convenorLine && alliance.convenor) {
    convenorLine.textContent = `Convened by ${withThe(alliance.convenor)}`;
    convenorLine.hidden = false;
  }
  const footer = $('[data-alliance="footer"]');
  if (footer && branding.footer) footer.textContent = branding.footer;
  const logo = safeUrl(branding.logoUrl);
  const brand = $('.brand');
  if (logo && brand) brand.prepend(el('img', { src: logo, alt: '', className: 'brand-logo' }));
  if (readableOnWhite(branding.primaryColour)) {
    document.documentElement.style.setProperty('--brand', branding.primaryColour);
  }
}

/** The networks, interests or organisation types as checkboxes or radios, ids prefixed by name. */
const choiceNodes = (items, name, type) =>
  (Array.isArray(items) ? items : []).map(({ id, name: label }) => {
    const inputId = `${name}-${id}`;
    return el(
      'div',
      { className: 'choice' },
      el('input', { id: inputId, name, type, value: id }),
      el('label', { htmlFor: inputId, textContent: label }),
    );
  });

/* ---------- errors, the GOV.UK way: a summary at the top, a message beside each field ---------- */

/**
 * form: holds elements with data-field="<key>"; container: where the summary goes (top);
 * fieldKeys: the fields an error can point at, by the API's dotted path (networks.0 is networks).
 */
function errorReporter({ form, container, fieldKeys }) {
  const keyOf = (path) => {
    const [head, next] = String(path).split('.');
    const key = head === 'consent' ? `consent.${next}` : head;
    return fieldKeys.includes(key) ? key : null;
  };
  const fieldOf = (key) => form.querySelector(`[data-field="${key}"]`);
  const controlOf = (key) => fieldOf(key)?.querySelector('input');
  const errorIdOf = (key) => `${key.replace('.', '-')}-error`;
  /** A group is described as a whole (fieldset); a single input describes itself. */
  const describedOf = (key) => {
    const field = fieldOf(key);
    return field?.tagName === 'FIELDSET' ? field : controlOf(key);
  };

  function clear() {
    $(':scope > .error-summary', container)?.remove();
    for (const message of form.querySelectorAll('.error-message')) message.remove();
    for (const field of form.querySelectorAll('.field-error')) field.classList.remove('field-error');
    for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
    for (const key of fieldKeys) {
      const described = describedOf(key);
      const ids = (described?.getAttribute('aria-describedby') ?? '').split(' ');
      const kept = ids.filter((id) => id && id !== errorIdOf(key)).join(' ');
      if (kept) described?.setAttribute('aria-describedby', kept);
      else described?.removeAttribute('aria-describedby');
    }
    document.title = document.title.replace(/^Error: /, '');
  }

  function markField(key, message) {
    const field = fieldOf(key);
    const described = describedOf(key);
    const errorId = errorIdOf(key);
    field.classList.add('field-error');
    const before = field.querySelector(':scope > input, :scope > .choices, :scope > .choice');
    field.insertBefore(
      el(
        'p',
        { className: 'error-message', id: errorId },
        el('span', { className: 'visually-hidden' }, 'Error: '),
        message,
      ),
      before,
    );
    const ids = (described.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
    described.setAttribute('aria-describedby', [...ids, errorId].join(' '));
    for (const input of field.querySelectorAll('input')) input.setAttribute('aria-invalid', 'true');
  }

  /** Jump to the field the way GOV.UK does: its label or legend in view, its first input focused. */
  function jumpTo(key) {
    const field = fieldOf(key);
    const control = controlOf(key);
    const caption =
      field.tagName === 'FIELDSET' ? $(':scope > legend', field) : $(`label[for="${control.id}"]`);
    caption?.scrollIntoView({ block: 'start' });
    control.focus({ preventScroll: true });
  }

  /** problems: [{ key (a field, or null), message }]; or text alone when no field is to blame. */
  function show({ problems = [], text }) {
    clear();
    const seen = new Set();
    const items = [];
    for (const { key, message } of problems) {
      const id = key ?? message;
      if (seen.has(id)) continue; // networks.0 and networks.1: one message per field is enough
      seen.add(id);
      if (key) markField(key, message);
      const link = key
        ? el('a', {
            href: `#${controlOf(key).id}`,
            textContent: message,
            onclick: (event) => {
              event.preventDefault();
              jumpTo(key);
            },
          })
        : message;
      items.push(el('li', {}, link));
    }
    const summary = el(
      'div',
      { className: 'error-summary', tabIndex: -1 },
      el('h2', { id: 'error-summary-title', className: 'error-summary-title' }, 'There is a problem'),
    );
    summary.setAttribute('role', 'alert');
    summary.setAttribute('aria-labelledby', 'error-summary-title');
    if (text) summary.append(el('p', {}, text));
    if (items.length) summary.append(el('ul', { className: 'error-summary-list' }, ...items));
    container.prepend(summary);
    document.title = `Error: ${document.title}`;
    summary.focus();
  }

  /** A 400's details become field problems; its message, or `fallback`, when no field is named. */
  async function problemsOf(response, fallback) {
    const error = (await response.json().catch(() => null))?.error;
    const details = Array.isArray(error?.details) ? error.details : [];
    const problems = details.map((detail) => ({
      key: keyOf(detail.field),
      message: sentence(detail.message),
    }));
    if (problems.length) return { problems };
    return { text: error?.message ? sentence(error.message) : fallback };
  }

  return { show, clear, problemsOf };
}

function retryWording(retryAfter) {
  const seconds = Number.parseInt(retryAfter ?? '', 10);
  if (!Number.isFinite(seconds) || seconds <= 0) return 'later';
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  return hours === 1 ? 'in about an hour' : `in about ${hours} hours`;
}

const looksLikeEmail = (value) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);

/* ---------- the registration form ---------- */

const form = $('#registration-form');
const registration = $('#registration');
const status = $('#form-status') ?? $('#page-status');
const registrationErrors =
  form &&
  errorReporter({
    form,
    container: registration,
    fieldKeys: [
      'name',
      'email',
      'organisation',
      'organisationType',
      'networks',
      'interests',
      'consent.newsletter',
      'consent.privacyNotice',
    ],
  });

function buildChoices(options) {
  form
    .querySelector('[data-choices="organisationTypes"]')
    .replaceChildren(...choiceNodes(options.organisationTypes, 'organisationType', 'radio'));
  form
    .querySelector('[data-choices="networks"]')
    .replaceChildren(...choiceNodes(options.networks, 'networks', 'checkbox'));
  form
    .querySelector('[data-choices="interests"]')
    .replaceChildren(...choiceNodes(options.interests, 'interests', 'checkbox'));
  const privacy = safeUrl(options.privacyNoticeUrl);
  if (privacy) $('#privacy-link').href = privacy;
  // The consent record keeps these exact words, so the form shows the same ones.
  const newsletterWording = options.consentWording?.newsletter;
  if (typeof newsletterWording === 'string')
    $('label[for="consent-newsletter"]').textContent = newsletterWording;
}

function readForm(formVersion) {
  const data = new FormData(form);
  const text = (name) => String(data.get(name) ?? '');
  return {
    name: text('name'),
    email: text('email'),
    organisation: text('organisation'),
    organisationType: text('organisationType'),
    networks: data.getAll('networks').map(String),
    interests: data.getAll('interests').map(String),
    consent: {
      newsletter: form.elements.newsletter.checked,
      privacyNotice: form.elements.privacyNotice.checked,
      formVersion,
    },
    website: text('website'),
  };
}

/** The quick checks a person should not need a round trip for. The server still decides. */
function checkForm(body) {
  const problems = [];
  const email = body.email.trim();
  if (!body.name.trim()) problems.push({ key: 'name', message: 'Enter your full name' });
  if (!email) problems.push({ key: 'email', message: 'Enter your e-mail address' });
  else if (!looksLikeEmail(email)) {
    problems.push({
      key: 'email',
      message: 'Enter an e-mail address in the correct format, like name@example.org',
    });
  }
  if (!body.organisation.trim())
    problems.push({ key: 'organisation', message: 'Enter the name of your organisation' });
  if (!body.organisationType)
    problems.push({ key: 'organisationType', message: 'Select the type of organisation' });
  if (body.networks.length === 0) problems.push({ key: 'networks', message: 'Select at least one network' });
  if (!body.consent.privacyNotice) {
    problems.push({ key: 'consent.privacyNotice', message: 'Confirm that you have read the privacy notice' });
  }
  return problems;
}

const kept = 'What you typed is still in the form.';

async function explainFailure(response) {
  if (response.status === 429) {
    const when = retryWording(response.headers.get('retry-after'));
    return {
      text: `There have been too many attempts to register from your connection. Please try again ${when}.`,
    };
  }
  if (response.status === 400) {
    const explained = await registrationErrors.problemsOf(response, '');
    if (explained.problems) return explained;
    if (explained.text) return { text: `${explained.text} ${kept}` };
  }
  return {
    text: `Sorry, something went wrong and your registration was not sent. ${kept} Please try again.`,
  };
}

function showThanks(email) {
  $('#thanks-email').textContent = email;
  registration.hidden = true;
  $('#thanks').hidden = false;
  setTitle('Check your inbox');
  $('#thanks-heading').focus();
}

function wrongAddress() {
  $('#thanks').hidden = true;
  registration.hidden = false;
  setTitle(pageTitle);
  form.elements.email.focus();
  form.elements.email.select();
}

function enableForm(options) {
  const button = $('button[type="submit"]', form);
  const label = button.textContent;
  let sending = false;

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (sending) return;
    const body = readForm(options.formVersion);
    const problems = checkForm(body);
    if (problems.length) return registrationErrors.show({ problems });

    sending = true;
    button.disabled = true;
    button.textContent = 'Sending…';
    form.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch('/api/members', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(20000),
      });
      if (response.status === 202) {
        registrationErrors.clear();
        showThanks(body.email.trim());
      } else {
        registrationErrors.show(await explainFailure(response));
      }
    } catch {
      registrationErrors.show({
        text: `We could not reach the server. Check your connection and try again. ${kept}`,
      });
    } finally {
      sending = false;
      button.disabled = false;
      button.textContent = label;
      form.removeAttribute('aria-busy');
    }
  });
  $('#change-address').addEventListener('click', wrongAddress);
}

/* ---------- the preferences page (the link in every e-mail to a member) ---------- */

const preferences = $('#preferences');
const linkToken = new URLSearchParams(location.search).get('token');

/** The API is on the pages' own origin, whatever host name the link in the e-mail used. */
function apiPath(url) {
  try {
    const parsed = new URL(url, location.href);
    return parsed.pathname.startsWith('/api/') ? `${parsed.pathname}${parsed.search}` : null;
  } catch {
    return null;
  }
}

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
  const payload = await response
    .clone()
    .json()
    .catch(() => null);
  return { response, payload, code: payload?.error?.code };
}

const preferencesPath = () => `/api/preferences?token=${encodeURIComponent(linkToken ?? '')}`;

/** What a link in an e-mail can no longer do, and why: the person's way back is a fresh link. */
const linkProblems = {
  expired: {
    heading: 'This link has expired',
    reason: 'For your security, the links in our e-mails stop working after a while.',
    freshLink: true,
  },
  invalid: {
    heading: 'This link is not valid',
    reason:
      'The link may be incomplete, or it may have been replaced by a newer one. Check that you copied all of it, or use the most recent e-mail we sent you.',
    freshLink: true,
  },
  gone: {
    heading: 'We no longer hold your registration',
    reason:
      'Your details have been deleted, either because you asked us to or because the registration was never confirmed. There is nothing more to do.',
    freshLink: false,
  },
};

function linkProblemOf(status, code) {
  if (status === 410) return code === 'token_expired' ? 'expired' : 'gone';
  if ([400, 401, 403, 404].includes(status)) return 'invalid';
  return null;
}

function showLinkProblem(kind, { focus = false } = {}) {
  const problem = linkProblems[kind];
  status.textContent = '';
  for (const summary of preferences.querySelectorAll('.error-summary')) summary.remove();
  document.title = document.title.replace(/^Error: /, '');
  $('#member-area').hidden = true;
  $('#preferences-heading').textContent = problem.heading;
  $('#link-problem-reason').textContent = problem.reason;
  $('#link-problem').hidden = false;
  $('#fresh-link').hidden = !problem.freshLink;
  $('#register-again').hidden = problem.freshLink;
  setTitle(problem.heading);
  if (focus) $('#preferences-heading').focus();
}

/** A failure that is not the link's fault: say so, and offer to try again where it stopped. */
function offerRetry(message, again, retried) {
  const retry = el('button', { type: 'button', className: 'button-link', textContent: 'Try again' });
  retry.addEventListener('click', () => again({ retried: true }), { once: true });
  status.replaceChildren(`${message} `, retry);
  if (retried) retry.focus();
}

function startFreshLinkForm() {
  const freshForm = $('#fresh-link-form');
  const errors = errorReporter({ form: freshForm, container: preferences, fieldKeys: ['email'] });
  const button = $('button[type="submit"]', freshForm);
  const label = button.textContent;
  freshForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    const email = String(freshForm.elements.email.value).trim();
    if (!email) return errors.show({ problems: [{ key: 'email', message: 'Enter your e-mail address' }] });
    if (!looksLikeEmail(email)) {
      return errors.show({
        problems: [
          { key: 'email', message: 'Enter an e-mail address in the correct format, like name@example.org' },
        ],
      });
    }
    button.disabled = true;
    button.textContent = 'Sending…';
    try {
      const { response } = await callApi('POST', '/api/members/links', { email });
      if (response.status === 202) {
        errors.clear();
        $('#fresh-link-email').textContent = email;
        freshForm.hidden = true;
        $('#fresh-link-sent').hidden = false;
        $('#fresh-link-sent-heading').focus();
      } else if (response.status === 429) {
        const when = retryWording(response.headers.get('retry-after'));
        errors.show({ text: `There have been too many requests for links. Please try again ${when}.` });
      } else if (response.status === 400) {
        errors.show(await errors.problemsOf(response, 'Check your e-mail address and try again.'));
      } else {
        errors.show({ text: 'Sorry, something went wrong and no link was sent. Please try again.' });
      }
    } catch {
      errors.show({ text: 'We could not reach the server. Check your connection and try again.' });
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  });
  $('#fresh-link-again').addEventListener('click', () => {
    $('#fresh-link-sent').hidden = true;
    freshForm.hidden = false;
    freshForm.elements.email.focus();
  });
}

/** The preferences form and the data-protection actions, once the member has loaded. */
function preferencesController(options) {
  const prefsForm = $('#preferences-form');
  const errors = errorReporter({
    form: prefsForm,
    container: preferences,
    fieldKeys: ['networks', 'interests', 'newsletter'],
  });
  const saveStatus = $('#save-status');
  const unsubscribeStatus = $('#unsubscribe-status');
  let links = {};

  $('[data-choices="networks"]', prefsForm).replaceChildren(
    ...choiceNodes(options.networks, 'networks', 'checkbox'),
  );
  $('[data-choices="interests"]', prefsForm).replaceChildren(
    ...choiceNodes(options.interests, 'interests', 'checkbox'),
  );
  const newsletterWording = options.consentWording?.newsletter;
  if (typeof newsletterWording === 'string') $('label[for="newsletter"]').textContent = newsletterWording;
  const contact = options.contactEmail;
  if (typeof contact === 'string' && looksLikeEmail(contact)) {
    for (const link of document.querySelectorAll('[data-alliance="contact"]')) {
      link.href = `mailto:${contact}`;
      link.textContent = contact;
    }
  }
  const nameOf = (list, id) => (Array.isArray(list) ? list.find((item) => item.id === id)?.name : null) ?? id;

  function showMember(member) {
    $('#member-name').textContent = member.name ?? '';
    $('#member-email').textContent = member.email ?? '';
    $('#member-organisation').textContent = member.organisation ?? '';
    $('#member-organisation-type').textContent = nameOf(options.organisationTypes, member.organisationType);
    $('#pending-notice').hidden = member.status !== 'pending';
    for (const input of prefsForm.querySelectorAll('input[name="networks"], input[name="interests"]')) {
      const list = input.name === 'networks' ? member.networks : member.interests;
      input.checked = Array.isArray(list) && list.includes(input.value);
    }
    prefsForm.elements.newsletter.checked = member.newsletter === true;
  }

  function useLinks(next = {}) {
    links = next;
    const data = apiPath(next.data);
    const download = $('#download-data');
    if (data) download.href = data;
    $('#download-section').hidden = !data;
    $('#unsubscribe-section').hidden = !apiPath(next.unsubscribe);
    $('#delete-section').hidden = !apiPath(next.erase);
  }

  /** When the link itself has stopped working (expired, or the member is gone), say that, not "try again". */
  function linkStopped(result) {
    const kind = linkProblemOf(result.response.status, result.code);
    if (kind !== 'expired' && kind !== 'gone') return false;
    showLinkProblem(kind, { focus: true });
    return true;
  }

  function readChoices() {
    const data = new FormData(prefsForm);
    return {
      networks: data.getAll('networks').map(String),
      interests: data.getAll('interests').map(String),
      newsletter: prefsForm.elements.newsletter.checked,
    };
  }

  const changedWording = { networks: 'networks', interests: 'interests', newsletter: 'e-mail updates' };
  function savedMessage(changed) {
    const parts = (Array.isArray(changed) ? changed : []).map((key) => changedWording[key] ?? key);
    if (parts.length === 0) return 'Saved. Your preferences are as you left them.';
    const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
    return `Saved. We have updated your ${list}.`;
  }

  const saveButton = $('button[type="submit"]', prefsForm);
  const saveLabel = saveButton.textContent;
  prefsForm.addEventListener('change', () => {
    saveStatus.textContent = '';
  });
  prefsForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (saveButton.disabled) return;
    saveStatus.textContent = '';
    const body = readChoices();
    if (body.networks.length === 0) {
      return errors.show({ problems: [{ key: 'networks', message: 'Select at least one network' }] });
    }
    saveButton.disabled = true;
    saveButton.textContent = 'Saving…';
    prefsForm.setAttribute('aria-busy', 'true');
    try {
      const result = await callApi('PUT', preferencesPath(), body);
      if (result.response.ok && result.payload?.member) {
        errors.clear();
        showMember(result.payload.member);
        saveStatus.textContent = savedMessage(result.payload.changed);
      } else if (!linkStopped(result)) {
        errors.show(
          result.response.status === 400
            ? await errors.problemsOf(result.response, 'Your preferences could not be saved.')
            : { text: 'Sorry, something went wrong and your preferences were not saved. Please try again.' },
        );
      }
    } catch {
      errors.show({ text: 'We could not reach the server. Check your connection and try again.' });
    } finally {
      saveButton.disabled = false;
      saveButton.textContent = saveLabel;
      prefsForm.removeAttribute('aria-busy');
    }
  });

  const unsubscribeButton = $('#unsubscribe-button');
  const sayUnsubscribe = (text, tone = 'success') => {
    unsubscribeStatus.className = `status status-${tone}`;
    unsubscribeStatus.textContent = text;
  };
  unsubscribeButton.addEventListener('click', async () => {
    if (unsubscribeButton.disabled) return;
    unsubscribeButton.disabled = true;
    sayUnsubscribe('Unsubscribing…', 'progress');
    try {
      const result = await callApi('POST', apiPath(links.unsubscribe));
      const outcome = result.payload?.status;
      if (result.response.ok && (outcome === 'unsubscribed' || outcome === 'already-unsubscribed')) {
        prefsForm.elements.newsletter.checked = false;
        sayUnsubscribe(
          outcome === 'unsubscribed'
            ? 'You are unsubscribed. We will not send you any more e-mail updates.'
            : 'You were already unsubscribed. We do not send you e-mail updates.',
        );
      } else if (!linkStopped(result)) {
        sayUnsubscribe(
          'Sorry, something went wrong and you are not unsubscribed yet. Please try again.',
          'error',
        );
      }
    } catch {
      sayUnsubscribe('We could not reach the server. Check your connection and try again.', 'error');
    } finally {
      unsubscribeButton.disabled = false;
    }
  });

  const deleteStart = $('#delete-start');
  const deleteConfirm = $('#delete-confirm');
  const deleteButton = $('#delete-button');
  const deleteStatus = $('#delete-status');
  deleteStart.addEventListener('click', () => {
    deleteStart.hidden = true;
    deleteStatus.textContent = '';
    deleteConfirm.hidden = false;
    $('#delete-confirm-heading').focus();
  });
  $('#delete-cancel').addEventListener('click', () => {
    deleteConfirm.hidden = true;
    deleteStart.hidden = false;
    deleteStart.focus();
  });

  /** The erase link lasts minutes, not days: when it has lapsed on an open page, fetch a fresh one. */
  async function postErase() {
    let result = await callApi('POST', apiPath(links.erase));
    if (result.response.status === 410 && result.code === 'token_expired') {
      const reloaded = await callApi('GET', preferencesPath());
      if (!reloaded.response.ok) return reloaded;
      useLinks(reloaded.payload?.links);
      result = await callApi('POST', apiPath(links.erase));
    }
    return result;
  }

  deleteButton.addEventListener('click', async () => {
    if (deleteButton.disabled) return;
    const label = deleteButton.textContent;
    deleteButton.disabled = true;
    deleteButton.textContent = 'Deleting…';
    deleteStatus.textContent = '';
    try {
      const result = await postErase();
      if (result.response.ok && result.payload?.status === 'erased') {
        showErased();
        return;
      }
      if (linkStopped(result)) return;
      deleteStatus.textContent =
        'Sorry, something went wrong and your data was not deleted. Please try again.';
    } catch {
      deleteStatus.textContent = 'We could not reach the server. Check your connection and try again.';
    } finally {
      deleteButton.disabled = false;
      deleteButton.textContent = label;
    }
  });

  return { showMember, useLinks };
}

function showErased() {
  preferences.hidden = true;
  $('#erased').hidden = false;
  setTitle('Your data has been deleted');
  // The link in the address bar now leads nowhere; keep it out of history and bookmarks.
  history.replaceState(null, '', location.pathname);
  $('#erased-heading').focus();
}

async function startPreferences(options, { retried = false } = {}) {
  if (!linkToken) return showLinkProblem('invalid');
  status.textContent = 'Loading your preferences…';
  let result;
  try {
    result = await callApi('GET', preferencesPath());
  } catch {
    return offerRetry(
      'Sorry, your preferences could not be loaded. Check your connection.',
      (again) => startPreferences(options, again),
      retried,
    );
  }
  if (result.response.ok && result.payload?.member) {
    const controller = preferencesController(options);
    controller.showMember(result.payload.member);
    controller.useLinks(result.payload.links);
    status.textContent = '';
    $('#member-area').hidden = false;
    if (retried) $('#preferences-heading').focus();
    return;
  }
  const problem = linkProblemOf(result.response.status, result.code);
  if (problem) return showLinkProblem(problem, { focus: retried });
  offerRetry(
    'Sorry, your preferences could not be loaded.',
    (again) => startPreferences(options, again),
    retried,
  );
}

/* ---------- every page ---------- */

async function start({ retried = false } = {}) {
  if (form) status.textContent = 'Loading the form…';
  if (preferences) status.textContent = 'Loading your preferences…';
  let options;
  try {
    options = await loadOptions();
  } catch {
    if (!form && !preferences) return; // other pages keep their plain fallback names
    offerRetry(
      `Sorry, the ${form ? 'form' : 'page'} could not be loaded. Check your connection.`,
      start,
      retried,
    );
    return;
  }
  applyBranding(options);
  if (preferences) {
    startFreshLinkForm();
    return startPreferences(options, { retried });
  }
  if (!form) return;
  buildChoices(options);
  status.textContent = '';
  form.hidden = false;
  enableForm(options);
  if (retried) form.elements.name.focus(); // the Try again button is gone; keep the person's place
}

start();
