import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { type RouteAccess, routes } from '../../infra/catalogue';
import { Forbidden, Unauthorized } from '../errors';

export type Group = 'staff' | 'analyst';

/** Which groups may call a route of each access level. */
export const groupsAllowed: Record<Exclude<RouteAccess, 'public'>, Group[]> = {
  staff: ['staff'],
  analyst: ['analyst', 'staff'],
};

const accessByRouteKey = new Map(routes.map((route) => [`${route.method} ${route.path}`, route.access]));

/** Cognito puts groups in `cognito:groups`; API Gateway hands arrays to Lambda as "[a b]". */
export function groupsOf(claims: Record<string, unknown> | undefined): string[] {
  const value = claims?.['cognito:groups'];
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') {
    return value
      .replace(/^\[|\]$/g, '')
      .split(/[\s,]+/)
      .filter(Boolean);
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
