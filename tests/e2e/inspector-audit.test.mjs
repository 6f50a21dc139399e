// The inspector against an accessibility specialist's audit (WCAG 2.2 AA), a test for each of her
// findings, each failing on the inspector before its fix: a collector seeded with two sessions,
// friction, web vitals good, needing improvement and poor, and the inspector in headless Chromium.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launch, root, startCollector, waitFor } from './harness.mjs';
import { eventBuilders } from './inspector-events.mjs';

const T = { timeout: 300_000 };
const CHIP = '#grind > button.chip';
let collector, browser;

const { ev, fr } = eventBuilders({ prefix: 'audit', anonymous: () => undefined });
const leave = (session, minutesAgo, pathname, vitals) =>
  ev(session, 'page_leave', minutesAgo, pathname, { category: 'touchpoint', path: pathname, engaged_ms: 42_000, max_scroll_pct: 80, ...vitals });

before(async () => {
  [collector, browser] = await Promise.all([
    startCollector(['--inspector', path.join(root, 'collector/inspector'), '--uplot', path.join(root, 'node_modules/uplot/dist')]),
    launch(),
  ]);
  // sess-one (email, mobile): good vitals on /; sess-two (paid search, desktop): friction on the
  // product page, an LCP needing improvement (3.1 s), a poor INP and CLS; a dead click an hour
  // and a half ago, the leaderboard's previous period for the chip's dead clicks.
  const batch = [
    ev('sess-one', 'page_view', 40, '/'),
    fr('sess-one', 'dead_click', 39, '/product.html', CHIP),
    leave('sess-one', 38, '/', { lcp_ms: 1200, cls_milli: 50, inp: 'good', inp_ms: 120 }),
    ev('sess-one', 'add_to_cart', 37, '/product.html', { moment: true, currency: 'EUR', value: 12, items: [{ item_id: 'mug' }] }),
    ev('sess-two', 'page_view', 20, '/product.html'),
    fr('sess-two', 'rage_click', 19, '/product.html', CHIP, { count: 4 }),
    fr('sess-two', 'dead_click', 19, '/product.html', CHIP),
    fr('sess-two', 'js_error', 16, '/product.html', null, { message: 'coupon is undefined' }),
    leave('sess-two', 15, '/product.html', { lcp_ms: 3100, cls_milli: 300, inp: 'poor', inp_ms: 640 }),
    fr('sess-old', 'dead_click', 90, '/product.html', CHIP),
  ];
  const r = await fetch(`${collector.url}/v1/batch`, { method: 'POST', body: JSON.stringify({ sentAt: new Date().toISOString(), batch }) });
  assert.equal((await r.json()).accepted, batch.length);
});
after(async () => { await browser?.close(); await collector?.stop(); });

/** The inspector at the last hour, live off, in a window of `viewport`, once everything is drawn. */
async function open(t, viewport, query = '') {
  const context = await browser.newContext({ viewport });
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${collector.url}/inspector?range=1h&live=0${query}`);
  await waitFor('everything drawn', async () => (await page.locator('#leaderboard tbody tr[data-type]').count()) === 3 &&
    (await page.locator('#session-list tbody tr[data-session]').count()) === 2 &&
    (await page.locator('#page-list tbody tr[data-path]').count()) === 2 && (await page.isVisible('#vitals-chart canvas')), { timeout: 60_000 });
  return { page, errors };
}

// The element focused, and whether it is seen: some of it inside the window, and what is at the
// centre of its part inside the window is itself or inside it (not the sticky header, nor
// anything else over it).
const focusSeen = (page) => page.evaluate(() => {
  const a = document.activeElement;
  if (!a || a === document.body) return { name: 'body', seen: true };
  const name = `${a.tagName.toLowerCase()}${a.id ? '#' + a.id : ''} "${(a.getAttribute('aria-label') || a.textContent).trim().replace(/\s+/g, ' ').slice(0, 30)}"`;
  const r = a.getBoundingClientRect();
  const x0 = Math.max(0, r.left), x1 = Math.min(innerWidth, r.right), y0 = Math.max(0, r.top), y1 = Math.min(innerHeight, r.bottom);
  if (x1 <= x0 || y1 <= y0) return { name, seen: false, why: `outside the ${innerWidth}x${innerHeight} window, at ${Math.round(r.left)},${Math.round(r.top)}` };
  const hit = document.elementFromPoint((x0 + x1) / 2, (y0 + y1) / 2);
  if (hit && (hit === a || a.contains(hit))) return { name, seen: true };
  const over = hit && hit.closest('.top') ? 'the header' : hit ? hit.tagName.toLowerCase() + (hit.id ? '#' + hit.id : '') : 'nothing';
  return { name, seen: false, why: `covered by ${over} at y=${Math.round((y0 + y1) / 2)}` };
});

// Tab (or Shift+Tab) from where the focus is, through every stop of the page (until the focus
// leaves the page or comes back to where it began), each stop checked seen. Returns the stops.
async function walk(page, { back = false, until = null, max = 200 } = {}) {
  const stops = [], hidden = [];
  let first = null;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focusSeen(page);
    if (f.name === 'body' || f.name === first) break;
    first ??= f.name;
    stops.push(f.name);
    if (!f.seen) hidden.push(`${f.name}: ${f.why}`);
    if (until && until(f.name)) break;
  }
  return { stops, hidden };
}

// A window zoomed to 400 % (1280x720: 320x180 CSS px) or 200 %: the sticky header was 249 px tall
// in a 180 px window, the Device filter and "live" never reached, 38 of 48 stops of Tab hidden
// under it (1.4.10 Reflow, 2.4.11 Focus Not Obscured).
test('400 % and 200 % zoom (320x180, 640x360): the header scrolls away, every Tab stop is seen, the Device filter and "live" are reached', T, async (t) => {
  for (const viewport of [{ width: 320, height: 180 }, { width: 640, height: 360 }]) {
    const { page, errors } = await open(t, viewport);
    const { stops, hidden } = await walk(page);
    t.diagnostic(`${viewport.width}x${viewport.height}: ${stops.length} stops, ${hidden.length} not seen`);
    assert.ok(stops.length > 20, `the page's stops: ${stops.join(' | ')}`);
    for (const id of ['#f-device', '#f-live', '#f-tag']) assert.ok(stops.some((s) => s.includes(id)), `${id} reached: ${stops.join(' | ')}`);
    assert.deepEqual(hidden, [], `at ${viewport.width}x${viewport.height}, every focused element seen`);
    assert.deepEqual(errors, []);
  }
});

// At normal size the header stays, and what a skip link or the focus brings into view is below
// it: the leaderboard's heading was at y=84 under a 100 px header (a 6rem margin), and a row that
// Shift+Tab brought back into view at the window's top edge was under it. (At 1000 px the header
// wraps to three lines.)
test('normal size (1280x900, 1280x720, 1000x800): a skip link\'s heading and every stop of Tab and Shift+Tab are below the sticky header', T, async (t) => {
  for (const viewport of [{ width: 1280, height: 900 }, { width: 1280, height: 720 }, { width: 1000, height: 800 }]) {
    const { page, errors } = await open(t, viewport);
    assert.equal(await page.$eval('.top', (e) => getComputedStyle(e).position), 'sticky', 'the header stays at this size');
    // Each skip link: its heading wholly below the header (the leaderboard's was at y=84 under a
    // 100 px header).
    for (const id of ['h-channels', 'h-pages', 'h-sessions', 'h-board']) {
      await page.focus(`#skip a[href="#${id}"]`);
      await page.keyboard.press('Enter');
      await waitFor(`#${id} focused`, () => page.evaluate((id) => document.activeElement.id === id, id));
      const heading = await focusSeen(page);
      assert.ok(heading.seen, `#${id}: ${heading.why}`);
      const [top, bottom] = await page.evaluate((id) => [document.getElementById(id).getBoundingClientRect().top,
        document.querySelector('.top').getBoundingClientRect().bottom], id);
      assert.ok(top >= bottom, `#${id} wholly below the header: its top at ${top}, the header's bottom at ${bottom}`);
    }
    // Every stop on to the end, then back to the top: a row scrolled into view by Shift+Tab was
    // brought to the window's top edge, under the header.
    const down = await walk(page);
    const up = await walk(page, { back: true });
    t.diagnostic(`${viewport.width}x${viewport.height}: ${down.stops.length} stops down, ${up.stops.length} up`);
    assert.ok(up.stops.length > 20, up.stops.join(' | '));
    assert.deepEqual([...down.hidden, ...up.hidden], [], `at ${viewport.width}x${viewport.height}, every focused element seen`);
    assert.deepEqual(errors, []);
  }
});

// What a screen reader is given of an element (its accessibility tree, as Playwright reads it).
const said = (page, selector) => page.locator(selector).ariaSnapshot();

// LCP, INP and CLS rated by their badge's colour alone, a trend's meaning in its title alone
// (1.4.1 Use of Color).
test('web vitals\' ratings and the trends are said in words, not by colour or a tooltip alone', T, async (t) => {
  const { page, errors } = await open(t, { width: 1280, height: 900 });
  const product = '#page-list tbody tr[data-path="/product.html"]';
  // The product page: LCP 3.1 s needs improvement (fair), INP and CLS poor; / all good.
  assert.match(await said(page, `${product} td[data-vital=lcp]`), /0 % good · fair/);
  assert.match(await said(page, `${product} td[data-vital=inp]`), /0 % good · poor/);
  assert.match(await said(page, `${product} td[data-vital=cls]`), /0 % good · poor/);
  for (const k of ['lcp', 'inp', 'cls']) assert.doesNotMatch(await said(page, `#page-list tbody tr[data-path="/"] td[data-vital=${k}]`), /fair|poor/);
  // Seen too, not for a screen reader alone.
  assert.equal(await page.locator(`${product} td[data-vital=inp] .rating`).isVisible(), true);
  // Every page together, and a channel's.
  assert.match(await said(page, '#pages-vitals'), /LCP 50 % good · fair/);
  assert.match(await said(page, '#pages-vitals'), /INP 50 % good · poor/);
  assert.match(await said(page, '#channel-list tbody tr[data-channel="paid_search"] td[data-vital=inp]'), /0 % good · poor/);
  // The CSV keeps the share alone.
  assert.equal(await page.getAttribute(`${product} td[data-vital=inp]`, 'data-csv'), '0 % good');
  // A trend says what it is compared with (the chip's dead clicks: 2, 1 in the hour before).
  const trend = `#leaderboard tbody tr[data-type="dead_click"] td:last-child`;
  assert.match(await said(page, trend), /▲ 1 \(previous period: 1\)/);
  assert.equal(await page.textContent(`${trend} .visually-hidden`), ' (previous period: 1)');
  assert.equal(await page.getAttribute(trend, 'data-csv'), '▲ 1');
  // A journey's vitals: sess-two's leave of the product page.
  await page.click('#session-list tbody tr[data-session="sess-two"]');
  await waitFor('sess-two\'s journey', async () => (await page.locator('#timeline li').count()) === 5);
  const vitals = await said(page, '#timeline li[data-event=page_leave]');
  for (const v of ['LCP 3.1 s · fair', 'INP 640 ms · poor', 'CLS 0.3 · poor']) assert.ok(vitals.includes(v), `${v} in ${vitals}`);
  await page.fill('#f-session', 'sess-one');
  await page.press('#f-session', 'Enter');
  await waitFor('sess-one\'s journey', async () => (await page.textContent('#session-id')) === 'sess-one' && (await page.locator('#timeline li').count()) === 4);
  assert.doesNotMatch(await said(page, '#timeline li[data-event=page_leave]'), /fair|poor/, 'good vitals: no word');
  assert.deepEqual(errors, []);
});

// A step's parts were apart by margins alone: "+0.0 spage_view", "scrolled 77 %LCP 2.8 s".
test('a journey\'s step reads as words: its parts apart by spaces (a screen reader, a copy)', T, async (t) => {
  const { page, errors } = await open(t, { width: 1280, height: 900 }, '&session=sess-two');
  await waitFor('sess-two\'s journey', async () => (await page.locator('#timeline li').count()) === 5);
  const text = (event) => page.$eval(`#timeline li[data-event=${event}]`, (li) => li.textContent);
  assert.match(await text('page_view'), /^\d\d:\d\d:\d\d \+0\.0 s page_view \/product\.html “Demo”$/);
  assert.match(await text('page_leave'), /^\d\d:\d\d:\d\d \+[\d.]+ s page_leave \/product\.html engaged 42 s · scrolled 80 % LCP 3\.1 s · fair INP 640 ms · poor CLS 0\.3 · poor$/);
  assert.match(await text('rage_click'), / s rage_click friction \/product\.html #grind > button\.chip 4 clicks$/);
  // Every step: no part's text runs into the one before it.
  const joined = await page.$$eval('#timeline li', (lis) => lis.flatMap((li) => [...li.children].slice(1).map((part) => {
    const before = part.previousSibling.textContent;
    return /\s$/.test(before) || /^\s/.test(part.textContent) ? null : `${li.dataset.event}: "${before}" + "${part.textContent}"`;
  }).filter(Boolean)));
  assert.deepEqual(joined, []);
  // The moments of truth in the sessions list, too.
  assert.equal(await page.textContent('#session-list tbody tr[data-session="sess-one"] td:nth-child(10)'), 'add_to_cart');
  assert.deepEqual(errors, []);
});

// A clickable row was a focusable <tr>: no name, role or state for a screen reader.
test('the tables\' rows are picked by a named button in their first cell, pressed or current while picked; Enter and Space pick once, Escape gives the focus back', T, async (t) => {
  const { page, errors } = await open(t, { width: 1280, height: 900 });
  // Every clickable row: one button, in its first cell, named by it; the row itself no Tab stop.
  const rows = await page.$$eval('tbody tr.clickable', (trs) => trs.map((tr) => [tr.tabIndex, tr.querySelectorAll('button').length,
    tr.cells[0].querySelector('button.pick') !== null, tr.hasAttribute('aria-selected')]));
  assert.ok(rows.length >= 9);
  assert.deepEqual(rows.filter((r) => JSON.stringify(r) !== '[-1,1,true,false]'), []);
  const button = (table, name) => page.locator(`#${table}`).getByRole('button', { name, exact: true });
  assert.equal(await button('channel-list', 'email').count(), 1);
  assert.equal(await button('page-list', '/product.html').count(), 1);
  assert.equal(await button('leaderboard', 'rage_click').count(), 1);
  assert.equal(await button('session-list', 'sess-one').count(), 1);
  // Described by what it does.
  const described = (loc) => loc.evaluate((b) => document.getElementById(b.getAttribute('aria-describedby')).textContent);
  assert.match(await described(button('channel-list', 'email')), /^lists its sessions/);
  assert.match(await described(button('page-list', '/product.html')), /^narrows the leaderboard/);
  assert.match(await described(button('session-list', 'sess-one')), /^opens its journey/);
  assert.equal(await button('leaderboard', 'rage_click').getAttribute('aria-pressed'), 'false');

  // Enter on the leaderboard's rage_click: its sessions, the focus on their heading, the button
  // pressed; Space on it again: let go (one pick for each press, not a pick and its click).
  await button('leaderboard', 'rage_click').focus();
  await page.keyboard.press('Enter');
  await waitFor('its sessions', async () => (await page.evaluate(() => document.activeElement.id)) === 'h-sessions' &&
    (await page.$$eval('#session-list tbody tr[data-session]', (trs) => trs.map((tr) => tr.dataset.session))).join() === 'sess-two');
  await waitFor('pressed', async () => (await button('leaderboard', 'rage_click').getAttribute('aria-pressed')) === 'true');
  assert.equal(await page.locator('#leaderboard').getByRole('button', { pressed: true }).count(), 1);
  await button('leaderboard', 'rage_click').focus();
  await page.keyboard.press('Space');
  await waitFor('let go', async () => (await button('leaderboard', 'rage_click').getAttribute('aria-pressed')) === 'false' &&
    (await page.locator('#session-list tbody tr[data-session]').count()) === 2);
  assert.equal(new URL(page.url()).searchParams.get('el_type'), null);
  // A channel by Space: picked once.
  await button('channel-list', 'email').focus();
  await page.keyboard.press('Space');
  await waitFor('the channel picked', async () => (await button('channel-list', 'email').getAttribute('aria-pressed')) === 'true' &&
    new URL(page.url()).searchParams.get('channel') === 'email');
  // A session by Enter: its journey, its button current; Escape: the focus back on that button.
  await button('session-list', 'sess-one').focus();
  await page.keyboard.press('Enter');
  await waitFor('the journey', async () => (await page.evaluate(() => document.activeElement.id)) === 'h-session' &&
    (await page.textContent('#session-id')) === 'sess-one');
  await waitFor('current', async () => (await button('session-list', 'sess-one').getAttribute('aria-current')) === 'true');
  await page.keyboard.press('Escape');
  await waitFor('the focus back on the session\'s button', () => page.evaluate(() => {
    const a = document.activeElement;
    return a.matches('button.pick') && a.closest('tr').dataset.session === 'sess-one';
  }));
  assert.equal(await page.isHidden('#session'), true);
  // The mouse: a click anywhere on a row still picks it (once).
  await page.click('#page-list tbody tr[data-path="/product.html"] td:nth-child(2)');
  await waitFor('the page picked', async () => (await button('page-list', '/product.html').getAttribute('aria-pressed')) === 'true' &&
    new URL(page.url()).searchParams.get('path') === '/product.html');
  assert.deepEqual(errors, []);
});

// The friction chart's types differed by their lines' colours alone; the figures were in the
// chart alone (a hover's legend for one time at a time).
test('the charts\' series differ by their lines\' patterns, not their colours alone; their figures by time as a table', T, async (t) => {
  const { page, errors } = await open(t, { width: 1280, height: 900 });
  // The legends' markers: each series' line pattern (its colour left out), all different.
  const patterns = (chart) => page.$$eval(`${chart} .u-legend .u-series .u-marker`, (ms) => ms.slice(1).map((m) =>
    getComputedStyle(m).backgroundImage.replace(/rgba?\([^)]*\)/g, 'C')));
  await waitFor('the friction chart\'s legend', async () => (await patterns('#chart')).length === 3);
  for (const chart of ['#chart', '#vitals-chart']) {
    const p = await patterns(chart);
    assert.equal(new Set(p).size, p.length, `${chart}: ${p.join(' / ')}`);
  }
  // The friction chart's figures: closed at first, a table once opened, each type's column adding
  // up to its count in the range.
  assert.equal(await page.isVisible('#chart-figures table'), false);
  await page.click('#chart-figures summary');
  await waitFor('the friction table', () => page.isVisible('#chart-figures table'));
  const table = (id) => page.$eval(`#${id} table`, (tb) => [...tb.rows].map((r) => [...r.cells].map((c) => c.textContent)));
  const friction = await table('chart-figures');
  assert.deepEqual(friction[0], ['From', 'dead_click', 'js_error', 'rage_click']);
  const sum = (col) => friction.slice(1).reduce((a, r) => a + Number(r[col]), 0);
  assert.deepEqual([sum(1), sum(2), sum(3)], [2, 1, 1]);
  assert.ok(friction.slice(1).every((r) => /^\d{1,2} [A-Z][a-z]{2}, \d\d:\d\d$/.test(r[0])), JSON.stringify(friction));
  assert.equal(await page.locator('#chart-figures tbody th[scope=row]').count(), friction.length - 1);
  // The web vitals': each measured time's shares and of how many views.
  await page.click('#vitals-figures summary');
  await waitFor('the vitals table', () => page.isVisible('#vitals-figures table'));
  const vitals = await table('vitals-figures');
  assert.deepEqual(vitals[0], ['From', 'LCP', 'INP', 'CLS']);
  assert.deepEqual(vitals.slice(1).map((r) => r.slice(1)).sort(), [['0 % of 1', '0 % of 1', '0 % of 1'], ['100 % of 1', '100 % of 1', '100 % of 1']]);
  // Kept open across a refresh, drawn again with it.
  const ended = await page.evaluate(() => window.__inspector.refreshes);
  await page.evaluate(() => window.dispatchEvent(new PopStateEvent('popstate')));
  await waitFor('a refresh', async () => (await page.evaluate(() => window.__inspector.refreshes)) > ended);
  assert.deepEqual(await table('chart-figures'), friction);
  assert.deepEqual(errors, []);
});
