// Cross-browser harness: the built SDK in Firefox (geckodriver, headless) and WebKit
// (WebKitGTK's WebKitWebDriver driving MiniBrowser on an Xvfb display), and optionally Chromium
// (chromedriver), all over WebDriver with selenium-webdriver, against the real collector.
//
// Nothing here downloads anything: each driver is a local binary started by us, and sessions are
// created on it directly (WebDriver.createSession on an http.Executor), so selenium-manager is
// never consulted. Everything listens on 127.0.0.1 only. Tests wait for conditions with generous
// deadlines, never for fixed sleeps that assume a speed.
//
// WebDriver has no request interception, so each test gets a `front`: a small recording reverse
// proxy on its own port (hence its own origin and its own empty localStorage) that serves the
// test's fixture pages itself and passes everything else to the collector. The fixture's first
// script tags every batch request on the wire with how it was sent (`?via=beacon` or
// `?via=fetch&keepalive=0|1`), so the front can tell a beacon from a keepalive fetch even when the
// tab that sent it is already gone.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { Capabilities, WebDriver } from 'selenium-webdriver';
import seleniumHttp from 'selenium-webdriver/http/index.js';
import { geckodriverPath, miniBrowserPath } from './drivers.mjs';
import { startCollector as startE2eCollector } from '../e2e/harness.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Polls `fn` until it returns a truthy value; throws with `what` after the deadline. The
 * deadline is on the monotonic clock: the shared machine's wall clock can jump ahead (a paused
 * VM set right on resume), and a CI run once failed a 30 s wait 2.9 s after it began. */
export async function waitFor(what, fn, { timeout = 60_000, interval = 100 } = {}) {
  const deadline = performance.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) { last = e; }
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last && (last.stack || JSON.stringify(last))})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Starts the collector on a free port (as tests/e2e/harness.mjs does), its own temp SQLite. */
export async function startCollector() {
  // The e2e harness's collector (same flags: the scenarios poll the read API harder than its
  // per-client rate limit allows), with events() by site.
  const c = await startE2eCollector();
  return { ...c, events: (site) => c.events(`&site=${encodeURIComponent(site)}`) };
}

/** A recording reverse proxy in front of the collector that also serves fixture pages.
 * `front.batches`: every request that reached /v1/batch: {via, keepalive, gzip, body, events, at}.
 * The Host header is passed through, so the collector sees the front's origin as its own. */
export async function startFront(collectorUrl) {
  const target = new URL(collectorUrl);
  const pages = new Map();
  const delays = new Map();
  const answers = new Map();
  const batches = [];
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    if (req.method === 'GET' && pages.has(u.pathname)) {
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(pages.get(u.pathname));
      };
      if (delays.get(u.pathname)) setTimeout(send, delays.get(u.pathname)); else send();
      return;
    }
    if (answers.has(u.pathname)) {
      req.resume();
      res.writeHead(answers.get(u.pathname), { 'content-type': 'text/plain' });
      res.end('test answer');
      return;
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (u.pathname === '/v1/batch' && req.method === 'POST') {
        const gzip = raw[0] === 0x1f && raw[1] === 0x8b;
        let body, events = [];
        try { body = (gzip ? zlib.gunzipSync(raw) : raw).toString('utf8'); } catch (e) { body = `<<undecodable: ${e.message}>>`; }
        try { events = JSON.parse(body).batch || []; } catch (_) { /* kept raw */ }
        batches.push({ via: u.searchParams.get('via') || 'untagged', keepalive: u.searchParams.get('keepalive') === '1',
          gzip, body, events, at: Date.now() });
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
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    batches,
    /** Serves `html` at /x/<name> and returns its URL. */
    page(name, html) { pages.set(`/x/${name}`, html); return `${url}/x/${name}`; },
    /** Serves `html` at `pathname` only after `ms` (a slow server). */
    slowPage(pathname, html, ms) { pages.set(pathname, html); delays.set(pathname, ms); },
    /** Answers every request to `pathname` with `status` (a failing API of the page). */
    answer(pathname, status) { answers.set(pathname, status); },
    /** Every event that went on the wire, in order. */
    wire() { return batches.flatMap((b) => b.events); },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}

// The fixture's first script: runs before the snippet. Records page errors, console warnings and
// storage writes; tags batch requests with how they were sent; can refuse beacons, fail batch
// fetches (`break`) or remove browser features (`without`) to exercise the SDK's fallbacks.
// Written as a function so that it is checked as JavaScript; shipped as its source text.
function instrument(opts) {
  var w = window, log = { errors: [], warnings: [], writes: [], locks: 0, via: [] };
  w.__xb = log;
  // A browser without these (older Safari, older Firefox): removed before anything else runs.
  (opts.without || []).forEach(function (name) {
    if (name === 'navigator.sendBeacon') delete Navigator.prototype.sendBeacon;
    else if (name === 'navigator.locks') Object.defineProperty(Navigator.prototype, 'locks', { configurable: true, get: function () { return undefined; } });
    else delete w[name];
  });
  w.addEventListener('error', function (e) { log.errors.push(String(e.message)); });
  w.addEventListener('unhandledrejection', function (e) { log.errors.push('unhandled: ' + String(e.reason)); });
  var warn = console.warn;
  console.warn = function () { log.warnings.push(Array.prototype.join.call(arguments, ' ')); return warn.apply(console, arguments); };
  ['setItem', 'removeItem', 'clear'].forEach(function (m) {
    var orig = Storage.prototype[m];
    Storage.prototype[m] = function (k) { log.writes.push(m + ':' + k); return orig.apply(this, arguments); };
  });
  var cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  Object.defineProperty(Document.prototype, 'cookie', {
    configurable: true, get: function () { return cookie.get.call(this); },
    set: function (v) { log.writes.push('cookie:' + v); cookie.set.call(this, v); },
  });
  if (w.LockManager && LockManager.prototype.request) {
    var req = LockManager.prototype.request;
    LockManager.prototype.request = function (name) { log.locks++; return req.apply(this, arguments); };
  }
  var tag = function (url, q) { return String(url) + (String(url).indexOf('?') < 0 ? '?' : '&') + q; };
  var isBatch = function (url) { return /\/v1\/batch(\?|$)/.test(String(url)); };
  if (navigator.sendBeacon) {
    var beacon = navigator.sendBeacon;
    navigator.sendBeacon = function (url, body) {
      if (!isBatch(url)) return beacon.apply(navigator, arguments);
      log.via.push('beacon');
      if (opts.refuseBeacon || opts.break) return false;
      return beacon.call(navigator, tag(url, 'via=beacon'), body);
    };
  }
  var fetch0 = w.fetch;
  w.fetch = function (url, init) {
    if (typeof url !== 'string' || !isBatch(url)) return fetch0.apply(w, arguments);
    var keepalive = !!(init && init.keepalive);
    log.via.push(keepalive ? 'keepalive' : 'fetch');
    if (opts.break) return Promise.reject(new TypeError('NetworkError (test: batch requests fail)'));
    return fetch0.call(w, tag(url, 'via=fetch&keepalive=' + (keepalive ? 1 : 0)), init);
  };
}

/** The instrumentation and the SDK script tag with data-* attributes (after the page's stub). */
// Journey touchpoints (page_leave, element_view, ...) are off unless a scenario asks for them,
// as in tests/e2e/harness.mjs: the scenarios count events exactly.
export function snippet(attrs, instr = {}) {
  const { collector = '/v1/batch', ...rest } = { journey: 'off', ...attrs };
  const a = Object.entries(rest).map(([k, v]) => ` data-${k}="${v}"`).join('');
  return `<script>(${instrument.toString()})(${JSON.stringify(instr)});</script>
<script async src="/touchpoint/touchpoint.js" data-collector="${collector}"${a}></script>`;
}

/** A fixture page: the stub, `head` (a fake CMP, page handlers), the instrumentation and the
 * snippet, then `body`. */
export function fixture(attrs, { body = '<button id="b">Buy</button>', head = '', instr = {} } = {}) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Fixture</title>
<script>window.touchpoint=window.touchpoint||function(){(touchpoint.q=touchpoint.q||[]).push(arguments)};</script>${head}
${snippet(attrs, instr)}
</head><body>${body}</body></html>`;
}

// ---------------------------------------------------------------------------------------------
// Browsers

/** A free TCP port on 127.0.0.1 (for a driver that cannot be told to pick one). */
async function freePort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

/** An Xvfb display of our own: -displayfd lets the server pick a free display number. */
async function startXvfb() {
  const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const display = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb did not start: ${err}`)), 30_000);
    child.stdio[3].on('data', (d) => {
      out += d;
      if (out.includes('\n')) { clearTimeout(timer); resolve(`:${out.trim()}`); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`Xvfb exited ${code}: ${err}`)); });
  });
  return { display, stop: () => stopChild(child) };
}

async function stopChild(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const exited = new Promise((r) => child.once('exit', r));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Waits until a WebDriver server answers /status (ready). */
async function driverReady(url, child, log) {
  await waitFor(`the WebDriver server at ${url}`, async () => {
    if (child.exitCode !== null) throw new Error(`driver exited ${child.exitCode}: ${log()}`);
    const r = await fetch(`${url}/status`);
    const s = await r.json();
    return s.value && s.value.ready !== false;
  }, { timeout: 60_000, interval: 200 });
}

export const BROWSERS = {
  firefox: {
    available: () => !!geckodriverPath() && fs.existsSync('/usr/bin/firefox-esr'),
    driver: () => [geckodriverPath(), (port) => ['--host', '127.0.0.1', '--port', String(port), '--log', 'error']],
    // The pages' console goes to Firefox's stdout, which geckodriver passes on to ours (`log()`):
    // Firefox's "Script terminated by timeout" warnings name the script it cut short.
    caps: () => ({ browserName: 'firefox', 'moz:firefoxOptions': { binary: '/usr/bin/firefox-esr', args: ['-headless'],
      prefs: { 'devtools.console.stdout.content': true } } }),
  },
  webkit: {
    available: () => fs.existsSync('/usr/bin/WebKitWebDriver') && !!miniBrowserPath(),
    needsDisplay: true,
    driver: () => ['/usr/bin/WebKitWebDriver', (port) => [`--port=${port}`]],
    caps: () => ({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: miniBrowserPath(), args: ['--automation'] } }),
  },
  chromium: {
    available: () => fs.existsSync('/usr/bin/chromedriver') && fs.existsSync('/usr/bin/chromium'),
    driver: () => ['/usr/bin/chromedriver', (port) => [`--port=${port}`, '--allowed-ips=127.0.0.1']],
    caps: () => ({ browserName: 'chrome', 'goog:chromeOptions': { binary: '/usr/bin/chromium',
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'] } }),
  },
};

/** Starts `name`'s driver and one browser session. Returns {name, driver, log(), quit()};
 * log(): everything the driver and its browser printed so far. */
export async function startBrowser(name) {
  const spec = BROWSERS[name];
  if (!spec.available()) throw new Error(`${name}: driver or browser missing (run scripts/setup)`);
  const xvfb = spec.needsDisplay ? await startXvfb() : null;
  const [bin, args] = spec.driver();
  let child, url, log = '';
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    child = spawn(bin, args(port), { stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...(xvfb ? { DISPLAY: xvfb.display } : {}) } });
    child.stdout.on('data', (d) => { log += d; });
    child.stderr.on('data', (d) => { log += d; });
    url = `http://127.0.0.1:${port}`;
    try {
      await driverReady(url, child, () => log);
      break;
    } catch (e) {
      await stopChild(child);
      if (attempt >= 2) { await xvfb?.stop(); throw e; } // the port was taken meanwhile: try another
    }
  }
  let driver;
  try {
    const executor = new seleniumHttp.Executor(new seleniumHttp.HttpClient(url));
    driver = await WebDriver.createSession(executor, new Capabilities(spec.caps()));
    await driver.manage().setTimeouts({ script: 60_000, pageLoad: 60_000 });
  } catch (e) {
    await stopChild(child);
    await xvfb?.stop();
    throw new Error(`${name}: no session (${e.message}); driver log: ${log.slice(-2000)}`);
  }
  return {
    name,
    driver,
    log: () => log,
    async quit() {
      // Bounded: a driver that no longer answers is killed with its browser.
      const timeout = new Promise((r) => setTimeout(r, 20_000));
      await Promise.race([driver.quit().catch(() => {}), timeout]);
      await stopChild(child);
      await xvfb?.stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Page helpers

/** Opens `url` in a new tab and makes it current; returns its window handle. In WebKit a new
 * window: MiniBrowser opens WebDriver's new tabs in the background (document.visibilityState
 * "hidden", no animation frames), which no visitor's page is. */
export async function openTab(driver, url) {
  const caps = await driver.getCapabilities();
  await driver.switchTo().newWindow(caps.getBrowserName() === 'MiniBrowser' ? 'window' : 'tab');
  const handle = await driver.getWindowHandle();
  await driver.get(url);
  return handle;
}

/** Closes the current tab as a visitor would (pagehide runs) and switches to `back`. */
export async function closeTab(driver, back) {
  await driver.close();
  await driver.switchTo().window(back);
}

/** Waits until Touchpoint has booted (the stub was replaced by the SDK). */
export async function sdkReady(driver) {
  await waitFor('touchpoint.ready', () => driver.executeScript('return !!(window.touchpoint && window.touchpoint.ready)'),
    { timeout: 60_000 });
}

/** `touchpoint(...args)` in the page. */
export async function tp(driver, ...args) {
  await driver.executeScript('window.touchpoint.apply(null, arguments)', ...args);
}

/** getConsent, bounded: a callback that never comes is an error. */
export async function getConsent(driver) {
  return driver.executeAsyncScript(`var done = arguments[arguments.length - 1];
    var t = setTimeout(function () { done({ error: 'getConsent callback never called' }); }, 10000);
    window.touchpoint('getConsent', function (c) { clearTimeout(t); done({ analytics: c.analytics, marketing: c.marketing }); });`);
}

/** Bounded proof that the SDK is alive and idle: it answers getConsent, is asked to flush, and
 * `ms` of page time pass (callers pass more than the page's data-flush-interval). */
export async function proveIdle(driver, ms = 2_500) {
  const c = await getConsent(driver);
  if (c.error) throw new Error(c.error);
  await tp(driver, 'flush');
  await driver.executeAsyncScript('var done = arguments[arguments.length - 1]; setTimeout(done, arguments[0]);', ms);
  const again = await getConsent(driver);
  if (again.error) throw new Error(again.error);
  return again;
}

/** The instrumentation's record: {errors, warnings, writes, locks, via}. */
export async function pageLog(driver) {
  return driver.executeScript('return window.__xb');
}

/** The `tp:` keys in localStorage, sorted. */
export async function tpKeys(driver) {
  return driver.executeScript("return Object.keys(localStorage).filter(function (k) { return k.indexOf('tp:') === 0; }).sort()");
}

/** What the origin stored: localStorage and sessionStorage keys, cookies, IndexedDB names. */
export async function storageSnapshot(driver) {
  return driver.executeAsyncScript(`var done = arguments[arguments.length - 1];
    var out = { localStorage: Object.keys(localStorage).sort(), sessionStorage: Object.keys(sessionStorage).sort(), cookie: document.cookie };
    if (indexedDB.databases) indexedDB.databases().then(function (d) { out.indexedDB = d.map(function (x) { return x.name; }); done(out); }, function () { done(out); });
    else done(out);`);
}

/** Fails on a page error or a Touchpoint warning that it disabled itself or could not load. */
export function assertHealthy(assert, log, what = 'page') {
  assert.deepEqual(log.errors, [], `${what}: no page errors`);
  assert.deepEqual(log.warnings.filter((w) => /touchpoint: (disabled|could not load)/.test(w)), [], `${what}: Touchpoint not disabled`);
}

/** Asserts each messageId of `events` is unique. */
export function assertUniqueIds(assert, events, what = 'stored') {
  const ids = events.map((e) => e.messageId);
  assert.equal(new Set(ids).size, ids.length, `${what}: no messageId twice`);
}
