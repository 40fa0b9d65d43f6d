/**
 * A mail-out's Markdown body as e-mail HTML (raw HTML shown as text, only http, https and mailto
 * links, every style inline) and as plain text. Run when a draft is saved, never per recipient: the
 * senders put the stored result into the layout (mailout-email.ts), so their bundles carry no
 * Markdown parser. Pure.
 */
import MarkdownIt, { type Token } from 'markdown-it';
import { Invalid } from '../../../shared/errors';
import { colour, muted, rule } from './email-palette';
import { type ContentWrite, maxStoredBodyBytes, packBody, type RenderedBody } from './stored-body';

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });

/** Only web and mail links: a relative link goes nowhere from an inbox, other schemes are risky. */
const allowedLink = /^(https?:\/\/|mailto:)/i;
markdown.validateLink = (url: string) => allowedLink.test(url.trim());

/** Inline styles, since many mail apps drop <style> blocks. */
const styles: Record<string, string> = {
  paragraph_open: 'margin:0 0 16px',
  bullet_list_open: 'margin:0 0 16px;padding-left:24px',
  ordered_list_open: 'margin:0 0 16px;padding-left:24px',
  list_item_open: 'margin:0 0 4px',
  blockquote_open: `margin:0 0 16px;padding-left:12px;border-left:3px solid ${rule};color:${muted}`,
  hr: `border:0;border-top:1px solid ${rule};margin:24px 0`,
  table_open: 'border-collapse:collapse;margin:0 0 16px',
  th_open: `border:1px solid ${rule};padding:4px 8px`,
  td_open: `border:1px solid ${rule};padding:4px 8px`,
  code_inline: 'font-family:Consolas,Menlo,monospace;font-size:14px',
  code_block: 'font-family:Consolas,Menlo,monospace;font-size:14px;white-space:pre-wrap',
  fence: 'font-family:Consolas,Menlo,monospace;font-size:14px;white-space:pre-wrap',
  image: 'max-width:100%;height:auto',
  link_open: `color:${colour}`,
};
const headingStyles: Record<string, string> = {
  h1: 'margin:24px 0 12px;font-size:24px;line-height:1.3',
  h2: 'margin:24px 0 12px;font-size:20px;line-height:1.3',
};

function addStyle(token: Token, style: string) {
  const existing = token.attrGet('style');
  token.attrSet('style', existing ? `${existing};${style}` : style);
}

markdown.core.ruler.push('email_styles', (state) => {
  const visit = (tokens: Token[]) => {
    for (const token of tokens) {
      const style =
        token.type === 'heading_open'
          ? (headingStyles[token.tag] ?? 'margin:20px 0 8px;font-size:17px;line-height:1.3')
          : styles[token.type];
      if (style) addStyle(token, style);
      if (token.type === 'link_open') token.attrSet('rel', 'noopener');
      if (token.children) visit(token.children);
    }
  };
  visit(state.tokens);
});

/** The Markdown as e-mail HTML (no layout) and as readable plain text. */
export function renderMarkdown(source: string): RenderedBody {
  const tokens = markdown.parse(source, {});
  return { html: markdown.renderer.render(tokens, markdown.options, {}), text: plainText(tokens) };
}

const withoutScheme = (url: string) => url.replace(/^(https?:\/\/|mailto:)/i, '').replace(/\/$/, '');

/** Inline tokens as text: links as "label (url)" unless the label is the address already. */
function inlineText(children: Token[]): string {
  let text = '';
  const openLinks: Array<{ href: string; start: number }> = [];
  for (const token of children) {
    switch (token.type) {
      case 'text':
      case 'code_inline':
        text += token.content;
        break;
      case 'softbreak':
      case 'hardbreak':
        text += '\n';
        break;
      case 'image':
        text += `[${token.content || 'image'}]`;
        break;
      case 'link_open':
        openLinks.push({ href: token.attrGet('href') ?? '', start: text.length });
        break;
      case 'link_close': {
        const link = openLinks.pop();
        if (!link) break;
        const label = text.slice(link.start);
        if (withoutScheme(label) !== withoutScheme(link.href)) text += ` (${link.href})`;
        break;
      }
    }
  }
  return text;
}

/**
 * The token stream as plain text: blank lines between blocks, list items as "- " or "1. " (nested
 * lists indented), quotes as "> ", headings on their own lines (the top two underlined), table rows
 * as "cell | cell". Markdown-it has already decoded entities in the text and kept raw HTML as text.
 */
function plainText(tokens: Token[]): string {
  const lines: string[] = [];
  const lists: Array<{ ordered: boolean; next: number; marker: string }> = [];
  let quoteDepth = 0;
  let previousQuoteDepth = 0;
  let blankBeforeNext = false;
  let heading: string | undefined;
  let row: string[] | undefined;

  const emit = (block: string, options: { separate?: boolean } = {}) => {
    const separate = options.separate ?? (lists.length === 0 || blankBeforeNext);
    if (lines.length > 0 && separate)
      lines.push('> '.repeat(Math.min(quoteDepth, previousQuoteDepth)).trimEnd());
    blankBeforeNext = false;
    previousQuoteDepth = quoteDepth;
    const list = lists.at(-1);
    const quote = '> '.repeat(quoteDepth);
    const indent = lists
      .slice(0, -1)
      .map((outer) => ' '.repeat(outer.ordered ? 3 : 2))
      .join('');
    const hang = list ? ' '.repeat(list.ordered ? 3 : 2) : '';
    block.split('\n').forEach((line, index) => {
      const lead = index === 0 && list?.marker ? list.marker : hang;
      lines.push(`${quote}${indent}${lead}${line}`.trimEnd());
    });
    if (list) list.marker = '';
  };

  for (const token of tokens) {
    switch (token.type) {
      case 'bullet_list_open':
      case 'ordered_list_open':
        if (lists.length === 0) blankBeforeNext = true;
        lists.push({
          ordered: token.type === 'ordered_list_open',
          next: Number(token.attrGet('start') ?? 1),
          marker: '',
        });
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        lists.pop();
        break;
      case 'list_item_open': {
        const list = lists.at(-1);
        if (list) list.marker = list.ordered ? `${list.next++}. ` : '- ';
        break;
      }
      case 'blockquote_open':
        quoteDepth += 1;
        break;
      case 'blockquote_close':
        quoteDepth -= 1;
        break;
      case 'heading_open':
        heading = token.tag;
        break;
      case 'heading_close':
        heading = undefined;
        break;
      case 'inline': {
        const text = inlineText(token.children ?? []);
        if (row) row.push(text.replace(/\n/g, ' '));
        else if (heading === 'h1' || heading === 'h2')
          emit(`${text}\n${(heading === 'h1' ? '=' : '-').repeat(Math.min(60, text.length))}`);
        else emit(text);
        break;
      }
      case 'code_block':
      case 'fence':
        emit(token.content.replace(/\n$/, ''));
        break;
      case 'hr':
        emit('----');
        break;
      case 'thead_open':
      case 'tbody_open':
        break;
      case 'table_open':
        row = undefined;
        blankBeforeNext = true;
        break;
      case 'tr_open':
        row = [];
        break;
      case 'tr_close': {
        const cells = row ?? [];
        row = undefined;
        emit(cells.join(' | '), { separate: blankBeforeNext });
        break;
      }
    }
  }
  return `${lines.join('\n').trim()}\n`;
}

/**
 * The body as the mail-out item stores it (written with the Markdown it came from). A 400 naming
 * `markdown` when it is too large to keep with the mail-out, so nothing is written.
 */
export function renderBodyToStore(markdown: string): Uint8Array {
  const packed = packBody(renderMarkdown(markdown));
  if (packed.byteLength > maxStoredBodyBytes) {
    throw new Invalid('The request is not valid.', [
      {
        field: 'markdown',
        message:
          'the body is too large once rendered for an e-mail: shorten it, or split it into two mail-outs',
      },
    ]);
  }
  return packed;
}

/**
 * For the handlers that start, schedule, resume or change a mail-out to write with their change: the
 * body of one saved before bodies were stored, rendered from its stored Markdown, and the content of
 * one saved before the content item, moved off its header (so its header is small while it sends);
 * none when it has its body in its content item already.
 */
export function bodyToBackfill(content: {
  markdown: string;
  renderedBody?: Uint8Array;
  onHeader: boolean;
}): ContentWrite | undefined {
  if (content.renderedBody && !content.onHeader) return undefined;
  return {
    markdown: content.markdown,
    renderedBody: content.renderedBody ?? renderBodyToStore(content.markdown),
    backfill: true,
    fromHeader: content.onHeader,
  };
}
