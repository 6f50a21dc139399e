// Money in the inspector as the collector counts it (a marketplace analyst's QA): the journey's
// commerce steps show a value as revenue counts it (a number, in its currency's own digits, the
// currency trimmed and upper-cased; a value written as text shown as given and marked not
// counted), and the channels table (and its CSV) gives each row's purchases, revenue per
// currency, refunds and net revenue, which it never asked the collector for.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launch, root, startCollector, waitFor } from './harness.mjs';
import { eventBuilders } from './inspector-events.mjs';

const T = { timeout: 300_000 };
const AXE = path.join(root, 'node_modules/axe-core/axe.min.js');
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
let collector, browser;

const { ev } = eventBuilders({ prefix: 'money', anonymous: () => undefined });
const buy = (session, minutesAgo, props) => ev(session, 'purchase', minutesAgo, '/thanks', props);

before(async () => {
  [collector, browser] = await Promise.all([
    startCollector(['--inspector', path.join(root, 'collector/inspector'), '--uplot', path.join(root, 'node_modules/uplot/dist')]),
    launch(),
  ]);
  // sess-one (email): a German price of three decimals, a yen order, a value as text, a currency
  // with spaces around it. sess-two (paid search): a pound order refunded whole, a value in '€'
  // and one without a currency. sess-three (no channel): a refund of an order not stored.
  const batch = [
    ev('sess-one', 'page_view', 30, '/'),
    buy('sess-one', 29, { transaction_id: 'T-DE', currency: 'EUR', value: 1.299 }),
    buy('sess-one', 28, { transaction_id: 'T-JP', currency: 'JPY', value: 259600 }),
    buy('sess-one', 27, { transaction_id: 'T-STR', currency: 'EUR', value: '59.90' }),
    buy('sess-one', 26, { transaction_id: 'T-SP', currency: ' EUR ', value: 10 }),
    ev('sess-two', 'page_view', 20, '/'),
    buy('sess-two', 19, { transaction_id: 'T-GB', currency: 'GBP', value: 62.1 }),
    buy('sess-two', 18, { transaction_id: 'T-EU', currency: '€', value: 12 }),
    buy('sess-two', 17, { transaction_id: 'T-NONE', value: 5 }),
    ev('sess-two', 'refund', 10, '', { transaction_id: 'T-GB' }),
    ev('sess-three', 'refund', 5, '', { transaction_id: 'T-404' }),
  ];
  const r = await fetch(`${collector.url}/v1/batch`, { method: 'POST', body: JSON.stringify({ sentAt: new Date().toISOString(), batch }) });
  assert.equal((await r.json()).accepted, batch.length);
});
after(async () => { await browser?.close(); await collector?.stop(); });

async function open(t, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true, ...options });
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = [], channelQueries = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => { if (r.url().includes('/api/channels')) channelQueries.push(new URL(r.url()).searchParams); });
  await page.goto(`${collector.url}/inspector?range=1h&live=0`);
  await waitFor('the channels drawn', async () => (await page.locator('#channel-list tbody tr[data-channel]').count()) === 3, { timeout: 60_000 });
  return { page, errors, channelQueries };
}

const row = (page, channel) => page.$$eval(`#channel-list tbody tr[data-channel="${channel}"] td`, (tds) => tds.map((c) => c.textContent));

test('the journey shows each value as revenue counts it', T, async (t) => {
  const { page, errors } = await open(t);
  const steps = async (session, n) => {
    await page.fill('#f-session', session);
    await page.press('#f-session', 'Enter');
    await waitFor(`the journey of ${session}`, async () => (await page.textContent('#session-id')) === session &&
      (await page.locator('#timeline li').count()) === n, { timeout: 20_000 });
    return page.$$eval('#timeline li[data-event="purchase"], #timeline li[data-event="refund"]', (lis) => lis.map((li) => li.textContent));
  };
  const one = await steps('sess-one', 5);
  // 1.299 EUR is counted 1.299 (it read EUR 1.30); the yen has no decimals.
  assert.match(one[0], /order T-DE · EUR 1\.299$/);
  assert.match(one[1], /order T-JP · JPY 259,600$/);
  // A value as text: shown as given, not counted (it read EUR 59.90, which revenue never counted).
  assert.match(one[2], /order T-STR · "59\.90" EUR \(text: not counted in revenue\)$/);
  // " EUR ": trimmed, as the collector counts it (it was shown as a currency not known).
  assert.match(one[3], /order T-SP · EUR 10\.00$/);
  const two = await steps('sess-two', 5);
  assert.match(two[0], /order T-GB · GBP 62\.10$/);
  assert.match(two[1], /order T-EU · 12 € \(not a currency code: not counted in revenue\)$/);
  assert.match(two[2], /order T-NONE · 5 \(no currency: not counted in revenue\)$/);
  assert.match(two[3], /order T-GB · the whole order$/);
  assert.deepEqual(errors, []);
});

test('the channels table and its CSV give purchases, revenue, refunds and net revenue', T, async (t) => {
  const { page, errors, channelQueries } = await open(t, { bypassCSP: true });
  assert.ok(channelQueries.length && channelQueries.every((q) => q.get('revenue') === '1'), 'the channels asked with revenue=1');
  const heads = await page.$$eval('#channel-list thead th', (ths) => ths.map((th) => th.textContent));
  assert.deepEqual(heads.slice(5, 10), ['Reached purchase', 'Purchases', 'Revenue', 'Refunds', 'Net revenue']);
  // email: four purchases, one of them of a value as text; 1.299 + 10 EUR and the yen.
  assert.deepEqual((await row(page, 'email')).slice(6, 10),
    ['4 (1 without a usable value)', 'EUR 11.299, JPY 259,600', '0', 'EUR 11.299, JPY 259,600']);
  // paid search: GB-1 refunded whole (its purchase's value); '€' and none said, not counted.
  assert.deepEqual((await row(page, 'paid_search')).slice(6, 10),
    ['3', 'GBP 62.10 · not counted: 12 in “€”, 5 with no currency', '1: GBP 62.10', 'GBP 0.00']);
  // No channel: a refund of an order not stored, without an amount.
  assert.deepEqual((await row(page, '')).slice(6, 10), ['0', '–', '1 (1 without an amount)', '–']);

  // The CSV: the amounts without grouping, one field per column.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button.csv[data-table="channel-list"]')]);
  const lines = fs.readFileSync(await download.path()).subarray(3).toString('utf8').split('\r\n');
  assert.match(lines[0], /^"Channel","Sessions",.*"Reached purchase","Purchases","Revenue","Refunds","Net revenue","LCP"/);
  const fields = (name) => lines.find((l) => l.startsWith(`"${name}"`)).split('","').slice(6, 10);
  assert.deepEqual(fields('email'), ['4 (1 without a usable value)', 'EUR 11.299; JPY 259600', '0', 'EUR 11.299; JPY 259600']);
  assert.deepEqual(fields('paid search'), ['3', 'GBP 62.10; not counted: 12 €, 5 (no currency)', '1: GBP 62.10', 'GBP 0.00']);

  // Accessible as the rest (axe-core, WCAG 2.2 A/AA) on the channels section.
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate((tags) => window.axe.run('#channels', { runOnly: tags, resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`)), WCAG);
  assert.deepEqual(violations, []);
  // The row picked keeps its figures readable (the muted note on the highlighted row).
  await page.click('#channel-list tbody tr[data-channel="paid_search"]');
  await waitFor('the row picked', async () => (await page.getAttribute('#channel-list tbody tr[data-channel="paid_search"] button.pick', 'aria-pressed')) === 'true');
  const picked = await page.evaluate((tags) => window.axe.run('#channels', { runOnly: tags, resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => v.id)), WCAG);
  assert.deepEqual(picked, []);
  assert.deepEqual(errors, []);
});
