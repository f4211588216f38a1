// Handlebars templates for emails, documents and pages, compiled once at start.
// Used by activities (emails, documents) and the server (pages).
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export class Templates {
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();
  private readonly handlebars = Handlebars.create();

  constructor(readonly dir: string) {
    registerHelpers(this.handlebars);
    for (const file of readdirSync(join(dir, 'partials'))) {
      if (file.endsWith('.hbs')) {
        this.handlebars.registerPartial(
          basename(file, '.hbs'),
          readFileSync(join(dir, 'partials', file), 'utf8'),
        );
      }
    }
    for (const folder of ['emails', 'documents', 'pages']) {
      for (const file of readdirSync(join(dir, folder))) {
        if (!file.endsWith('.hbs')) continue;
        const source = readFileSync(join(dir, folder, file), 'utf8');
        const name = basename(file, '.hbs');
        // Plain-text parts and subjects are not HTML: escaping would show "&amp;" to the reader.
        const noEscape = name.endsWith('.text') || name.endsWith('.subject');
        this.compiled.set(`${folder}/${name}`, this.handlebars.compile(source, { noEscape }));
      }
    }
  }

  render(name: string, data: unknown): string {
    const template = this.compiled.get(name);
    if (!template) throw new Error(`No template ${name} under ${this.dir}`);
    return template(data);
  }

  email(name: string, data: unknown): RenderedEmail {
    return {
      subject: this.render(`emails/${name}.subject`, data).replace(/\s+/g, ' ').trim(),
      text: this.render(`emails/${name}.text`, data),
      html: this.render(`emails/${name}.html`, data),
    };
  }
}

const FIGURE = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
const PERCENT = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

function registerHelpers(hb: typeof Handlebars): void {
  hb.registerHelper('number', (value: unknown, digits: unknown) =>
    typeof value === 'number' ? value.toFixed(typeof digits === 'number' ? digits : 2) : '—',
  );
  hb.registerHelper('value', (value: unknown) =>
    typeof value === 'number' || typeof value === 'string' ? String(value) : 'not reported',
  );
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  // A grade's tone by its place among the rule set's grades (best first): good, fair or poor.
  hb.registerHelper('tone', (grade: unknown, grades: unknown) => {
    if (!Array.isArray(grades) || grades.length < 2) return '';
    const at = grades.indexOf(grade);
    if (at < 0) return '';
    const place = at / (grades.length - 1);
    return place < 0.34 ? 'tone-good' : place < 0.67 ? 'tone-fair' : 'tone-poor';
  });
  // An indicator's name by its id, among a review's scored indicators.
  hb.registerHelper('nameOf', (id: unknown, indicators: unknown) =>
    Array.isArray(indicators)
      ? ((indicators as { id: string; name: string }[]).find((i) => i.id === id)?.name ?? id)
      : id,
  );
  // A quarter's own target or figure to date, where it is not the annual one (phased indicators).
  hb.registerHelper(
    'differs',
    (a: unknown, b: unknown) => typeof a === 'number' && a !== b,
  );
  hb.registerHelper('gt', (a: unknown, b: unknown) => typeof a === 'number' && typeof b === 'number' && a > b);
  hb.registerHelper('date', (value: unknown) => (typeof value === 'string' ? value.slice(0, 10) : ''));
  // A figure rounded for its unit: a percentage to one decimal, anything else to two at most,
  // thousands grouped (1,234.5); 'not reported' for a missing one.
  hb.registerHelper('figure', (value: unknown, unit: unknown) =>
    typeof value === 'number'
      ? (unit === '%' ? PERCENT : FIGURE).format(value)
      : 'not reported',
  );
  // An instant as people read it, in UTC: 2027-10-10 09:00 UTC.
  hb.registerHelper('datetime', (value: unknown) =>
    typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)
      ? `${value.slice(0, 10)} ${value.slice(11, 16)} UTC`
      : '',
  );
  // A document's PDF: the same address ending in .pdf (a signed link keeps its token).
  hb.registerHelper('pdfOf', (url: unknown) =>
    typeof url === 'string' ? url.replace(/\.html(?=$|\?)/, '.pdf') : '',
  );
  // "1 contract", "3 contracts".
  hb.registerHelper('count', (n: unknown, noun: unknown) =>
    typeof n === 'number' && typeof noun === 'string' ? `${n} ${noun}${n === 1 ? '' : 's'}` : '',
  );
  hb.registerHelper('join', (list: unknown, separator: unknown) =>
    Array.isArray(list) ? list.join(typeof separator === 'string' ? separator : ', ') : '',
  );
  // The grades of a league table's scale, best first, from a portfolio review's distribution.
  hb.registerHelper('gradesOf', (distribution: unknown, category: unknown, ruleSet: unknown) =>
    Array.isArray(distribution)
      ? (distribution as { category: unknown; ruleSet: unknown; grade: string }[])
          .filter((d) => d.category === category && d.ruleSet === ruleSet)
          .map((d) => d.grade)
      : [],
  );
  // Places gained (▲) or lost (▼) since last time; "new" when not ranked then.
  hb.registerHelper('movement', (value: unknown) =>
    typeof value !== 'number' ? 'new' : value > 0 ? `▲ ${value}` : value < 0 ? `▼ ${-value}` : '=',
  );
  hb.registerHelper('json', (value: unknown) => JSON.stringify(value, null, 2));
}
