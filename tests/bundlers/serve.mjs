// A tiny static server on 127.0.0.1 for the bundler and CSP tests, playing the shop's own web
// server: it serves a folder and forwards some path prefixes (the collector's /v1/batch, the SDK's
// /touchpoint/) to the collector, as the reverse proxy of docs/first-party-collector.md does:
// the Host header is kept, so the collector sees a first-party origin.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml',
};

/** Serves `dir`; requests under a prefix of `forward` go to `upstream` (e.g. the collector's
 * URL), `headers` (both may be changed later on the returned object). `headers` are added to every answer served from
 * `dir` (e.g. a Content-Security-Policy). */
export async function serve(dir, { upstream, forward = [], headers = {} } = {}) {
  const self = { upstream, headers };
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (self.upstream && forward.some((p) => url.pathname.startsWith(p))) {
      const up = new URL(self.upstream);
      const preq = http.request({
        host: up.hostname, port: up.port, method: req.method, path: req.url,
        headers: { ...req.headers, 'x-forwarded-proto': 'http', 'x-forwarded-for': req.socket.remoteAddress },
      }, (pres) => { res.writeHead(pres.statusCode, pres.headers); pres.pipe(res); });
      preq.on('error', () => { res.writeHead(502).end(); });
      req.pipe(preq);
      return;
    }
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root)) { res.writeHead(404).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) { res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end(); return; }
    res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream', ...self.headers });
    res.end(fs.readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  self.url = `http://127.0.0.1:${server.address().port}`;
  self.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); });
  return self;
}
