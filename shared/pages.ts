/** Small server-rendered pages for links in e-mails. All text passes through escapeHtml. */
import { config } from './config';
import { escapeHtml } from './escape';

interface PageOptions {
  title: string;
  message: string;
  /** A form that POSTs back to the same address: link scanners follow GETs, only people press buttons. */
  form?: {
    action: string;
    button: string;
    fields?: Array<{ name: string; label: string; type: 'email' | 'text' }>;
  };
  /**
   * Markup the caller built, placed after the message (a form richer than `form` allows). Every
   * piece of user text in it must already be escaped with escapeHtml.
   */
  html?: string;
}

export function renderMessagePage({ title, message, form, html = '' }: PageOptions): string {
  const colour = config.branding.primaryColour;
  const fieldsHtml = (form?.fields ?? [])
    .map(
      (field) =>
        `<p><label for="field-${escapeHtml(field.name)}">${escapeHtml(field.label)}</label><br><input id="field-${escapeHtml(field.name)}" name="${escapeHtml(field.name)}" type="${field.type}" required${field.type === 'email' ? ' autocomplete="email"' : ''}></p>`,
    )
    .join('');
  const formHtml = form
    ? `<form method="post" action="${escapeHtml(form.action)}">${fieldsHtml}<button type="submit">${escapeHtml(form.button)}</button></form>`
    : '';
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(config.alliance.name)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f7f9;color:#1b1f24;line-height:1.5}
header{background:${colour};color:#fff;padding:1rem 1.5rem}
header p{margin:0;font-weight:600}
main{max-width:36rem;margin:2rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.5rem;margin-top:0}
button{font:inherit;background:${colour};color:#fff;border:0;border-radius:6px;padding:.75rem 1.5rem;cursor:pointer}
button:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid #1b1f24;outline-offset:0;box-shadow:0 0 0 6px #ffdd00}
label{font-weight:600}
input{font:inherit;padding:.5rem;border:2px solid #1b1f24;border-radius:4px;width:100%;max-width:24rem;box-sizing:border-box;margin:.25rem 0 1rem}
fieldset{border:0;padding:0;margin:0 0 1rem}
legend{font-weight:600;padding:0;margin-bottom:.5rem}
.choice{display:flex;align-items:center;gap:.5rem;margin:.25rem 0}
.choice input{width:1.25rem;height:1.25rem;margin:0}
.choice label{font-weight:400}
textarea{font:inherit;padding:.5rem;border:2px solid #1b1f24;border-radius:4px;width:100%;box-sizing:border-box;margin:.25rem 0 .25rem}
textarea:focus-visible{outline:3px solid #1b1f24;outline-offset:0;box-shadow:0 0 0 6px #ffdd00}
.hint{color:#4a5160;font-size:.875rem;margin-top:0}
footer{max-width:36rem;margin:0 auto 2rem;font-size:.875rem;color:#4a5160;padding:0 1rem}
</style>
</head>
<body>
<header><p>${escapeHtml(config.alliance.name)}</p></header>
<main>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
${formHtml}${html}
</main>
<footer>${escapeHtml(config.branding.footer)}</footer>
</body>
</html>`;
}
