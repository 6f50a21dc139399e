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
