/**
 * Showing the API's validation errors the way the public form does: a summary at the top with a
 * link to each field, and the message next to the field itself (aria-invalid, aria-describedby).
 * Fields are found by `data-field="<name>"` on their wrapper, where `<name>` is the API's field path.
 */
import type { FieldProblem } from './api';
import { h, replace } from './dom';

export function clearFieldErrors(form: HTMLElement): void {
  for (const message of form.querySelectorAll('.error-message[data-generated]')) message.remove();
  for (const input of form.querySelectorAll('[aria-invalid="true"]')) {
    input.removeAttribute('aria-invalid');
    const describedBy = (input.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .filter((id) => id && !id.endsWith('-error'))
      .join(' ');
    if (describedBy) input.setAttribute('aria-describedby', describedBy);
    else input.removeAttribute('aria-describedby');
  }
  for (const wrapper of form.querySelectorAll('.field-error')) wrapper.classList.remove('field-error');
  form.querySelector('.error-summary')?.setAttribute('hidden', '');
}

/** Puts each problem next to its field; problems for fields the form lacks go in the summary only. */
export function showFieldErrors(form: HTMLElement, problems: FieldProblem[], title: string): void {
  clearFieldErrors(form);
  let summary = form.querySelector<HTMLElement>('.error-summary');
  if (!summary) {
    summary = h('div', { class: 'error-summary', tabindex: '-1', role: 'alert' });
    form.prepend(summary);
  }
  const items = problems.map((problem) => {
    const wrapper = form.querySelector<HTMLElement>(`[data-field="${CSS.escape(problem.field)}"]`);
    const input = wrapper?.querySelector<HTMLElement>('input, select, textarea');
    if (!wrapper || !input) return h('li', {}, `${problem.field}: ${problem.message}`);
    const id = `${input.id || problem.field.replace(/\W/g, '-')}-error`;
    wrapper.classList.add('field-error');
    const message = h('p', { class: 'error-message', id, 'data-generated': true }, problem.message);
    const label = wrapper.querySelector('label, legend');
    if (label) label.after(message);
    else wrapper.prepend(message);
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute(
      'aria-describedby',
      [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '),
    );
    return h('li', {}, h('a', { href: `#${input.id}` }, problem.message));
  });
  replace(
    summary,
    h('h2', { class: 'error-summary-title' }, title),
    h('ul', { class: 'error-summary-list' }, items),
  );
  summary.removeAttribute('hidden');
  summary.focus();
}
