// A QA engineer's end-to-end test places an order (every browser event says
// context.automated), then their shop's server confirms it into the same session through the
// server-side event API, without the flag. The inspector's figures stay the customers' (the whole
// test session left out, not just its flagged events), and the test's session, opened by its id,
// shows its journey, said to be automated traffic in none of the figures (it answered "No session
// with this id here").
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { inspectorCollector, launch, openInspector, waitFor } from './harness.mjs';
import { eventBuilders } from './inspector-events.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const T = { timeout: 120_000 };
const { ev, fr } = eventBuilders({ prefix: 'auto', anonymous: (s) => `visitor-${s}` });
const TEST_RUN = 'd1e74965-51cf-46b8-8602-1055d140a106';

async function send(url, batch) {
  const r = await fetch(`${url}/v1/batch`, { method: 'POST', body: JSON.stringify({ sentAt: new Date().toISOString(), batch }) });
  assert.equal(r.status, 200);
  const j = await r.json();
  assert.deepEqual(j.rejected, []);
  return j;
}

test('an automated session is in none of the figures, and its journey opens by its id, said so', T, async (t) => {
  const own = await inspectorCollector(t);
  // A customer's visit...
  await send(own.url, [ev('sess-one', 'page_view', 30, '/'), ev('sess-one', 'add_to_cart', 29, '/p/mug'),
    fr('sess-one', 'dead_click', 28, '/p/mug', '#grind')]);
  // ... and the test's, by a browser a program drives, then its order confirmed by the server.
  const flagged = [ev(TEST_RUN, 'page_view', 20, '/'), ev(TEST_RUN, 'add_to_cart', 19, '/p/mug'),
    fr(TEST_RUN, 'dead_click', 19, '/p/mug', '#plus'), ev(TEST_RUN, 'begin_checkout', 18, '/cart'),
    ev(TEST_RUN, 'purchase', 17, '/thanks', { transaction_id: 'T-e2e-1', currency: 'EUR', value: 12 })];
  for (const e of flagged) e.context.automated = true;
  await send(own.url, flagged);
  await send(own.url, [{
    type: 'track', event: 'purchase', messageId: 'order-qa-5521', timestamp: new Date(Date.now() - 16 * 60_000).toISOString(),
    sessionId: TEST_RUN, site: 'demo-shop', properties: { transaction_id: 'qa-5521', value: 24, currency: 'EUR' },
    context: { page: { url: '', path: '', title: '', referrer: '' }, library: { name: 'shop-server', version: '1' } },
  }]);

  // The read API: the customer's session alone, everywhere.
  const get = async (p) => (await fetch(`${own.url}${p}`)).json();
  const o = await get('/api/overview?site=demo-shop');
  assert.deepEqual([o.sessions, o.visitors, o.events, o.friction], [1, 1, 3, 1]);
  const ch = await get('/api/channels?site=demo-shop&revenue=1');
  assert.deepEqual(ch.channels.map((c) => [c.sessions, c.purchases]), [[1, 0]]);
  const r = await fetch(`${own.url}/api/sessions/${TEST_RUN}`);
  assert.equal(r.status, 404);
  assert.equal((await r.json()).automated, true);

  const { page, errors } = await openInspector(t, browser, own.url);
  assert.equal(await page.textContent('#overview [data-k="sessions"]'), '1');
  assert.equal(await page.textContent('#overview [data-k="events"]'), '3');
  assert.equal(await page.locator('#session-list tbody tr[data-session]').count(), 1, 'the customer\'s session listed alone');

  // Opened by its id (pasted in the Session field): its journey, said to be automated traffic.
  await page.fill('#f-session', TEST_RUN);
  await page.press('#f-session', 'Enter');
  await waitFor('the test session\'s journey', async () => (await page.textContent('#session-id')) === TEST_RUN, { timeout: 20_000 })
    .catch(async (e) => { throw new Error(`${e.message}; the session view: ${await page.textContent('#session')}`); });
  const summary = await page.textContent('#session-summary');
  assert.match(summary, /automated traffic \(an event of it said context\.automated: a browser a program drove\): in none of the figures$/);
  assert.match(summary, /moments of truth: add_to_cart → begin_checkout → purchase/);
  assert.equal(await page.locator('#timeline li[data-event="purchase"]').count(), 2, 'the browser\'s purchase and the server\'s');
  // The figures stay the customers'.
  assert.equal(await page.textContent('#overview [data-k="sessions"]'), '1');
  // A customer's session says nothing of the kind.
  await page.fill('#f-session', 'sess-one');
  await page.press('#f-session', 'Enter');
  await waitFor('the customer\'s journey', async () => (await page.textContent('#session-id')) === 'sess-one', { timeout: 20_000 });
  assert.doesNotMatch(await page.textContent('#session-summary'), /automated/);
  assert.deepEqual(errors, []);
});
