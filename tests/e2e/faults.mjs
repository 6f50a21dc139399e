// Fault-injection helpers for the end-to-end tests: a batch route that can answer with errors,
// abort, hold or pass requests through to the real collector while recording every attempt;
// request watchers that decode (gzip) bodies; counters for uncaught errors in the page; and
// condition-based waits on what the collector stored. Everything stays on 127.0.0.1.
import assert from 'node:assert/strict';
import net from 'node:net';
import zlib from 'node:zlib';
import { assertUniqueIds, fixture, sdkReady, serveFixture, waitFor } from './harness.mjs';

export const BATCH = '**/v1/batch';

/** Decodes a batch body (plain or gzip, recognised by its magic bytes like the collector). */
export function decodeBody(buf) {
  if (!buf || buf.length === 0) return { gzip: false, json: null, raw: buf };
  const gzip = buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  let json = null;
  try { json = JSON.parse((gzip ? zlib.gunzipSync(buf) : buf).toString('utf8')); } catch { json = null; }
  return { gzip, json, raw: buf };
}

function describe(req) {
  let buf = null;
  try { buf = req.postDataBuffer(); } catch { buf = null; }
  const { gzip, json } = decodeBody(buf);
  const batch = json && Array.isArray(json.batch) ? json.batch : [];
  let page = null;
  try { page = req.frame().page(); } catch { page = null; }
  return {
    at: Date.now(),
    type: req.resourceType(),
    page,
    gzip,
    bytes: buf ? buf.length : 0,
    json,
    ids: batch.map((e) => e && e.messageId),
    names: batch.map((e) => e && e.event),
    sites: [...new Set(batch.map((e) => e && e.site))],
  };
}

const isBatch = (req) => { try { return new URL(req.url()).pathname === '/v1/batch'; } catch { return false; } };

/**
 * Records every batch request seen by a page or a whole context (use the context when pages
 * close: their beacons are still reported there). Each entry gets `status` when an answer
 * arrives and `failed` when the request fails.
 */
export function watchBatches(target) {
  const list = [];
  target.on('request', (req) => {
    if (!isBatch(req)) return;
    const e = describe(req);
    e.req = req;
    list.push(e);
    req.response().then((r) => { if (r) e.status = r.status(); }, () => {});
  });
  target.on('requestfailed', (req) => {
    if (!isBatch(req)) return;
    const e = list.find((x) => x.req === req);
    if (e) e.failed = (req.failure() && req.failure().errorText) || 'failed';
  });
  return list;
}

/**
 * Intercepts the batch endpoint of `target` (page or context). `decide(attempt, index)` returns
 * one of: {status, headers?, body?} (answer with that), 'abort' (network error), 'pass' (forward
 * to the real collector), or 'hold' (keep the request waiting; the attempt gets `release`
 * functions). Every attempt is recorded with its time, ids and what was done; `maxConcurrent`
 * is the largest number of batch requests that were waiting for an answer at the same time.
 */
export async function faultRoute(target, decide) {
  const state = { attempts: [], inFlight: 0, maxConcurrent: 0, errors: [] };
  const handler = async (route) => {
    const a = describe(route.request());
    a.index = state.attempts.length;
    state.attempts.push(a);
    state.inFlight++;
    state.maxConcurrent = Math.max(state.maxConcurrent, state.inFlight);
    let action;
    try { action = decide(a, a.index); } catch (e) { state.errors.push(e); action = 'pass'; }
    a.action = typeof action === 'string' ? action : `status ${action.status}`;
    try {
      if (action === 'hold') {
        // Released by the test; the page may be gone by then, so every outcome is caught.
        a.release = {
          fetch: async () => {
            state.inFlight--;
            const resp = await route.fetch();
            const answer = { status: resp.status(), body: await resp.text() };
            try { await route.fulfill({ response: resp }); } catch (e) { answer.fulfillError = e.message; }
            return answer;
          },
          abort: async () => { state.inFlight--; try { await route.abort(); } catch { /* page gone */ } },
        };
        a.held = true;
        return;
      }
      if (action === 'abort') {
        a.answeredAt = Date.now();
        state.inFlight--;
        await route.abort('connectionrefused');
      } else if (action === 'pass') {
        const resp = await route.fetch();
        a.status = resp.status();
        a.answer = await resp.text();
        a.answeredAt = Date.now();
        state.inFlight--;
        await route.fulfill({ response: resp });
      } else {
        a.status = action.status;
        a.answeredAt = Date.now();
        state.inFlight--;
        await route.fulfill({ status: action.status, headers: action.headers || {}, contentType: action.contentType || 'application/json',
          body: action.body || JSON.stringify({ error: `injected ${action.status}` }) });
      }
    } catch (e) {
      // The page went away while we answered: not a test failure by itself.
      a.handlerError = e.message;
    }
  };
  await target.route(BATCH, handler);
  state.off = () => target.unroute(BATCH, handler);
  return state;
}

/** Init script: counts what reaches the page's own error handlers. */
export function installErrorCounters() {
  window.__tpTest = { onerror: 0, errors: [], rejections: 0, clicks: 0 };
  window.onerror = function (msg) { window.__tpTest.onerror++; window.__tpTest.errors.push(String(msg)); };
  window.addEventListener('unhandledrejection', (e) => { window.__tpTest.rejections++; window.__tpTest.errors.push(String(e.reason)); });
}

/** Init script: localStorage writes throw (quota exceeded / storage disabled). */
export function throwingStorageWrites() {
  const boom = function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
  Storage.prototype.setItem = boom;
  Storage.prototype.removeItem = boom;
  Storage.prototype.clear = boom;
}

/** Init script: even touching window.localStorage throws (storage blocked by the browser). */
export function throwingStorageAccess() {
  Object.defineProperty(window, 'localStorage', {
    configurable: true,
    get() { throw new DOMException('Access is denied for this document.', 'SecurityError'); },
  });
}

/** Init script: watches sendBeacon without changing it; what it returned is kept in
 * localStorage under `probe:beacons` (readable from another page after this one closed). */
export function observeBeacons() {
  const real = Navigator.prototype.sendBeacon;
  Object.defineProperty(Navigator.prototype, 'sendBeacon', {
    configurable: true, writable: true,
    value: function (url, data) {
      const ok = real.apply(this, arguments);
      try {
        const log = JSON.parse(localStorage.getItem('probe:beacons') || '[]');
        log.push({ bytes: data == null ? 0 : (data.size ?? data.byteLength ?? String(data).length), ok });
        localStorage.setItem('probe:beacons', JSON.stringify(log));
      } catch { /* diagnostics only */ }
      return ok;
    },
  });
}

/** Init script: the browser refuses every beacon (sendBeacon returns false). */
export function refuseBeacons() {
  window.__tpRefused = window.__tpRefused || { beacons: 0, keepalive: 0 };
  Object.defineProperty(Navigator.prototype, 'sendBeacon', {
    configurable: true, writable: true,
    value: function () { window.__tpRefused.beacons++; return false; },
  });
}

/** Init script: keepalive fetches are refused by the browser at once, as Chromium does when the
 * 64 KiB budget it shares between beacons and keepalive requests is spent (a rejected promise). */
export function refuseKeepalive() {
  window.__tpRefused = window.__tpRefused || { beacons: 0, keepalive: 0 };
  const realFetch = window.fetch;
  window.fetch = function (input, init) {
    if (init && init.keepalive) {
      window.__tpRefused.keepalive++;
      return Promise.reject(new TypeError('Failed to fetch'));
    }
    return realFetch.apply(this, arguments);
  };
}

/**
 * A collector URL on 127.0.0.1 where nothing listens: a request to it fails in the network for
 * real (connection refused). A page route cannot stand in for this on close: Playwright stops
 * intercepting a page's requests once the page is gone, so a keepalive fetch sent from pagehide
 * could slip past the route and reach the collector (it did, on a slow CI machine).
 */
export async function deadEndpoint() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/v1/batch`;
}

/**
 * Opens a page in `context` on the collector's origin with the snippet and `attrs`
 * (site and consent included), optional init scripts, and error/console recording.
 */
export async function openSite(context, collector, attrs, body = '<button id="b">Buy</button>', { init = [], name, ready = true } = {}) {
  const page = await context.newPage();
  const pageErrors = [];
  const console_ = [];
  page.on('pageerror', (e) => pageErrors.push(e));
  page.on('console', (m) => console_.push({ type: m.type(), text: m.text(), at: Date.now() }));
  await page.addInitScript(installErrorCounters);
  for (const s of init) await page.addInitScript(s);
  const url = await serveFixture(page, collector.url, fixture(attrs, body), name || `${attrs.site}.html`);
  if (ready) {
    await page.goto(url);
    await sdkReady(page);
  }
  return { page, url, pageErrors, console: console_ };
}

/** Calls touchpoint('track', name, props) for each name in the page; returns how many. */
export async function track(page, names, props = {}) {
  await page.evaluate(({ names, props }) => { for (const n of names) window.touchpoint('track', n, props); }, { names, props });
  return names.length;
}

export async function flush(page) {
  await page.evaluate(() => window.touchpoint('flush'));
}

export const names = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix}_${i}`);

/** Stored events of a site, oldest first. */
export const storedOf = (collector, site, extra = '') => collector.events(`&site=${encodeURIComponent(site)}${extra}`);

/** Waits until at least `n` events of `site` are stored. */
export async function waitStored(collector, site, n, { timeout = 60_000 } = {}) {
  let count = 0;
  try {
    return await waitFor(`${n} stored events for site ${site}`, async () => {
      const ev = await storedOf(collector, site);
      count = ev.length;
      return ev.length >= n && ev;
    }, { timeout, interval: 200 });
  } catch (e) {
    e.message = `${e.message}; only ${count} of ${n} stored after ${timeout} ms`;
    throw e;
  }
}

/** Waits until no new batch request was seen for `ms` (measured, not assumed). `lists`: arrays
 * of recorded requests (from watchBatches or faultRoute(...).attempts). */
export async function quiet(lists, ms = 1_000) {
  const last = () => Math.max(0, ...lists.flat().map((e) => e.at));
  await waitFor(`no batch request for ${ms} ms`, () => Date.now() - last() >= ms, { timeout: 60_000, interval: 100 });
}

/** Waits until the number of stored events of `site` has not changed for `ms`. */
export async function storedSettled(collector, site, ms = 1_000) {
  let count = -1, since = Date.now();
  return waitFor(`stored events of ${site} to stop changing`, async () => {
    const ev = await storedOf(collector, site);
    if (ev.length !== count) { count = ev.length; since = Date.now(); return false; }
    return Date.now() - since >= ms && ev;
  }, { timeout: 60_000, interval: 200 });
}

/**
 * The core check of every scenario: what the page created is exactly what SQLite holds, each
 * messageId once. Waits for the count, lets stray resends land, then compares again.
 */
export async function expectExactlyStored(assert, collector, site, created, { lists = [], names: expectedNames, timeout = 60_000 } = {}) {
  await waitStored(collector, site, created, { timeout });
  await quiet(lists, 1_000);
  const ev = await storedSettled(collector, site, 1_000);
  assert.equal(ev.length, created, `site ${site}: ${created} events created, ${ev.length} stored`);
  assertUniqueIds(assert, ev);
  if (expectedNames) {
    const got = ev.map((e) => e.event).sort();
    assert.deepEqual(got, [...expectedNames].sort(), `site ${site}: the stored event names`);
  }
  return ev;
}

/** Reads the page's error counters (installed by installErrorCounters). */
export const pageCounters = (page) => page.evaluate(() => window.__tpTest);

/** Persisted queue entries in localStorage, one per event: [{key, messageId}]. A `tp:q:` key
 * holds a group of events (one JSON event a line), written within a second of their capture. */
export const persistedQueue = (page) => page.evaluate(() => Object.keys(localStorage)
  .filter((k) => k.startsWith('tp:q:'))
  .flatMap((k) => localStorage.getItem(k).split('\n').map((line) => {
    let id = null;
    try { id = JSON.parse(line).messageId; } catch { id = null; }
    return { key: k, messageId: id };
  })));

/** Runs `fn` in a fresh browser context (its own localStorage), closed whatever happens. */
export async function withContext(browser, fn) {
  const context = await browser.newContext();
  try { return await fn(context); } finally { await context.close(); }
}

/** Nothing reached the page's own error handlers. */
export async function assertNoPageErrors(page, pageErrors) {
  assert.deepEqual(pageErrors.map(String), [], 'no uncaught exception in the page');
  const c = await pageCounters(page);
  assert.equal(c.onerror, 0, `window.onerror not called: ${c.errors}`);
  assert.equal(c.rejections, 0, `no unhandled rejection: ${c.errors}`);
}
