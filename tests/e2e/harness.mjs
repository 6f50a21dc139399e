// End-to-end harness: a real collector (its own temp SQLite) and headless Chromium driven by
// playwright-core. Everything listens on 127.0.0.1 only. Tests wait for conditions with
// generous deadlines, never for fixed sleeps that assume a speed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'target/debug/touchpoint-collector');

/** A collector of the test's own that serves the inspector (and uPlot), stopped after `t`. */
export async function inspectorCollector(t) {
  const own = await startCollector(['--inspector', path.join(root, 'collector/inspector'),
    '--uplot', path.join(root, 'node_modules/uplot/dist')]);
  t.after(() => own.stop());
  return own;
}

/** The inspector of the collector at `url`, opened at `query` in a browser context of its own
 * (closed after `t`), once its first refresh is drawn. `errors`: the page's uncaught errors. */
export async function openInspector(t, browser, url, { query = 'range=1h', viewport = { width: 1280, height: 900 }, context: options = {} } = {}) {
  const context = await browser.newContext({ viewport, ...options });
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${url}/inspector?${query}`);
  await page.waitForFunction(() => window.__inspector && window.__inspector.refreshes >= 1, null, { timeout: 60_000 });
  return { page, errors, context };
}

/** Starts the collector on a free port. */
export async function startCollector(extraArgs = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-e2e-'));
  const child = spawn(bin, ['--host', '127.0.0.1', '--port', '0', '--db', path.join(dir, 'events.sqlite'),
    // The tests poll the read API far harder than an inspector does: its per-client rate limit
    // (default 50 reads/s) would answer 429 to the polling itself.
    '--www', path.join(root, 'www'), '--sdk', path.join(root, 'dist'), '--read-rate-limit', '100000', ...extraArgs],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`collector did not start: ${stderr}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`collector exited ${code}: ${stderr}`)); });
  });
  return {
    url,
    async events(query = '') {
      const r = await fetch(`${url}/api/events?limit=1000${query}`);
      if (!r.ok) throw new Error(`GET /api/events: ${r.status}`);
      return (await r.json()).reverse(); // oldest first
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Headless Chromium. `bfcache`: keep the back/forward cache on (Playwright turns it off by
 * default), for tests of pages restored from it. */
/** `args`: more Chromium switches (e.g. --host-resolver-rules, for names that are 127.0.0.1). */
export async function launch({ bfcache = false, args = [] } = {}) {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    ignoreDefaultArgs: bfcache ? ['--disable-back-forward-cache'] : [],
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-quic', '--no-first-run', ...args],
  });
}

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

/** Records every request the page makes to the collector's batch endpoint. */
export function recordBatches(page) {
  const batches = [];
  page.on('request', (req) => {
    if (new URL(req.url()).pathname === '/v1/batch') {
      batches.push({ type: req.resourceType(), body: req.postData() || '' });
    }
  });
  return batches;
}

/** Waits until Touchpoint has booted on the page (the stub was replaced by the SDK). */
export async function sdkReady(page) {
  await page.waitForFunction(() => window.touchpoint && window.touchpoint.ready === true, null, { timeout: 60_000 });
}

/** A page of our own served from the collector's origin, with the snippet and given attributes. */
// Friction detection is off unless a test asks for it: these fixtures test delivery, consent and
// privacy by exact event counts, and on a loaded machine a click can really be slow (a genuine
// slow_interaction) or a page's LCP pass 4 s. tests/e2e/friction-*.test.mjs test friction.
// Journey touchpoints (page_leave, scroll_depth, ...) are off too, for the same exact counts;
// tests/e2e/journey.test.mjs tests them.
export function fixture(attrs, body = '<button id="b">Buy</button>') {
  const { collector = '/v1/batch', ...rest } = { friction: 'off', journey: 'off', ...attrs };
  const a = Object.entries(rest).map(([k, v]) => ` data-${k}="${v}"`).join('');
  return `<!doctype html><html><head><title>Fixture</title>
<script>window.touchpoint=window.touchpoint||function(){(touchpoint.q=touchpoint.q||[]).push(arguments)};</script>
<script async src="/touchpoint/touchpoint.js" data-collector="${collector}"${a}></script>
</head><body>${body}</body></html>`;
}

/** Serves `html` at `${url}/fixture.html` for this page. */
export async function serveFixture(page, url, html, name = 'fixture.html') {
  await page.route(`${url}/${name}*`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }));
  return `${url}/${name}`;
}

/** Closes a page as a visitor closing the tab would (pagehide runs). Route interception is
 * removed first: an intercepted beacon from a dead page is never released by Playwright.
 * Open the page in an explicit context when what it sends on the way out matters: a page from
 * `browser.newPage()` takes its context down with it, and a beacon still in flight with it. */
export async function closeTab(page) {
  await page.unrouteAll();
  await page.close({ runBeforeUnload: true });
}

export function assertUniqueIds(assert, events) {
  const ids = events.map((e) => e.messageId);
  assert.equal(new Set(ids).size, ids.length, 'no messageId stored twice');
}

/** A desktop Chrome's user agent (Playwright's headless one names `HeadlessChrome`). */
export const CHROME_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';

/** A context the SDK takes for a visitor's browser, not one a program drives (no
 * `context.automated`): `navigator.webdriver` off, with `CHROME_UA`. For what the collector
 * counts only for customers (the inspector's figures). */
export async function visitorContext(browser, options = {}) {
  const context = await browser.newContext({ ...options, userAgent: CHROME_UA });
  await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false }));
  return context;
}
