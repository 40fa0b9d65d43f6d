/** One mail-out: compose a new one or a draft (`?id=`), or follow one that is sending or sent. */
import { ApiError, api } from '../api';
import { h, replace } from '../dom';
import { composeView } from '../mailouts/compose';
import { sendingView } from '../mailouts/sending';
import { isEditable, type Mailout, stateLabels } from '../mailouts/types';
import { consolePage, errorPanel, type PageContext } from '../shell';

await consolePage({
  title: 'New mail-out',
  needs: 'staff',
  async render(main, context: PageContext) {
    const { options, announce } = context;
    const heading = main.querySelector('h1') as HTMLHeadingElement;
    heading.tabIndex = -1;
    const stateLine = h('p', { class: 'mailout-state' });
    const body = h('div', {});
    main.append(h('p', {}, h('a', { href: '/console/mailouts.html' }, 'All mail-outs')), stateLine, body);

    const show = (mailout: Mailout | undefined) => {
      const title = mailout ? mailout.subject : 'New mail-out';
      heading.textContent = title;
      document.title = `${title}: ${options.alliance.shortName} console`;
      replace(stateLine, mailout ? `State: ${stateLabels[mailout.state]}` : 'Not saved yet');
    };

    const id = new URLSearchParams(window.location.search).get('id');
    let initial: Mailout | undefined;
    if (id) {
      body.append(h('p', { role: 'status' }, 'Loading the mail-out…'));
      try {
        initial = await api<Mailout>('GET', `/api/mailouts/${encodeURIComponent(id)}`);
      } catch (error) {
        replace(
          body,
          errorPanel(
            error instanceof ApiError && error.status === 404
              ? 'There is no mail-out with that id. It may have been mistyped.'
              : `The mail-out could not be loaded: ${(error as Error).message}`,
          ),
        );
        return;
      }
    }
    show(initial);

    const following = (mailout: Mailout, justSent: boolean) => {
      const sending = sendingView(mailout, { options, announce, changed: show }, { justSent });
      replace(body, sending.view);
      return sending;
    };

    if (initial && !isEditable(initial)) {
      following(initial, false);
      return;
    }
    if (initial?.state === 'scheduled') {
      // A scheduled mail-out can still be changed, sent now or cancelled.
      const sending = sendingView(initial, { options, announce, changed: show });
      body.replaceChildren(sending.view);
    } else body.replaceChildren();
    body.append(
      composeView(initial, {
        options,
        announce,
        saved(mailout) {
          if (!new URLSearchParams(window.location.search).get('id'))
            window.history.replaceState(null, '', `?id=${encodeURIComponent(mailout.id)}`);
          show(mailout);
        },
        sent(mailout) {
          show(mailout);
          const sending = following(mailout, true);
          announce(mailout.state === 'scheduled' ? 'The mail-out is scheduled.' : 'The mail-out is sending.');
          sending.focus();
        },
      }),
    );
  },
});
