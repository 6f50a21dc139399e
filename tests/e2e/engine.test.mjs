// The driver around the engine, end to end: calls made from inside Touchpoint's own callbacks are
// queued, never lost; a click costs its handler no storage write or request (both happen later,
// grouped); and a tab that crashes after its events were written loses nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fixture, launch, sdkReady, serveFixture, startCollector, waitFor } from './harness.mjs';

let collector, browser;
before(async () => { [collector, browser] = await Promise.all([startCollector(), launch()]); });
after(async () => { await browser?.close(); await collector?.stop(); });

const T = { timeout: 120_000 };

async function stored(site, what, pred, timeout = 30_000) {
  return waitFor(what, async () => {
    const ev = await collector.events(`&site=${site}`);
    return pred(ev) && ev;
  }, { timeout });
}

test('touchpoint() called from the touchpoint:consent listener and from a getConsent callback is delivered', T, async (t) => {
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  // The page's own reactions to Touchpoint's documented hooks, registered before it loads.
  const body = `<button id="b">Buy</button><script>
    addEventListener('touchpoint:consent', function (e) {
      if (e.detail.analytics === 'granted' && !window.__fromListener) {
        window.__fromListener = true;
        touchpoint('track', 'from_consent_listener', { analytics: e.detail.analytics });
        touchpoint('getConsent', function (s) { touchpoint('track', 'from_get_consent', { state: s.analytics }); });
      }
    });
  </script>`;
  const url = await serveFixture(page, collector.url, fixture({ site: 'reentry', consent: 'pending' }, body));
  await page.goto(url);
  await sdkReady(page);
  await page.evaluate(() => { touchpoint('consent', { analytics: true }); touchpoint('flush'); });
  const ev = await stored('reentry', 'both re-entrant events stored', (ev) =>
    ev.some((e) => e.event === 'from_consent_listener') && ev.some((e) => e.event === 'from_get_consent'));
  const names = ev.map((e) => e.event);
  assert.equal(names.filter((n) => n === 'from_consent_listener').length, 1, names.join());
  assert.equal(names.filter((n) => n === 'from_get_consent').length, 1, names.join());
  const got = ev.find((e) => e.event === 'from_get_consent');
  assert.equal(got.properties.state, 'granted', 'the callback saw the new state');
  assert.deepEqual(warnings.filter((w) => /touchpoint/.test(w)), [], 'no warning, no disabled SDK');
});

// A callback of the page's that throws is the page's error: reported as an uncaught one would be
// (its onerror sees it, as with the npm client's onConsent), not swallowed, and not Touchpoint's.
test('a getConsent or getIds callback that throws is reported as the page\'s uncaught error; Touchpoint goes on', T, async (t) => {
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const body = `<script>window.__errors = []; addEventListener('error', function (e) { __errors.push(e.message); });</script>`;
  const url = await serveFixture(page, collector.url, fixture({ site: 'callback-throws', consent: 'granted' }, body));
  await page.goto(url);
  await sdkReady(page);
  await page.evaluate(() => {
    touchpoint('getConsent', function () { throw new Error('consent callback broke'); });
    touchpoint('getIds', function () { throw new Error('ids callback broke'); });
    touchpoint('track', 'after_the_callbacks');
    touchpoint('flush');
  });
  const errors = await page.evaluate(() => window.__errors);
  assert.ok(errors.some((m) => m.includes('consent callback broke')) && errors.some((m) => m.includes('ids callback broke')), JSON.stringify(errors));
  await stored('callback-throws', 'the event after the callbacks stored', (ev) => ev.some((e) => e.event === 'after_the_callbacks'));
});

test('a click handler pays no storage write and no request: both come in the scheduled task after it', T, async (t) => {
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  // Records, for each storage write and fetch, whether it happened inside a click handler.
  await context.addInitScript(() => {
    window.__inClick = false;
    window.__log = [];
    const mark = (what) => window.__log.push({ what, inClick: window.__inClick });
    const set = Storage.prototype.setItem;
    Storage.prototype.setItem = function (k, v) { if (String(k).startsWith('tp:q:')) mark('setItem'); return set.call(this, k, v); };
    const f = window.fetch;
    window.fetch = function (...a) { mark('fetch'); return f.apply(this, a); };
    // The page's own handler, on the target (after Touchpoint's capture-phase sensor).
    addEventListener('DOMContentLoaded', () => {
      document.getElementById('b').addEventListener('click', () => { window.__inClick = true; queueMicrotask(() => { window.__inClick = false; }); });
    });
    document.addEventListener('click', () => { window.__inClick = true; }, true);
  });
  const url = await serveFixture(page, collector.url, fixture({ site: 'hotpath', consent: 'granted', 'batch-size': '5' }));
  await page.goto(url);
  await sdkReady(page);
  const box = await page.locator('#b').boundingBox();
  const began = Date.now();
  for (let i = 0; i < 12; i++) await page.mouse.click(box.x + 5, box.y + 5);
  const elapsed = Date.now() - began;
  await page.evaluate(() => { window.__inClick = false; });
  await stored('hotpath', '12 clicks stored', (ev) => ev.filter((e) => e.event === 'click').length === 12);
  const log = await page.evaluate(() => window.__log);
  assert.ok(log.some((l) => l.what === 'setItem'), `events were written to storage (positive control): ${JSON.stringify(log)}`);
  assert.ok(log.some((l) => l.what === 'fetch'), 'batches were sent (positive control)');
  assert.deepEqual(log.filter((l) => l.inClick), [], 'nothing inside a click handler');
  // Events are written at most once per second (and before each send): the bound depends on how
  // long the 12 clicks took on this machine, never on a fixed speed.
  const writes = log.filter((l) => l.what === 'setItem').length;
  const sends = log.filter((l) => l.what === 'fetch').length;
  const bound = Math.ceil(elapsed / 1000) + 1 + sends;
  assert.ok(writes <= bound, `${writes} storage writes for 12 clicks in ${elapsed} ms with ${sends} sends (at most ${bound})`);
});

test('a tab that crashes after its events were written (within 1 s) loses nothing: the next page adopts and sends its clicks', T, async (t) => {
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const attrs = { site: 'crash', consent: 'granted', 'flush-interval': '600000', 'batch-size': '500' };
  const url = await serveFixture(page, collector.url, fixture(attrs), 'crash.html');
  await page.goto(url);
  await sdkReady(page);
  for (let i = 0; i < 3; i++) await page.click('#b');
  // Within a second the burst is written: its group is in storage.
  await waitFor('the clicks written to storage', () => page.evaluate(() =>
    Object.keys(localStorage).filter((k) => k.startsWith('tp:q:')).map((k) => localStorage.getItem(k)).join('\n').split('"event":"click"').length - 1 === 3));
  // A renderer crash: no pagehide, no beacon; the heartbeat stays and goes stale.
  const cdp = await context.newCDPSession(page);
  const crashed = page.waitForEvent('crash', { timeout: 30_000 });
  cdp.send('Page.crash').catch(() => {}); // never answered: the renderer is gone
  await crashed;
  assert.equal((await collector.events('&site=crash')).filter((e) => e.event === 'click').length, 0, 'nothing was sent before the crash');
  // The next visit, after the crashed tab's heartbeat went stale (10 min: moved by editing it).
  const next = await context.newPage();
  await serveFixture(next, collector.url, fixture(attrs), 'crash.html');
  await next.goto(url);
  await sdkReady(next);
  await next.evaluate(() => {
    for (const k of Object.keys(localStorage)) if (k.startsWith('tp:tab:')) localStorage.setItem(k, '1');
  });
  await next.reload();
  await sdkReady(next);
  await next.evaluate(() => touchpoint('flush'));
  const ev = await stored('crash', 'the crashed tab\'s clicks adopted and stored', (ev) => ev.filter((e) => e.event === 'click').length === 3);
  assert.equal(new Set(ev.map((e) => e.messageId)).size, ev.length, 'each stored once');
});
