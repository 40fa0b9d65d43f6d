import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { Forbidden, Unauthorized } from '../errors';

/** `public`: no token. `staff`: group staff. `analyst`: group analyst or staff. */
export type RouteAccess = 'public' | 'staff' | 'analyst';

export type Group = 'staff' | 'analyst';

/** Which groups may call a route of each access level. */
export const groupsAllowed: Record<Exclude<RouteAccess, 'public'>, Group[]> = {
  staff: ['staff'],
  analyst: ['analyst', 'staff'],
};

/**
 * Each route's access level by route key (`POST /api/activities`), from the catalogue. A Lambda bundle
 * gets its own routes' entries at bundling (`__ROUTE_ACCESS__`, set by infra/cdk/function.ts); the
 * local runtime and the tests, which load handlers unbundled, bind the whole catalogue's with
 * `bindRouteAccess`. Either way shared code does not import the catalogue, so a bundle does not carry it.
 */
declare const __ROUTE_ACCESS__: Record<string, RouteAccess> | undefined;
const accessByRouteKey = new Map<string, RouteAccess>(
  typeof __ROUTE_ACCESS__ === 'undefined' ? [] : Object.entries(__ROUTE_ACCESS__),
);

export function bindRouteAccess(entries: Iterable<readonly [routeKey: string, access: RouteAccess]>): void {
  for (const [routeKey, access] of entries) accessByRouteKey.set(routeKey, access);
}

/**
 * Cognito puts groups in `cognito:groups` as an array of exact names. API Gateway's JWT authorizer
 * hands an array claim to Lambda as one string, "[a b]": the names space-separated in brackets
 * (Cognito group names hold no whitespace, so the split is exact). Commas are never separators:
 * a group named `partners,staff` is that group, not staff. Any other shape grants nothing.
 */
export function groupsOf(claims: Record<string, unknown> | undefined): string[] {
  const value = claims?.['cognito:groups'];
  if (Array.isArray(value)) return value.filter((group): group is string => typeof group === 'string');
  if (typeof value === 'string') {
    const inside = /^\[(.*)\]$/s.exec(value)?.[1];
    return inside === undefined ? [] : inside.split(' ').filter(Boolean);
  }
  return [];
}

/**
 * The gateway (API Gateway's JWT authorizer, or the local gateway) has already checked the token's
 * signature, expiry and audience; here the route's group rule from the catalogue is applied.
 */
export function assertAccess(event: APIGatewayProxyEventV2WithJWTAuthorizer): string[] {
  const access = accessByRouteKey.get(event.routeKey);
  if (access === undefined) throw new Error(`route ${event.routeKey} is not in the catalogue`);
  if (access === 'public') return [];
  const claims = event.requestContext.authorizer?.jwt?.claims;
  if (!claims) throw new Unauthorized();
  const groups = groupsOf(claims);
  if (!groupsAllowed[access].some((group) => groups.includes(group))) throw new Forbidden();
  return groups;
}
