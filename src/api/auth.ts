/**
 * Bearer-token authentication. Each route declares in its `config.access` who may call it: 'public' (no
 * token: liveness, readiness, the OpenAPI document), 'read' (any valid token) or 'admin' (an admin token).
 * A route that declares nothing is treated as 'admin', so forgetting the declaration fails closed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiToken } from '../config/types';
import { apiError } from './errors';

export type Access = 'public' | 'read' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** Who presented a valid token (null on public routes); its name is recorded as initiated_by. */
    principal: Principal | null;
  }
}

export interface Principal {
  readonly name: string;
  readonly role: ApiToken['role'];
}

/** The name recorded as initiated_by / created_by / decided_by for what this request does. */
export function principalName(req: FastifyRequest): string {
  return req.principal?.name ?? 'anonymous';
}

interface KnownToken {
  readonly name: string;
  readonly role: ApiToken['role'];
  readonly digest: Buffer;
}

// Comparing SHA-256 digests gives equal-length buffers for timingSafeEqual whatever the token lengths, so
// neither the content nor the length of a configured token leaks through timing.
const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** The token a request presents, or null; a scheme other than Bearer counts as none. */
function presented(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m ? m[1]! : null;
}

/** Compares against every token (no early exit) so the position of a match does not show in timing. */
export function matchToken(known: readonly KnownToken[], token: string): KnownToken | null {
  const d = digest(token);
  let found: KnownToken | null = null;
  for (const k of known) if (timingSafeEqual(k.digest, d) && found === null) found = k;
  return found;
}

export function registerAuth(app: FastifyInstance, tokens: readonly ApiToken[]): void {
  const known: KnownToken[] = tokens
    .filter((t) => t.token.value.length > 0)
    .map((t) => ({ name: t.name, role: t.role, digest: digest(t.token.value) }));

  app.decorateRequest('principal', null);

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    // Unmatched URLs have no route config; they get the 404 handler, which reveals nothing.
    if (req.routeOptions.url === undefined) return;
    const access: Access = req.routeOptions.config.access ?? 'admin';
    if (access === 'public') return;
    const token = presented(req);
    const who = token === null ? null : matchToken(known, token);
    if (who === null) {
      reply.header('WWW-Authenticate', 'Bearer realm="geored"');
      throw apiError('API_UNAUTHORIZED');
    }
    if (access === 'admin' && who.role !== 'admin') {
      throw apiError('API_FORBIDDEN', { name: who.name, method: req.method, route: req.routeOptions.url });
    }
    req.principal = { name: who.name, role: who.role };
  });
}
