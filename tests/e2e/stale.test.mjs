// A visitor who denies up front keeps nothing of ours from earlier visits: stale queue keys and
// the anonymous id are removed at start, and nothing else is written.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fixture, launch, sdkReady, serveFixture, startCollector } from './harness.mjs';

let collector, browser;
before(async () => { [collector, browser] = await Promise.all([startCollector(), launch()]); });
after(async () => { await browser?.close(); await collector?.stop(); });

const ours = (page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tp:')).sort());

test('data-consent="denied" removes what earlier visits stored', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // An earlier visit's leftovers (and a key of the shop's own, which must stay).
  const seed = await serveFixture(page, collector.url, '<!doctype html><title>seed</title>', 'seed.html');
  await page.goto(seed);
  await page.evaluate(() => {
    localStorage.setItem('tp:q:0badc0de:m1', '{"event":"x"}');
    localStorage.setItem('tp:tab:0badc0de', '1');
    localStorage.setItem('tp:aid', 'a-visitor');
    localStorage.setItem('shop:cart', 'mug');
  });
  await serveFixture(page, collector.url, fixture({ site: 'stale', consent: 'denied' }), 'denied.html');
  await page.goto(`${collector.url}/denied.html`);
  await sdkReady(page);
  assert.deepEqual(await ours(page), []);
  assert.equal(await page.evaluate(() => localStorage.getItem('shop:cart')), 'mug');
  await context.close();
});

test('Global Privacy Control removes a stored anonymous id at start', async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  const page = await context.newPage();
  const seed = await serveFixture(page, collector.url, '<!doctype html><title>seed</title>', 'seed.html');
  await page.goto(seed);
  await page.evaluate(() => localStorage.setItem('tp:aid', 'a-visitor'));
  await serveFixture(page, collector.url, fixture({ site: 'stale-gpc', consent: 'pending' }), 'gpc.html');
  await page.goto(`${collector.url}/gpc.html`);
  await sdkReady(page);
  assert.deepEqual(await ours(page), []);
  await context.close();
});
