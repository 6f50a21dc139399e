// The npm module (npm/touchpoint.mjs) drives the same SDK as the script tag.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { closeTab, launch, root, startCollector, waitFor } from './harness.mjs';

let collector, browser;
before(async () => { [collector, browser] = await Promise.all([startCollector(), launch()]); });
after(async () => { await browser?.close(); await collector?.stop(); });

test('init() with data-* names as options, then consent(), track() and getConsent()', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  const module = fs.readFileSync(path.join(root, 'npm/touchpoint.mjs'), 'utf8');
  await page.route(`${collector.url}/npm/touchpoint.mjs`, (r) => r.fulfill({ contentType: 'text/javascript', body: module }));
  await page.route(`${collector.url}/app.html`, (r) => r.fulfill({ contentType: 'text/html', body: `<!doctype html><title>App</title>
<script type="module">
  import { init, consent, track, flush, getConsent } from '/npm/touchpoint.mjs';
  // Calls made before the SDK loads are queued by the stub and replayed in order.
  init({ site: 'npm-app', consent: 'pending', flushInterval: 500 });
  track('Signed Up', { plan: 'pro' });
  window.ready = getConsent().then((before) => {
    consent({ analytics: true });
    return getConsent().then((afterGrant) => ({ before, afterGrant }));
  });
  window.later = () => { track('upgrade', { to: 'team' }); flush(); };
</script>` }));
  await page.goto(`${collector.url}/app.html`);
  const states = await page.evaluate(() => window.ready);
  assert.equal(states.before.analytics, 'pending');
  assert.equal(states.afterGrant.analytics, 'granted');
  await page.evaluate(() => window.later());
  const events = await waitFor('4 events', async () => {
    const ev = await collector.events('&site=npm-app');
    return ev.length >= 4 && ev;
  });
  assert.deepEqual(events.map((e) => e.event).sort(), ['consent_change', 'page_view', 'signed_up', 'upgrade']);
  assert.deepEqual(events.find((e) => e.event === 'signed_up').properties, { plan: 'pro' });
  assert.deepEqual(errors, []);
  await closeTab(page);
});
