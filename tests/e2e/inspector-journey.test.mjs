// A session's journey as a customer-support lead reads it to answer a ticket (find one
// customer's visit, see step by step what happened): each test seeds a collector of its own with
// the SDK's events as sent, and reads the inspector's journey in headless Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { inspectorCollector, launch, openInspector, waitFor } from './harness.mjs';
import { eventBuilders } from './inspector-events.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const T = { timeout: 120_000 };
const { ev, fr } = eventBuilders({ prefix: 'j', anonymous: () => null });

/** A collector of the test's own with `batch` stored, and an inspector page opened at `query`. */
async function inspector(t, batch, { query = 'range=1h', viewport = { width: 1280, height: 900 }, context: options = {} } = {}) {
  const own = await inspectorCollector(t);
  if (batch.length) {
    const r = await fetch(`${own.url}/v1/batch`, { method: 'POST', body: JSON.stringify({ sentAt: new Date().toISOString(), batch }) });
    assert.equal((await r.json()).accepted, batch.length);
  }
  const { page, errors, context } = await openInspector(t, browser, own.url, { query, viewport, context: options });
  return { page, errors, context, url: own.url };
}

/** Opens `session`'s journey by the Session field and waits for its `n` steps. */
async function journey(page, session, n) {
  await page.fill('#f-session', session);
  await page.press('#f-session', 'Enter');
  await waitFor(`the journey of ${session}`, async () => (await page.textContent('#session-id')) === session &&
    (await page.locator('#timeline li').count()) === n, { timeout: 20_000 })
    .catch(async (e) => { throw new Error(`${e.message}; the session view: ${await page.textContent('#session')}`); });
}
const step = (page, event, i = 0) => page.locator(`#timeline li[data-event="${event}"]`).nth(i).textContent();

// A form_abandon's last_field is an element descriptor: the journey said `last_field [object
// Object]`. Its selector and label, and any other object a step shows, as text that says something.
test('a form_abandon says the field the customer left it at, by its selector and label, and how far they got; a scroll_thrash its reversals', T, async (t) => {
  const { page, errors } = await inspector(t, [
    ev('sess-form', 'page_view', 10, '/checkout'),
    fr('sess-form', 'form_abandon', 9, '/checkout', '#checkout', {
      fields_completed: 2, fields: 5, time_ms: 41000,
      last_field: { selector: '#checkout > input[name=postcode]', tag: 'input', text: 'Postcode' },
    }),
    fr('sess-form', 'js_error', 8, '/checkout', null, { message: { code: 42 } }),
    fr('sess-form', 'scroll_thrash', 7, '/checkout', null, { reversals: 4, duration_ms: 1015 }),
  ]);
  await journey(page, 'sess-form', 4);
  const text = await step(page, 'form_abandon');
  assert.doesNotMatch(text, /object Object/);
  assert.match(text, /last_field #checkout > input\[name=postcode\] “Postcode”/);
  // Its progress, and a scroll thrash's reversals (neither was shown: an electronics store's QA).
  assert.match(text, /2 of 5 fields completed in 41 s/);
  assert.match(await step(page, 'scroll_thrash'), /4 reversals in 1 s$/);
  assert.match(await step(page, 'js_error'), /“\{"code":42\}”/);
  assert.deepEqual(errors, []);
});

// The SDK sends a path's failures past the first 5 of a page view once, at its end: `{path,
// repeats}`, no status. The journey showed it as one more failure with "no answer" although every
// request had been answered 502. So for js_error's `{message, repeats}`.
test('a failed_request or js_error summary says how many more, not a new failure with no answer', T, async (t) => {
  const pay = (i) => fr('sess-pay', 'failed_request', 10 - i * 0.1, '/checkout', null,
    { method: 'POST', path: '/shop-api/pay', status: 502, duration_ms: 180 });
  const { page, errors } = await inspector(t, [
    ev('sess-pay', 'page_view', 11, '/checkout'),
    ...[0, 1, 2, 3, 4].map(pay),
    fr('sess-pay', 'js_error', 9, '/checkout', null, { message: 'pay is undefined', source: '/app.js', line: 3, kind: 'error' }),
    fr('sess-pay', 'failed_request', 8, '/checkout', null, { path: '/shop-api/pay', repeats: 4 }),
    fr('sess-pay', 'failed_request', 8, '/checkout', null, { path: '(others)', repeats: 1 }),
    fr('sess-pay', 'js_error', 8, '/checkout', null, { message: 'pay is undefined', repeats: 12 }),
    fr('sess-pay', 'js_error', 8, '/checkout', null, { message: '(others)', repeats: 3 }),
  ]);
  await journey(page, 'sess-pay', 11);
  assert.match(await step(page, 'failed_request'), /POST \/shop-api\/pay 502$/);
  const summary = await step(page, 'failed_request', 5);
  assert.doesNotMatch(summary, /no answer/);
  assert.match(summary, /POST \/shop-api\/pay: 4 more failures$/);
  assert.match(await step(page, 'failed_request', 6), /1 more failure on other paths$/);
  assert.match(await step(page, 'js_error', 1), /“pay is undefined”: 12 more times$/);
  assert.match(await step(page, 'js_error', 2), /3 more errors with other messages$/);
  assert.deepEqual(errors, []);
});

// The commerce steps of lists and promotions said nothing of them (a QA: `view_item_list /c/mugs`
// and no list): each says its list or promotion (by its name, else its id) and its items, as the
// other commerce steps say their order, value and items.
test('a journey says the list or promotion of view_item_list, select_item, view_promotion and select_promotion, and their items', T, async (t) => {
  const mug = { item_id: 'mug', item_name: 'Stoneware Mug', price: 12 }, cups = { item_id: 'cup', quantity: 2 };
  const { page, errors } = await inspector(t, [
    ev('sess-list', 'page_view', 10, '/'),
    ev('sess-list', 'view_promotion', 9.5, '/', { promotion_id: 'P-7', promotion_name: 'Winter sale', creative_slot: 'hero', items: [mug] }),
    ev('sess-list', 'select_promotion', 9, '/', { promotion_id: 'P-7' }),
    ev('sess-list', 'view_item_list', 8, '/c/mugs', { item_list_id: 'mugs', item_list_name: 'Mugs', items: [mug, cups] }),
    ev('sess-list', 'select_item', 7, '/c/mugs', { item_list_id: 'mugs', items: [mug] }),
  ]);
  await journey(page, 'sess-list', 5);
  assert.match(await step(page, 'view_promotion'), /\/ promotion Winter sale · 1 item$/);
  assert.match(await step(page, 'select_promotion'), /\/ promotion P-7$/);
  assert.match(await step(page, 'view_item_list'), /\/c\/mugs list Mugs · 3 items$/);
  assert.match(await step(page, 'select_item'), /\/c\/mugs list mugs · 1 item$/);
  assert.deepEqual(errors, []);
});

// A page view's `navigation` was never shown: a sign-out (`reset`: a new session) and an idle
// timeout (`resume`) were invisible, and a session begun by one looked like a fresh visit.
test('a journey says a sign-out, a return after an idle timeout, the back/forward cache and Back; a session begun by one says so', T, async (t) => {
  const { page, errors } = await inspector(t, [
    ev('sess-nav', 'page_view', 20, '/account', { navigation: 'reset' }),
    ev('sess-nav', 'page_view', 19, '/shop', { navigation: 'push' }),
    ev('sess-nav', 'page_view', 18, '/account', { navigation: 'back_forward' }),
    ev('sess-nav', 'page_view', 17, '/shop', { navigation: 'restore' }),
    ev('sess-idle', 'page_view', 10, '/cart', { navigation: 'resume' }),
    ev('sess-load', 'page_view', 5, '/', { navigation: 'load' }),
  ]);
  await journey(page, 'sess-nav', 4);
  assert.match(await step(page, 'page_view', 0), /new session after sign-out \(reset\)/);
  assert.doesNotMatch(await step(page, 'page_view', 1), /push|sign-out|Back/);
  assert.match(await step(page, 'page_view', 2), /Back\/Forward/);
  assert.match(await step(page, 'page_view', 3), /from the back\/forward cache/);
  assert.match(await page.textContent('#session-began'), /new session after a sign-out/);
  assert.ok(await page.isVisible('#session-began'));
  await journey(page, 'sess-idle', 1);
  assert.match(await step(page, 'page_view'), /back after the session idled out/);
  assert.match(await page.textContent('#session-began'), /came back after the session before idled out/);
  await journey(page, 'sess-load', 1);
  assert.ok(!(await page.isVisible('#session-began')), 'a session begun by a load says nothing of it');
  assert.deepEqual(errors, []);
});

// The sessions list shows a session's id cut (`1a35894c-230f`): pasted in the Session field or in
// `?session=`, it found "No session with this id here". The cut is marked, the whole id is
// copied from the session's view, and the start of a session listed opens that one.
test('a session id cut in the list: marked so, copied whole from its view, and its start opens it', T, async (t) => {
  const ID = '1a35894c-230f-4c1e-9a2b-7d0e5f6a8b9c';
  const { page, errors, context, url } = await inspector(t, [
    ev(ID, 'page_view', 10, '/'),
    ev('2b46905d-3410-4d2f-8b3c-8e1f6a7b9c0d', 'page_view', 9, '/'),
  ], { context: { permissions: ['clipboard-read', 'clipboard-write'] } });
  const cut = page.locator(`#session-list tbody tr[data-session="${ID}"] td:first-child`);
  await waitFor('the session listed', async () => (await cut.count()) === 1);
  assert.equal(await cut.textContent(), '1a35894c-230f…');
  // Pasted as the list shows it: that session's journey.
  await page.fill('#f-session', '1a35894c-230f…');
  await page.press('#f-session', 'Enter');
  await waitFor('its journey', async () => (await page.textContent('#session-id')) === ID && (await page.locator('#timeline li').count()) === 1);
  assert.equal(new URL(page.url()).searchParams.get('session'), ID);
  assert.equal(await page.inputValue('#f-session'), ID);
  // Its view gives the whole id.
  await page.getByRole('button', { name: 'Copy id of the session' }).click();
  await waitFor('copied', async () => (await page.evaluate(() => navigator.clipboard.readText())) === ID);
  assert.match(await page.textContent('#status'), /Session id copied/);
  // A shared link with the cut id: said, and that session offered.
  const shared = await context.newPage();
  await shared.goto(`${url}/inspector?range=1h&session=1a35894c-230f`);
  await waitFor('the cut id said', async () => /No session with this id here: mistyped, cut \(a session needs its whole id/
    .test(await shared.textContent('#session-summary')));
  await shared.getByRole('button', { name: `Open session ${ID}` }).click();
  await waitFor('the session opened', async () => (await shared.textContent('#session-id')) === ID &&
    (await shared.locator('#timeline li').count()) === 1);
  assert.equal(new URL(shared.url()).searchParams.get('session'), ID);
  assert.deepEqual(errors, []);
});

// A shared link to a session opened at the top of a ~4000 px page, its journey at the bottom.
test('a link to a session brings its journey into view and focuses its heading', T, async (t) => {
  const { page, errors, url } = await inspector(t, [
    ev('sess-link', 'page_view', 10, '/'),
    ev('sess-link', 'add_to_cart', 9, '/product', { currency: 'EUR', value: 12 }),
  ], { viewport: { width: 1280, height: 700 } });
  await page.goto(`${url}/inspector?range=1h&session=sess-link&session_site=demo-shop`);
  await waitFor('the journey focused', async () => (await page.locator('#timeline li').count()) === 2 &&
    (await page.evaluate(() => document.activeElement && document.activeElement.id)) === 'h-session');
  const seen = await page.evaluate(() => {
    const r = document.getElementById('h-session').getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, height: innerHeight, scrolled: scrollY };
  });
  assert.ok(seen.scrolled > 0, `scrolled: ${JSON.stringify(seen)}`);
  // (At the top, below the sticky header, or as far as the page's end lets it go.)
  assert.ok(seen.top >= 0 && seen.bottom <= seen.height, `the heading in the window: ${JSON.stringify(seen)}`);
  assert.deepEqual(errors, []);
});

// Commerce steps said their name only: two orders of one session read the same.
test('commerce steps show their order, value, currency and items: two orders read apart', T, async (t) => {
  const mug = { item_id: 'mug', item_name: 'Stoneware Mug', price: 12, quantity: 2 };
  const { page, errors } = await inspector(t, [
    ev('sess-shop', 'page_view', 20, '/'),
    ev('sess-shop', 'add_to_cart', 19, '/product', { currency: 'EUR', value: 24, items: [mug] }),
    ev('sess-shop', 'remove_from_cart', 18, '/cart', { currency: 'EUR', value: 12, items: [{ ...mug, quantity: 1 }] }),
    ev('sess-shop', 'begin_checkout', 17, '/checkout', { currency: 'EUR', value: 12, items: [{ ...mug, quantity: 1 }], coupon: 'WELCOME' }),
    ev('sess-shop', 'purchase', 16, '/thanks', { transaction_id: 'T-1001', currency: 'EUR', value: 12, items: [{ ...mug, quantity: 1 }] }),
    ev('sess-shop', 'purchase', 10, '/thanks', { transaction_id: 'T-1002', currency: 'usd', value: 99.5, items: [mug, { item_id: 'pot' }] }),
  ]);
  await journey(page, 'sess-shop', 6);
  assert.match(await step(page, 'add_to_cart'), /EUR 24\.00 · 2 items$/);
  assert.match(await step(page, 'remove_from_cart'), /EUR 12\.00 · 1 item$/);
  assert.match(await step(page, 'begin_checkout'), /EUR 12\.00 · 1 item · coupon WELCOME$/);
  assert.match(await step(page, 'purchase', 0), /order T-1001 · EUR 12\.00 · 1 item$/);
  assert.match(await step(page, 'purchase', 1), /order T-1002 · USD 99\.50 · 3 items$/);
  assert.deepEqual(errors, []);
});

// A "charged twice" ticket names the order, not the visit: the Session field takes an order id
// (a purchase's transaction_id) and opens the session it was bought in.
test('an order id in the Session field opens the session its purchase was made in', T, async (t) => {
  const { page, errors } = await inspector(t, [
    ev('sess-order', 'page_view', 20, '/cart'),
    ev('sess-order', 'purchase', 19, '/thanks', { transaction_id: 'T-77', currency: 'EUR', value: 30 }),
    ev('sess-other', 'page_view', 15, '/'),
  ]);
  await page.fill('#f-session', 'T-77');
  await page.press('#f-session', 'Enter');
  await waitFor('the order\'s session', async () => (await page.textContent('#session-id')) === 'sess-order' &&
    (await page.locator('#timeline li').count()) === 2, { timeout: 20_000 })
    .catch(async (e) => { throw new Error(`${e.message}; the session view: ${await page.textContent('#session')}`); });
  assert.match(await page.textContent('#session-summary'), /the session of order T-77$/);
  await page.fill('#f-session', 'T-78');
  await page.press('#f-session', 'Enter');
  await waitFor('no such order or session', async () => /No session with this id here/.test(await page.textContent('#session-summary')), { timeout: 20_000 });
  assert.deepEqual(errors, []);
});

// A rage click said neither how many clicks nor a dead click how long the customer waited.
test('a rage click says its clicks, a dead click how long it waited', T, async (t) => {
  const { page, errors } = await inspector(t, [
    ev('sess-click', 'page_view', 10, '/product'),
    fr('sess-click', 'rage_click', 9, '/product', '#buy', { count: 7, duration_ms: 2300 }),
    fr('sess-click', 'dead_click', 8, '/product', '#pay', { waited_ms: 7000, clicks: 2, pending_requests: 1 }),
    fr('sess-click', 'dead_click', 7, '/product', '#more', { waited_ms: 1000, clicks: 1 }),
  ]);
  await journey(page, 'sess-click', 4);
  assert.match(await step(page, 'rage_click'), /#buy 7 clicks in 2\.3 s$/);
  assert.match(await step(page, 'dead_click', 0), /#pay no response for 7 s, 2 clicks, 1 request still pending$/);
  assert.match(await step(page, 'dead_click', 1), /#more no response for 1 s$/);
  assert.deepEqual(errors, []);
});

// A quick_back is sent from the page returned to (its context.page.path, "/"): the journey said
// `quick_back friction /`, read as a bounce off the home page. It says the page fled, how long
// the visitor stayed there, and where they went back to (as the leaderboard counts it: on
// from_path). A restore from the back/forward cache whose page left is not known: the time away.
test('a quick_back says the page fled and the time spent on it, not the page returned to alone', T, async (t) => {
  const { page, errors } = await inspector(t, [
    ev('sess-back', 'page_view', 10, '/'),
    ev('sess-back', 'page_view', 9.1, '/product.html'),
    fr('sess-back', 'quick_back', 9, '/', null, { from_path: '/product.html', to_path: '/', dwell_ms: 1900 }),
    fr('sess-back', 'quick_back', 8, '/', null, { from_path: '/cart.html', to_path: '/', dwell_ms: 4200, via: 'reload' }),
    fr('sess-back', 'quick_back', 7, '/', null, { to_path: '/', dwell_ms: 3000, via: 'bfcache' }),
  ]);
  await journey(page, 'sess-back', 5);
  assert.match(await step(page, 'quick_back', 0), / s quick_back friction from \/product\.html after 1\.9 s, back to \/$/);
  assert.match(await step(page, 'quick_back', 1), / s quick_back friction from \/cart\.html after 4\.2 s, back to \/ \(the page loaded again\)$/);
  assert.match(await step(page, 'quick_back', 2), / s quick_back friction \/ back after 3 s away \(from the back\/forward cache; the page left not known\)$/);
  assert.deepEqual(errors, []);
});

// A slow_interaction showed no figure while rage and dead clicks did: how long the interaction
// took, which kind it was, and where the time went (README's friction table: the input delay,
// the handlers' processing, the presentation of the next frame).
test('a slow_interaction says how long it took and where the time went', T, async (t) => {
  const { page, errors } = await inspector(t, [
    ev('sess-slow', 'page_view', 10, '/product'),
    fr('sess-slow', 'slow_interaction', 9, '/product', '#size', {
      duration_ms: 640, input_delay_ms: 20, processing_ms: 520, presentation_ms: 100, interaction: 'click' }),
    fr('sess-slow', 'slow_interaction', 8, '/product', '#qty', { duration_ms: 1250 }),
  ]);
  await journey(page, 'sess-slow', 3);
  assert.match(await step(page, 'slow_interaction', 0), /#size click took 640 ms: input delay 20 ms, processing 520 ms, presentation 100 ms$/);
  assert.match(await step(page, 'slow_interaction', 1), /#qty took 1,250 ms$/);
  assert.deepEqual(errors, []);
});

// A journey's steps said "+312.4 s" only: a ticket's "at about 14:05" could not be found. Each
// step has its time of day in the reader's zone (as the rest of the page), and the header the
// customer's device class.
test('each step has its time of day in the reader\'s zone; the header says the device class and the customer\'s zone', T, async (t) => {
  const batch = [
    ev('sess-two', 'page_view', 30, '/', {}, { timezone: 'Europe/London' }),
    ev('sess-two', 'add_to_cart', 20, '/product', { currency: 'EUR', value: 12 }, { timezone: 'Europe/London' }),
  ];
  const { page, errors } = await inspector(t, batch, { context: { timezoneId: 'Asia/Tokyo' } });
  await journey(page, 'sess-two', 2);
  const tokyo = (iso) => new Date(iso).toLocaleTimeString('en-GB',
    { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Tokyo' });
  const clocks = await page.$$eval('#timeline li time.clock', (ts) => ts.map((x) => [x.textContent, x.getAttribute('datetime'), x.title]));
  assert.deepEqual(clocks.map((c) => c[0]), batch.map((e) => tokyo(e.timestamp)));
  assert.deepEqual(clocks.map((c) => c[1]), batch.map((e) => e.timestamp));
  assert.match(clocks[0][2], /GMT\+9$/, 'the date and the zone on hover');
  assert.match(await step(page, 'add_to_cart'), /^\d{2}:\d{2}:\d{2} \+600\.0 s add_to_cart /);
  assert.match(await page.textContent('#session-summary'), / GMT\+9 → /);
  assert.match(await page.textContent('#session-summary'), / · on desktop · /);
  assert.match(await page.textContent('#session-summary'), / · customer's time zone Europe\/London$/);
  assert.deepEqual(errors, []);
});

// A customer with no session in the range (a ticket about last week, read with the last 24
// hours) got the generic "No sessions in this range.": said so, and the longest range a click away.
test('a customer with no session in the range: said so, the last 90 days a click away', T, async (t) => {
  const old = (e) => ({ ...e, userId: 'c-77' });
  const { page, errors } = await inspector(t, [
    old(ev('sess-old', 'page_view', 3 * 24 * 60, '/')),
    ev('sess-now', 'page_view', 5, '/'),
  ], { query: 'range=24h&user=c-77' });
  const empty = '#session-list tbody tr.empty';
  await waitFor('the empty list said', async () => /^No sessions for this customer in this range\./.test(await page.textContent(empty)));
  await page.getByRole('button', { name: 'Search the last 90 days' }).click();
  await waitFor('the customer\'s session listed', async () => (await page.locator('#session-list tbody tr[data-session="sess-old"]').count()) === 1);
  assert.equal(new URL(page.url()).searchParams.get('range'), '90d');
  assert.equal(await page.inputValue('#f-range'), '90d');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'h-sessions');
  assert.deepEqual(errors, []);
});
