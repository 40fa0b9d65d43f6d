/** Where sign-in comes back to: finish the code exchange, then return to the page the person was on. */
import { completeSignIn } from '../auth';
import { h, replace } from '../dom';

try {
  window.location.replace(await completeSignIn());
} catch (error) {
  const main = document.getElementById('main');
  if (main)
    replace(
      main,
      h('h1', {}, 'Sign-in did not complete'),
      h('p', { role: 'alert' }, error instanceof Error ? error.message : String(error)),
      h('p', {}, h('a', { href: '/console/' }, 'Try again')),
    );
}
