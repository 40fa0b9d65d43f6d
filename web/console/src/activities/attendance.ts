/**
 * Recording who came: CSV pasted or read from a file, previewed row by row with what is wrong with
 * each, and only then posted (in calls of at most 1,000, the API's limit). Rows the API refuses are
 * marked with its message on their own row.
 */
import { ApiError, api } from '../api';
import { h, replace } from '../dom';
import { errorPanel } from '../shell';
import { type AttendancePreview, previewAttendance } from './attendance-csv';
import type { AttendanceAnswer } from './types';

const perCall = 1000;

export function attendanceSection(activityId: string, announce: (message: string) => void): HTMLElement {
  const textarea = h('textarea', {
    id: 'attendance-text',
    name: 'attendance',
    rows: 6,
    spellcheck: 'false',
    'aria-describedby': 'attendance-hint',
  });
  const file = h('input', { type: 'file', id: 'attendance-file', accept: '.csv,text/csv,text/plain' });
  const previewButton = h('button', { type: 'submit', class: 'button button-secondary' }, 'Preview');
  const preview = h('div', { class: 'attendance-preview' });
  const result = h('div', {});

  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    textarea.value = await chosen.text();
    show(previewAttendance(textarea.value));
  });

  const form = h(
    'form',
    { class: 'attendance-form', novalidate: true },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'attendance-text' }, 'Attendees as CSV'),
      h(
        'p',
        { class: 'hint', id: 'attendance-hint' },
        'One attendee per line: e-mail address, then name. A first line "email,name" is read as the header. Nothing is recorded until you have seen the preview.',
      ),
      textarea,
    ),
    h('div', { class: 'field' }, h('label', { for: 'attendance-file' }, 'Or read a CSV file'), file),
    h('div', { class: 'actions' }, previewButton),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    show(previewAttendance(textarea.value));
  });

  function show(reading: AttendancePreview) {
    replace(result);
    if (reading.problem) {
      replace(preview, errorPanel(reading.problem));
      preview.querySelector<HTMLElement>('[role="alert"]')?.setAttribute('tabindex', '-1');
      preview.querySelector<HTMLElement>('[role="alert"]')?.focus();
      return;
    }
    const withProblems = reading.rows.filter((row) => row.problems.length > 0).length;
    const ready = reading.attendees.length;
    const problemCells = new Map<number, HTMLElement>();
    const summary = h(
      'h3',
      { id: 'attendance-preview-heading', tabindex: '-1' },
      `Preview: ${ready} ready to record${withProblems ? `, ${withProblems} with ${withProblems === 1 ? 'a problem' : 'problems'} (not recorded)` : ''}`,
    );
    const record = h(
      'button',
      { type: 'button', class: 'button', disabled: ready === 0 },
      `Record ${ready} ${ready === 1 ? 'attendee' : 'attendees'}`,
    );
    record.addEventListener('click', () => void send(reading, record, problemCells));
    replace(
      preview,
      summary,
      h(
        'div',
        {
          class: 'table-scroll',
          tabindex: '0',
          role: 'region',
          'aria-labelledby': 'attendance-preview-heading',
        },
        h(
          'table',
          { class: 'data-table preview-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col', class: 'number' }, 'Line'),
              h('th', { scope: 'col' }, 'E-mail'),
              h('th', { scope: 'col' }, 'Name'),
              h('th', { scope: 'col' }, 'Problem'),
            ),
          ),
          h(
            'tbody',
            {},
            reading.rows.map((row) => {
              const problemCell = h('td', {}, row.problems.join('. '));
              problemCells.set(row.line, problemCell);
              return h(
                'tr',
                { class: row.problems.length > 0 ? 'row-problem' : undefined },
                h('td', { class: 'number' }, String(row.line)),
                h('td', {}, row.email),
                h('td', {}, row.name),
                problemCell,
              );
            }),
          ),
        ),
      ),
      h('div', { class: 'actions' }, record),
    );
    summary.focus();
    announce(summary.textContent ?? '');
  }

  async function send(
    reading: AttendancePreview,
    record: HTMLButtonElement,
    problemCells: Map<number, HTMLElement>,
  ) {
    record.disabled = true;
    replace(result, h('p', { role: 'status' }, 'Recording…'));
    const readyRows = reading.rows.filter((row) => row.problems.length === 0);
    const total: AttendanceAnswer = { recorded: 0, alreadyRecorded: 0, duplicatesInRequest: 0 };
    try {
      for (let start = 0; start < reading.attendees.length; start += perCall) {
        const answer = await api<AttendanceAnswer>(
          'POST',
          `/api/activities/${encodeURIComponent(activityId)}/attendance`,
          {
            attendees: reading.attendees.slice(start, start + perCall),
          },
        ).catch((error: unknown) => {
          // The API names refused rows as attendees.<index>.<field>: show each on its own line.
          if (error instanceof ApiError && error.status === 400) {
            for (const detail of error.details) {
              const index = /^attendees\.(\d+)/.exec(detail.field)?.[1];
              const row = index === undefined ? undefined : readyRows[start + Number(index)];
              const cell = row && problemCells.get(row.line);
              if (cell) {
                cell.textContent = detail.message;
                cell.parentElement?.classList.add('row-problem');
              }
            }
          }
          throw error;
        });
        total.recorded += answer.recorded;
        total.alreadyRecorded += answer.alreadyRecorded;
        total.duplicatesInRequest += answer.duplicatesInRequest;
      }
      const message = `Recorded ${total.recorded} ${total.recorded === 1 ? 'attendee' : 'attendees'}${
        total.alreadyRecorded ? `; ${total.alreadyRecorded} had already been recorded` : ''
      }${total.duplicatesInRequest ? `; ${total.duplicatesInRequest} repeated addresses counted once` : ''}.`;
      replace(result, h('div', { class: 'panel', role: 'status', tabindex: '-1' }, h('p', {}, message)));
      result.querySelector<HTMLElement>('.panel')?.focus();
    } catch (error) {
      record.disabled = false;
      const refused =
        error instanceof ApiError && error.status === 400
          ? ' The rows the API refused are marked in the preview; correct them and preview again.'
          : '';
      replace(result, errorPanel(`Attendance was not recorded: ${(error as Error).message}${refused}`));
      result.querySelector<HTMLElement>('[role="alert"]')?.setAttribute('tabindex', '-1');
      result.querySelector<HTMLElement>('[role="alert"]')?.focus();
    }
  }

  return h(
    'section',
    { 'aria-labelledby': 'attendance-heading', class: 'section' },
    h('h2', { id: 'attendance-heading' }, 'Record attendance'),
    form,
    preview,
    result,
  );
}
