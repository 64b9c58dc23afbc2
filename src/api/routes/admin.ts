/**
 * GET /admin: the admin panel (web/), static files only. The page holds no token and no data: it signs in
 * with a token the operator types, keeps it in the tab's sessionStorage, and talks to the public REST API
 * and the event stream with `Authorization: Bearer`, so no cookie exists and cross-site requests cannot
 * drive it. The Content-Security-Policy allows nothing from another origin.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { PanelFiles } from '../panel-files';

export const ADMIN_PATH = '/admin';

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'", // uPlot positions its cursor and legend with style attributes
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT = [
  '<!doctype html><html lang="en"><meta charset="utf-8"><title>geored admin panel not built</title>',
  '<p>The admin panel is not built. Run <code>npm run build:web</code> (npm ci runs it) and restart.</p>',
].join('');

export const adminRoutes: FastifyPluginAsync<{ files: PanelFiles }> = async (app, { files }) => {
  const serve = (path: string, req: FastifyRequest, reply: FastifyReply) => {
    const asset = files.get(path);
    reply
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY');
    if (files.dir === null) return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
    reply
      .header('etag', asset.etag)
      .header('vary', 'accept-encoding')
      .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .type(asset.type);
    if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (gzip) return reply.header('content-encoding', 'gzip').send(asset.gzip);
    return reply.send(asset.body);
  };
  const route = { config: { access: 'public' as const }, schema: { hide: true } };
  app.get(ADMIN_PATH, route, (req, reply) => serve('index.html', req, reply));
  app.get<{ Params: { '*': string } }>(`${ADMIN_PATH}/*`, route, (req, reply) =>
    serve(req.params['*'] === '' ? 'index.html' : req.params['*'], req, reply),
  );
};
