// The npm package as built into dist/npm/ (its index.js served as is, an ES module in the
// browser): init() with data-* names as options, the client's calls queued before the wasm has
// loaded, consent state, and the wasm found next to the module through import.meta.url.
// tests/bundlers/bundlers.test.mjs runs the same package through Vite and webpack.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeTab, launch, serveFixture, startCollector, waitFor } from './harness.mjs';

let collector, browser;
before(async () => { [collector, browser] = await Promise.all([startCollector(), launch()]); });
after(async () => { await browser?.close(); await collector?.stop(); });

test('init() returns the client: consent, track, page, flush, getConsent, getIds, consentState, onConsent', { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  const url = await serveFixture(page, collector.url, `<!doctype html><title>App</title>
<script type="module">
  import { init, track as namedTrack } from '/touchpoint/npm/index.js';
  // Calls made before the SDK loads are queued by the stub and replayed in order.
  const tp = init({ site: 'npm-app', consent: 'pending', flushInterval: 500, friction: 'off', journey: 'off' });
  window.again = init({ site: 'other' }) === tp; // a second init is a no-op returning the client
  window.seen = [];
  tp.onConsent((s) => window.seen.push(s.analytics));
  tp.track('signed_up', { plan: 'pro' });
  window.ready = tp.getConsent().then((before) => {
    tp.consent({ analytics: true });
    return Promise.all([tp.getConsent(), tp.getIds()]).then(([afterGrant, ids]) => ({ before, afterGrant, ids, sync: tp.consentState() }));
  });
  window.later = () => { namedTrack('upgrade', { to: 'team' }); tp.page({ section: 'billing' }); tp.flush(); };
</script>`, 'app.html');
  await page.goto(url);
  const states = await page.evaluate(() => window.ready);
  assert.equal(states.before.analytics, 'pending');
  assert.equal(states.afterGrant.analytics, 'granted');
  assert.equal(states.sync.analytics, 'granted');
  assert.equal(await page.evaluate(() => window.again), true);
  assert.deepEqual(await page.evaluate(() => window.seen), ['pending', 'granted']);
  assert.equal(await page.evaluate(() => window.touchpoint.ready), true);
  // The wasm came from next to the module.
  assert.equal(await page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => e.name.endsWith('/touchpoint/npm/touchpoint_bg.wasm')).length), 1);
  await page.evaluate(() => window.later());
  const events = await waitFor('5 events', async () => {
    const ev = await collector.events('&site=npm-app');
    return ev.length >= 5 && ev;
  });
  assert.deepEqual(events.map((e) => e.event).sort(), ['consent_change', 'page_view', 'page_view', 'signed_up', 'upgrade']);
  assert.deepEqual(events.find((e) => e.event === 'signed_up').properties, { plan: 'pro' });
  // getIds: the session its events carry (no anonymous id without marketing, no customer).
  assert.match(states.ids.sessionId, /^[0-9a-f-]{36}$/);
  assert.deepEqual(states.ids, { sessionId: events[0].sessionId, anonymousId: null, userId: null });
  assert.ok(events.every((e) => e.sessionId === states.ids.sessionId));
  assert.equal(events.filter((e) => e.event === 'page_view' && e.properties.section === 'billing').length, 1);
  assert.deepEqual(await collector.events('&site=other'), []);
  assert.deepEqual(errors, []);
  await closeTab(page);
});
