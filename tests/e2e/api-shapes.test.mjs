// Calls written as Segment's and PostHog's APIs take them, as a port by search and replace keeps
// them (migration QA): a callback last, Segment's page(category, name, properties), a number as
// the user id.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeTab, launch, sdkReady, serveFixture, startCollector, waitFor } from './harness.mjs';

let collector, browser;
before(async () => { [collector, browser] = await Promise.all([startCollector(), launch()]); });
after(async () => { await browser?.close(); await collector?.stop(); });

const STUB = 'window.touchpoint=window.touchpoint||function(){(touchpoint.q=touchpoint.q||[]).push(arguments)};';
const page = (site) => `<!doctype html><html><head><meta charset="utf-8"><title>Docs</title><script>${STUB}
window.done = [];
touchpoint('page', 'Docs', 'Intro', { n: 2 }, {}, function () { done.push('queued page'); });
</script>
<script async src="/touchpoint/touchpoint.js" data-collector="/v1/batch" data-site="${site}" data-consent="granted" data-flush-interval="300"></script>
</head><body><p>Docs</p></body></html>`;

test('Segment-shaped calls: callbacks are called, page(category, name, props) is the page view, a numeric user id is taken', async () => {
  const site = 'shapes';
  const tab = await browser.newPage();
  const warnings = [];
  tab.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  await tab.goto(await serveFixture(tab, collector.url, page(site), 'shapes.html'));
  await sdkReady(tab);
  await tab.evaluate(() => {
    touchpoint('identify', 12345, { plan: 'gold' }, {}, () => done.push('identify'));
    touchpoint('track', 'checkout_clicked', { step: 1 }, { integrations: { All: false } }, () => done.push('track'));
    touchpoint('track', 'no_props', () => done.push('track without properties'));
  });
  await waitFor('the callbacks', () => tab.evaluate(() => window.done.length === 4));
  assert.deepEqual((await tab.evaluate(() => window.done)).sort(), ['identify', 'queued page', 'track', 'track without properties']);
  const ev = await waitFor('the events', async () => {
    const e = await collector.events(`&site=${site}`);
    return ['page_view', 'checkout_clicked', 'no_props'].every((n) => e.some((x) => x.event === n)) && e;
  });
  const views = ev.filter((e) => e.event === 'page_view');
  assert.equal(views.length, 1, 'the queued page call is the page view');
  assert.equal(views[0].properties.name, 'Intro');
  assert.equal(views[0].properties.n, 2);
  assert.equal(views[0].properties.category, 'touchpoint');
  const clicked = ev.find((e) => e.event === 'checkout_clicked');
  assert.equal(clicked.userId, '12345');
  assert.equal(clicked.properties.step, 1);
  // An id with the spaces and line break a template left around it is the id.
  await tab.evaluate(() => { touchpoint('identify', ' c-7\n'); touchpoint('track', 'after_trim'); });
  const trimmed = await waitFor('the event after identify', async () =>
    (await collector.events(`&site=${site}`)).find((e) => e.event === 'after_trim'));
  assert.equal(trimmed.userId, 'c-7');
  assert.deepEqual(warnings.filter((w) => /touchpoint/.test(w)), []);
  await closeTab(tab);
});

// The SDK could not start (an ad blocker refused the wasm): a callback the page waits for is still
// called, as getIds' and getConsent's are.
test('the SDK off (its wasm blocked): callbacks of queued and later calls are still called', async () => {
  const tab = await browser.newPage();
  await tab.route(/touchpoint_bg.*\.wasm/, (route) => route.abort());
  await tab.goto(await serveFixture(tab, collector.url, page('shapes-off'), 'shapes-off.html'));
  await waitFor('the queued call\'s callback', () => tab.evaluate(() => window.done.includes('queued page')));
  await tab.evaluate(() => touchpoint('track', 'x', {}, () => done.push('later')));
  await waitFor('the later call\'s callback', () => tab.evaluate(() => window.done.includes('later')));
  await closeTab(tab);
});
