// The benchmark's only server: static files for every SDK, the fixture pages, and dummy collector
// endpoints that answer every tracker's uploads with 200. Listens on 127.0.0.1 on a random port.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';

const TYPES = {
  '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html; charset=utf-8',
  '.map': 'application/json',
};

/** gzip -9 size of a file, cached by absolute path. */
const gzCache = new Map();
export function gzipSize(file) {
  if (!gzCache.has(file)) gzCache.set(file, zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length);
  return gzCache.get(file);
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(Buffer.alloc(0)));
  });
}

/** Number of events in a Touchpoint batch body (plain or gzip, as the loader may send either). */
function countBatch(buf) {
  try {
    const text = buf[0] === 0x1f && buf[1] === 0x8b ? zlib.gunzipSync(buf).toString('utf8') : buf.toString('utf8');
    const body = JSON.parse(text);
    return Array.isArray(body.batch) ? body.batch.length : 0;
  } catch {
    return 0;
  }
}

/**
 * Starts the server.
 * @param {object} o
 * @param {Array<{prefix: string, dir?: string, file?: string}>} o.statics  URL prefix -> directory
 *   (or exact URL -> single file). Files are served as they are; the server records which files each
 *   page fetched, so lazily loaded chunks can be counted.
 * @param {Record<string, string|{type: string, body: string}>} o.pages  URL path -> HTML (or any text).
 * @param {Record<string, any>} o.json  exact GET URL path (without query) -> JSON answer.
 * @param {Record<string, any>} o.postJson  POST URL path prefix -> JSON answer (default {"status":1}).
 */
export async function startServer({ statics, pages = {}, json = {}, postJson = {} }) {
  const fetched = []; // {path, file, bytes} of every static file served, drained by the caller
  const posts = { count: 0, bytes: 0, byPath: new Map() };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const p = decodeURIComponent(url.pathname);
    const send = (status, type, body) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    };
    try {
      if (req.method === 'POST' || req.method === 'PUT') {
        const body = await readBody(req);
        posts.count++;
        posts.bytes += body.length;
        const key = p.replace(/\/[^/]*$/, '/*');
        posts.byPath.set(key, (posts.byPath.get(key) || 0) + 1);
        if (p === '/v1/batch') return send(200, 'application/json', JSON.stringify({ accepted: countBatch(body), duplicates: 0 }));
        for (const [prefix, value] of Object.entries(postJson)) {
          if (p.startsWith(prefix)) return send(200, 'application/json', JSON.stringify(value));
        }
        // Every peer's ingestion endpoint: a plain success.
        return send(200, 'application/json', '{"status":1}');
      }
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*', 'Access-Control-Allow-Methods': 'GET,POST' });
        return res.end();
      }
      if (pages[p] !== undefined) {
        const pg = pages[p];
        return typeof pg === 'string' ? send(200, TYPES['.html'], pg) : send(200, pg.type, pg.body);
      }
      if (json[p] !== undefined) return send(200, TYPES['.json'], JSON.stringify(json[p]));
      for (const s of statics) {
        let file = null;
        if (s.file && p === s.prefix) file = s.file;
        else if (s.dir && p.startsWith(s.prefix)) {
          const rel = p.slice(s.prefix.length);
          const abs = path.resolve(s.dir, rel);
          if (abs.startsWith(path.resolve(s.dir) + path.sep)) file = abs;
        }
        if (file && fs.existsSync(file) && fs.statSync(file).isFile()) {
          const buf = fs.readFileSync(file);
          fetched.push({ path: p, file, bytes: buf.length });
          res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store', 'Content-Length': buf.length });
          return res.end(buf);
        }
      }
      return send(404, 'text/plain', 'not found');
    } catch (e) {
      if (!res.headersSent) send(500, 'text/plain', String(e));
      else res.destroy();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    /** Returns and forgets the static files served since the last call. */
    drainFetched() { return fetched.splice(0, fetched.length); },
    /** Returns and resets the POST counters. */
    drainPosts() {
      const r = { count: posts.count, bytes: posts.bytes, byPath: Object.fromEntries(posts.byPath) };
      posts.count = 0; posts.bytes = 0; posts.byPath.clear();
      return r;
    },
    setPage(p, html) { pages[p] = html; },
    setJson(p, value) { json[p] = value; },
    setPostJson(prefix, value) { postJson[prefix] = value; },
    close() { server.closeAllConnections?.(); return new Promise((r) => server.close(r)); },
  };
}
