// The inspector (/inspector) in headless Chromium against a collector seeded over its batch
// endpoint, with a read token: the overview, the chart series (uPlot), the funnel, the friction
// leaderboard, the click-through to sessions and a session's timeline, filters kept in the
// address, and a live update when new friction arrives. Screenshots go to target/artifacts/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { inspectorCollector, launch, openInspector, root, startCollector, waitFor } from './harness.mjs';
import { eventBuilders } from './inspector-events.mjs';

const TOKEN = 'e2e-read-token-0123456789';
const ARTIFACTS = path.join(root, 'target/artifacts');
let collector, browser;
before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  [collector, browser] = await Promise.all([
    startCollector(['--read-token', TOKEN, '--inspector', path.join(root, 'collector/inspector'),
      '--uplot', path.join(root, 'node_modules/uplot/dist')]),
    launch(),
  ]);
});
after(async () => { await browser?.close(); await collector?.stop(); });

const T = { timeout: 120_000 };
const CHIP = '#grind > button.chip';

// The browser's anonymousId (marketing consent): sess-one and sess-two are one visitor who came
// back; sess-three, without, a visitor of its own. (Attribution and device class: see
// inspector-events.mjs.)
const ANONYMOUS = { 'sess-one': 'anon-e2e-7', 'sess-two': 'anon-e2e-7' };
const { ev, fr } = eventBuilders({ prefix: 'm', anonymous: (session) => ANONYMOUS[session] });
// A customer signing in: the page's identify (traits as properties), then userId on every event.
const identify = (session, userId, minutesAgo, pathname, traits = {}) =>
  ({ ...ev(session, 'identify', minutesAgo, pathname, traits), type: 'identify', userId });
const as = (userId, e) => ({ ...e, userId });
// The page's tags (touchpoint('set', ...)) on an event: an experiment on the checkout, variant A
// in sess-one (1 friction), B in sess-two (3 friction, its first page view from before the call).
const A = { experiment: 'checkout_v2', variant: 'A' };
const B = { experiment: 'checkout_v2', variant: 'B' };
const tagged = (tags, e) => ({ ...e, context: { ...e.context, tags } });

async function send(events) {
  const r = await fetch(`${collector.url}/v1/batch`, { method: 'POST', body: JSON.stringify({ sentAt: new Date().toISOString(), batch: events }) });
  assert.equal(r.status, 200);
  const a = await r.json();
  assert.equal(a.accepted, events.length, JSON.stringify(a));
}

async function seed() {
  await send([
    ...[
      ev('sess-one', 'page_view', 40, '/'),
      fr('sess-one', 'dead_click', 39, '/product.html', CHIP),
      identify('sess-one', 'c-1042', 38.5, '/product.html', { plan: 'pro' }),
      as('c-1042', ev('sess-one', 'add_to_cart', 38, '/product.html', { moment: true })),
      as('c-1042', ev('sess-one', 'begin_checkout', 37, '/cart.html', { moment: true })),
      as('c-1042', ev('sess-one', 'purchase', 36, '/thanks.html', { moment: true })),
    ].map((e) => tagged(A, e)),
    ev('sess-two', 'page_view', 20, '/product.html'),
    ...[
      fr('sess-two', 'rage_click', 19, '/product.html', CHIP, { count: 4, disabled: true }),
      fr('sess-two', 'dead_click', 19, '/product.html', CHIP),
      ev('sess-two', 'add_to_cart', 18, '/product.html', { moment: true }),
      ev('sess-two', 'begin_checkout', 17, '/cart.html', { moment: true }),
      fr('sess-two', 'js_error', 16, '/cart.html', null, { during: 'begin_checkout', message: 'coupon is undefined' }),
    ].map((e) => tagged(B, e)),
    ev('sess-three', 'page_view', 5, '/'),
  ]);
}

const texts = (page, selector) => page.locator(selector).allTextContents();
// The CSV a table's button downloads (its name says the table and the range), UTF-8 with a byte
// order mark (Excel reads one without it in the system's code page); its text after the mark.
async function csv(page, table, name = table) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`button.csv[data-table="${table}"]`)]);
  assert.match(download.suggestedFilename(), new RegExp(`^touchpoint-${name}-\\d{8}T\\d{4}-\\d{8}T\\d{4}\\.csv$`));
  const bytes = fs.readFileSync(await download.path());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte order mark');
  return bytes.subarray(3).toString('utf8');
}

test('reads need the token: without it the API and the inspector answer 401', T, async () => {
  for (const p of ['/api/stats', '/api/friction', '/inspector']) {
    const r = await fetch(`${collector.url}${p}`);
    assert.equal(r.status, 401, p);
    assert.match((await r.json()).error, /token/);
  }
  const ok = await fetch(`${collector.url}/api/stats`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(ok.status, 200);
});

/**
 * Waits for `cond` on an inspector page whose context has Playwright's clock installed: while it
 * does not hold, the clock jumps to the next 5 s poll, once per refresh ended (the test sent
 * something and waits for a live refresh to show it, without waiting the poll out).
 */
async function live(page, what, cond, opts) {
  let seen = -1;
  return waitFor(what, async () => {
    if (await cond()) return true;
    const ended = await page.evaluate(() => window.__inspector.refreshes + window.__inspector.errors);
    if (ended !== seen) { seen = ended; await page.clock.fastForward(5000); }
    return false;
  }, opts);
}

/**
 * Whether the vitals chart's legend shows `want` with the pointer over the bucket that holds the
 * test's views. They were sent "now", so they are in the range's last bucket, or, when a minute
 * ends between the send and a live refresh, in the one before it (the chart's right end is then
 * an empty bucket): the pointer tries the right end and moves left, half a bucket at a time, over
 * the last few buckets. Throws with the legends seen, for the timeout's message.
 */
async function vitalsLegendShows(pg, want) {
  await pg.locator('#vitals-chart').scrollIntoViewIfNeeded();
  const box = await pg.locator('#vitals-chart .u-over').boundingBox();
  const seen = [];
  for (let i = 0; i < 8; i++) {
    await pg.mouse.move(box.x + box.width - 1 - i * (box.width / 120), box.y + box.height / 2);
    const got = await pg.$$eval('#vitals-chart .u-legend .u-series', (ss) => ss.slice(1)
      .map((s) => `${s.querySelector('.u-label').textContent} ${s.querySelector('.u-value').textContent}`));
    if (JSON.stringify(got) === JSON.stringify(want)) return true;
    seen.push(got.join(', '));
  }
  throw new Error(`legends seen: ${[...new Set(seen)].join(' | ')}`);
}

test('the inspector shows the leaderboard, chart series, funnel, sessions and a timeline, and updates live', T, async () => {
  await seed();
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  after(() => context.close());
  // (Playwright's clock, time flowing as usual: `live` moves the 5 s poll on.)
  await context.clock.install();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // The token in the address sets the cookie and is taken out of the address.
  await page.goto(`${collector.url}/inspector?token=${TOKEN}&range=1h`);
  assert.equal(new URL(page.url()).search, '?range=1h');
  await page.waitForFunction(() => window.__inspector && window.__inspector.refreshes >= 1, null, { timeout: 60_000 });
  assert.equal(await page.evaluate(() => window.__inspector.errors), 0);

  // Overview.
  assert.equal(await page.textContent('[data-k=sessions]'), '3');
  assert.equal(await page.textContent('[data-k=friction]'), '4');
  assert.equal(await page.textContent('[data-k=frictionPerSession]'), '1.33');
  // Beside the sessions, their visitors: anon-e2e-7 (twice, so returning) and sess-three's own;
  // each card says on hover how it counts.
  assert.equal(await page.textContent('[data-k=visitors]'), '2');
  assert.equal(await page.textContent('[data-k=returningVisitors]'), '1');
  assert.match(await page.getAttribute('.card:has([data-k=visitors])', 'title'), /anonymousId.*visitor of its own/);
  assert.match(await page.getAttribute('.card:has([data-k=returningVisitors])', 'title'), /more than one session.*before the range's end/);
  // The chart: one uPlot series per friction type.
  const series = await texts(page, '#chart .u-legend .u-series:not(:first-child) .u-label');
  assert.deepEqual(series, ['dead_click', 'js_error', 'rage_click']);
  assert.equal(await page.locator('#chart canvas').count(), 1);
  // Its legend is live: over the chart, each type's count in the bucket under the pointer (lines
  // of types with equal counts lie on each other: the legend tells them apart).
  // (Moved at each try, by a pixel: on a loaded machine the chart may be drawn again between a
  // move and its legend's update, and a pointer that did not move since updates nothing. The
  // legend then read "–" until the test timed out, once in a few dozen runs.)
  let nudge = 0;
  await waitFor('counts in the legend', async () => {
    const plot = await page.locator('#chart .u-over').boundingBox();
    await page.mouse.move(plot.x + plot.width - 3 - (nudge++ % 2), plot.y + plot.height / 2);
    return (await texts(page, '#chart .u-legend .u-series:not(:first-child) .u-value')).every((v) => /^\d+$/.test(v));
  });
  await page.mouse.move(0, 0);
  // The funnel through the moments of truth.
  const funnel = await page.$$eval('#funnel tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.deepEqual(funnel, [['sessions', '3', ''], ['add_to_cart', '2', '33.3 %'], ['begin_checkout', '2', '0 %'], ['purchase', '1', '50 %']]);
  assert.equal(await page.locator('#funnel-chart canvas').count(), 1);
  // The leaderboard: the grind chip's dead clicks first, in 2 of 3 sessions.
  const rows = await page.$$eval('#leaderboard tbody tr', (trs) => trs.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.deepEqual(rows[0].slice(0, 6), ['dead_click', '/product.html', CHIP, '2', '2', '66.7 %']);
  assert.deepEqual(rows.map((r) => r[0]), ['dead_click', 'js_error', 'rage_click']);
  // The leaderboard as CSV, for a spreadsheet: the table as shown.
  const boardCsv = (await csv(page, 'leaderboard')).split('\r\n');
  assert.equal(boardCsv[0], '"Type","Page","Element","Count","Sessions","Share of sessions","Trend","Element text"');
  assert.equal(boardCsv[1].split(',').slice(0, 6).join(','), `"dead_click","/product.html","${CHIP}","2","2","66.7 %"`);
  assert.equal(boardCsv.length, 5, 'a header, three rows, and the closing line break');
  // Channels: where the sessions came from, each one's friction, score and purchases.
  const channels = await page.$$eval('#channel-list tbody tr', (trs) => trs.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.deepEqual(channels.map((r) => [r[0], r[1], r[2], r[3], r[5]]), [
    ['(unknown)', '1', '0 %', '0', '0 (0 %)'], ['email', '1', '100 %', '1', '1 (100 %)'], ['paid search', '1', '100 %', '3', '0 (0 %)']]);
  assert.equal(await page.textContent('#channel-goal'), 'Reached purchase');
  // The same sessions by device class; a device's sessions; back to channels.
  await page.selectOption('#seg-by', 'device');
  const deviceRows = () => page.$$eval('#channel-list tbody tr', (trs) => trs.map((r) => [r.cells[0].textContent, r.cells[1].textContent].join(' ')));
  await waitFor('the sessions by device', async () => (await deviceRows()).join() === '(unknown) 1,desktop 1,mobile 1');
  assert.equal(await page.textContent('#seg-name'), 'Device');
  await page.click('#channel-list tbody tr[data-device="mobile"]');
  await waitFor('the sessions on a phone', async () =>
    (await page.$$eval('#session-list tbody tr', (trs) => trs.map((t) => t.dataset.session))).join() === 'sess-one');
  assert.equal(new URL(page.url()).searchParams.get('device'), 'mobile');
  assert.match(await page.textContent('#sessions-filter'), /^on mobile/);
  assert.equal(await page.textContent('#session-list tbody tr td:nth-child(7)'), 'mobile');
  // By campaign (utm_campaign the visit began with); a campaign's sessions.
  await page.selectOption('#seg-by', 'campaign');
  await waitFor('the sessions by campaign', async () =>
    (await deviceRows()).join() === '(no campaign) 1,grinders 1,spring_sale 1');
  assert.equal(await page.textContent('#seg-name'), 'Campaign');
  assert.equal(new URL(page.url()).searchParams.get('device'), null, 'a device picked is let go');
  await page.click('#channel-list tbody tr[data-campaign="grinders"]');
  await waitFor('the sessions of a campaign', async () =>
    (await page.$$eval('#session-list tbody tr', (trs) => trs.map((t) => t.dataset.session))).join() === 'sess-two');
  assert.equal(new URL(page.url()).searchParams.get('campaign'), 'grinders');
  assert.match(await page.textContent('#sessions-filter'), /^of campaign grinders/);
  // Its CSV is named for what it holds (it was "channel-list" whatever the grouping).
  assert.match(await csv(page, 'channel-list', 'campaigns'), /^"Campaign","Sessions"/);
  // By source / medium (GA4's "Session source / medium"); one's sessions, picked with the
  // keyboard as any row (the focus then on the sessions' heading); its CSV.
  await page.selectOption('#seg-by', 'source');
  await waitFor('the sessions by source / medium', async () =>
    (await deviceRows()).join() === '(no source / medium) 1,google / cpc 1,newsletter / email 1');
  assert.equal(await page.textContent('#seg-name'), 'Source / medium');
  assert.equal(new URL(page.url()).searchParams.get('by'), 'source');
  assert.equal(new URL(page.url()).searchParams.get('campaign'), null, 'a campaign picked is let go');
  assert.equal(await page.getAttribute('button.csv[data-table="channel-list"]', 'aria-label'), 'Download the sources / mediums as CSV');
  await page.focus('#channel-list tbody tr[data-source="google / cpc"] button.pick');
  await page.keyboard.press('Enter');
  await waitFor('the sessions of a source / medium, focused', async () =>
    (await page.$$eval('#session-list tbody tr', (trs) => trs.map((t) => t.dataset.session))).join() === 'sess-two' &&
    (await page.evaluate(() => document.activeElement && document.activeElement.id)) === 'h-sessions');
  assert.equal(new URL(page.url()).searchParams.get('source'), 'google / cpc');
  assert.match(await page.textContent('#sessions-filter'), /^from google \/ cpc/);
  assert.equal(await page.getAttribute('#channel-list tbody tr[data-source="google / cpc"] button.pick', 'aria-pressed'), 'true');
  const sourceCsv = (await csv(page, 'channel-list', 'sources')).split('\r\n');
  assert.match(sourceCsv[0], /^"Source \/ medium","Sessions"/);
  assert.deepEqual(sourceCsv.slice(1, 4).map((l) => l.split(',').slice(0, 2).join(',')),
    ['"(no source / medium)","1"', '"google / cpc","1"', '"newsletter / email","1"']);
  await page.selectOption('#seg-by', 'channel');
  await waitFor('the channels again, every session listed', async () =>
    (await page.locator('#channel-list tbody tr[data-channel]').count()) === 3 && (await page.locator('#session-list tbody tr').count()) === 3);
  assert.equal(new URL(page.url()).searchParams.get('campaign'), null);
  assert.equal(new URL(page.url()).searchParams.get('source'), null);

  // A device class narrows every panel: the phone's session (sess-one) and its friction.
  await page.selectOption('#f-device', 'mobile');
  const boardOf = () => page.$$eval('#leaderboard tbody tr', (trs) => trs.map((r) => [0, 3, 5].map((i) => r.cells[i].textContent).join(' ')));
  await waitFor('the leaderboard of the phones', async () => (await boardOf()).join() === 'dead_click 1 100 %');
  assert.equal(await page.textContent('[data-k=sessions]'), '1');
  assert.equal(await page.textContent('[data-k=friction]'), '1');
  assert.equal(await page.textContent('[data-k=events]'), '6', 'the six events of sess-one, on its phone');
  // Its visitor came back (sess-two, on a desktop: any device makes a visitor returning).
  assert.equal(await page.textContent('[data-k=visitors]'), '1');
  assert.equal(await page.textContent('[data-k=returningVisitors]'), '1');
  assert.equal(new URL(page.url()).searchParams.get('device_class'), 'mobile');
  // The pages of the phones: sess-one's dead click on the product page, its views.
  await waitFor('the pages of the phones', async () =>
    (await page.$$eval('#page-list tbody tr', (trs) => trs.map((r) => r.cells[0].textContent + ' ' + r.cells[7].textContent))).join() ===
      '/product.html 1,/ 0');
  await waitFor('the phone\'s session listed', async () =>
    (await page.$$eval('#session-list tbody tr', (trs) => trs.map((t) => t.dataset.session))).join() === 'sess-one');
  assert.deepEqual(await texts(page, '#chart .u-legend .u-series:not(:first-child) .u-label'), ['dead_click']);
  await page.selectOption('#f-device', '');
  await waitFor('every device again', async () => (await page.textContent('[data-k=sessions]')) === '3' && (await boardOf()).length === 3);
  assert.equal(new URL(page.url()).searchParams.get('device_class'), null);
  // Friction during a moment of truth: the checkout's js_error (sess-two), a share of the two
  // sessions that began a checkout; the chart and a row's sessions alike; in the address.
  await page.selectOption('#f-during', 'begin_checkout');
  await waitFor('the leaderboard during checkout', async () => (await boardOf()).join() === 'js_error 1 50 %');
  assert.match(await page.textContent('#board-note'), /during begin_checkout, a share of the 2 sessions that reached it/);
  await waitFor('the chart during checkout', async () =>
    (await texts(page, '#chart .u-legend .u-series:not(:first-child) .u-label')).join() === 'js_error');
  assert.equal(new URL(page.url()).searchParams.get('during'), 'begin_checkout');
  await page.click('#leaderboard tbody tr[data-type="js_error"]');
  await waitFor('the sessions with friction during checkout', async () =>
    (await page.$$eval('#session-list tbody tr', (trs) => trs.map((t) => t.dataset.session))).join() === 'sess-two');
  // (An error's row is the error's message: the collector groups errors by it.)
  assert.match(await page.textContent('#sessions-filter'), /^with js_error “coupon is undefined” at \/cart\.html during begin_checkout/);
  await page.click('#leaderboard tbody tr[data-type="js_error"]');
  await page.selectOption('#f-during', 'purchase');
  await waitFor('no friction during a purchase', async () =>
    /No friction matches the filters/.test(await page.textContent('#leaderboard tbody')));
  await page.selectOption('#f-during', '');
  await waitFor('friction at any time again', async () => (await boardOf()).length === 3 && !(await page.textContent('#board-note')));
  assert.equal(new URL(page.url()).searchParams.get('during'), null);
  // The read API's name for it, written by hand in the address (analyst QA: every session was
  // shown): the same filter.
  await page.goto(`${collector.url}/inspector?token=${TOKEN}&range=1h&device=mobile`);
  await waitFor('the phones from ?device=mobile', async () => (await page.textContent('[data-k=sessions]')) === '1' && (await boardOf()).join() === 'dead_click 1 100 %');
  assert.equal(await page.$eval('#f-device', (s) => s.value), 'mobile');
  await page.selectOption('#f-device', '');
  await waitFor('every device again', async () => (await page.textContent('[data-k=sessions]')) === '3' && (await boardOf()).length === 3);

  // Pages: by friction met there, with their views (no page_leave yet: no engaged time, no
  // Core Web Vitals).
  const pageRows = () => page.$$eval('#page-list tbody tr', (trs) => trs.map((r) => [...r.cells].map((c) => c.textContent).join('|')));
  assert.deepEqual(await pageRows(), ['/product.html|1|–|–|–|–|–|3|3|dead_click 2, rage_click 1',
    '/cart.html|0|–|–|–|–|–|1|–|js_error 1', '/|2|–|–|–|–|–|0|0|']);
  assert.equal((await csv(page, 'page-list')).split('\r\n')[0],
    '"Page","Views","Engaged per view","Scrolled","LCP","INP","CLS","Friction","Friction per view","Friction by type"');
  // A page picked narrows the leaderboard to it (the Page filter); picked again, it is let go.
  await page.click('#page-list tbody tr[data-path="/product.html"]');
  await waitFor('the leaderboard of the page', async () =>
    (await page.$$eval('#leaderboard tbody tr', (trs) => trs.map((t) => t.dataset.type))).join() === 'dead_click,rage_click');
  assert.equal(await page.inputValue('#f-path'), '/product.html');
  assert.equal(new URL(page.url()).searchParams.get('path'), '/product.html');
  await waitFor('the overview saying it counts every page', async () =>
    (await page.textContent('#overview-scope')) === 'cards and funnel: every page');
  // ... and the friction chart to the page's types (the cart's js_error is not among them).
  await waitFor('the friction chart of the page', async () =>
    (await texts(page, '#chart .u-legend .u-series:not(:first-child) .u-label')).join() === 'dead_click,rage_click');
  await page.click('#page-list tbody tr[data-path="/product.html"]');
  await waitFor('every page on the leaderboard again', async () => (await page.locator('#leaderboard tbody tr').count()) === 3);
  // A page typed as a person would (no leading slash, or the whole URL copied from the address
  // bar) is the page's path: the collector refused `cart.html`, and every panel kept the old data.
  await page.fill('#f-path', 'cart.html');
  await page.press('#f-path', 'Enter');
  await waitFor('the cart\'s leaderboard', async () =>
    (await page.$$eval('#leaderboard tbody tr', (trs) => trs.map((t) => t.dataset.type))).join() === 'js_error');
  assert.equal(await page.inputValue('#f-path'), '/cart.html');
  await page.fill('#f-path', `${collector.url}/product.html?utm_source=x#reviews`);
  await page.press('#f-path', 'Enter');
  await waitFor('the product page\'s leaderboard', async () =>
    (await page.$$eval('#leaderboard tbody tr', (trs) => trs.map((t) => t.dataset.type))).join() === 'dead_click,rage_click');
  assert.equal(new URL(page.url()).searchParams.get('path'), '/product.html');
  await page.fill('#f-path', '');
  await page.press('#f-path', 'Enter');
  await waitFor('every page on the leaderboard again', async () => (await page.locator('#leaderboard tbody tr').count()) === 3);
  await waitFor('every type in the chart again', async () =>
    (await texts(page, '#chart .u-legend .u-series:not(:first-child) .u-label')).join() === 'dead_click,js_error,rage_click');
  await page.selectOption('#pages-sort', 'views');
  await waitFor('the pages by views', async () => (await pageRows())[0] === '/|2|–|–|–|–|–|0|0|');
  assert.equal(new URL(page.url()).searchParams.get('pages'), 'views');
  await page.selectOption('#pages-sort', 'friction');
  await waitFor('the pages by friction', async () => (await pageRows())[0].startsWith('/product.html|'));
  // Each session's channel (campaign as its title) and customer (the id its page gave, if any).
  const listed = await page.$$eval('#session-list tbody tr', (trs) =>
    trs.map((r) => [r.dataset.session, r.cells[4].textContent, r.cells[4].title, r.cells[5].textContent]));
  assert.deepEqual(listed, [['sess-three', '(unknown)', '', ''], ['sess-two', 'paid search', 'campaign: grinders', ''],
    ['sess-one', 'email', 'campaign: spring_sale', 'c-1042']]);
  assert.equal(await page.textContent('#session-list thead th:nth-child(6)'), 'Customer');
  await page.screenshot({ path: path.join(ARTIFACTS, 'inspector-overview.png'), fullPage: true });

  // A channel's sessions: a click on its row (the filter in the address); the unattributed too.
  await page.click('#channel-list tbody tr[data-channel="paid_search"]');
  await waitFor('the sessions of the channel', async () =>
    (await page.$$eval('#session-list tbody tr', (trs) => trs.map((t) => t.dataset.session))).join() === 'sess-two');
  assert.equal(new URL(page.url()).searchParams.get('channel'), 'paid_search');
  assert.match(await page.textContent('#sessions-filter'), /^from paid search/);
  await page.click('#channel-list tbody tr[data-channel=""]');
  await waitFor('the unattributed sessions', async () =>
    (await page.$$eval('#session-list tbody tr', (trs) => trs.map((t) => t.dataset.session))).join() === 'sess-three');
  assert.equal(new URL(page.url()).searchParams.get('channel'), '');
  // The row picked again: none picked, the most recent sessions listed again.
  await page.click('#channel-list tbody tr[data-channel=""]');
  await waitFor('every session again', async () =>
    (await page.$$eval('#session-list tbody tr', (trs) => trs.map((t) => t.dataset.session))).join() === 'sess-three,sess-two,sess-one');
  assert.equal(new URL(page.url()).searchParams.get('channel'), null);

  // A customer's sessions: their id in the filter (in the address, instead of the channel); a
  // shared link opens the same list; an empty filter lists every session again.
  const sessionIds = () => page.$$eval('#session-list tbody tr', (trs) => trs.map((t) => t.dataset.session).join());
  await page.fill('#f-user', 'c-1042');
  await page.press('#f-user', 'Enter');
  await waitFor('the sessions of the customer', async () => (await sessionIds()) === 'sess-one');
  assert.equal(new URL(page.url()).searchParams.get('user'), 'c-1042');
  assert.equal(new URL(page.url()).searchParams.get('channel'), null);
  assert.match(await page.textContent('#sessions-filter'),
    /^of customer c-1042: 1 session from .+ to .+, 5 touchpoints, 1 friction, reached add_to_cart, begin_checkout, purchase\. \(click/);
  const shared = await context.newPage();
  await shared.goto(page.url());
  await shared.waitForFunction(() => window.__inspector && window.__inspector.refreshes >= 1, null, { timeout: 60_000 });
  assert.equal(await shared.inputValue('#f-user'), 'c-1042');
  assert.equal(await shared.$$eval('#session-list tbody tr', (trs) => trs.map((t) => t.dataset.session).join()), 'sess-one');
  await shared.close();
  await page.fill('#f-user', 'c-9999');
  await page.press('#f-user', 'Enter');
  await waitFor('no sessions for an unknown customer', async () =>
    /^No sessions for this customer in this range\. Search the last 90 days$/.test(await page.textContent('#session-list tbody')));
  await page.fill('#f-user', '');
  await page.press('#f-user', 'Enter');
  await waitFor('every session again', async () => (await sessionIds()) === 'sess-three,sess-two,sess-one');
  assert.equal(new URL(page.url()).searchParams.get('user'), null);

  // A session by its id (the sessionId a page's getIds gave, stored with an order): its journey;
  // an id the collector does not have says so; an empty field closes it.
  await page.fill('#f-session', 'sess-two');
  await page.press('#f-session', 'Enter');
  await waitFor('the journey of the session', async () => (await page.isVisible('#session')) && (await page.textContent('#session-id')) === 'sess-two');
  assert.equal(new URL(page.url()).searchParams.get('session'), 'sess-two');
  assert.ok((await page.$$('#timeline li')).length > 0);
  await page.fill('#f-session', 'sess-nope');
  await page.press('#f-session', 'Enter');
  await waitFor('an unknown session said so', async () => /^No session with this id here/.test(await page.textContent('#session-summary')));
  assert.equal((await page.$$('#timeline li')).length, 0);
  await page.fill('#f-session', '');
  await page.press('#f-session', 'Enter');
  await waitFor('the journey closed', async () => !(await page.isVisible('#session')));

  // Click-through: the sessions where the chip caused dead clicks; the filter is in the address.
  await page.click('#leaderboard tbody tr[data-type="dead_click"]');
  await waitFor('the sessions of the element', async () =>
    (await page.$$eval('#session-list tbody tr', (trs) => trs.map((t) => t.dataset.session))).join() === 'sess-two,sess-one');
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('el_type'), 'dead_click');
  assert.equal(url.searchParams.get('el_sel'), CHIP);

  // A session's journey: touchpoints, friction and moments of truth in order, with the score.
  await page.click('#session-list tbody tr[data-session="sess-two"]');
  await waitFor('the timeline', async () => (await page.locator('#timeline li').count()) === 6);
  const steps = await page.$$eval('#timeline li', (lis) => lis.map((li) => `${li.dataset.event}:${li.className}`));
  assert.deepEqual(steps, ['page_view:touchpoint', 'rage_click:friction', 'dead_click:friction', 'add_to_cart:moment',
    'begin_checkout:moment', 'js_error:friction']);
  assert.match(await page.textContent('#timeline li[data-event=js_error]'), /during begin_checkout/);
  assert.match(await page.textContent('#timeline li[data-event=rage_click]'), /disabled/, 'a disabled control\'s presses say so');
  assert.match(await page.textContent('#timeline li[data-event=page_view]'), /“Demo”$/, 'a view\'s title');
  assert.match(await page.textContent('#session-score'), /^score \d+$/);
  assert.match(await page.textContent('#session-summary'), / · from paid search \(campaign grinders\) · /);
  assert.doesNotMatch(await page.textContent('#session-summary'), /customer/, 'an anonymous session');
  assert.equal(new URL(page.url()).searchParams.get('session'), 'sess-two');
  await page.screenshot({ path: path.join(ARTIFACTS, 'inspector-session.png'), fullPage: true });

  // A customer's session: who it was in the summary, and the identify among its steps.
  await page.click('#session-list tbody tr[data-session="sess-one"]');
  const journey = () => page.$$eval('#timeline li', (lis) => lis.map((li) => `${li.dataset.event}:${li.className}`).join());
  await waitFor('the customer\'s timeline', async () => (await journey()) === ['page_view:touchpoint', 'dead_click:friction',
    'identify:touchpoint', 'add_to_cart:moment', 'begin_checkout:moment', 'purchase:moment'].join());
  assert.match(await page.textContent('#timeline li[data-event=identify]'), /^\d{2}:\d{2}:\d{2} \+[\d.]+ s identify customer c-1042 \/product\.html$/);
  assert.match(await page.textContent('#session-summary'), /^demo-shop · .* · customer c-1042 · from email /);
  await page.screenshot({ path: path.join(ARTIFACTS, 'inspector-customer.png'), fullPage: true });
  await page.click('#session-list tbody tr[data-session="sess-two"]');
  await waitFor('the first session again', async () => (await page.locator('#timeline li').count()) === 6 &&
    (await page.locator('#timeline li[data-event=rage_click]').count()) === 1);

  // A shared link opens the same view (the cookie is the context's).
  const again = await context.newPage();
  await again.goto(page.url());
  await again.waitForFunction(() => window.__inspector && window.__inspector.refreshes >= 1, null, { timeout: 60_000 });
  assert.equal(await again.locator('#timeline li').count(), 6);
  assert.equal(await again.locator('#leaderboard tbody tr.selected').getAttribute('data-type'), 'dead_click');
  await again.close();

  // Filters: the friction type narrows the leaderboard and the chart.
  await page.selectOption('#f-type', 'rage_click');
  await waitFor('the filtered leaderboard', async () =>
    (await page.$$eval('#leaderboard tbody tr', (trs) => trs.map((t) => t.dataset.type))).join() === 'rage_click');
  assert.deepEqual(await texts(page, '#chart .u-legend .u-series:not(:first-child) .u-label'), ['rage_click']);
  assert.equal(new URL(page.url()).searchParams.get('type'), 'rage_click');
  // ... not the cards and the funnel, which say so while it is set.
  assert.equal(await page.textContent('#overview-scope'), 'cards and funnel: every friction type');
  await page.selectOption('#f-type', '');
  await waitFor('the scope note gone', async () => (await page.textContent('#overview-scope')) === '');

  // Live: new friction shows up without a reload.
  await send([fr('sess-four', 'dead_click', 0, '/cart.html', '#coupon > button.apply')]);
  await live(page, 'the new element on the leaderboard', async () =>
    (await page.$$eval('#leaderboard tbody tr', (trs) => trs.map((t) => t.dataset.selector))).includes('#coupon > button.apply'));
  assert.equal(await page.textContent('[data-k=sessions]'), '4');

  // Tags: "does variant B of the new checkout cause more friction than A?". The Tag filter
  // offers the tags seen, with their friction; one narrows every panel to the events (and the
  // sessions) carrying it, and is kept in the address.
  const view = await context.newPage();
  view.on('pageerror', (e) => errors.push(String(e)));
  await view.goto(`${collector.url}/inspector?range=1h`);
  await waitFor('the tags offered', async () => (await view.locator('#f-tag option').count()) === 4);
  assert.deepEqual(await texts(view, '#f-tag option'),
    ['all tags', 'experiment=checkout_v2 (4 friction)', 'variant=A (1 friction)', 'variant=B (3 friction)'], 'most events first');
  const board = () => view.$$eval('#leaderboard tbody tr', (trs) => trs.map((r) => [r.cells[0].textContent, r.cells[3].textContent].join(' ')).join());
  const listedIds = () => view.$$eval('#session-list tbody tr', (trs) => trs.map((t) => t.dataset.session).join());
  await waitFor('every session and element', async () => (await listedIds()) === 'sess-four,sess-three,sess-two,sess-one' &&
    (await board()) === 'dead_click 2,dead_click 1,js_error 1,rage_click 1');
  await view.selectOption('#f-tag', 'variant:B');
  await waitFor('variant B\'s friction and sessions', async () =>
    (await board()) === 'dead_click 1,js_error 1,rage_click 1' && (await listedIds()) === 'sess-two');
  assert.equal(new URL(view.url()).searchParams.get('tag'), 'variant:B');
  assert.match(await view.textContent('#sessions-filter'), /^most recent tagged variant=B \(click/);
  assert.equal((await view.$$eval('#leaderboard tbody tr', (trs) => trs.map((r) => r.cells[5].textContent)))[0], '100 %',
    'the share of the sessions carrying the tag');
  // The overview, the funnel and the channels too: sess-two's, and its 3 friction events.
  const cells = (selector, i) => view.$$eval(selector, (trs, i) => trs.map((r) => r.cells[i].textContent).join(), i);
  await waitFor('variant B\'s overview, funnel and channels', async () =>
    (await view.textContent('[data-k=sessions]')) === '1' && (await view.textContent('[data-k=friction]')) === '3' &&
    (await cells('#funnel tbody tr', 1)) === '1,1,1,0' && (await cells('#channel-list tbody tr', 0)) === 'paid search');
  await view.selectOption('#f-tag', 'variant:A');
  await waitFor('variant A\'s', async () => (await board()) === 'dead_click 1' && (await listedIds()) === 'sess-one');
  await waitFor('variant A\'s chart', async () =>
    (await texts(view, '#chart .u-legend .u-series:not(:first-child) .u-label')).join() === 'dead_click');
  // A shared link opens the same view.
  const sharedTag = await context.newPage();
  await sharedTag.goto(`${collector.url}/inspector?range=1h&tag=variant:B`);
  await sharedTag.waitForFunction(() => window.__inspector && window.__inspector.refreshes >= 1, null, { timeout: 60_000 });
  assert.equal(await sharedTag.inputValue('#f-tag'), 'variant:B');
  assert.equal(await sharedTag.$$eval('#session-list tbody tr', (trs) => trs.map((t) => t.dataset.session).join()), 'sess-two');
  await sharedTag.close();
  // The timeline shows the tags where they begin (sess-two's first view had none) or change.
  await view.selectOption('#f-tag', 'variant:B');
  await waitFor('variant B\'s session', async () => (await listedIds()) === 'sess-two');
  await view.click('#session-list tbody tr[data-session="sess-two"]');
  await waitFor('the tagged timeline', async () => (await view.locator('#timeline li').count()) === 6);
  const tagBadges = () => view.$$eval('#timeline li', (lis) => lis.map((li) =>
    [...li.querySelectorAll('.badge.tag')].map((b) => b.textContent).join(' ')));
  assert.deepEqual(await tagBadges(), ['', 'experiment=checkout_v2 variant=B', '', '', '', '']);
  await view.screenshot({ path: path.join(ARTIFACTS, 'inspector-tags.png'), fullPage: true });
  await view.selectOption('#f-tag', '');
  await waitFor('no tag filter', async () => (await listedIds()) === 'sess-four,sess-three,sess-two,sess-one');
  assert.equal(new URL(view.url()).searchParams.get('tag'), null);
  await view.close();

  // Sessions kept by a sample (data-sample-rate): the overview says its counts are a share of
  // the visits, from the first such session on.
  assert.equal(await page.isHidden('#sampled'), true, 'no sample, no notice');
  await send([{ ...ev('sess-five', 'page_view', 0, '/'), context: { ...ev('sess-five', 'page_view', 0, '/').context, sampleRate: 20 } }]);
  await live(page, 'the sampling notice', async () => await page.isVisible('#sampled'));
  // The counts estimated for all visits: the kept session at 20 % stands for 5, the others (not
  // sampled: no "1 in 5 visits" then) for themselves.
  const o = await (await fetch(`${collector.url}/api/overview?from=${new Date(Date.now() - 3600e3).toISOString()}&to=${new Date().toISOString()}`,
    { headers: { Authorization: `Bearer ${TOKEN}` } })).json();
  assert.deepEqual(o.sampled, { 20: 1 });
  assert.ok(o.sessionsBegun > 1, JSON.stringify(o));
  assert.equal(await page.textContent('#sampled'), `Sampled: of the sessions begun in this range, 1 kept at 20 %, ${o.sessionsBegun - 1} not sampled ` +
    '(data-sample-rate). Counts here are of the kept sessions only. ≈: estimated for all visits, as if every session had as many events.');
  const scale = (o.sessionsBegun - 1 + 5) / o.sessionsBegun;
  await waitFor('the estimated sessions', async () =>
    (await page.textContent('[data-est=sessions]')) === `≈ ${Math.round(Number(await page.textContent('[data-k=sessions]')) * scale)}`);
  assert.ok(await page.isVisible('[data-est=events]'));

  // A page view ends: its engaged time and scroll depth in the pages (over the 3 views of /).
  await send([ev('sess-five', 'page_leave', 0, '/', { category: 'touchpoint', path: '/', engaged_ms: 42_000, max_scroll_pct: 80 })]);
  await live(page, 'the engaged time of /', async () =>
    (await page.locator('#page-list tbody tr[data-path="/"]').textContent()) === '/3' + '14 s' + '80 %' + '–––' + '0' + '0');

  // Core Web Vitals: four views of the product page leave with their figures (LCP of the page
  // load, CLS, INP when there was an interaction), two in sess-one (variant A), two in sess-two
  // (variant B). Each cell: the share of the measured views that were good, coloured as CrUX
  // assesses a page (good: >= 75 % good; poor: > 25 % poor), said in a word when it is not good
  // (" · fair", " · poor"), the counts as its title.
  const vitals = [
    { lcp_ms: 1200, cls_milli: 50, inp: 'good' },
    { lcp_ms: 1800, cls_milli: 150, inp: 'poor', inp_ms: 620 },
    { lcp_ms: 2300, cls_milli: 180, inp: 'poor', inp_ms: 900 },
    { lcp_ms: 5000, cls_milli: 90 },
  ];
  await send(vitals.map((v, i) => tagged(i % 2 ? B : A, ev(i % 2 ? 'sess-two' : 'sess-one', 'page_leave', 0, '/product.html',
    { category: 'touchpoint', path: '/product.html', engaged_ms: 5000, max_scroll_pct: 50, ...v }))));
  const from = new Date(Date.now() - 3600e3).toISOString(), to = new Date(Date.now() + 60e3).toISOString();
  const pg = await (await fetch(`${collector.url}/api/pages?from=${from}&to=${to}`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json();
  const product = pg.pages.find((p) => p.path === '/product.html');
  assert.deepEqual(product.vitals, { lcp: { n: 4, good: 3, poor: 1 }, inp: { n: 3, good: 1, poor: 2 }, cls: { n: 4, good: 2, poor: 0 } });
  const vitalCells = () => page.$$eval('#page-list tbody tr[data-path="/product.html"] td[data-vital]',
    (tds) => tds.map((td) => [td.dataset.vital, td.textContent, td.querySelector('span').className, td.title]));
  const shown = ['lcp', 'inp', 'cls'].map((k) => {
    const v = product.vitals[k], ni = v.n - v.good - v.poor;
    const rating = v.good / v.n >= 0.75 ? 'good' : v.poor / v.n > 0.25 ? 'bad' : 'mid';
    return [k, `${Math.floor((v.good * 100) / v.n)} % good${{ good: '', bad: ' · poor', mid: ' · fair' }[rating]}`, `score ${rating}`,
      `${v.good} of ${v.n} views good, ${ni} ${ni === 1 ? 'needs' : 'need'} improvement, ${v.poor} poor`];
  });
  assert.deepEqual(shown, [
    ['lcp', '75 % good', 'score good', '3 of 4 views good, 0 need improvement, 1 poor'],
    ['inp', '33 % good · poor', 'score bad', '1 of 3 views good, 0 need improvement, 2 poor'],
    ['cls', '50 % good · fair', 'score mid', '2 of 4 views good, 2 need improvement, 0 poor'],
  ]);
  await live(page, 'the vitals of the product page', async () => JSON.stringify(await vitalCells()) === JSON.stringify(shown));
  // Every page together above the table (here the product page's only: no other page has any).
  assert.deepEqual(pg.vitals, product.vitals);
  assert.deepEqual(await page.$$eval('#pages-vitals .score', (ss) => ss.map((s) => [s.textContent, s.className])),
    [['LCP 75 % good', 'score good'], ['INP 33 % good · poor', 'score bad'], ['CLS 50 % good · fair', 'score mid']]);
  // The same shares over time, above the pages: the four views are in the range's last bucket
  // (or the one before, when a minute ended meanwhile), whose values the legend shows with the
  // cursor over it.
  await waitFor('the vitals chart', async () => await page.isVisible('#vitals-chart .u-over'));
  assert.equal(await page.isHidden('#vitals-note'), true);
  await waitFor('the last bucket in the legend', async () => vitalsLegendShows(page, ['LCP 75 %', 'INP 33 %', 'CLS 50 %']), { timeout: 30_000 });
  // The charts follow the window's width (drawn once at their first width, they ran past their
  // boxes when the window narrowed).
  const fits = () => page.$$eval('#chart, #vitals-chart, #funnel-chart', (bs) => bs.every((b) =>
    b.querySelector('.uplot') && Math.abs(b.querySelector('.uplot').getBoundingClientRect().width - b.clientWidth) <= 1));
  assert.equal(await fits(), true);
  await page.setViewportSize({ width: 900, height: 1000 });
  await waitFor('the charts at the narrower width', fits);
  await page.setViewportSize({ width: 1280, height: 1000 });
  await waitFor('the charts at the wider width', fits);
  await page.mouse.move(0, 0);
  await page.locator('#pages').screenshot({ path: path.join(ARTIFACTS, 'inspector-pages.png') });
  // "Did variant B make the product page slower?": a tag narrows the pages and the vitals chart
  // to the events carrying it. B's: sess-two's two leaves of the product page (LCP 1.8 s good,
  // 5 s poor; INP poor; CLS 0.15 needing improvement, 0.09 good), its two friction events there
  // and its js_error on the cart (its view of the product page came before the page set the tag).
  const tagView = await context.newPage();
  tagView.on('pageerror', (e) => errors.push(String(e)));
  await tagView.goto(`${collector.url}/inspector?range=1h&tag=variant:B`);
  const tagPageRows = () => tagView.$$eval('#page-list tbody tr', (trs) => trs.map((r) => [...r.cells].map((c) => c.textContent).join('|')));
  const siteBadges = () => tagView.$$eval('#pages-vitals .score', (ss) => ss.map((s) => [s.textContent, s.className]));
  await waitFor('variant B\'s pages', async () => JSON.stringify(await tagPageRows()) === JSON.stringify([
    '/product.html|0|–|50 %|50 % good · poor|0 % good · poor|50 % good · fair|2|–|dead_click 1, rage_click 1',
    '/cart.html|0|–|–|–|–|–|1|–|js_error 1',
  ]), { timeout: 30_000 });
  assert.deepEqual(await siteBadges(), [['LCP 50 % good · poor', 'score bad'], ['INP 0 % good · poor', 'score bad'], ['CLS 50 % good · fair', 'score mid']]);
  assert.equal(await tagView.textContent('#pages-note'), '', 'no "all visits" note');
  await waitFor('variant B\'s vitals chart', async () => await tagView.isVisible('#vitals-chart .u-over'));
  assert.equal(await tagView.isHidden('#vitals-note'), true);
  await waitFor('variant B\'s last bucket in the legend', async () =>
    vitalsLegendShows(tagView, ['LCP 50 %', 'INP 0 %', 'CLS 50 %']), { timeout: 30_000 });
  // Variant A: sess-one's two leaves (LCP 1.2 s and 2.3 s good; INP good and poor; CLS 0.05
  // good, 0.18 needing improvement), its dead click on the product page and its view of /.
  await tagView.selectOption('#f-tag', 'variant:A');
  await waitFor('variant A\'s pages', async () => JSON.stringify(await tagPageRows()) === JSON.stringify([
    '/product.html|0|–|50 %|100 % good|50 % good · poor|50 % good · fair|1|–|dead_click 1',
    '/|1|–|–|–|–|–|0|0|',
  ]), { timeout: 30_000 });
  await waitFor('variant A\'s last bucket in the legend', async () =>
    vitalsLegendShows(tagView, ['LCP 100 %', 'INP 50 %', 'CLS 50 %']), { timeout: 30_000 });
  // All tags again: every visit's.
  await tagView.selectOption('#f-tag', '');
  await waitFor('every visit\'s legend', async () =>
    vitalsLegendShows(tagView, ['LCP 75 %', 'INP 33 %', 'CLS 50 %']), { timeout: 30_000 });
  // Pages or vitals that could not be read (a 503: a read past the collector's time limit) are
  // said in their place, and the rest of the refresh still shows.
  await tagView.route(/\/api\/(pages|timeseries)\?.*tag=/, (r) => (r.request().url().includes('/api/timeseries') &&
    !r.request().url().includes('metric=vitals') ? r.continue()
    : r.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"the read took too long"}' })));
  await tagView.selectOption('#f-tag', 'variant:B');
  await waitFor('the pages not counted, said', async () => (await tagPageRows()).join() ===
    'Not read now: /api/pages: the read took too long', { timeout: 30_000 });
  assert.equal(await tagView.textContent('#vitals-note'), 'Not read now: /api/timeseries: the read took too long');
  assert.equal(await tagView.isHidden('#vitals-chart'), true);
  assert.notEqual(await tagView.getAttribute('#status', 'class'), 'error', 'the refresh itself did not fail');
  assert.match(await tagView.textContent('#leaderboard tbody'), /rage_click/, 'the leaderboard narrowed to B still shows');
  await tagView.close();
  // Ordered by poor vitals: the product page (its poor LCP and INP views) first, then by views
  // (/ before /cart.html, which comes first by friction), in the address.
  const pagePaths = () => page.$$eval('#page-list tbody tr', (trs) => trs.map((t) => t.dataset.path).slice(0, 3).join());
  assert.equal(await pagePaths(), '/product.html,/cart.html,/');
  await page.selectOption('#pages-sort', 'vitals');
  await waitFor('the pages by poor vitals', async () => (await pagePaths()) === '/product.html,/,/cart.html');
  assert.equal(new URL(page.url()).searchParams.get('pages'), 'vitals');
  await page.selectOption('#pages-sort', 'friction');
  // A page without any measured is a dash, as in the CSV.
  assert.equal(await page.locator('#page-list tbody tr[data-path="/"] td[data-vital="lcp"]').textContent(), '–');
  const pagesCsv = (await csv(page, 'page-list')).split('\r\n');
  assert.match(pagesCsv.find((l) => l.startsWith('"/product.html"')), /^"\/product\.html","1","[^"]+","50 %","75 % good","33 % good","50 % good",/);
  // A session's timeline: each page_leave says what the view was like (engaged time, depth, and
  // its vitals coloured by their rating, and said in a word when not good).
  const timeline = await context.newPage();
  timeline.on('pageerror', (e) => errors.push(String(e)));
  await timeline.goto(`${collector.url}/inspector?range=1h&session=sess-two`);
  const leaveFigures = () => timeline.$$eval('#timeline li[data-event=page_leave]', (lis) => lis.map((li) =>
    [[...li.querySelectorAll('.path')].pop().textContent, ...[...li.querySelectorAll('.score')].map((s) => `${s.textContent}:${s.className}`)]));
  await waitFor('the page_leaves of sess-two', async () => (await leaveFigures()).length === 2, { timeout: 30_000 });
  assert.deepEqual(await leaveFigures(), [
    ['engaged 5 s · scrolled 50 %', 'LCP 1.8 s:score good', 'INP 620 ms · poor:score bad', 'CLS 0.15 · fair:score mid'],
    ['engaged 5 s · scrolled 50 %', 'LCP 5 s · poor:score bad', 'CLS 0.09:score good'],
  ]);
  await timeline.locator('#session').screenshot({ path: path.join(ARTIFACTS, 'inspector-timeline-vitals.png') });
  await timeline.close();

  // The sessions as CSV: a customer id made to look like a spreadsheet formula stays text.
  await send([identify('sess-six', '=1+2', 0, '/account')]);
  const all = await context.newPage();
  all.on('pageerror', (e) => errors.push(String(e)));
  await all.goto(`${collector.url}/inspector?range=1h`);
  await waitFor('the sixth session listed', async () => (await all.locator('#session-list tbody tr[data-session="sess-six"]').count()) === 1);
  const sessions = (await csv(all, 'session-list')).split('\r\n');

  // Days of the calendar instead of the last hours: picked in the form (the last 7 days,
  // today included, by default), in the address for a shared link, and the past alone.
  const counted = await all.textContent('[data-k=sessions]');
  await all.selectOption('#f-range', 'custom');
  assert.equal(await all.isVisible('#f-from'), true);
  const picked = new URL(all.url()).searchParams;
  assert.equal(picked.get('range'), 'custom');
  const day = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  const ago = (n) => { const d = new Date(); d.setDate(d.getDate() - n); return day(d); };
  assert.deepEqual([picked.get('from'), picked.get('to')], [ago(6), ago(0)]);
  await waitFor('the last 7 days counted', async () => (await all.textContent('[data-k=sessions]')) === counted);
  await all.fill('#f-to', ago(3));
  await all.dispatchEvent('#f-to', 'change');
  await waitFor('days before the seeded sessions: none', async () =>
    new URL(all.url()).searchParams.get('to') === ago(3) && (await all.textContent('[data-k=sessions]')) === '0');
  const past = await context.newPage();
  past.on('pageerror', (e) => errors.push(String(e)));
  await past.goto(`${collector.url}/inspector?range=custom&from=${ago(1)}&to=${ago(0)}`);
  await waitFor('a shared link to two days', async () => (await past.textContent('[data-k=sessions]')) === counted);
  assert.equal(await past.inputValue('#f-from'), ago(1));
  await past.close();
  await all.close();
  assert.match(sessions[0], /^"Session","Site","Last seen","Entry page","Channel","Customer",/);
  // (Last seen: ISO 8601 in UTC, not the table's locale text without a zone.)
  assert.match(sessions.find((l) => l.startsWith('"sess-six"')),
    /^"sess-six","demo-shop","\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","\/account","\(unknown\)","'=1\+2",/);
  // The moments of truth, shown as badges, each named (they ran together as one word).
  assert.match(sessions.find((l) => l.startsWith('"sess-one"')), /,"add_to_cart > begin_checkout > purchase",/);
  assert.deepEqual(errors, []);
});

/** A collector of the test's own (stopped after it) holding `batch`, every event accepted, and
 * its inspector open at the last hour in a browser context and `viewport` of its own, once it has
 * refreshed; the page's uncaught errors collected in `errors`. */
async function ownInspector(t, viewport, batch, { clock = false } = {}) {
  const own = await startCollector(['--inspector', path.join(root, 'collector/inspector'),
    '--uplot', path.join(root, 'node_modules/uplot/dist')]);
  t.after(() => own.stop());
  const r = await fetch(`${own.url}/v1/batch`, { method: 'POST', body: JSON.stringify({ sentAt: new Date().toISOString(), batch }) });
  assert.equal((await r.json()).accepted, batch.length);
  const context = await browser.newContext({ viewport });
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // (With `clock`, a test moves the inspector's 5 s poll on itself: Playwright's clock, time
  // flowing as usual between its jumps.)
  if (clock) await context.clock.install();
  await page.goto(`${own.url}/inspector?range=1h`);
  await page.waitForFunction(() => window.__inspector && window.__inspector.refreshes >= 1, null, { timeout: 60_000 });
  return { context, page, errors };
}

// A keyboard and screen reader user (an accessibility QA's findings): a live refresh drew the
// tables again and the focused row's focus fell to the page every 5 s; a row opened by Enter
// left the focus on the page; the row picked was marked by its colour alone, and Space did not
// pick it; the live region read out "updated 16:52:28 · live" at every poll; the CSV buttons
// were all named "CSV" and the charts had no text.
test('keyboard and screen reader: focus kept across a live refresh and moved to what a row opens, the row picked marked, refreshes silent, buttons and charts named', T, async (t) => {
  const { context, page, errors } = await ownInspector(t, { width: 1280, height: 700 }, [
    ev('sess-one', 'page_view', 40, '/'),
    fr('sess-one', 'dead_click', 39, '/product.html', CHIP),
    ev('sess-one', 'page_leave', 38, '/', { category: 'touchpoint', path: '/', engaged_ms: 5000, lcp_ms: 1200, cls_milli: 50, inp: 'good' }),
    ev('sess-two', 'page_view', 20, '/product.html'),
    fr('sess-two', 'rage_click', 19, '/product.html', CHIP, { count: 4 }),
    fr('sess-two', 'dead_click', 19, '/product.html', CHIP),
  ], { clock: true });
  const refreshes = () => page.evaluate(() => window.__inspector.refreshes + window.__inspector.errors);
  // Two refreshes more than now: one at least began and ended after this. (The clock jumps to
  // the next poll rather than waiting 5 s for it.)
  const twoRefreshes = async (what) => {
    const from = await refreshes();
    await waitFor(what, async () => (await refreshes()) >= from + 2 || void await page.clock.fastForward(5000), { interval: 300 });
  };
  // The element focused: a row (its button) by its identity (and whether it is the node marked
  // `old`), a heading by its id.
  const focused = () => page.evaluate(() => {
    const a = document.activeElement, tr = a.matches('button.pick') && a.closest('tr[data-key]');
    return a === document.body ? 'body' : tr ? `row ${tr.dataset.key}${tr.old ? ' (old)' : ''}` : `#${a.id}`;
  });

  // (e) Each CSV button names its table; each chart has a text alternative, its figures.
  for (const name of ['Download the channels as CSV', 'Download the pages as CSV', 'Download the friction leaderboard as CSV',
    'Download the sessions as CSV']) assert.equal(await page.getByRole('button', { name, exact: true }).count(), 1, name);
  assert.equal(await page.locator('button.csv').count(), 4);
  await page.selectOption('#seg-by', 'device');
  await waitFor('the devices\' CSV button named', async () =>
    (await page.getByRole('button', { name: 'Download the devices as CSV', exact: true }).count()) === 1);
  await page.selectOption('#seg-by', 'channel');
  await waitFor('the channels again', async () => (await page.locator('#channel-list tbody tr[data-channel]').count()) === 2);
  await waitFor('the friction chart described', async () => (await page.getByRole('img', {
    name: 'Friction events by type over time: dead_click 2, rage_click 1 in this range; the leaderboard below lists them by element',
    exact: true }).count()) === 1);
  assert.equal(await page.getByRole('img', { name: /^Bar chart of the sessions at each step of the funnel; the table below lists/ }).count(), 1);
  await waitFor('the vitals chart described', async () => (await page.getByRole('img', {
    name: 'Share of page views with a good LCP, INP and CLS over time; over the range: LCP 100 % good, INP 100 % good, CLS 100 % good',
    exact: true }).count()) === 1);

  // (d) A routine refresh writes the time in a line that is not read out, never in the live region.
  await page.evaluate(() => {
    window.__statusChanges = 0;
    new MutationObserver((m) => { window.__statusChanges += m.length; })
      .observe(document.getElementById('status'), { childList: true, characterData: true, subtree: true });
  });
  assert.equal(await page.getAttribute('#status', 'role'), 'status');
  assert.equal(await page.locator('#updated[aria-live], #updated[role]').count(), 0);
  const updated = await page.textContent('#updated');
  // (In the reader's time zone, named: the CSVs are in UTC.)
  assert.match(updated, /^updated \d\d:\d\d:\d\d (UTC|GMT[+-]?[\d:]*|[A-Z]{2,5}) · live$/);
  await twoRefreshes('two live refreshes');
  await waitFor('the time updated', async () => (await page.textContent('#updated')) !== updated);
  assert.equal(await page.evaluate(() => window.__statusChanges), 0, 'the live region was not written');
  assert.equal(await page.textContent('#status'), '');
  // ... what changes is said there: live switched off and on, a failed refresh, and back.
  await page.focus('#f-live');
  await page.keyboard.press('Space');
  await waitFor('live off said', async () => /^Live off/.test(await page.textContent('#status')));
  await page.keyboard.press('Space');
  await waitFor('live on said', async () => /^Live: the figures are updated every 5 seconds/.test(await page.textContent('#status')));
  await page.route(/\/api\/overview\?/, (route) => route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":"down for a test"}' }));
  await waitFor('the failure said', async () => (await page.textContent('#status')) === '/api/overview: down for a test' &&
    (await page.getAttribute('#status', 'class')) === 'error');
  const changes = await page.evaluate(() => window.__statusChanges);
  await twoRefreshes('two failed refreshes');
  assert.equal(await page.evaluate(() => window.__statusChanges), changes, 'the same failure is not written (read out) again at each poll');
  await page.unroute(/\/api\/overview\?/);
  await waitFor('the recovery said', async () => (await page.textContent('#status')) === 'Updated again: the figures are current.' &&
    (await page.getAttribute('#status', 'class')) === '');
  // Offline and back (rather than each read's "Failed to fetch").
  await context.setOffline(true);
  await waitFor('offline said', async () => /^Offline: /.test(await page.textContent('#status')));
  await twoRefreshes('two polls offline');
  assert.match(await page.textContent('#status'), /^Offline: /);
  await context.setOffline(false);
  await waitFor('back online said', async () => /^Back online/.test(await page.textContent('#status')));
  // (The note goes after 15 s: the header's line it took may then wrap otherwise, and the page
  // below move with it. Gone before the scroll position is read, whenever the polls come.)
  await waitFor('the note gone', async () => (await page.textContent('#status')) === '' || void await page.clock.fastForward(5000), { interval: 300 });

  // (a) A focused row keeps the focus across a live refresh (the row drawn again, found by its
  // identity), and the page does not scroll.
  const row = '#session-list tbody tr[data-session="sess-one"]';
  await page.focus(`${row} button.pick`);
  await page.$eval(row, (tr) => { tr.old = true; });
  const scrolled = await page.evaluate(() => window.scrollY);
  assert.ok(scrolled > 0, 'the sessions are below the fold');
  await twoRefreshes('two live refreshes');
  assert.equal(await focused(), 'row sess-one', 'the focus on the same session\'s row, drawn again');
  assert.equal(await page.evaluate(() => window.scrollY), scrolled);
  // ... and a leaderboard row by its element.
  await page.focus('#leaderboard tbody tr[data-type="rage_click"] button.pick');
  await twoRefreshes('two live refreshes');
  assert.equal(await focused(), `row rage_click\n/product.html\n${CHIP}`);

  // (b) Enter on a session's row: its journey, the focus on its heading; (c) the row marked picked.
  await page.press(`${row} button.pick`, 'Enter');
  await waitFor('the focus on the session view', async () => (await focused()) === '#h-session');
  assert.equal(await page.textContent('#session-id'), 'sess-one');
  assert.equal(await page.isVisible('#session'), true);
  assert.equal(await page.getAttribute('#h-session', 'tabindex'), '-1');
  await waitFor('the row picked marked', async () => (await page.getAttribute(`${row} button.pick`, 'aria-current')) === 'true');
  assert.equal(await page.locator('#session-list tbody button[aria-current="true"]').count(), 1);
  // Space picks a row as Enter does, and does not scroll the page (its default prevented).
  await page.evaluate(() => {
    window.__spaces = [];
    window.addEventListener('keydown', (e) => { if (e.key === ' ') window.__spaces.push(e.defaultPrevented); });
  });
  await page.focus('#session-list tbody tr[data-session="sess-two"] button.pick');
  await page.keyboard.press('Space');
  await waitFor('sess-two opened by Space', async () => (await page.textContent('#session-id')) === 'sess-two' &&
    (await focused()) === '#h-session');
  await waitFor('sess-two marked picked', async () =>
    (await page.$$eval('#session-list tbody tr:has(button[aria-current="true"])', (trs) => trs.map((tr) => tr.dataset.session))).join() === 'sess-two');
  assert.equal(await page.getAttribute(`${row} button.pick`, 'aria-current'), null);
  assert.deepEqual(await page.evaluate(() => window.__spaces), [true]);
  // A leaderboard row (and a channel's) opens its sessions: the focus on the sessions' heading.
  await page.press('#leaderboard tbody tr[data-type="rage_click"] button.pick', 'Enter');
  await waitFor('the sessions of the element, focused', async () => (await focused()) === '#h-sessions' &&
    (await page.$$eval('#session-list tbody tr', (trs) => trs.map((tr) => tr.dataset.session))).join() === 'sess-two');
  await waitFor('the element marked picked', async () =>
    (await page.getAttribute('#leaderboard tbody tr[data-type="rage_click"] button.pick', 'aria-pressed')) === 'true');
  await page.focus('#channel-list tbody tr[data-channel="email"] button.pick');
  await page.keyboard.press('Space');
  await waitFor('the sessions of the channel, focused', async () => (await focused()) === '#h-sessions' &&
    (await page.$$eval('#session-list tbody tr', (trs) => trs.map((tr) => tr.dataset.session))).join() === 'sess-one');
  await waitFor('the channel marked picked', async () =>
    (await page.getAttribute('#channel-list tbody tr[data-channel="email"] button.pick', 'aria-pressed')) === 'true');
  assert.equal(await page.locator('#leaderboard tbody button[aria-pressed="true"]').count(), 0, 'the element let go');
  // A page's row narrows the panels in place: the focus stays on it (drawn again), now picked.
  await page.press('#page-list tbody tr[data-path="/product.html"] button.pick', 'Enter');
  await waitFor('the page picked, its row focused', async () =>
    (await page.getAttribute('#page-list tbody tr[data-path="/product.html"] button.pick', 'aria-pressed')) === 'true' &&
    (await focused()) === 'row /product.html');
  assert.deepEqual(errors, []);
});

// A session's journey tells what each touchpoint was about (an international shop's QA: a
// search-driven journey said `site_search /search` and nothing of the term, a click only its
// selector), and a visitor's text in a right-to-left script is laid out in its own direction.
test('a journey says the term searched for, the label clicked and the request that failed; right-to-left text keeps its direction', T, async (t) => {
  const { page, errors } = await ownInspector(t, { width: 1280, height: 900 }, [
    ev('sess-intl', 'page_view', 10, '/'),
    ev('sess-intl', 'site_search', 9, '/search', { category: 'touchpoint', term: 'حذاء أحمر', param: 'q' }),
    ev('sess-intl', 'click', 8, '/search', { category: 'touchpoint', element: { selector: 'button', tag: 'button', text: 'اشتر الآن' } }),
    fr('sess-intl', 'payment_declined', 7, '/pay', null, { reason: 'رُفضت البطاقة!' }),
    fr('sess-intl', 'failed_request', 6, '/product', null, { method: 'POST', path: '/cart/add.js', status: 500, duration_ms: 240 }),
  ]);
  await page.fill('#f-session', 'sess-intl');
  await page.press('#f-session', 'Enter');
  await waitFor('the journey', async () => (await page.locator('#timeline li').count()) === 5);
  assert.match(await page.textContent('#timeline li[data-event=site_search]'), /term حذاء أحمر$/);
  assert.match(await page.textContent('#timeline li[data-event=click]'), /“اشتر الآن”/);
  const reason = page.locator('#timeline li[data-event=payment_declined] span.path').last();
  assert.match(await reason.textContent(), /reason رُفضت البطاقة!/);
  assert.equal(await reason.evaluate((e) => getComputedStyle(e).unicodeBidi), 'plaintext');
  // A failed request: which one, and its answer.
  assert.match(await page.textContent('#timeline li[data-event=failed_request]'), /POST \/cart\/add\.js 500$/);
  assert.deepEqual(errors, []);
});

// The collector answers 429 past its reads per client IP and second (50 by default): a team behind
// one office address, or several inspector tabs opened at once, each refresh a dozen reads. A
// read answered 429 is asked again after its Retry-After, not shown as a failed refresh (every
// panel stale until the next poll, and never, with live off).
// Times are named with their zone; with the zone's name alone, en-GB wrote the first hour after
// midnight without its leading zero ("updated 0:37:21 UTC"): a fresh-clone CI run at 00:37 failed.
test('the time of the last update after midnight: two-digit hours, the zone named', T, async (t) => {
  const own = await startCollector(['--inspector', path.join(root, 'collector/inspector'),
    '--uplot', path.join(root, 'node_modules/uplot/dist')]);
  t.after(() => own.stop());
  const context = await browser.newContext({ timezoneId: 'UTC' });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.clock.setFixedTime(new Date('2026-12-04T00:37:21Z'));
  await page.goto(`${own.url}/inspector?range=1h&live=0`);
  await page.waitForFunction(() => window.__inspector && window.__inspector.refreshes >= 1, null, { timeout: 60_000 });
  assert.equal(await page.textContent('#updated'), 'updated 00:37:21 UTC');
});

test('an inspector refresh past the read rate limit: the reads refused are asked again, the refresh does not fail', T, async (t) => {
  // 8 reads a second: a refresh's dozen reads, sent together, go past it whatever the machine's speed.
  const limited = await startCollector(['--inspector', path.join(root, 'collector/inspector'),
    '--uplot', path.join(root, 'node_modules/uplot/dist'), '--read-rate-limit', '8']);
  t.after(() => limited.stop());
  const context = await browser.newContext();
  t.after(() => context.close());
  let refused = 0;
  context.on('response', (r) => { if (r.status() === 429 && r.url().includes('/api/')) refused++; });
  const page = await context.newPage();
  await page.goto(`${limited.url}/inspector?range=1h&live=0`);
  await page.waitForFunction(() => window.__inspector && window.__inspector.refreshes + window.__inspector.errors >= 1, null, { timeout: 60_000 });
  assert.deepEqual(await page.evaluate(() => [window.__inspector.refreshes, window.__inspector.errors]), [1, 0], await page.textContent('#status'));
  assert.ok(refused > 0, 'a refresh went past 8 reads a second');
});

// Anyone may post a batch for any site id: 10,000 of them made each refresh take 35 s (every
// option scanned for each site added, at every refresh) and froze the inspector's tab. The Site
// filter offers the 500 sites with the most events, and a refresh stays quick.
test('thousands of site ids posted: the Site filter offers the 500 busiest, and refreshes go on', T, async (t) => {
  const many = await startCollector(['--inspector', path.join(root, 'collector/inspector'),
    '--uplot', path.join(root, 'node_modules/uplot/dist'), '--read-rate-limit', '1000']);
  t.after(() => many.stop());
  const post = async (events) => {
    const r = await fetch(`${many.url}/v1/batch`, { method: 'POST', body: JSON.stringify({ sentAt: new Date().toISOString(), batch: events }) });
    assert.equal((await r.json()).accepted, events.length);
  };
  const at = (site, i) => ({ ...ev('sess-many', 'page_view', 1, '/'), site, sessionId: `s-${site}-${i}` });
  await post(Array.from({ length: 3 }, (_, i) => at('busy-shop', i)));
  // 60 elements with friction: the leaderboard shows 50 and says so.
  await post(Array.from({ length: 60 }, (_, i) => ({ ...fr('sess-many', 'dead_click', 1, '/', `#b${i}`), site: 'busy-shop', sessionId: 's-busy-shop-0' })));
  for (let b = 0; b < 6; b++) await post(Array.from({ length: 500 }, (_, i) => at(`x${b * 500 + i}`, 0)));
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(`${many.url}/inspector?range=1h`);
  await page.waitForFunction(() => window.__inspector && window.__inspector.refreshes >= 2, null, { timeout: 90_000 });
  const options = await page.$$eval('#f-site option', (os) => os.map((o) => o.value));
  assert.equal(options.length, 501, 'all sites, and 500 of the 3,001');
  assert.ok(options.includes('busy-shop'), 'the busiest is offered');
  // The lists read 50 rows at most, and say so (their CSVs are not all of them).
  assert.equal(await page.locator('#session-list tbody tr').count(), 50);
  assert.match(await page.textContent('#sessions-filter'), /the 50 most recent only/);
  assert.equal(await page.locator('#leaderboard tbody tr').count(), 50);
  assert.equal(await page.textContent('#board-note'), 'the top 50');
});

// An analyst's QA: rows named elements by their CSS selector alone, and two product cards' dead
// Save buttons (one selector) were one row with nothing to tell which products. A row stays one
// per selector, named by its latest event's text, saying how many other texts its events carry
// (listed on hover and to a screen reader), and the CSV has the text as a column of its own.
test('a leaderboard row names its element by its text, and says when its events carry others', T, async (t) => {
  const own = await inspectorCollector(t);
  const save = '#grid > li.card > span.save';
  const labelled = (text, e) => ({ ...e, properties: { ...e.properties, element: { ...e.properties.element, text } } });
  const r = await fetch(`${own.url}/v1/batch`, { method: 'POST', body: JSON.stringify({ sentAt: new Date().toISOString(), batch: [
    labelled('Save Burr Grinder', fr('sess-one', 'dead_click', 9, '/', save)),
    labelled('Save Burr Grinder', fr('sess-two', 'dead_click', 8, '/', save)),
    labelled('Save Stoneware Mug', fr('sess-two', 'dead_click', 7, '/', save)),
    labelled('Checkout', fr('sess-two', 'rage_click', 6, '/cart.html', '#pay')),
    fr('sess-two', 'js_error', 5, '/cart.html', null, { message: 'coupon is undefined' }),
  ] }) });
  assert.equal((await r.json()).accepted, 5);
  const { page, errors } = await openInspector(t, browser, own.url);
  const row = (type) => page.locator(`#leaderboard tbody tr[data-type="${type}"]`);
  await waitFor('the leaderboard', async () => (await page.locator('#leaderboard tbody tr').count()) === 3);
  // One row for both cards, its selector and, under it, the latest card's text and the other.
  const label = row('dead_click').locator('.el-text');
  assert.equal(await label.count(), 1, 'the element named by its text');
  assert.equal(await row('dead_click').locator('code.sel').textContent(), save);
  assert.equal(await label.evaluate((n) => n.firstChild.textContent + n.childNodes[1].textContent + n.childNodes[2].textContent),
    '“Save Stoneware Mug” and 1 other');
  assert.equal(await label.getAttribute('title'), 'Texts of its events: Save Burr Grinder (2 events), Save Stoneware Mug (1 event)');
  assert.equal(await label.locator('.visually-hidden').textContent(), ' (texts of its events: Save Burr Grinder (2 events), Save Stoneware Mug (1 event))');
  assert.equal(await row('dead_click').locator('td').nth(3).textContent(), '3');
  // One text: no "other", no list; an error's row: no label.
  assert.equal(await row('rage_click').locator('.el-text').textContent(), '“Checkout”');
  assert.equal(await row('rage_click').locator('.el-text').getAttribute('title'), null);
  assert.equal(await row('js_error').locator('.el-text').count(), 0);
  // The CSV: the columns as before, then the text (the Element column the selector alone).
  const lines = (await csv(page, 'leaderboard')).split('\r\n');
  assert.equal(lines[0], '"Type","Page","Element","Count","Sessions","Share of sessions","Trend","Element text"');
  const dead = lines.find((l) => l.startsWith('"dead_click"')).slice(1, -1).split('","');
  assert.deepEqual([dead[2], dead[3], dead[7]], [save, '3',
    'Save Stoneware Mug and 1 other (texts of its events: Save Burr Grinder (2 events), Save Stoneware Mug (1 event))']);
  assert.equal(lines.find((l) => l.startsWith('"js_error"')).split('","').pop(), '"');
  assert.deepEqual(errors, []);
});

// An international storefront's QA: paths arrive as location.pathname, percent-encoded, and were
// shown so (`/%E5%95%86%E5%93%81/123`) in every panel; the Page filter found nothing for the path
// typed as it reads; a title cut at 80 UTF-16 units left half an emoji (U+FFFD); the CSVs had
// no byte order mark (Excel garbled the Japanese), a time without a zone, and a trend of "=" that
// needed the formula guard ("'=").
test('non-Latin paths read decoded, typed or pasted in the Page filter; texts cut by characters; CSVs for Excel', T, async (t) => {
  const PATH = '/商品/123', ENC = '/%E5%95%86%E5%93%81/123';
  assert.equal(encodeURI(PATH), ENC, 'as the browser\'s location.pathname has it');
  const TITLE = 'あ'.repeat(79) + '😀';
  const titled = (e) => ({ ...e, context: { ...e.context, page: { ...e.context.page, title: TITLE } } });
  const SEL = '#カート > button';
  const { context, page, errors } = await ownInspector(t, { width: 1280, height: 1000 }, [
    titled(ev('sess-jp', 'page_view', 10, ENC)),
    fr('sess-jp', 'dead_click', 9, ENC, SEL),
    fr('sess-jp', 'js_error', 8, ENC, null, { message: 'あ'.repeat(119) + '😀😀' }),
    // The same element's friction in the hour before: its trend is "same".
    fr('sess-old', 'dead_click', 90, ENC, SEL),
    fr('sess-en', 'rage_click', 5, '/cart.html', '#pay'),
  ]);

  // Decoded wherever a path is shown; the path as stored in the rows' identity and tooltip.
  const pageRow = `#page-list tbody tr[data-path="${ENC}"]`;
  await waitFor('the page listed', async () => (await page.locator(pageRow).count()) === 1);
  assert.equal(await page.textContent(`${pageRow} td:first-child`), PATH);
  assert.equal(await page.getAttribute(`${pageRow} td:first-child`, 'title'), ENC);
  const board = () => page.$$eval('#leaderboard tbody tr', (trs) => trs.map((r) => [0, 1, 6].map((i) => r.cells[i].textContent).join(' ')).join());
  // (The trend with what it is compared with, for a screen reader: visually hidden.)
  assert.equal(await board(), `dead_click ${PATH} same (previous period: 1),js_error ${PATH} ▲ 1 (previous period: 0),` +
    'rage_click /cart.html ▲ 1 (previous period: 0)');
  await waitFor('the session listed', async () => (await page.locator('#session-list tbody tr[data-session="sess-jp"]').count()) === 1);
  assert.equal(await page.textContent('#session-list tbody tr[data-session="sess-jp"] td:nth-child(4)'), PATH);
  // The timeline: its path, the whole title (79 characters and an emoji: 81 UTF-16 units), and a
  // message cut at 120 characters, none of them with half an emoji.
  await page.click('#session-list tbody tr[data-session="sess-jp"]');
  await waitFor('the timeline', async () => (await page.locator('#timeline li').count()) === 3);
  const view = await page.$eval('#timeline li[data-event=page_view]', (li) =>
    [...li.querySelectorAll('.path')].map((s) => s.textContent).join(''));
  assert.equal(view, `${PATH} “${TITLE}”`);
  const message = await page.$eval('#timeline li[data-event=js_error]', (li) => [...li.querySelectorAll('.path')].pop().textContent);
  assert.equal(message, ` “${'あ'.repeat(119)}😀…”`);
  assert.equal(await page.$eval('#timeline', (ol) => /\p{Cs}|\uFFFD/u.test(ol.textContent)), false, 'no lone surrogate, no U+FFFD');
  assert.equal((await page.textContent('main')).includes('%E5'), false, 'no path shown encoded');

  // The Page filter: the path typed as it reads, a URL pasted from the address bar, the path as
  // stored: each the stored path (in the address, and asked of the API), shown as it reads.
  const filterBy = async (typed) => {
    await page.fill('#f-path', typed);
    await page.dispatchEvent('#f-path', 'change');
  };
  const narrowed = async () => (await page.$$eval('#leaderboard tbody tr', (trs) => trs.map((t) => t.dataset.type))).join() === 'dead_click,js_error';
  for (const typed of [PATH, `http://127.0.0.1:8080${PATH}?ref=mail#reviews`, ENC]) {
    await filterBy('');
    await waitFor('every page', async () => (await page.locator('#leaderboard tbody tr').count()) === 3);
    await filterBy(typed);
    await waitFor(`the leaderboard of ${typed}`, narrowed);
    assert.equal(new URL(page.url()).searchParams.get('path'), ENC, typed);
    assert.equal(await page.inputValue('#f-path'), PATH, typed);
    assert.equal(await page.textContent('#vitals-of'), PATH);
  }
  assert.equal(await page.getAttribute(`${pageRow} button.pick`, 'aria-pressed'), 'true', 'the page typed is the page picked');
  // A shared link opens the same view.
  const shared = await context.newPage();
  await shared.goto(page.url());
  await shared.waitForFunction(() => window.__inspector && window.__inspector.refreshes >= 1, null, { timeout: 60_000 });
  assert.equal(await shared.inputValue('#f-path'), PATH);
  assert.equal((await shared.$$eval('#leaderboard tbody tr', (trs) => trs.map((t) => t.dataset.type))).join(), 'dead_click,js_error');
  await shared.close();

  // The CSVs (a byte order mark, checked by csv()): paths as they read, the trend as text that
  // needs no formula guard, the time a session was last seen in ISO 8601 UTC.
  const boardCsv = (await csv(page, 'leaderboard')).split('\r\n');
  const dead = boardCsv[1].slice(1, -1).split('","');
  assert.deepEqual([...dead.slice(0, 5), dead[6]], ['dead_click', PATH, SEL, '1', '1', 'same']);
  assert.equal(boardCsv.some((l) => l.includes("'=")), false);
  const pagesCsv = (await csv(page, 'page-list')).split('\r\n');
  assert.ok(pagesCsv.some((l) => l.startsWith(`"${PATH}","1",`)), pagesCsv.join('\n'));
  const sessionsCsv = (await csv(page, 'session-list')).split('\r\n');
  const jp = sessionsCsv.find((l) => l.startsWith('"sess-jp"')).split('","');
  assert.equal(jp[3], PATH);
  const lastSeen = new Date(Date.parse(jp[2]));
  assert.equal(lastSeen.toISOString(), jp[2], 'ISO 8601 in UTC');
  assert.ok(Math.abs(lastSeen.getTime() - (Date.now() - 8 * 60_000)) < 5 * 60_000, jp[2]);
  assert.deepEqual(errors, []);
});

// A product team's QA: another site's events sent under a session id of the shop's (anyone can
// post to the collector) took the place of the shop's session in its journey view, which asked
// for the id without the site chosen; and a visitor's text ending in an unclosed right-to-left
// override (U+202E) turned the rest of the session's summary backwards ("12 friction" read "21").
test('a session\'s journey is the chosen site\'s, whatever another site sends under its id; visitor text cannot turn the inspector\'s own text backwards', T, async (t) => {
  const RLO = '\u202e', LONG = `/p/${'x'.repeat(1_000)}`;
  const shop = (e) => ({ ...e, userId: `cust${RLO}`, context: { ...e.context, channel: 'email', campaign: `sale${RLO}` } });
  const { page, errors } = await ownInspector(t, { width: 1280, height: 1000 }, [
    shop(ev('sess-s', 'page_view', 30, '/product.html')),
    ...Array.from({ length: 12 }, (_, i) => shop(fr('sess-s', 'dead_click', 29 - i, '/product.html', '#coupon'))),
    shop(ev('sess-s', 'add_to_cart', 10, '/product.html')),
    // Later, from elsewhere, under the same id: a purchase of another site.
    { ...ev('sess-s', 'purchase', 2, '/thanks.html', { value: 99999 }), site: 'evil', userId: 'attacker' },
    // A path of 1,000 characters: cut on screen, whole in the tooltip and the CSV.
    ev('sess-long', 'page_view', 5, LONG),
  ]);
  await page.goto(new URL('/inspector?range=1h&site=demo-shop', page.url()).href);
  await waitFor('the session listed', async () => (await page.locator('#session-list tbody tr[data-session="sess-s"]').count()) === 1);
  await page.click('#session-list tbody tr[data-session="sess-s"]');
  await waitFor('the timeline', async () => (await page.locator('#timeline li').count()) === 14);
  const summary = await page.textContent('#session-summary');
  assert.match(summary, /^demo-shop · /);
  assert.doesNotMatch(summary, /attacker|evil/);
  assert.equal(await page.locator('#timeline li[data-event=purchase]').count(), 0);
  assert.match(summary, / · customer cust\ufffd · from email \(campaign sale\ufffd\) · 2 touchpoints, 12 friction · /);
  assert.ok(!(await page.evaluate(() => document.body.textContent.includes('\u202e'))), 'no override left in the page');
  const longCell = `#page-list tbody tr[data-path="${LONG}"] td:first-child`;
  await waitFor('the long page listed', async () => (await page.locator(longCell).count()) === 1);
  assert.equal(await page.textContent(longCell), `${LONG.slice(0, 160)}…`);
  assert.equal(await page.getAttribute(longCell, 'title'), LONG);
  assert.match(await csv(page, 'page-list'), new RegExp(`"${LONG}"`));
  assert.deepEqual(errors, []);
});

test('Back and Forward reopen a session of the site its row named, not of the last row clicked; the address names the site', T, async (t) => {
  const other = (e) => ({ ...e, site: 'other-shop' });
  const { page, errors } = await ownInspector(t, { width: 1280, height: 1000 }, [
    ev('sess-twin', 'page_view', 30, '/a.html'),
    other(ev('sess-twin', 'page_view', 20, '/b.html')),
    other(ev('sess-twin', 'purchase', 19, '/thanks.html', { value: 5 })),
    ev('sess-next', 'page_view', 10, '/c.html'),
  ]);
  const row = (id, site) => page.locator(`#session-list tbody tr[data-session="${id}"]`, { has: page.locator('td', { hasText: new RegExp(`^${site}$`) }) });
  await waitFor('the sessions listed', async () => (await row('sess-twin', 'other-shop').count()) === 1 && (await row('sess-next', 'demo-shop').count()) === 1);
  await row('sess-twin', 'other-shop').click();
  const journey = async () => page.$$eval('#timeline li', (lis) => lis.map((li) => li.getAttribute('data-event')).join(','));
  await waitFor('the other shop\'s journey', async () => (await journey()) === 'page_view,purchase');
  assert.equal(new URL(page.url()).searchParams.get('session_site'), 'other-shop');
  await row('sess-next', 'demo-shop').click();
  await waitFor('the next session', async () => (await journey()) === 'page_view' && /^demo-shop · /.test(await page.textContent('#session-summary')));
  await page.goBack();
  await waitFor('Back: the other shop\'s journey again', async () => (await journey()) === 'page_view,purchase' && /^other-shop · /.test(await page.textContent('#session-summary')));
  await page.goForward();
  await waitFor('Forward: the next session', async () => (await journey()) === 'page_view' && new URL(page.url()).searchParams.get('session') === 'sess-next');
  assert.deepEqual(errors, []);
});

// `checkout` typed in the Page filter is `/checkout`, a page the data does not have: the chart
// said "No friction in this range." and the leaderboard "No friction matches the filters" while
// the Pages table showed /checkout.html with friction (an analyst read checkout as fine). A page
// not seen in the range is said so, and the pages seen with the typed text offered, a click
// away. (/checkout.html is past the 50 pages the table reads: 55 pages with more friction.)
test('a Page filter of a page not seen in the range says so and offers the pages seen with that text', T, async (t) => {
  const { page, errors } = await ownInspector(t, { width: 1280, height: 1000 }, [
    ev('sess-home', 'page_view', 30, '/'),
    ...Array.from({ length: 55 }, (_, i) => [
      fr('sess-many', 'rage_click', 20, `/p/${i}`, '#buy', { count: 3 }),
      fr('sess-many', 'rage_click', 20, `/p/${i}`, '#buy', { count: 3 }),
    ]).flat(),
    ev('sess-pay', 'page_view', 10, '/checkout.html'),
    fr('sess-pay', 'dead_click', 9, '/checkout.html', '#pay'),
  ], { clock: true });
  const wide = [];
  page.on('request', (r) => { if (r.url().includes('/api/pages') && r.url().includes('limit=500')) wide.push(r.url()); });
  await page.fill('#f-path', 'checkout');
  await page.press('#f-path', 'Enter');
  const board = '#leaderboard tbody tr.empty td';
  await waitFor('the page said not seen', async () => (await page.textContent(board)) ===
    'No page /checkout was seen in this range. Pages seen with “checkout” in their path: /checkout.html', { timeout: 20_000 });
  assert.equal(await page.textContent('#pages-note'), 'the first 50 of 57');
  assert.equal(await page.textContent('#chart p.hint'), 'No page /checkout was seen in this range.');
  assert.equal(await page.textContent('#chart-note'), 'Pages seen with “checkout” in their path: /checkout.html');
  // The 500 pages read to tell are read once a minute, not at every 5 s poll.
  const polled = await page.evaluate(() => window.__inspector.refreshes);
  await live(page, 'three polls more', async () => (await page.evaluate(() => window.__inspector.refreshes)) >= polled + 3);
  assert.equal(wide.length, 1, wide.join('\n'));
  assert.equal(await page.textContent(board), 'No page /checkout was seen in this range. Pages seen with “checkout” in their path: /checkout.html');
  // The page offered, picked: its friction.
  await page.locator(board).getByRole('button', { name: '/checkout.html' }).click();
  await waitFor('the checkout\'s leaderboard', async () =>
    (await page.$$eval('#leaderboard tbody tr', (trs) => trs.map((tr) => tr.dataset.type))).join() === 'dead_click');
  assert.equal(await page.inputValue('#f-path'), '/checkout.html');
  assert.equal(new URL(page.url()).searchParams.get('path'), '/checkout.html');
  assert.ok(await page.isHidden('#chart-note'));
  // A page seen without friction: no friction, as before; one with no page like it: said alone.
  await page.fill('#f-path', '/');
  await page.press('#f-path', 'Enter');
  await waitFor('no friction on the home page', async () => (await page.textContent(board)) === 'No friction matches the filters in this range.');
  await page.fill('#f-path', 'basket');
  await page.press('#f-path', 'Enter');
  await waitFor('no basket page', async () => (await page.textContent(board)) === 'No page /basket was seen in this range.');
  assert.deepEqual(errors, []);
});
