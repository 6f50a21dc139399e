// Makes the README's picture of the inspector, collector/docs/inspector.png: a collector of its
// own (a temporary database, 127.0.0.1 only) seeded over its batch endpoint with three sessions of
// the demo shop in the last hour, then the inspector at 1280 px in headless Chromium, one
// session's journey open. Not a test: run it by hand when the inspector's look changes.
//
//   cargo build -p touchpoint-collector && node scripts/inspector-screenshot.mjs [out.png]
import path from 'node:path';
import { launch, root, startCollector, waitFor } from '../tests/e2e/harness.mjs';

const out = process.argv[2] || path.join(root, 'collector/docs/inspector.png');
const collector = await startCollector(['--inspector', path.join(root, 'collector/inspector'),
  '--uplot', path.join(root, 'node_modules/uplot/dist')]);
const browser = await launch();
try {
  let n = 0;
  const SESSIONS = {
    'sess-one': { channel: 'email', campaign: 'spring_sale', device: 'mobile' },
    'sess-two': { channel: 'paid_search', campaign: 'grinders', device: 'desktop' },
    'sess-three': { device: 'desktop' },
  };
  const ev = (session, name, minutesAgo, pathname, props = {}, extra = {}) => ({
    type: name === 'page_view' ? 'page' : 'track', event: name, messageId: `shot-${Date.now()}-${++n}`,
    timestamp: new Date(Date.now() - minutesAgo * 60_000).toISOString(), sessionId: session, site: 'demo-shop',
    properties: props,
    context: { page: { url: `http://127.0.0.1${pathname}`, path: pathname, title: 'Demo shop', referrer: '' },
      library: { name: 'touchpoint', version: '0.1.0' }, ...SESSIONS[session] },
    ...extra,
  });
  const tp = (props = {}) => ({ category: 'touchpoint', ...props });
  const fr = (selector, props = {}) => ({ category: 'friction', ...(selector ? { element: { selector, tag: 'button' } } : {}), ...props });
  const chip = '#grind > button.chip';
  const events = [
    ev('sess-one', 'page_view', 52, '/', tp({ navigation: 'load', channel: 'email', source: 'newsletter', medium: 'email', campaign: 'spring_sale' })),
    ev('sess-one', 'page_leave', 50, '/', tp({ path: '/', engaged_ms: 27_000, max_scroll_pct: 80, lcp_ms: 1900, cls_milli: 40, inp: 'good' })),
    ev('sess-one', 'identify', 49, '/product.html', {}, { type: 'identify', userId: 'c-1042' }),
    ev('sess-one', 'dead_click', 48, '/product.html', fr(chip, { waited_ms: 1000, clicks: 1 }), { userId: 'c-1042' }),
    ev('sess-one', 'add_to_cart', 47, '/product.html', { moment: true, currency: 'EUR', value: 24 }, { userId: 'c-1042' }),
    ev('sess-one', 'begin_checkout', 45, '/cart.html', { moment: true }, { userId: 'c-1042' }),
    ev('sess-one', 'purchase', 42, '/checkout.html', { moment: true, transaction_id: 'T-1001', currency: 'EUR', value: 24 }, { userId: 'c-1042' }),
    ev('sess-two', 'page_view', 25, '/product.html', tp({ navigation: 'load', channel: 'paid_search', source: 'google', medium: 'cpc', campaign: 'grinders', click_id: 'gclid' })),
    ev('sess-two', 'rage_click', 24, '/product.html', fr(chip, { count: 4, duration_ms: 1200 })),
    ev('sess-two', 'dead_click', 24, '/product.html', fr(chip, { waited_ms: 1000, clicks: 1 })),
    ev('sess-two', 'page_leave', 23.5, '/product.html', tp({ path: '/product.html', engaged_ms: 95_000, max_scroll_pct: 35, lcp_ms: 4600, cls_milli: 180, inp: 'poor', inp_ms: 640 })),
    ev('sess-two', 'add_to_cart', 23, '/product.html', { moment: true, currency: 'EUR', value: 18 }),
    ev('sess-two', 'begin_checkout', 22, '/cart.html', { moment: true }),
    ev('sess-two', 'js_error', 21, '/cart.html', fr(null, { message: 'coupon is undefined', during: 'begin_checkout' })),
    ev('sess-two', 'payment_declined', 20, '/checkout.html', fr(null, { reason: 'card_expired', during: 'begin_checkout' })),
    ev('sess-three', 'page_view', 8, '/', tp({ navigation: 'load', channel: 'direct' })),
  ];
  // More views of the home and product pages across the hour, two per 5 minutes: their vitals
  // over time (a slower release from 20 minutes ago: INP, then LCP, worse).
  for (let m = 55; m > 0; m -= 5) {
    for (const [i, p] of ['/', '/product.html'].entries()) {
      const inpMs = m < 20 && (i || m < 10) ? 320 : 0, lcp = m < 10 && i ? 3100 : 1700 + 100 * i;
      events.push(ev('sess-three', 'page_leave', m - i, p, tp({ path: p, engaged_ms: 20_000, max_scroll_pct: 60,
        lcp_ms: lcp, cls_milli: (m + 5 * i) % 15 ? 30 : 140, inp: inpMs ? 'needs-improvement' : 'good', ...(inpMs ? { inp_ms: inpMs } : {}) })));
    }
  }
  const r = await fetch(`${collector.url}/v1/batch`, { method: 'POST', body: JSON.stringify({ sentAt: new Date().toISOString(), batch: events }) });
  const answer = await r.json();
  if (answer.accepted !== events.length) throw new Error(`seeding: ${JSON.stringify(answer)}`);

  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  await page.goto(`${collector.url}/inspector?range=1h&session=sess-two`);
  await waitFor('the inspector and the journey', async () =>
    (await page.evaluate(() => (window.__inspector || {}).refreshes || 0)) >= 1
      && (await page.locator('#timeline li').count()) > 0 && (await page.isVisible('#vitals-chart .u-over')));
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: out, fullPage: true });
  console.log(`inspector-screenshot: wrote ${out}`);
  await context.close();
} finally {
  await browser.close();
  await collector.stop();
}
