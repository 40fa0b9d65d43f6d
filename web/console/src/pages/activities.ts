/**
 * Staff's activities: the list (upcoming and past, and scheduling a new one) at activities.html, one
 * activity (change, cancel, roster, attendance) at activities.html?id=<id>.
 */
import { renderDetail } from '../activities/detail';
import { renderList } from '../activities/list';
import { consolePage } from '../shell';

await consolePage({
  title: 'Activities',
  needs: 'staff',
  async render(main, context) {
    const id = new URLSearchParams(window.location.search).get('id');
    if (id) await renderDetail(main, context, id);
    else await renderList(main, context);
  },
});
