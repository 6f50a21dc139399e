// "Is this checkout's rage a Safari problem?": the collector reads each batch request's
// User-Agent into two coarse values (a browser family with its major version, an OS family) and
// the inspector groups sessions by them, lists a browser's sessions, and names them in a
// session's header. The SDK sends none of it: the batches here are posted as the browsers would
// post them, each with its own User-Agent header.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { inspectorCollector, launch, openInspector, waitFor } from './harness.mjs';
import { eventBuilders } from './inspector-events.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const T = { timeout: 120_000 };
const { ev, fr } = eventBuilders({ prefix: 'b', anonymous: () => null });

const UA = {
  safari: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
  chrome: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36',
  edge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86',
  instagram: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 356.0.3.27.92 (iPhone14,5; iOS 17_6_1; en_US; en; scale=3.00; 1170x2532; 653203452; IABMV/1)',
};
const PAY = '#checkout > button.pay';

async function send(url, ua, batch) {
  const r = await fetch(`${url}/v1/batch`, { method: 'POST', headers: { 'User-Agent': ua },
    body: JSON.stringify({ sentAt: new Date().toISOString(), batch }) });
  assert.equal(r.status, 200);
  assert.equal((await r.json()).accepted, batch.length);
}

const rows = (page) => page.$$eval('#channel-list tbody tr', (trs) => trs.map((r) => `${r.cells[0].textContent} ${r.cells[1].textContent}`));
const listed = (page) => page.$$eval('#session-list tbody tr', (trs) => trs.map((t) => t.dataset.session).sort());

test('sessions by browser and by OS, a browser\'s sessions, and a session\'s header naming them', T, async (t) => {
  const own = await inspectorCollector(t);
  // Two Safari sessions raged at the pay button; Chrome, Edge and Instagram's in-app browser did not.
  await send(own.url, UA.safari, [ev('sess-safari-1', 'page_view', 20, '/checkout'),
    fr('sess-safari-1', 'rage_click', 19, '/checkout', PAY, { count: 5 })]);
  await send(own.url, UA.safari, [ev('sess-safari-2', 'page_view', 18, '/checkout'),
    fr('sess-safari-2', 'rage_click', 17, '/checkout', PAY, { count: 4 })]);
  await send(own.url, UA.chrome, [ev('sess-chrome', 'page_view', 16, '/checkout'), ev('sess-chrome', 'purchase', 15, '/thanks')]);
  await send(own.url, UA.edge, [ev('sess-edge', 'page_view', 14, '/checkout')]);
  await send(own.url, UA.instagram, [ev('sess-insta', 'page_view', 13, '/checkout')]);

  const { page, errors, context } = await openInspector(t, browser, own.url);

  // By browser: most sessions first, each with its friction (the channels' figures).
  await page.selectOption('#seg-by', 'browser');
  await waitFor('the sessions by browser', async () =>
    (await rows(page)).join() === 'Safari 17 2,Chrome 131 1,Edge 131 1,Instagram 1', { timeout: 20_000 })
    .catch(async (e) => { throw new Error(`${e.message}; rows: ${(await rows(page)).join(' | ')}`); });
  assert.equal(await page.textContent('#seg-name'), 'Browser');
  const safari = await page.$$eval('#channel-list tbody tr[data-browser="Safari 17"] td', (tds) => tds.map((c) => c.textContent));
  assert.deepEqual(safari.slice(0, 4), ['Safari 17', '2', '100 %', '1']);
  assert.equal(await page.getAttribute('button.csv[data-table="channel-list"]', 'aria-label'), 'Download the browsers as CSV');
  // A browser's sessions, and the address says it.
  await page.click('#channel-list tbody tr[data-browser="Safari 17"]');
  await waitFor('Safari\'s sessions', async () => (await listed(page)).join() === 'sess-safari-1,sess-safari-2');
  assert.equal(new URL(page.url()).searchParams.get('by'), 'browser');
  assert.equal(new URL(page.url()).searchParams.get('browser'), 'Safari 17');
  assert.match(await page.textContent('#sessions-filter'), /^on Safari 17/);
  // Its CSV is named for what it holds.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button.csv[data-table="channel-list"]')]);
  assert.match(download.suggestedFilename(), /^touchpoint-browsers-\d{8}T\d{4}-\d{8}T\d{4}\.csv$/);
  assert.match(fs.readFileSync(await download.path()).subarray(3).toString('utf8'), /^"Browser","Sessions"/);

  // A session's header: "Safari 17 on iOS".
  await page.click('#session-list tbody tr[data-session="sess-safari-1"]');
  await waitFor('the Safari session\'s journey', async () => (await page.textContent('#session-id')) === 'sess-safari-1');
  assert.match(await page.textContent('#session-summary'), / · Safari 17 on iOS · /);

  // By OS: the iPhones' sessions (Safari and Instagram's) together.
  await page.selectOption('#seg-by', 'os');
  await waitFor('the sessions by OS', async () => (await rows(page)).join() === 'iOS 3,Android 1,Windows 1');
  assert.equal(await page.textContent('#seg-name'), 'OS');
  await page.click('#channel-list tbody tr[data-os="iOS"]');
  await waitFor('the iPhones\' sessions', async () => (await listed(page)).join() === 'sess-insta,sess-safari-1,sess-safari-2');
  assert.equal(new URL(page.url()).searchParams.get('os'), 'iOS');
  assert.equal(new URL(page.url()).searchParams.get('browser'), null, 'a browser picked is let go');

  // A link to the view opens it as it was.
  const again = await context.newPage();
  again.on('pageerror', (e) => errors.push(String(e)));
  await again.goto(`${own.url}/inspector?range=1h&by=browser&browser=Instagram&session=sess-insta`);
  await waitFor('the linked view', async () => (await listed(again)).join() === 'sess-insta' &&
    (await again.textContent('#session-id')) === 'sess-insta', { timeout: 30_000 });
  assert.match(await again.textContent('#session-summary'), / · Instagram on iOS · /);
  assert.equal(await again.inputValue('#seg-by'), 'browser');
  assert.deepEqual(errors, []);
});
