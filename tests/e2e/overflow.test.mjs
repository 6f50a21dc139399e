// A full queue drops its oldest events, counts them and reports them as one queue_overflow
// event once there is room again, without disabling itself (this once recursed until the stack
// overflowed and the kill switch fired).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { persistedQueue } from './faults.mjs';
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
  // The first batch's answer is held until the collector has stored it. An event tracked while
  // those 50 are in flight finds the queue full of events it cannot evict, and is itself dropped
  // (right: the bound holds). This test once raced there: the collector had stored the batch but
  // the page had not yet read the answer. Holding it makes that window wide on every run, and the
  // test waits for the page to have taken the answer before it tracks more.
  let release;
  const held = new Promise((r) => { release = r; });
  let first = true;
  await page.route('**/v1/batch', async (route) => {
    if (!first) return route.continue();
    first = false;
    const response = await route.fetch();
    await held;
    await route.fulfill({ response });
  });
  await page.goto(url);
  await sdkReady(page);
  // page_view + 80 = 81 events into a queue of 50: the 31 oldest are dropped.
  await page.evaluate(() => { for (let i = 0; i < 80; i++) window.touchpoint('track', 'item', { i }); });
  await page.evaluate(() => window.touchpoint('flush'));
  const kept = await waitFor('the 50 kept events', async () => {
    const ev = await collector.events('&site=overflow');
    return ev.length >= 50 && ev;
  });
  release();
  // The page took the answer when the 50 delivered events leave its persisted queue.
  const delivered = new Set(kept.map((e) => e.messageId));
  await waitFor('the answer taken by the page', async () =>
    !(await persistedQueue(page)).some((q) => delivered.has(q.messageId)));
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
