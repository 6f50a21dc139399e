// Touchpoint under a strict Content-Security-Policy: no 'unsafe-inline', no 'unsafe-eval', only
// 'wasm-unsafe-eval' for the wasm. The shop (tests/bundlers/serve.mjs on 127.0.0.1, its pages
// sent with the CSP header) forwards /touchpoint/ and /v1/ to the real collector, as a first-party
// reverse proxy does. The pages have no inline script: the SDK is configured by data-* attributes
// and pinned by SRI (the content-hashed loader of dist/manifest.json, which pins the wasm in turn);
// the stub and the consent banner's wiring are in the shop's own app.js. The tests check that
// events arrive and that no CSP violation is reported (securitypolicyviolation events, recorded
// from before the page's first script, and the console).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { closeTab, launch, root, startCollector, waitFor } from './harness.mjs';
import { serve } from '../bundlers/serve.mjs';

const STRICT = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; img-src 'self'; " +
  "style-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const manifest = () => JSON.parse(fs.readFileSync(path.join(root, 'dist/manifest.json'), 'utf8'));

// The shop's own script: the queueing stub, and the banner and the buy button wired to Touchpoint.
const APP_JS = `window.touchpoint = window.touchpoint || function () { (touchpoint.q = touchpoint.q || []).push(arguments); };
document.getElementById('accept').addEventListener('click', function () { touchpoint('consent', { analytics: true }); });
document.getElementById('buy').addEventListener('click', function () {
  touchpoint('track', 'add_to_cart', { currency: 'EUR', value: 12, items: [{ item_id: 'mug', price: 12 }] });
  touchpoint('flush');
});
window.addEventListener('touchpoint:consent', function (e) { document.getElementById('state').textContent = e.detail.analytics; });
`;

function writePage(dir, tag) {
  fs.writeFileSync(path.join(dir, 'index.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Strict CSP shop</title>
<script src="/app.js" defer></script>
${tag}
</head><body>
<div id="banner">We use analytics. <button id="accept">Accept</button> Consent: <span id="state">unknown</span></div>
<button id="buy">Add to cart</button>
</body></html>`);
}

const pinned = (attrs) => {
  const m = manifest();
  return `<script async src="/touchpoint/${m.loader.file}" integrity="${m.loader.integrity}" crossorigin="anonymous" ${attrs}></script>`;
};

/** A page that records CSP violations and console messages from before its first script. */
async function openPage(browser) {
  const page = await browser.newPage();
  const log = { violations: [], console: [], errors: [] };
  await page.exposeFunction('__cspViolation', (v) => log.violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolation({ directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile });
    });
  });
  page.on('console', (m) => log.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.errors.push(String(e)));
  return { page, log };
}

let collector, browser;
const cleanup = [];
before(async () => { [collector, browser] = await Promise.all([startCollector(), launch()]); });
after(async () => {
  await browser?.close();
  await collector?.stop();
  for (const f of cleanup) await f();
});

/** The shop: its app.js and index.html (with `tag`), pages sent with `csp`. */
async function shop(tag, csp, upstream = collector.url) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-csp-'));
  fs.writeFileSync(path.join(dir, 'app.js'), APP_JS);
  writePage(dir, tag);
  const server = await serve(dir, { upstream, forward: ['/touchpoint/', '/v1/'], headers: { 'content-security-policy': csp } });
  server.dir = dir;
  cleanup.push(() => server.close(), () => fs.rmSync(dir, { recursive: true, force: true }));
  return server;
}

const violationsIn = (log) => [...log.violations, ...log.console.filter((m) => /Content Security Policy|Refused to/i.test(m))];

test('strict CSP, first-party collector, SRI-pinned script tag: consent banner, clicks, friction sensors, a commerce event; no violation', { timeout: 120_000 }, async () => {
  const server = await shop(pinned('data-collector="/v1/batch" data-site="csp-first" data-consent="pending" data-flush-interval="500"'), STRICT);
  const { page, log } = await openPage(browser);
  const answer = await page.goto(`${server.url}/`);
  assert.equal(answer.headers()['content-security-policy'], STRICT);
  await page.waitForFunction(() => window.touchpoint && window.touchpoint.ready === true, null, { timeout: 60_000 });
  await page.click('#accept');
  await page.waitForFunction(() => document.getElementById('state').textContent === 'granted', null, { timeout: 60_000 });
  await page.click('#buy');
  const events = await waitFor('page_view, consent_change and add_to_cart', async () => {
    const ev = await collector.events('&site=csp-first');
    const names = ev.map((e) => e.event);
    return ['page_view', 'consent_change', 'add_to_cart'].every((n) => names.includes(n)) && ev;
  });
  assert.deepEqual(events.find((e) => e.event === 'add_to_cart').properties,
    { currency: 'EUR', value: 12, items: [{ item_id: 'mug', price: 12 }], moment: true }); // a moment of truth
  // The pinned loader loaded the pinned wasm.
  const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
  assert.ok(loaded.includes(`/touchpoint/${manifest().wasm.file}`), loaded.join(' '));
  await closeTab(page);
  assert.deepEqual(violationsIn(log), []);
  assert.deepEqual(log.errors, []);
});

test('strict CSP with the collector on its own origin (connect-src lists it): events arrive, no violation', { timeout: 120_000 }, async () => {
  // The collector must know the shop's origin (--allow), and the shop's page the collector's URL.
  const server = await shop('', STRICT);
  const direct = await startCollector(['--allow', `csp-third=${server.url}`]);
  cleanup.unshift(() => direct.stop());
  writePage(server.dir, pinned(`data-collector="${direct.url}/v1/batch" data-site="csp-third" data-consent="granted" data-flush-interval="500"`));
  server.headers = { 'content-security-policy': STRICT.replace("connect-src 'self'", `connect-src 'self' ${direct.url}`) };
  const { page, log } = await openPage(browser);
  await page.goto(`${server.url}/`);
  await page.click('#buy');
  await waitFor('page_view and add_to_cart at the third-party collector', async () => {
    const names = (await direct.events('&site=csp-third')).map((e) => e.event);
    return names.includes('page_view') && names.includes('add_to_cart');
  });
  await closeTab(page);
  assert.deepEqual(violationsIn(log), []);
  assert.deepEqual(log.errors, []);
});

// A CSP whose connect-src leaves the collector out: every batch is refused as a network error
// would be, and was retried without a word. One console warning says why nothing arrives.
test('strict CSP whose connect-src leaves the collector out: one warning names the cause; the page is unharmed', { timeout: 120_000 }, async () => {
  const server = await shop('', STRICT);
  const direct = await startCollector(['--allow', `csp-blocked=${server.url}`]);
  cleanup.unshift(() => direct.stop());
  writePage(server.dir, pinned(`data-collector="${direct.url}/v1/batch" data-site="csp-blocked" data-consent="granted" data-flush-interval="500" data-retry-base="200" data-retry-cap="1000"`));
  const { page, log } = await openPage(browser);
  await page.goto(`${server.url}/`);
  await page.click('#buy');
  await waitFor('the warning', () => log.console.some((m) => /touchpoint: the CSP \(connect-src\) blocks the collector/.test(m)), { timeout: 30_000 });
  await waitFor('a few refused retries', () => log.violations.filter((v) => v.blocked.startsWith(direct.url)).length >= 3, { timeout: 30_000 });
  assert.equal(log.console.filter((m) => /touchpoint:/.test(m)).length, 1, log.console.join(' | '));
  assert.equal((await direct.events('&site=csp-blocked')).length, 0);
  assert.deepEqual(log.errors, []);
  await closeTab(page);
});

// Trusted Types enforced (no policy allowed): Touchpoint assigns no script URL or HTML, so it
// runs as under the strict CSP alone. With data-debug its overlay's script URL is refused: no
// overlay (one warning), and Touchpoint goes on (it used to be disabled at its first message).
test('strict CSP with Trusted Types enforced: events arrive, no violation; with data-debug the overlay is refused and the events still arrive', { timeout: 120_000 }, async () => {
  const TT = `${STRICT}; require-trusted-types-for 'script'; trusted-types 'none'`;
  for (const debug of [false, true]) {
    const site = debug ? 'csp-tt-debug' : 'csp-tt';
    const server = await shop(pinned(`data-collector="/v1/batch" data-site="${site}" data-consent="granted" data-flush-interval="500"${debug ? ' data-debug' : ''}`), TT);
    const { page, log } = await openPage(browser);
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => window.touchpoint && window.touchpoint.ready === true, null, { timeout: 60_000 });
    await page.click('#buy');
    await waitFor(`page_view and add_to_cart (${site})`, async () => {
      const names = (await collector.events(`&site=${site}`)).map((e) => e.event);
      return names.includes('page_view') && names.includes('add_to_cart');
    });
    const warnings = log.console.filter((m) => /^warning: touchpoint/.test(m));
    if (debug) {
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0], /the debug overlay could not be loaded/);
      assert.ok(log.violations.length > 0 && log.violations.every((v) => v.directive === 'require-trusted-types-for'), JSON.stringify(log.violations));
    } else {
      assert.deepEqual(warnings, []);
      assert.deepEqual(violationsIn(log), []);
    }
    await closeTab(page);
    assert.deepEqual(log.errors, []);
  }
});

test("the checks see violations: without 'wasm-unsafe-eval' the wasm is refused, reported, and nothing is sent", { timeout: 120_000 }, async () => {
  const server = await shop(pinned('data-collector="/v1/batch" data-site="csp-nowasm" data-consent="granted"'),
    STRICT.replace(" 'wasm-unsafe-eval'", ''));
  const { page, log } = await openPage(browser);
  await page.goto(`${server.url}/`);
  await waitFor('a CSP violation and the loader\'s warning', () =>
    log.violations.some((v) => v.directive.startsWith('script-src')) && log.console.some((m) => /touchpoint: could not load/.test(m)));
  await page.click('#buy'); // queued by the stub, never sent
  assert.equal(await page.evaluate(() => window.touchpoint.ready), undefined);
  assert.deepEqual(log.errors, []);
  await closeTab(page);
  assert.deepEqual(await collector.events('&site=csp-nowasm'), []);
});

test('the pinned wasm: other bytes under the same name are refused by the browser (fetch integrity); the page is unharmed', { timeout: 120_000 }, async () => {
  const server = await shop(pinned('data-collector="/v1/batch" data-site="csp-tampered" data-consent="granted"'), STRICT);
  const { page, log } = await openPage(browser);
  const wasm = fs.readFileSync(path.join(root, 'dist', manifest().wasm.file));
  const tampered = Buffer.from(wasm);
  tampered[tampered.length - 1] ^= 1; // one bit of the last byte
  let served = 0;
  await page.route(`${server.url}/touchpoint/${manifest().wasm.file}`, (r) => {
    served++;
    return r.fulfill({ status: 200, contentType: 'application/wasm', headers: { 'access-control-allow-origin': '*' }, body: tampered });
  });
  await page.goto(`${server.url}/`);
  await waitFor('the loader\'s warning', () => log.console.some((m) => /touchpoint: could not load/.test(m)));
  assert.equal(served, 1);
  assert.ok(log.console.some((m) => /integrity/i.test(m)), log.console.join('\n'));
  await page.click('#buy');
  assert.equal(await page.evaluate(() => window.touchpoint.ready), undefined);
  assert.deepEqual(log.errors, []);
  await closeTab(page);
  assert.deepEqual(await collector.events('&site=csp-tampered'), []);
});
