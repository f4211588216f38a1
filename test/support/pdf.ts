// The text of a PDF, page by page, extracted with Mozilla's pdf.js: what a reader of the printed
// document sees, for assertions.
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export async function pdfText(bytes: Uint8Array): Promise<string[]> {
  const pdf = await getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    useSystemFonts: false,
  }).promise;
  try {
    const pages: string[] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const content = await (await pdf.getPage(n)).getTextContent();
      pages.push(
        content.items
          .map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : ''))
          .join('')
          .replace(/[ \t]+/g, ' '),
      );
    }
    return pages;
  } finally {
    await pdf.destroy();
  }
}

/** A PDF's text on one line: words wrapped in a table cell or across lines read as one phrase. */
export async function pdfLine(bytes: Uint8Array): Promise<string> {
  return (await pdfText(bytes)).join(' ').replace(/-\n/g, '-').replace(/\s+/g, ' ');
}
