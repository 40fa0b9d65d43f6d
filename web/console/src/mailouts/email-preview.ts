/**
 * The e-mail as a recipient sees it, in a sandboxed frame.
 *
 * Why the frame is `sandbox="allow-same-origin"` and styles are copied by script: the renderer
 * (functions/mailouts/domain/render-markdown.ts and the layout in mailout-email.ts) puts every style
 * inline (`style="..."`), as mail apps need.
 * A `srcdoc` frame inherits the console's Content-Security-Policy (`style-src 'self'`, no
 * 'unsafe-inline'), so the browser drops those attributes and the preview would look unstyled; a
 * `blob:`/`data:` frame inherits it too, and a frame from another URL is refused (`default-src
 * 'none'`). Loosening the policy of the whole site for one preview is not worth it. CSP does not
 * govern styles set through the CSSOM (`element.style.cssText = ...`), so once the frame has loaded,
 * the console copies each element's `style` attribute into its CSSOM declaration: the e-mail shows
 * exactly as rendered, with every declaration the browser accepts from the attribute. Reaching into
 * the frame needs `allow-same-origin`; everything else stays forbidden (no `allow-scripts`: nothing
 * in the frame can run — and the CSP forbids inline script besides — no forms, popups or top-level
 * navigation, and a link clicked in it goes nowhere because the policy allows no framed navigation).
 * The HTML comes from the alliance's own renderer, which escapes all raw HTML in the Markdown.
 */
import { h } from '../dom';

function applyInlineStyles(frame: HTMLIFrameElement): void {
  const document = frame.contentDocument;
  if (!document) return;
  for (const element of document.querySelectorAll('[style]')) {
    const declarations = element.getAttribute('style') ?? '';
    element.removeAttribute('style');
    (element as HTMLElement).style.cssText = declarations;
  }
  // The frame as tall as the e-mail, so the page scrolls rather than a box inside it.
  frame.style.height = `${Math.max(240, document.documentElement.scrollHeight + 4)}px`;
}

export function emailFrame(title: string): HTMLIFrameElement {
  const frame = h('iframe', {
    class: 'preview-frame mailout-preview-frame',
    title,
    sandbox: 'allow-same-origin',
    referrerpolicy: 'no-referrer',
  });
  frame.addEventListener('load', () => applyInlineStyles(frame));
  return frame;
}

/** Shows `html` in the frame (each load re-applies the renderer's styles). */
export function showEmail(frame: HTMLIFrameElement, html: string): void {
  frame.srcdoc = html;
}
