// A full queue drops its oldest events, counts them and reports them as one queue_overflow
// event once there is room again, without disabling itself (this once recursed until the stack
// overflowed and the kill switch fired).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertUniqueIds, closeTab, fixture, launch, sdkReady, serveFixture, startCollector, waitFor } from './harness.mjs';

let collector, browser;
before(async () => { [collector, browser] = await Promise.all([startCollector(), launch()]); });
after(async () => { await browser?.close(); await collector?.stop(); });

test('overflow drops the oldest, reports the count once, and keeps working', async () => {
  const page = await browser.newPage();
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  const url = await serveFixture(page, collector.url, fixture({
    site: 'overflow', consent: 'granted', 'max-queue': '50', 'batch-size': '500', 'flush-interval': '600000',
  }));
  await page.goto(url);
  await sdkReady(page);
  // page_view + 80 = 81 events into a queue of 50: the 31 oldest are dropped.
  await page.evaluate(() => { for (let i = 0; i < 80; i++) window.touchpoint('track', 'item', { i }); });
  await page.evaluate(() => window.touchpoint('flush'));
  await waitFor('the 50 kept events', async () => (await collector.events('&site=overflow')).length >= 50);
  // The report goes into the now empty queue; flush it and add one more ordinary event.
  await page.evaluate(() => { window.touchpoint('track', 'after', {}); window.touchpoint('flush'); });
  const events = await waitFor('the report and the later event', async () => {
    const ev = await collector.events('&site=overflow');
    return ev.length >= 52 && ev;
  });
  assert.equal(events.length, 52);
  assertUniqueIds(assert, events);
  const items = events.filter((e) => e.event === 'item').map((e) => e.properties.i).sort((a, b) => a - b);
  assert.deepEqual(items, Array.from({ length: 50 }, (_, k) => 30 + k), 'the newest 50 were kept');
  assert.ok(!events.some((e) => e.event === 'page_view'), 'the oldest (the page view) was dropped');
  const reports = events.filter((e) => e.event === 'queue_overflow');
  assert.equal(reports.length, 1);
  assert.equal(reports[0].properties.dropped, 31);
  assert.equal(events.filter((e) => e.event === 'after').length, 1);
  assert.deepEqual(errors, []);
  assert.ok(!warnings.some((w) => w.includes('disabled')), warnings.join('\n'));
  await closeTab(page);
});
