// "Was order X charged twice?": a second purchase of an order already stored (its thanks page
// reloaded, or opened again from the confirmation email) is counted once, as GA4 counts it, but
// the collector records it, and the session opened by the order id says so in its header.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { inspectorCollector, launch, openInspector, waitFor } from './harness.mjs';
import { eventBuilders } from './inspector-events.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const T = { timeout: 120_000 };
const { ev } = eventBuilders({ prefix: 'o', anonymous: () => null });
const AGAIN = 'sess-again-0123456789';
const order = (session, minutesAgo, id) => ev(session, 'purchase', minutesAgo, '/thanks', { transaction_id: id, currency: 'EUR', value: 30 });

async function send(url, batch) {
  const r = await fetch(`${url}/v1/batch`, { method: 'POST', body: JSON.stringify({ sentAt: new Date().toISOString(), batch }) });
  assert.equal(r.status, 200);
  return r.json();
}

test('an order opened by its id says how many times its purchase came again, when and from which session', T, async (t) => {
  const own = await inspectorCollector(t);
  // T-88 bought in sess-buy, its thanks page reloaded there, then opened again from the email in
  // another session; T-89 bought once and reloaded once.
  assert.equal((await send(own.url, [ev('sess-buy', 'page_view', 30, '/cart'), order('sess-buy', 29, 'T-88')])).accepted, 2);
  assert.equal((await send(own.url, [order('sess-buy', 28, 'T-88')])).duplicates, 1);
  const last = order(AGAIN, 10, 'T-88');
  assert.equal((await send(own.url, [ev(AGAIN, 'page_view', 10.5, '/thanks'), last])).duplicates, 1);
  assert.equal((await send(own.url, [ev('sess-once', 'page_view', 8, '/cart'), order('sess-once', 7, 'T-89')])).accepted, 2);
  const reload = order('sess-once', 6, 'T-89');
  assert.equal((await send(own.url, [reload])).duplicates, 1);

  const { page, errors } = await openInspector(t, browser, own.url);
  // (The time as the header writes it, in the reader's zone.)
  const said = (iso) => page.evaluate((d) => new Date(d).toLocaleString('en-GB', { hour: '2-digit', minute: '2-digit',
    second: '2-digit', hourCycle: 'h23', timeZoneName: 'short', year: 'numeric', month: '2-digit', day: '2-digit' }), iso);
  const open = async (id, session) => {
    await page.fill('#f-session', id);
    await page.press('#f-session', 'Enter');
    await waitFor(`the session of order ${id}`, async () => (await page.textContent('#session-id')) === session &&
      /the session of order/.test(await page.textContent('#session-summary')), { timeout: 20_000 })
      .catch(async (e) => { throw new Error(`${e.message}; the session view: ${await page.textContent('#session')}`); });
    return page.textContent('#session-summary');
  };

  // The purchase's own session; the last repeat came from another one (its id cut, as listed).
  assert.ok((await open('T-88', 'sess-buy')).endsWith(
    ` · the session of order T-88 · its purchase arrived 2 more times, last at ${await said(last.timestamp)} in session sess-again-01…, not counted`),
  await page.textContent('#session-summary'));
  // Once more, from the same session.
  assert.ok((await open('T-89', 'sess-once')).endsWith(
    ` · the session of order T-89 · its purchase arrived once more, at ${await said(reload.timestamp)} in this session, not counted`),
  await page.textContent('#session-summary'));
  // The journey holds the purchase once: the repeats are no events.
  assert.equal(await page.locator('#timeline li[data-event="purchase"]').count(), 1);
  assert.deepEqual(errors, []);
});
