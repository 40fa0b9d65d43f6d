/**
 * The hosted pages' one script. Every page: name and brand it from GET /api/form-options.
 * The registration page: build the choices, check, submit, and show errors the GOV.UK way
 * (summary at the top, message beside each field). The DOM is built with createElement and
 * textContent only, so neither config nor server text can ever become markup.
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

/* ---------- the registration form ---------- */

const form = $('#registration-form');
const registration = $('#registration');
const status = $('#form-status');

/** Fields an error can point at, by the API's dotted path (networks.0 belongs to networks). */
const fieldKeys = [
  'name',
  'email',
  'organisation',
  'organisationType',
  'networks',
  'interests',
  'consent.newsletter',
  'consent.privacyNotice',
];

function fieldKeyOf(path) {
  const [head, next] = String(path).split('.');
  const key = head === 'consent' ? `consent.${next}` : head;
  return fieldKeys.includes(key) ? key : null;
}

const fieldOf = (key) => form.querySelector(`[data-field="${key}"]`);
const controlOf = (key) => fieldOf(key)?.querySelector('input');
const errorIdOf = (key) => `${key.replace('.', '-')}-error`;
/** A group is described as a whole (fieldset); a single input describes itself. */
const describedOf = (key) => {
  const field = fieldOf(key);
  return field?.tagName === 'FIELDSET' ? field : controlOf(key);
};

function buildChoices(options) {
  const groups = { organisationTypes: 'radio', networks: 'checkbox', interests: 'checkbox' };
  const names = { organisationTypes: 'organisationType', networks: 'networks', interests: 'interests' };
  for (const [group, type] of Object.entries(groups)) {
    const items = Array.isArray(options[group]) ? options[group] : [];
    const choices = items.map(({ id, name }) => {
      const inputId = `${names[group]}-${id}`;
      return el(
        'div',
        { className: 'choice' },
        el('input', { id: inputId, name: names[group], type, value: id }),
        el('label', { htmlFor: inputId, textContent: name }),
      );
    });
    form.querySelector(`[data-choices="${group}"]`).replaceChildren(...choices);
  }
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
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
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

function clearErrors() {
  $('.error-summary')?.remove();
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
function showErrors({ problems = [], text }) {
  clearErrors();
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
  registration.prepend(summary);
  document.title = `Error: ${document.title}`;
  summary.focus();
}

function retryWording(retryAfter) {
  const seconds = Number.parseInt(retryAfter ?? '', 10);
  if (!Number.isFinite(seconds) || seconds <= 0) return 'later';
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  return hours === 1 ? 'in about an hour' : `in about ${hours} hours`;
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
    const error = (await response.json().catch(() => null))?.error;
    const details = Array.isArray(error?.details) ? error.details : [];
    const problems = details.map((detail) => ({
      key: fieldKeyOf(detail.field),
      message: sentence(detail.message),
    }));
    if (problems.length) return { problems };
    if (error?.message) return { text: `${sentence(error.message)} ${kept}` };
  }
  return {
    text: `Sorry, something went wrong and your registration was not sent. ${kept} Please try again.`,
  };
}

function showThanks(email) {
  $('#thanks-email').textContent = email;
  registration.hidden = true;
  $('#thanks').hidden = false;
  document.title = document.title.replace(/^.*?(?= · |$)/, 'Check your inbox');
  $('#thanks-heading').focus();
}

function wrongAddress() {
  $('#thanks').hidden = true;
  registration.hidden = false;
  document.title = document.title.replace(/^.*?(?= · |$)/, pageTitle);
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
    if (problems.length) return showErrors({ problems });

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
        clearErrors();
        showThanks(body.email.trim());
      } else {
        showErrors(await explainFailure(response));
      }
    } catch {
      showErrors({ text: `We could not reach the server. Check your connection and try again. ${kept}` });
    } finally {
      sending = false;
      button.disabled = false;
      button.textContent = label;
      form.removeAttribute('aria-busy');
    }
  });
  $('#change-address').addEventListener('click', wrongAddress);
}

async function start({ retried = false } = {}) {
  if (form) status.textContent = 'Loading the form…';
  let options;
  try {
    options = await loadOptions();
  } catch {
    if (!form) return; // other pages keep their plain fallback names
    const retry = el('button', { type: 'button', className: 'button-link', textContent: 'Try again' });
    retry.addEventListener('click', () => start({ retried: true }), { once: true });
    status.replaceChildren('Sorry, the form could not be loaded. Check your connection. ', retry);
    if (retried) retry.focus();
    return;
  }
  applyBranding(options);
  if (!form) return;
  buildChoices(options);
  status.textContent = '';
  form.hidden = false;
  enableForm(options);
  if (retried) form.elements.name.focus(); // the Try again button is gone; keep the person's place
}

start();
