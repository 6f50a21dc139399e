// Observation helpers for the consent and privacy end-to-end tests: storage write counters
// installed before any page script runs, storage snapshots, a context-wide record of every batch
// request (beacons from closing tabs included), a scripted shopping session on the demo shop, a
// fake IAB TCF v2.2 CMP, and "the SDK is alive and idle" probes for bounded negative checks.
import http from 'node:http';
import zlib from 'node:zlib';
import { sdkReady, waitFor } from './harness.mjs';

/** Counts every storage write from the first line of every document of `target` (a Page or a
 * BrowserContext): Storage.prototype.setItem/removeItem/clear (localStorage and
 * sessionStorage), the document.cookie setter, cookieStore.set/delete, indexedDB.open and
 * deleteDatabase, caches.open/delete. Each write is pushed to `window.__tpWrites` in the page
 * and reported to Node, so writes made by documents that have since navigated away are kept.
 * Returns `{ writes, all(page) }`: `writes` is the Node-side list, `all(page)` merges in the
 * current document's own list (covers a report still in flight). */
export async function instrumentStorage(target) {
  const writes = [];
  await target.exposeBinding('__tpStorageReport', (_source, entry) => { writes.push(entry); });
  await target.addInitScript(() => {
    if (window.__tpWrites) return;
    const log = [];
    Object.defineProperty(window, '__tpWrites', { value: log, enumerable: false });
    let seq = 0;
    const report = (api, detail) => {
      const entry = { api, detail: String(detail), url: String(location.href), at: Date.now(), seq: seq++ };
      log.push(entry);
      try { if (typeof window.__tpStorageReport === 'function') window.__tpStorageReport(entry); } catch (_) { /* page closing */ }
    };
    const which = (s) => {
      try { if (s === window.localStorage) return 'localStorage'; } catch (_) { /* opaque origin */ }
      try { if (s === window.sessionStorage) return 'sessionStorage'; } catch (_) { /* opaque origin */ }
      return 'Storage';
    };
    const wrap = (proto, name, describe) => {
      if (!proto || typeof proto[name] !== 'function') return;
      const orig = proto[name];
      Object.defineProperty(proto, name, {
        configurable: true, writable: true, enumerable: false,
        value: function (...args) { report(describe(this, name), args.length ? args[0] : ''); return orig.apply(this, args); },
      });
    };
    for (const m of ['setItem', 'removeItem', 'clear']) wrap(Storage.prototype, m, (s, n) => `${which(s)}.${n}`);
    const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
    Object.defineProperty(Document.prototype, 'cookie', {
      configurable: true, enumerable: cookie.enumerable,
      get() { return cookie.get.call(this); },
      set(v) { report('document.cookie', v); cookie.set.call(this, v); },
    });
    if (window.IDBFactory) for (const m of ['open', 'deleteDatabase']) wrap(IDBFactory.prototype, m, (_, n) => `indexedDB.${n}`);
    if (window.CacheStorage) for (const m of ['open', 'delete']) wrap(CacheStorage.prototype, m, (_, n) => `caches.${n}`);
    if (window.CookieStore) for (const m of ['set', 'delete']) wrap(CookieStore.prototype, m, (_, n) => `cookieStore.${n}`);
    // Not storage, but state shared across tabs: Touchpoint may only ask for its lock with consent.
    if (window.LockManager) wrap(LockManager.prototype, 'request', () => 'navigator.locks.request');
  });
  return {
    writes,
    async all(page) {
      const local = page && !page.isClosed() ? await page.evaluate(() => window.__tpWrites || []) : [];
      const key = (e) => `${e.url}|${e.at}|${e.seq}|${e.api}|${e.detail}`;
      const seen = new Set(writes.map(key));
      return [...writes, ...local.filter((e) => !seen.has(key(e)))];
    },
  };
}

/** Everything the page's origin has stored: cookies (document.cookie and the context's jar,
 * HttpOnly ones included), every localStorage and sessionStorage entry, IndexedDB database
 * names, Cache Storage names. */
export async function storageSnapshot(page) {
  const inPage = await page.evaluate(async () => {
    const entries = (s) => {
      const out = {};
      for (let i = 0; i < s.length; i++) { const k = s.key(i); out[k] = s.getItem(k); }
      return out;
    };
    const idb = indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name).sort() : [];
    const caches = window.caches ? (await window.caches.keys()).sort() : [];
    return { cookie: document.cookie, localStorage: entries(localStorage), sessionStorage: entries(sessionStorage), indexedDB: idb, caches };
  });
  const jar = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).sort();
  return { ...inPage, cookieJar: jar };
}

export const EMPTY_STORAGE = Object.freeze({ cookie: '', localStorage: {}, sessionStorage: {}, indexedDB: [], caches: [], cookieJar: [] });

/** The `tp:` keys in the page's localStorage, sorted. */
export async function tpKeys(page) {
  return page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tp:')).sort());
}

function decodeBody(buf) {
  if (!buf || !buf.length) return '';
  if (buf[0] === 0x1f && buf[1] === 0x8b) return zlib.gunzipSync(buf).toString('utf8');
  return buf.toString('utf8');
}

/** A transparent recording reverse proxy in front of the collector, on its own 127.0.0.1 port.
 * Pages opened at `proxy.url` talk to the collector only through it, so `proxy.batches` lists
 * every request that reached /v1/batch, whoever sent it: Playwright's and the DevTools
 * protocol's request events miss the beacons a document sends from `pagehide` while the tab
 * navigates to the next page. The Host header is passed through unchanged, so the collector
 * sees the proxy's origin as its own and accepts same-origin batches. Each proxy is also a
 * fresh origin, so its localStorage starts empty. */
export async function startProxy(collectorUrl) {
  const target = new URL(collectorUrl);
  const batches = [];
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    // A streamed answer (a React Server Components payload): its headers and a first byte at
    // once, the rest `ms` later, without a Content-Length.
    const streamed = /^\/streamed\?ms=(\d+)/.exec(req.url);
    if (streamed) {
      res.writeHead(200, { 'content-type': 'text/x-component' });
      res.write(' ');
      setTimeout(() => res.end('{"name":"Account"}'), Number(streamed[1]));
      return;
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (new URL(req.url, 'http://x').pathname === '/v1/batch') {
        let body;
        try { body = decodeBody(raw); } catch (e) { body = `<<undecodable body: ${e.message}>>`; }
        batches.push({ type: 'proxy', method: req.method, body, at: Date.now() });
      }
      const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent }, (ur) => {
        res.writeHead(ur.statusCode, ur.headers);
        ur.pipe(res);
      });
      up.on('error', (e) => { if (!res.headersSent) res.writeHead(502); res.end(String(e)); });
      up.end(raw);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    batches,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}

/** Records every request any page of `context` makes to /v1/batch, including beacons sent by a
 * tab while it closes. Each record: {type, url, body (text, gunzipped if it was gzip), at}. */
export function recordContextBatches(context) {
  const batches = [];
  context.on('request', (req) => {
    let url;
    try { url = new URL(req.url()); } catch (_) { return; }
    if (url.pathname !== '/v1/batch') return;
    let body = '';
    try { body = decodeBody(req.postDataBuffer()); } catch (e) { body = `<<unreadable body: ${e.message}>>`; }
    batches.push({ type: req.resourceType(), method: req.method(), url: req.url(), body, at: Date.now() });
  });
  return batches;
}

/** The events of every recorded batch, in the order they went on the wire. */
export function wireEvents(batches) {
  const out = [];
  for (const b of batches) {
    try { out.push(...JSON.parse(b.body).batch); } catch (_) { /* unreadable: callers scan raw bodies too */ }
  }
  return out;
}

/** Page-side `touchpoint('getConsent', cb)`, bounded: a callback that never comes is an error. */
export async function getConsent(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('getConsent callback never called')), 10_000);
    window.touchpoint('getConsent', (c) => { clearTimeout(t); resolve({ analytics: c.analytics, marketing: c.marketing }); });
  }));
}

/** The ids touchpoint('getIds', cb) answers: {sessionId, anonymousId, userId}. */
export async function getIds(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('getIds callback never called')), 10_000);
    window.touchpoint('getIds', (ids) => { clearTimeout(t); resolve(ids); });
  }));
}

/** Waits until getConsent answers `expected` (a partial object). */
export async function waitForConsent(page, expected, timeout = 20_000) {
  let last;
  try {
    return await waitFor(`consent ${JSON.stringify(expected)}`, async () => {
      last = await getConsent(page);
      return Object.entries(expected).every(([k, v]) => last[k] === v) && last;
    }, { timeout });
  } catch (e) {
    throw new Error(`consent never became ${JSON.stringify(expected)}; last getConsent answer: ${JSON.stringify(last)}`);
  }
}

/** Bounded proof that the SDK is alive and idle: it answers getConsent, is asked to flush, and
 * then `ms` of page time pass (callers pass more than the page's data-flush-interval). Returns
 * the consent state it reported. */
export async function proveIdle(page, ms = 2_500) {
  const consent = await getConsent(page);
  await page.evaluate(() => window.touchpoint('flush'));
  await page.evaluate((t) => new Promise((r) => setTimeout(r, t)), ms);
  await getConsent(page); // still answering after the window
  return consent;
}

/** Observes for `ms` (wall time) that `fn` keeps returning a falsy value; throws as soon as it
 * returns something truthy. For "nothing arrives" checks after the page is gone. */
export async function staysQuiet(what, fn, ms = 2_000, interval = 100) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) throw new Error(`${what}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    if (Date.now() >= end) return;
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Serves the demo shop's HTML pages to `context` with their Touchpoint script tag rewritten by
 * `rewrite(html)` (fetched from the collector with route.fetch()). Only `/` and `*.html` of the
 * collector's origin are intercepted, never /v1/batch (an intercepted beacon from a dead page
 * is never released). Returns a counter of rewritten pages. */
export async function rewriteDemo(context, baseUrl, rewrite) {
  const origin = new URL(baseUrl).origin;
  const stats = { rewritten: 0, unchanged: [] };
  await context.route((u) => u.origin === origin && (u.pathname === '/' || u.pathname.endsWith('.html')), async (route) => {
    const response = await route.fetch();
    const html = await response.text();
    const body = rewrite(html);
    if (body === html) stats.unchanged.push(route.request().url()); else stats.rewritten++;
    await route.fulfill({ response, body });
  });
  return stats;
}

/** Replaces the demo's snippet attributes: `{consent: 'denied', 'flush-interval': '1000'}`. */
export function snippetRewrite(attrs) {
  return (html) => html.replace(/<script async src="\/touchpoint\/touchpoint\.js"[^>]*><\/script>/, (tag) => {
    let t = tag;
    for (const [k, v] of Object.entries(attrs)) {
      const re = new RegExp(` data-${k}="[^"]*"`);
      t = re.test(t) ? t.replace(re, ` data-${k}="${v}"`) : t.replace('></script>', ` data-${k}="${v}"></script>`);
    }
    return t;
  });
}

/** The snippet's data-* attributes as the page sees them. */
export async function snippetAttrs(page) {
  return page.evaluate(() => ({ ...document.querySelector('script[src$="/touchpoint/touchpoint.js"]').dataset }));
}

export const CHECKOUT = Object.freeze({
  email: 'jane.doe+shop@example.com',
  name: 'Jane Quinn Doe',
  address: '221B Baker Street, London NW1 6XE',
  card: '4111 1111 1111 1111',
  exp: '12/29',
  cvc: '123',
  password: 'Tr0ub4dor&3-secret',
});

/** A visitor browsing the demo shop without touching the consent banner: home (two
 * add-to-carts, the non-clickable promo banner, a search), a product page (quantity, add to
 * cart), the cart, checkout (every field filled, account creation with a password) and the
 * order, ending on thanks.html. `onPage(page, path)` runs on every page once the SDK is up. */
export async function shoppingSession(page, baseUrl, { onPage, fields = CHECKOUT } = {}) {
  const visited = [];
  const arrive = async (path) => {
    await page.waitForURL((u) => u.pathname === path, { timeout: 60_000 });
    await page.waitForLoadState('domcontentloaded');
    await sdkReady(page);
    visited.push(path);
    if (onPage) await onPage(page, path);
  };
  const text = (sel, pred) => page.waitForFunction(([s, p]) => {
    const el = document.querySelector(s);
    return el && new RegExp(p).test(el.textContent);
  }, [sel, pred.source], { timeout: 60_000 });

  await page.goto(`${baseUrl}/`);
  await arrive('/');
  await page.click('.add-to-cart >> nth=0');
  await page.click('.add-to-cart >> nth=1');
  await text('#cart-count', /^2$/);
  await page.click('#promo-banner');
  await page.click('#search-input');
  await page.fill('#search-input', 'grinder');
  await page.click('#search-submit');
  await text('#search-status', /1 product match/);
  await page.click('li.product-card:not([hidden]) a.product-link');

  await arrive('/product.html');
  await page.selectOption('#qty', '2');
  await page.click('#add-to-cart');
  await text('#cart-count', /^4$/);
  await page.click('#nav-cart');

  await arrive('/cart.html');
  await page.waitForSelector('#checkout-link:not([hidden])');
  await page.click('#checkout-link');

  await arrive('/checkout.html');
  for (const [sel, value] of [['#email', fields.email], ['#name', fields.name], ['#address', fields.address],
    ['#card-number', fields.card], ['#card-exp', fields.exp], ['#card-cvc', fields.cvc]]) {
    await page.click(sel);
    await page.fill(sel, '');
    await page.type(sel, value);
  }
  await page.check('#create-account');
  await page.waitForSelector('#password-field:not(.is-collapsed)');
  await page.click('#password');
  await page.type('#password', fields.password);
  await page.click('#place-order');

  await arrive('/thanks.html');
  return visited;
}

/** A fake IAB TCF v2.2 CMP, installed before any page script (pass to addInitScript with its
 * options). `addEventListener` registers the SDK's callback and answers with the current state
 * (synchronously, like a loaded CMP, or on a later task with `async: true`).
 * `window.__tcfFake.emit(eventStatus, purposes, gdprApplies)` sends a new state to every
 * listener; `__tcfFake.calls` lists the commands the page made. */
export function fakeCmp({ purposes = [], status = 'tcloaded', gdprApplies = true, async = false }) {
  const calls = [];
  const listeners = new Map();
  let nextId = 1;
  let state = { purposes, gdprApplies };
  const tcData = (listenerId, eventStatus) => {
    const consents = {};
    for (let p = 1; p <= 11; p++) consents[p] = state.purposes.includes(p);
    return {
      tcString: 'CPfake.AAAA', tcfPolicyVersion: 4, cmpId: 999, cmpVersion: 1, gdprApplies: state.gdprApplies,
      eventStatus, cmpStatus: 'loaded', listenerId, isServiceSpecific: true, useNonStandardTexts: false,
      publisherCC: 'GB', purposeOneTreatment: false,
      purpose: { consents, legitimateInterests: {} },
      vendor: { consents: {}, legitimateInterests: {} },
      specialFeatureOptins: {}, publisher: { consents: {}, legitimateInterests: {}, customPurpose: { consents: {}, legitimateInterests: {} }, restrictions: {} },
    };
  };
  window.__tcfapi = function (command, version, callback, parameter) {
    calls.push({ command, version });
    if (typeof callback !== 'function') return;
    if (command === 'addEventListener') {
      const id = nextId++;
      listeners.set(id, callback);
      const answer = () => { if (listeners.has(id)) callback(tcData(id, status), true); };
      if (async) setTimeout(answer, 0); else answer();
    } else if (command === 'removeEventListener') {
      const ok = listeners.delete(parameter);
      callback(ok, ok);
    } else if (command === 'ping') {
      callback({ gdprApplies: state.gdprApplies, cmpLoaded: true, cmpStatus: 'loaded', displayStatus: 'hidden', apiVersion: '2.2', cmpVersion: 1, cmpId: 999, gvlVersion: 1, tcfPolicyVersion: 4 }, true);
    } else if (command === 'getTCData') {
      callback(tcData(undefined, status), true);
    } else {
      callback(null, false);
    }
  };
  window.__tcfFake = {
    calls,
    listenerCount: () => listeners.size,
    emit(eventStatus, ps, applies = true) {
      state = { purposes: ps, gdprApplies: applies };
      for (const [id, cb] of [...listeners]) cb(tcData(id, eventStatus), true);
    },
  };
}

/** Makes `navigator.globalPrivacyControl === true` (pass to addInitScript). */
export function gpcOn() {
  Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { configurable: true, enumerable: true, get: () => true });
}

/** Every string inside a JSON value, flattened (keys included). */
export function allStrings(v, out = []) {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => allStrings(x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push(k); allStrings(x, out); }
  return out;
}
