// The web application's one script, for what a form without script cannot do well: adding a row
// without a round trip, vetting the contract form as it is filled (the same checks the server
// runs before it creates a contract, asked of /contracts/new/check), and checking a raw rule as it
// is typed (the studio's Check, asked of /rulesets/:id/raw/check), each problem a button that
// selects its place in the text. Every form works without it.

const CHECK_DELAY_MS = 400;

interface CheckAnswer {
  issues: { field?: string; message: string }[];
  suggestions: Record<string, string>;
}

/** "Add a row": a copy of the table's <template> row, numbered after the last row. */
function addRows(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-add-row]')) {
    button.addEventListener('click', (event) => {
      const name = button.dataset.addRow!;
      const template = document.getElementById(`${name}-row`) as HTMLTemplateElement | null;
      const body = document.getElementById(`${name}-rows`);
      if (!template || !body) return;
      event.preventDefault();
      const index = body.querySelectorAll('tr').length;
      const html = template.innerHTML
        .replaceAll('__index__', String(index))
        .replaceAll('__row__', String(index + 1));
      body.insertAdjacentHTML('beforeend', html);
      body.querySelector<HTMLInputElement>('tr:last-child input')?.focus();
    });
  }
}

/** Live vetting: the form's fields, checked a moment after each change; refusals marked in place. */
function liveCheck(form: HTMLFormElement): void {
  const url = form.dataset.check!;
  const status = document.getElementById('check-status');
  let timer: number | undefined;
  let latest = 0;
  const run = async (): Promise<void> => {
    const asked = ++latest;
    const fields: Record<string, string> = {};
    for (const [name, value] of new FormData(form)) if (typeof value === 'string') fields[name] = value;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ csrf: fields.csrf, fields }),
      credentials: 'same-origin',
    });
    if (asked !== latest || !response.ok) return;
    show(form, (await response.json()) as CheckAnswer, status);
  };
  form.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void run(), CHECK_DELAY_MS);
  });
}

function show(form: HTMLFormElement, answer: CheckAnswer, status: HTMLElement | null): void {
  for (const marked of form.querySelectorAll('[data-live-error]')) marked.remove();
  for (const field of form.querySelectorAll('[aria-invalid="true"]')) field.removeAttribute('aria-invalid');
  for (const hint of form.querySelectorAll('[data-suggestion]')) hint.textContent = '';
  const general: string[] = [];
  for (const issue of answer.issues) {
    const field = issue.field ? form.elements.namedItem(issue.field) : null;
    if (field instanceof HTMLElement) {
      field.setAttribute('aria-invalid', 'true');
      const note = document.createElement('span');
      note.className = 'field-error';
      note.dataset.liveError = '';
      note.id = `${issue.field}-live-error`;
      note.textContent = issue.message;
      field.setAttribute('aria-describedby', note.id);
      field.insertAdjacentElement('afterend', note);
    } else general.push(issue.message);
  }
  for (const [name, text] of Object.entries(answer.suggestions)) {
    const hint = form.querySelector(`[data-suggestion="${CSS.escape(name)}"]`);
    if (hint) hint.textContent = text;
  }
  if (status) {
    status.textContent =
      answer.issues.length === 0
        ? 'Vetting: these terms pass every guard of the rule set.'
        : `Vetting: ${answer.issues.length} to fix before sending.${general.length ? ' ' + general.join(' ') : ''}`;
    status.className = answer.issues.length === 0 ? 'notice' : 'notice bad';
  }
}

interface RawAnswer {
  problems: { message: string; place?: { offset: number; length: number; line: number; column: number } }[];
  words?: string;
}

/** The raw editor: the rule checked a moment after each change; each problem selects its place. */
function liveRaw(form: HTMLFormElement): void {
  const url = form.dataset.rawCheck!;
  const text = form.querySelector<HTMLTextAreaElement>('textarea[name="rule"]');
  const region = document.getElementById('rule-check');
  if (!text || !region) return;
  let timer: number | undefined;
  let latest = 0;
  const run = async (): Promise<void> => {
    const asked = ++latest;
    const data = new FormData(form);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ csrf: data.get('csrf'), fields: { slot: data.get('slot'), rule: text.value } }),
      credentials: 'same-origin',
    });
    if (asked !== latest || !response.ok) return;
    const answer = (await response.json()) as RawAnswer;
    region.replaceChildren(problemsOf(answer, text));
    if (answer.problems.length > 0) {
      text.setAttribute('aria-invalid', 'true');
      text.setAttribute('aria-describedby', 'rule-problems');
    } else {
      text.removeAttribute('aria-invalid');
      text.removeAttribute('aria-describedby');
    }
  };
  text.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void run(), CHECK_DELAY_MS);
  });
}

function problemsOf(answer: RawAnswer, text: HTMLTextAreaElement): HTMLElement {
  const box = document.createElement('div');
  if (answer.problems.length === 0) {
    box.className = 'notice';
    box.textContent = `No problem found in this rule.${answer.words ? ` In words: ${answer.words}` : ''}`;
    return box;
  }
  box.className = 'notice bad';
  const lead = document.createElement('p');
  lead.textContent = 'What the validator says:';
  const list = document.createElement('ul');
  list.id = 'rule-problems';
  for (const problem of answer.problems) {
    const item = document.createElement('li');
    item.append(problem.message);
    const place = problem.place;
    if (place) {
      const show = document.createElement('button');
      show.type = 'button';
      show.className = 'plain small';
      show.textContent = `line ${place.line}, column ${place.column}`;
      show.addEventListener('click', () => {
        text.focus();
        text.setSelectionRange(place.offset, place.offset + place.length);
      });
      item.append(' ', show);
    }
    list.append(item);
  }
  box.append(lead, list);
  return box;
}

addRows();
const form = document.querySelector<HTMLFormElement>('form[data-check]');
if (form) liveCheck(form);
const raw = document.querySelector<HTMLFormElement>('form[data-raw-check]');
if (raw) liveRaw(raw);
