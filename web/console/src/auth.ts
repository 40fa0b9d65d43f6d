/**
 * Sign-in for the console through a maintained OpenID Connect client (oidc-client-ts): the
 * authorization-code flow with PKCE against Cognito's hosted sign-in in the cloud, or against the
 * local runtime's stand-in, whichever /console/config.json names. Tokens live in this tab's
 * sessionStorage (never localStorage) and go when the tab closes or the person signs out. An
 * expired token sends the person back through sign-in, which returns them to the page they were on.
 */
import { type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';

interface ConsoleConfig {
  authority: string;
  clientId: string;
  scope: string;
  /** The whole provider description (the local stand-in): no discovery request is made. */
  metadata?: Record<string, string>;
  /** What discovery leaves out (Cognito has no end_session_endpoint in its document). */
  metadataSeed?: Record<string, string>;
  /** The query parameter the provider's sign-out wants for the return address, if not the standard one. */
  signOutQuery?: string;
}

export interface Session {
  name: string;
  groups: string[];
  /** Staff can do everything; analysts only look at engagement and evidence. */
  isStaff: boolean;
  accessToken: string;
}

let managerPromise: Promise<{ manager: UserManager; config: ConsoleConfig }> | undefined;

const consolePath = '/console/';

async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch('/console/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`The console's settings could not be loaded (${response.status}).`);
  return (await response.json()) as ConsoleConfig;
}

export function userManager(): Promise<{ manager: UserManager; config: ConsoleConfig }> {
  managerPromise ??= loadConfig().then((config) => {
    const origin = window.location.origin;
    const manager = new UserManager({
      authority: config.authority,
      client_id: config.clientId,
      scope: config.scope,
      response_type: 'code',
      redirect_uri: `${origin}${consolePath}callback.html`,
      post_logout_redirect_uri: `${origin}${consolePath}signed-out.html`,
      userStore: new WebStorageStateStore({ store: window.sessionStorage }),
      stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
      ...(config.metadata ? { metadata: config.metadata } : {}),
      ...(config.metadataSeed ? { metadataSeed: config.metadataSeed } : {}),
      automaticSilentRenew: false,
      monitorSession: false,
      loadUserInfo: false,
    });
    return { manager, config };
  });
  return managerPromise;
}

const here = () => `${window.location.pathname}${window.location.search}${window.location.hash}`;

/** Sends the browser through sign-in, to come back to `returnTo`; the promise never settles. */
export async function signIn(returnTo: string = here()): Promise<never> {
  const { manager } = await userManager();
  await manager.removeUser();
  await manager.signinRedirect({ state: { returnTo } });
  return new Promise<never>(() => {});
}

const groupsOf = (user: User): string[] => {
  const claim = user.profile['cognito:groups'];
  return Array.isArray(claim) ? claim.filter((group): group is string => typeof group === 'string') : [];
};

/** The signed-in person, or (when there is none, or the token has expired) a trip through sign-in. */
export async function currentSession(): Promise<Session> {
  const { manager } = await userManager();
  const user = await manager.getUser();
  if (!user || user.expired) return signIn();
  const groups = groupsOf(user);
  const name =
    typeof user.profile.name === 'string' ? user.profile.name : (user.profile.email ?? 'Signed in');
  return { name, groups, isStaff: groups.includes('staff'), accessToken: user.access_token };
}

/** On callback.html: finish sign-in and go back where the person was (only ever a console page). */
export async function completeSignIn(): Promise<string> {
  const { manager } = await userManager();
  const user = await manager.signinRedirectCallback();
  const wanted = (user.state as { returnTo?: unknown } | undefined)?.returnTo;
  return typeof wanted === 'string' && wanted.startsWith(consolePath) && !wanted.startsWith('//')
    ? wanted
    : consolePath;
}

export async function signOut(): Promise<void> {
  const { manager, config } = await userManager();
  const returnTo = `${window.location.origin}${consolePath}signed-out.html`;
  await manager.signoutRedirect({
    extraQueryParams: config.signOutQuery
      ? { [config.signOutQuery]: returnTo, client_id: config.clientId }
      : {},
  });
}
