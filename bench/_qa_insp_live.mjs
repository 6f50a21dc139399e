// QA (insp): an open inspector (live) while new sessions arrive: do the cards and funnel follow?
import { launch, waitFor } from '../tests/e2e/harness.mjs';
const [U] = process.argv.slice(2);
const site = 'live-shop';
const browser = await launch();
const iso = (ms) => new Date(ms).toISOString();
let n = 0;
const ev = (sid, name, ts) => ({ type: name === 'page_view' ? 'page' : 'track', event: name, messageId: `live-${Date.now()}-${++n}`, timestamp: iso(ts), sessionId: sid, site,
  properties: name === 'dead_click' ? { category: 'friction', element: { selector: '#x' } } : {}, context: { page: { url: 'http://x/', path: '/', title: '', referrer: '' }, library: { name: 't', version: '1' }, device: 'desktop', channel: 'direct' } });
const post = (batch) => fetch(U + '/v1/batch', { method: 'POST', body: JSON.stringify({ sentAt: iso(Date.now()), batch }) }).then((r) => r.json());
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const read = () => page.evaluate(() => [document.querySelector('[data-k=sessions]').textContent, document.querySelector('[data-k=friction]').textContent,
    Array.from(document.querySelectorAll('#funnel tbody tr')).map((r) => r.children[1].textContent).join(','),
    Array.from(document.querySelectorAll('#leaderboard tbody tr')).map((r) => r.textContent.replace(/\s+/g, ' ')).join(' / '),
    document.querySelectorAll('#session-list tbody tr[data-key]').length].join(' | '));
  const t0 = Date.now();
  await post([ev('live-a', 'page_view', t0 - 30000)]);
  await page.goto(U + '/inspector?site=' + site + '&range=1h');
  await waitFor('first', async () => (await read()).startsWith('1 '));
  console.log('start   ', await read());
  // session b: a purchase in order, one dead click; session a continues with add_to_cart
  console.log(JSON.stringify(await post([ev('live-b', 'page_view', t0 - 20000), ev('live-b', 'add_to_cart', t0 - 15000), ev('live-b', 'dead_click', t0 - 12000),
    ev('live-b', 'begin_checkout', t0 - 10000), ev('live-b', 'purchase', t0 - 5000), ev('live-a', 'add_to_cart', t0 - 1000)])));
  const want = '2 | 1 | 2,2,1,1';
  try { await waitFor('live update', async () => (await read()).startsWith(want), { timeout: 30000 }); console.log('updated ', await read(), `after ${Date.now() - t0} ms`); }
  catch (e) { console.log('NOT UPDATED within 30 s:', await read(), 'want', want); }
} finally { await browser.close(); }
