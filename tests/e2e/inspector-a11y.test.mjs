// The inspector's accessibility (WCAG 2.2 A and AA, as far as a checker and a keyboard walk can
// show): axe-core (npm `axe-core`) run on every view and state of the inspector against a seeded
// collector, zero violations asked of each; and a keyboard walk from the top of the page with Tab
// alone: a leaderboard row opened by Enter lists its sessions, a session's row opened by Enter
// shows its journey, Escape or the Close button closes it and gives the focus back to its row,
// and every stop on the way shows where the focus is.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launch, root, startCollector, waitFor } from './harness.mjs';
import { eventBuilders } from './inspector-events.mjs';

const TOKEN = 'e2e-a11y-token-0123456789';
const AXE = path.join(root, 'node_modules/axe-core/axe.min.js');
// WCAG 2.0, 2.1 and 2.2, levels A and AA (axe's tags); best practices and AAA are not asked.
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const T = { timeout: 300_000 };
const CHIP = '#grind > button.chip';
let collector, browser;

before(async () => {
  [collector, browser] = await Promise.all([
    startCollector(['--read-token', TOKEN, '--inspector', path.join(root, 'collector/inspector'),
      '--uplot', path.join(root, 'node_modules/uplot/dist')]),
    launch(),
  ]);
  await seed();
});
after(async () => { await browser?.close(); await collector?.stop(); });

// Every session one visitor's but sess-three (no marketing consent).
const { ev, fr } = eventBuilders({ prefix: 'a11y', anonymous: (session) => (session === 'sess-three' ? undefined : 'anon-a11y-1') });
const leave = (session, minutesAgo, pathname, vitals) =>
  ev(session, 'page_leave', minutesAgo, pathname, { category: 'touchpoint', path: pathname, engaged_ms: 42_000, max_scroll_pct: 80, ...vitals });
const tags = (t, e) => ({ ...e, context: { ...e.context, tags: t } });

// Three sessions: a purchase (mobile, email), friction on the way to checkout (desktop, paid
// search, variant B), a bare visit kept by a 20 % sample (the overview's sampling notice); web
// vitals good, needing improvement and poor (every colour of badge); a customer named.
async function seed() {
  const A = { experiment: 'checkout_v2', variant: 'A' }, B = { experiment: 'checkout_v2', variant: 'B' };
  const batch = [
    ...[
      ev('sess-one', 'page_view', 40, '/'),
      fr('sess-one', 'dead_click', 39, '/product.html', CHIP),
      { ...ev('sess-one', 'identify', 38.5, '/product.html', { plan: 'pro' }), type: 'identify', userId: 'c-1042' },
      { ...ev('sess-one', 'add_to_cart', 38, '/product.html', { moment: true }), userId: 'c-1042' },
      { ...ev('sess-one', 'begin_checkout', 37, '/cart.html', { moment: true }), userId: 'c-1042' },
      { ...ev('sess-one', 'purchase', 36, '/thanks.html', { moment: true }), userId: 'c-1042' },
      { ...leave('sess-one', 35, '/thanks.html', { lcp_ms: 1200, cls_milli: 50, inp: 'good', inp_ms: 120 }), userId: 'c-1042' },
    ].map((e) => tags(A, e)),
    ...[
      ev('sess-two', 'page_view', 20, '/product.html'),
      fr('sess-two', 'rage_click', 19, '/product.html', CHIP, { count: 4, disabled: true }),
      fr('sess-two', 'dead_click', 19, '/product.html', CHIP),
      leave('sess-two', 18.5, '/product.html', { lcp_ms: 3100, cls_milli: 300, inp: 'poor', inp_ms: 640 }),
      ev('sess-two', 'add_to_cart', 18, '/product.html', { moment: true }),
      ev('sess-two', 'begin_checkout', 17, '/cart.html', { moment: true }),
      fr('sess-two', 'js_error', 16, '/cart.html', null, { during: 'begin_checkout', message: 'coupon is undefined' }),
      leave('sess-two', 15, '/cart.html', { lcp_ms: 5200, cls_milli: 120, inp: 'needs-improvement', inp_ms: 300 }),
    ].map((e) => tags(B, e)),
    ev('sess-three', 'page_view', 5, '/', {}, { sampleRate: 20 }),
  ];
  const r = await fetch(`${collector.url}/v1/batch`, { method: 'POST', body: JSON.stringify({ sentAt: new Date().toISOString(), batch }) });
  assert.equal(r.status, 200);
  assert.equal((await r.json()).accepted, batch.length);
}

// Refreshes ended (well or not) so far.
const ended = (page) => page.evaluate(() => window.__inspector.refreshes + window.__inspector.errors);
// Waits for `cond`, then for a refresh begun after it held to end: what is on screen is then the
// answer to what `cond` saw asked (no table half drawn when axe reads it). Live is off in these
// pages (live=0), so nothing else redraws under axe.
async function settled(page, what, cond = async () => true) {
  await waitFor(what, cond, { timeout: 120_000 });
  const from = await ended(page);
  await page.evaluate(() => { window.dispatchEvent(new PopStateEvent('popstate')); });
  await waitFor(`${what}: a refresh after it`, async () => (await ended(page)) > from, { timeout: 120_000 });
  await waitFor(what, cond, { timeout: 120_000 });
}

async function open(context, query) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${collector.url}/inspector?${query}`);
  await page.waitForFunction(() => window.__inspector && window.__inspector.refreshes + window.__inspector.errors >= 1, null, { timeout: 120_000 });
  return { page, errors };
}

// axe's violations of WCAG 2.x A/AA on the page as it is now, one line each: the rule, its
// impact, and the elements (at most 5 named).
async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate((tags) => window.axe.run(document, { runOnly: tags, resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((x) => x.target.join(' ') + (x.failureSummary ? ` (${x.failureSummary.replace(/\s+/g, ' ').slice(0, 160)})` : '')) }))), WCAG);
  return violations;
}
const describe = (vs) => vs.map((v) => `  ${v.id} [${v.impact}] ${v.help}: ${v.nodes.length} element(s): ` +
  v.nodes.slice(0, 5).join('; ') + (v.nodes.length > 5 ? '; …' : '')).join('\n');

test('axe-core: no WCAG 2.2 A/AA violation in any view or state of the inspector', T, async (t) => {
  const results = [];
  const check = async (page, state) => {
    const vs = await axe(page);
    const count = vs.reduce((a, v) => a + v.nodes.length, 0);
    results.push({ state, vs, count });
    t.diagnostic(`${state}: ${vs.length} rule(s) violated, ${count} element(s)${vs.length ? '\n' + describe(vs) : ''}`);
  };
  // (bypassCSP: the collector's CSP refuses the inline script that injects axe.)
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, bypassCSP: true });
  t.after(() => context.close());
  // (The token sets the cookie for the pages after it.)
  const { page, errors } = await open(context, `token=${TOKEN}&range=1h&live=0`);
  const rows = (sel) => page.locator(sel).count();

  // 1. The overview: cards, sampling notice, the three charts, funnel, channels, pages with their
  // vitals, leaderboard and sessions lists.
  await settled(page, 'everything drawn', async () => (await rows('#leaderboard tbody tr[data-type]')) === 3 &&
    (await rows('#session-list tbody tr[data-session]')) === 3 && (await page.isVisible('#vitals-chart canvas')) &&
    (await page.isVisible('#sampled')) && (await page.locator('#funnel-chart canvas').count()) === 1);
  await check(page, 'overview (cards, charts, funnel, channels, pages, leaderboard, sessions)');
  // The charts' figures as tables, opened.
  await page.click('#chart-figures summary');
  await page.click('#vitals-figures summary');
  await waitFor('the charts\' tables', async () => (await page.locator('#chart-figures table, #vitals-figures table').count()) === 2);
  await check(page, 'the charts\' figures as tables');

  // 2. A leaderboard row picked: its sessions.
  await page.click('#leaderboard tbody tr[data-type="rage_click"]');
  await settled(page, 'the element\'s sessions', async () =>
    (await page.locator('#session-list tbody tr[data-session]').allTextContents()).length === 1 &&
    (await page.getAttribute('#leaderboard tbody tr[data-type="rage_click"] button.pick', 'aria-pressed')) === 'true');
  await check(page, 'leaderboard row picked (its sessions)');

  // 3. A session's timeline.
  await page.click('#session-list tbody tr[data-session="sess-two"]');
  await settled(page, 'the timeline', async () => (await page.isVisible('#session')) && (await rows('#timeline li')) >= 8);
  await check(page, 'session timeline');

  // 4. Filters applied: a friction type, a page, a device, a tag; channels grouped by device,
  // pages ordered by poor vitals, a page picked, a channel picked.
  await page.goto(`${collector.url}/inspector?range=1h&live=0&type=dead_click&path=/product.html&device_class=desktop&tag=variant:B&by=device&pages=vitals&device=desktop`);
  await settled(page, 'the filters', async () => (await page.inputValue('#f-tag')) === 'variant:B' &&
    (await rows('#leaderboard tbody tr[data-type]')) === 1 && (await page.textContent('#overview-scope')) !== '');
  await check(page, 'filters applied (type, page, device, tag; by device, pages by vitals)');

  // 5. A range of days (the date fields shown) and a customer's sessions (their summary).
  await page.goto(`${collector.url}/inspector?range=custom&live=0&user=c-1042`);
  await settled(page, 'a customer in a range of days', async () => (await page.isVisible('#f-from')) &&
    /of customer c-1042: 1 session/.test(await page.textContent('#sessions-filter')));
  await check(page, 'range of days, a customer\'s sessions');

  // 6. A session id that is not there.
  await page.goto(`${collector.url}/inspector?range=1h&live=0&session=no-such-session`);
  await settled(page, 'the missing session', async () => /^No session with this id/.test(await page.textContent('#session-summary')));
  await check(page, 'unknown session');

  // 7. Empty: a site with nothing in the range (every table's "nothing here" row, no charts).
  await page.goto(`${collector.url}/inspector?range=1h&live=0&site=no-such-site`);
  await settled(page, 'the empty inspector', async () => (await page.textContent('#leaderboard tbody')) === 'No friction in this range.' &&
    (await page.textContent('#session-list tbody')) === 'No sessions in this range.');
  await check(page, 'empty (a site without events)');

  // 8. Errors: the collector still counting a long range (its 503), the pages past the read time
  // limit ("Not read now"), a failed refresh greying what is shown, offline.
  await page.route(/\/api\/overview\?/, (route) => route.fulfill({ status: 503, contentType: 'application/json',
    body: '{"error":"counting this range for the first time: it goes on in the background, ask again in a few seconds"}' }));
  await page.goto(`${collector.url}/inspector?range=90d&live=0`);
  await settled(page, 'the counting state', async () => /counting this range/.test(await page.textContent('#status')) &&
    (await page.evaluate(() => document.body.classList.contains('stale'))));
  await check(page, 'counting this range (503), stale');
  await page.unroute(/\/api\/overview\?/);
  await page.route(/\/api\/pages\?/, (route) => route.fulfill({ status: 503, contentType: 'application/json',
    body: '{"error":"query took longer than 5s: narrow the range or add a site"}' }));
  await page.goto(`${collector.url}/inspector?range=1h&live=0`);
  await settled(page, 'the pages not read', async () => /^Not read now/.test(await page.textContent('#page-list tbody')));
  await check(page, 'pages not read (503)');
  await page.unroute(/\/api\/pages\?/);
  await context.setOffline(true);
  await page.evaluate(() => window.dispatchEvent(new Event('offline')));
  // (A refresh asked offline fails: what is shown is then stale.)
  await settled(page, 'offline', async () => /^Offline/.test(await page.textContent('#status')));
  await waitFor('offline, stale', () => page.evaluate(() => document.body.classList.contains('stale')));
  await check(page, 'offline, stale');
  await context.setOffline(false);

  // 9. A phone's width (the charts and tables at 390 px).
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true });
  t.after(() => phone.close());
  await phone.addCookies((await context.cookies()).filter((c) => c.name === 'tp_read'));
  const { page: small, errors: smallErrors } = await open(phone, 'range=1h&live=0&session=sess-one');
  await settled(small, 'the phone\'s view', async () => (await small.isVisible('#session')) &&
    (await small.locator('#leaderboard tbody tr[data-type]').count()) === 3);
  await check(small, 'phone width, a session open');
  await small.goto(`${collector.url}/inspector?range=1h&live=0&site=no-such-site`);
  await settled(small, 'the phone\'s empty view', async () => (await small.textContent('#session-list tbody')) === 'No sessions in this range.');
  await check(small, 'phone width, empty');
  // 400 % zoom of a 1280x720 window: 320x180 CSS px (the header not sticky).
  const zoomed = await browser.newContext({ viewport: { width: 320, height: 180 }, deviceScaleFactor: 4, bypassCSP: true });
  t.after(() => zoomed.close());
  await zoomed.addCookies((await context.cookies()).filter((c) => c.name === 'tp_read'));
  const { page: tiny, errors: tinyErrors } = await open(zoomed, 'range=1h&live=0&session=sess-two');
  await settled(tiny, 'the view at 400 %', async () => (await tiny.isVisible('#session')) &&
    (await tiny.locator('#leaderboard tbody tr[data-type]').count()) === 3);
  await check(tiny, '320x180 (400 % zoom), a session open');
  smallErrors.push(...tinyErrors);

  const total = results.reduce((a, r) => a + r.count, 0);
  assert.equal(total, 0, `axe found WCAG 2.2 A/AA violations:\n${results.filter((r) => r.count)
    .map((r) => `${r.state}:\n${describe(r.vs)}`).join('\n')}`);
  assert.deepEqual(errors.concat(smallErrors), []);
});

// What has the focus, as a reader would name it: a row (its button) by its table and identity,
// else the element's id or tag (and its text when it has no id).
const focused = (page) => page.evaluate(() => {
  const a = document.activeElement;
  if (!a || a === document.body) return 'body';
  const tr = a.closest('tbody tr[data-key]');
  if (tr && a.matches('button.pick')) return `row ${tr.closest('table').id} ${tr.dataset.key}`;
  return a.id ? `#${a.id}` : `${a.tagName.toLowerCase()} ${a.textContent.trim().slice(0, 40)}`;
});
// Whether the element focused shows it: an outline (Chromium's own ring is style `auto`) or a
// box-shadow of its own, under :focus-visible.
const focusShown = (page) => page.evaluate(() => {
  const a = document.activeElement, s = getComputedStyle(a);
  return a.matches(':focus-visible') && ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none');
});

// Tab (Shift+Tab backwards) until `want` names the focus; every stop on the way must show its
// focus. At most `max` presses.
async function tabTo(page, want, { max = 150, back = false, stops = [] } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    stops.push(f);
    assert.ok(await focusShown(page), `the focus is shown on ${f}`);
    if (want(f)) return f;
  }
  throw new Error(`not reached in ${max} Tab presses; stops: ${stops.join(' | ')}`);
}

test('keyboard walk: Tab to a leaderboard row, Enter lists its sessions; Tab to a session, Enter opens its journey; Escape and Close give the focus back', T, async (t) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  t.after(() => context.close());
  const { page, errors } = await open(context, `token=${TOKEN}&range=1h&live=0`);
  await settled(page, 'everything drawn', async () => (await page.locator('#leaderboard tbody tr[data-type]').count()) === 3 &&
    (await page.locator('#session-list tbody tr[data-session]').count()) === 3);

  // From the top of the page, Tab alone: the filters, the buttons, the rows of each table...
  const stops = [];
  await tabTo(page, (f) => f.startsWith('row leaderboard rage_click'), { stops });
  assert.ok(stops.indexOf('#f-site') >= 0 && stops.indexOf('#f-range') >= 0, `the filters are on the way: ${stops.join(' | ')}`);
  // ... Enter on the row: its sessions listed, the focus on their heading.
  await page.keyboard.press('Enter');
  await waitFor('the element\'s sessions, focused', async () => (await focused(page)) === '#h-sessions' &&
    (await page.locator('#session-list tbody tr[data-session]').evaluateAll((trs) => trs.map((tr) => tr.dataset.session))).join() === 'sess-two',
  { timeout: 120_000 });

  // Tab on to the session's row; Enter opens its journey, the focus on its heading.
  await tabTo(page, (f) => f === 'row session-list sess-two');
  await page.keyboard.press('Enter');
  await waitFor('the timeline open, focused', async () => (await focused(page)) === '#h-session' &&
    (await page.textContent('#session-id')) === 'sess-two' && (await page.locator('#timeline li').count()) >= 8, { timeout: 120_000 });
  assert.equal(new URL(page.url()).searchParams.get('session'), 'sess-two');

  // Escape closes it: the journey hidden, out of the address, the focus back on its row.
  await page.keyboard.press('Escape');
  await waitFor('the timeline closed, the focus back on its row', async () => (await page.isHidden('#session')) &&
    (await focused(page)) === 'row session-list sess-two', { timeout: 120_000 });
  assert.equal(new URL(page.url()).searchParams.get('session'), null);
  await settled(page, 'the focus kept on the row across a refresh', async () => (await focused(page)) === 'row session-list sess-two');

  // Space opens it again; the Close button (reached by Tab from the heading) closes it too.
  await page.keyboard.press('Space');
  await waitFor('the timeline open again', async () => (await focused(page)) === '#h-session' &&
    (await page.isVisible('#session')), { timeout: 120_000 });
  const close = await tabTo(page, (f) => f === '#session-close', { max: 5 });
  assert.equal(close, '#session-close');
  assert.equal(await page.getByRole('button', { name: /^Close the session/ }).count(), 1, 'a button, named');
  await page.keyboard.press('Enter');
  await waitFor('closed by its button, the focus back on its row', async () => (await page.isHidden('#session')) &&
    (await focused(page)) === 'row session-list sess-two', { timeout: 120_000 });

  // A session opened by its id (the Session field): closed, the focus goes to its row if listed.
  await page.fill('#f-session', 'sess-one');
  await page.press('#f-session', 'Enter');
  await waitFor('sess-one by its id', async () => (await page.isVisible('#session')) && (await page.textContent('#session-id')) === 'sess-one',
    { timeout: 120_000 });
  await page.focus('#h-session');
  await page.keyboard.press('Escape');
  await waitFor('closed, the focus on a sensible place', async () => (await page.isHidden('#session')) &&
    ['row session-list sess-one', '#h-sessions'].includes(await focused(page)), { timeout: 120_000 });

  // The skip links: the first stops of Tab, shown when focused; one moves the focus to its panel,
  // where Tab goes on (a table's 50 rows need not be walked through to reach the next).
  await page.goto(`${collector.url}/inspector?range=1h&live=0`);
  await settled(page, 'everything drawn again', async () => (await page.locator('#leaderboard tbody tr[data-type]').count()) === 3);
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'a Overview');
  const box = await page.locator('#skip a', { hasText: 'Overview' }).boundingBox();
  assert.ok(box && box.width > 20 && box.height > 5 && box.y >= 0, `the focused skip link is seen: ${JSON.stringify(box)}`);
  await tabTo(page, (f) => f === 'a Friction leaderboard', { max: 5 });
  await page.keyboard.press('Enter');
  await waitFor('the leaderboard\'s heading focused', async () => (await focused(page)) === '#h-board');
  assert.equal(new URL(page.url()).hash, '', 'no fragment in the address');
  await tabTo(page, (f) => f.startsWith('row leaderboard '), { max: 2 });
  assert.deepEqual(errors, []);
});

test('a filter the reader changes has its main figures read out once (a polite live region); a live poll writes nothing there', T, async (t) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  t.after(() => context.close());
  // (Playwright's clock: the test moves the 5 s poll on rather than waiting for it.)
  await context.clock.install();
  const { page, errors } = await open(context, `token=${TOKEN}&range=1h`);
  await waitFor('everything drawn', async () => (await page.locator('#session-list tbody tr[data-session]').count()) === 3);
  assert.equal(await page.getAttribute('#figures-said', 'aria-live'), 'polite');
  await page.evaluate(() => {
    window.__said = 0;
    new MutationObserver((m) => { window.__said += m.length; })
      .observe(document.getElementById('figures-said'), { childList: true, characterData: true, subtree: true });
  });
  const twoPolls = async (what) => {
    const from = await ended(page);
    await waitFor(what, async () => (await ended(page)) >= from + 2 || void await page.clock.fastForward(5000), { interval: 300 });
  };
  await twoPolls('two live polls');
  assert.equal(await page.evaluate(() => window.__said), 0, 'a poll is not read out');
  await page.selectOption('#f-device', 'mobile');
  await waitFor('the phone\'s figures said', async () => (await page.textContent('#figures-said')) ===
    'Updated: 1 session, 1 friction event; 1 element on the friction leaderboard; 1 session listed.');
  const said = await page.evaluate(() => window.__said);
  await twoPolls('two live polls more');
  assert.equal(await page.evaluate(() => window.__said), said, 'said once');
  // Live switched off: said in the status line only.
  await page.click('#f-live');
  await waitFor('live off said', async () => /^Live off/.test(await page.textContent('#status')));
  assert.equal(await page.evaluate(() => window.__said), said);
  assert.deepEqual(errors, []);
});
