// The npm package as built into dist/npm/ (its index.js served as is, an ES module in the
// browser): init() with data-* names as options, the client's calls queued before the wasm has
// loaded, consent state, and the wasm found next to the module through import.meta.url.
// tests/bundlers/bundlers.test.mjs runs the same package through Vite and webpack.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { closeTab, launch, root, serveFixture, startCollector, waitFor } from './harness.mjs';

let collector, browser;
before(async () => { [collector, browser] = await Promise.all([startCollector(), launch()]); });
after(async () => { await browser?.close(); await collector?.stop(); });

test('init() returns the client: consent, track, page, flush, getConsent, getIds, consentState, onConsent', { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  const errors = [], warnings = [];
  page.on('pageerror', (e) => errors.push(e));
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  const url = await serveFixture(page, collector.url, `<!doctype html><title>App</title>
<script type="module">
  import { init, track as namedTrack } from '/touchpoint/npm/index.js';
  // Calls made before the SDK loads are queued by the stub and replayed in order.
  const options = { site: 'npm-app', consent: 'pending', flushInterval: 500, friction: 'off', journey: 'off' };
  const tp = init(options);
  // A second init is a no-op returning the client: silent with the same options (React's
  // StrictMode runs an effect twice), its options said to be ignored with others.
  window.again = init({ ...options }) === tp && init({ site: 'other' }) === tp;
  window.seen = [];
  tp.onConsent((s) => window.seen.push(s.analytics));
  tp.track('signed_up', { plan: 'pro' });
  window.ready = tp.getConsent().then((before) => {
    tp.consent({ analytics: true });
    return Promise.all([tp.getConsent(), tp.getIds()]).then(([afterGrant, ids]) => ({ before, afterGrant, ids, sync: tp.consentState() }));
  });
  window.later = () => { namedTrack('upgrade', { to: 'team' }); tp.page({ section: 'billing' }); tp.flush(); };
</script>`, 'app.html');
  await page.goto(url);
  const states = await page.evaluate(() => window.ready);
  assert.equal(states.before.analytics, 'pending');
  assert.equal(states.afterGrant.analytics, 'granted');
  assert.equal(states.sync.analytics, 'granted');
  assert.equal(await page.evaluate(() => window.again), true);
  assert.deepEqual(warnings.filter((w) => /already started/.test(w)).map((w) => w.replace(/.*ignored: /, '')), ['site'], warnings.join(' | '));
  assert.deepEqual(await page.evaluate(() => window.seen), ['pending', 'granted']);
  assert.equal(await page.evaluate(() => window.touchpoint.ready), true);
  // The wasm came from next to the module.
  assert.equal(await page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => e.name.endsWith('/touchpoint/npm/touchpoint_bg.wasm')).length), 1);
  await page.evaluate(() => window.later());
  const events = await waitFor('5 events', async () => {
    const ev = await collector.events('&site=npm-app');
    return ev.length >= 5 && ev;
  });
  assert.deepEqual(events.map((e) => e.event).sort(), ['consent_change', 'page_view', 'page_view', 'signed_up', 'upgrade']);
  assert.deepEqual(events.find((e) => e.event === 'signed_up').properties, { plan: 'pro' });
  // getIds: the session its events carry (no anonymous id without marketing, no customer).
  assert.match(states.ids.sessionId, /^[0-9a-f-]{36}$/);
  assert.deepEqual(states.ids, { sessionId: events[0].sessionId, anonymousId: null, userId: null });
  assert.ok(events.every((e) => e.sessionId === states.ids.sessionId));
  assert.equal(events.filter((e) => e.event === 'page_view' && e.properties.section === 'billing').length, 1);
  assert.deepEqual(await collector.events('&site=other'), []);
  assert.deepEqual(errors, []);
  await closeTab(page);
});

// The Segment call shapes the command function takes (a callback last; page(category, name,
// properties)) through the package's client: its track, page and identify forwarded two
// arguments, so the callback was never called and the page's properties were lost (a QA).
test('the client takes the Segment call shapes: a callback last is called, page(category, name, properties)', { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  const url = await serveFixture(page, collector.url, `<!doctype html><title>App</title>
<script type="module">
  import { init } from '/touchpoint/npm/index.js';
  const tp = init({ site: 'npm-segment', consent: 'granted', flushInterval: 500, friction: 'off', journey: 'off' });
  window.called = Promise.all([
    new Promise((r) => tp.track('seg_npm', { a: 1 }, {}, () => r('track'))),
    new Promise((r) => tp.page('Docs', 'Pricing', { plan: 'pro' }, () => r('page'))),
    new Promise((r) => tp.identify('u-1', { plan: 'gold' }, {}, () => r('identify'))),
  ]).then((x) => { tp.flush(); return x; });
</script>`, 'segment.html');
  await page.goto(url);
  assert.deepEqual(await page.evaluate(() => window.called), ['track', 'page', 'identify']);
  // (The page view made before the start is the page's: it takes the automatic view's place.)
  const events = await waitFor('the track and the page view', async () => {
    const ev = await collector.events('&site=npm-segment');
    return ev.some((e) => e.event === 'seg_npm') && ev.some((e) => e.event === 'page_view') && ev;
  });
  assert.deepEqual(events.find((e) => e.event === 'seg_npm').properties, { a: 1 });
  const named = events.find((e) => e.event === 'page_view' && e.properties.name);
  assert.equal(named.properties.name, 'Pricing');
  assert.equal(named.properties.plan, 'pro');
  assert.deepEqual(errors, []);
  await closeTab(page);
});

// esbuild's default browser format (an IIFE) makes import.meta an empty object, silently: the
// package knew neither file's address, init() threw inside, and getIds() never answered (an
// app awaiting it in its checkout hung: a TypeScript developer's QA). Now one warning says
// what to do, the client's calls are answered as when the wasm cannot load, and wasmUrl works.
test('a bundle without import.meta.url (esbuild\'s iife): one warning, getIds() and getConsent() answer, callbacks are called; with wasmUrl it starts', { timeout: 120_000 }, async () => {
  const iife = fs.readFileSync(path.join(root, 'dist/npm/index.js'), 'utf8').replaceAll('import.meta.url', '({}).url');
  for (const [name, options, expectReady] of [['no-url', '{ site: "npm-iife", consent: "granted" }', false],
    ['with-url', '{ site: "npm-iife2", consent: "granted", wasmUrl: "/touchpoint/npm/touchpoint_bg.wasm" }', true]]) {
    const page = await browser.newPage();
    const errors = [], warnings = [];
    page.on('pageerror', (e) => errors.push(e));
    page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    await page.route('**/iife/index.js', (r) => r.fulfill({ status: 200, contentType: 'text/javascript', body: iife }));
    const url = await serveFixture(page, collector.url, `<!doctype html><title>App</title>
<script type="module">
  import { init } from '/iife/index.js';
  const tp = init(${options});
  window.answered = Promise.all([tp.getIds(), tp.getConsent(), new Promise((r) => tp.track('x', {}, {}, () => r('called')))]);
</script>`, `iife-${name}.html`);
    await page.goto(url);
    const [ids, consent, called] = await page.evaluate(() => window.answered);
    assert.equal(called, 'called');
    if (expectReady) {
      assert.match(ids.sessionId, /^[0-9a-f-]{36}$/, name);
      assert.equal(consent.analytics, 'granted');
      await waitFor('the SDK ready', () => page.evaluate(() => window.touchpoint.ready === true));
    } else {
      assert.deepEqual(ids, { sessionId: null, anonymousId: null, userId: null });
      assert.deepEqual(consent, { analytics: 'pending', marketing: 'pending' });
      assert.equal(warnings.filter((w) => /touchpoint: could not start.*wasmUrl/.test(w)).length, 1, warnings.join(' | '));
    }
    assert.deepEqual(errors, [], name);
    await closeTab(page);
  }
});

// A shop whose tag manager inserted the script tag before the app's bundle ran: the app's
// init() finds Touchpoint started. Its client still knows the consent state (told before it
// listened), calls onConsent's listener with it, installs its beforeSend, and says that its other
// options are ignored; a second copy of the package (a micro-frontend's) knows the state too.
test('init() after the script tag started Touchpoint: consent state known, onConsent called, beforeSend installed, the other options said to be ignored', { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  const errors = [], warnings = [];
  page.on('pageerror', (e) => errors.push(e));
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  const url = await serveFixture(page, collector.url, `<!doctype html><title>Tagged app</title>
<script src="/touchpoint/touchpoint.js" data-collector="/v1/batch" data-site="npm-tagged" data-consent="granted" data-flush-interval="300"></script>
<script>window.app = () => import('/touchpoint/npm/index.js').then(({ init }) => {
  const tp = init({ site: 'npm-tagged', sampleRate: 50, beforeSend: (e) => { e.properties.from_hook = true; return e; } });
  window.seen = [];
  tp.onConsent((c) => window.seen.push(c.analytics));
  return import('/touchpoint/npm/index.js?copy=2').then((copy) => ({ state: tp.consentState(), copy: copy.consentState() }));
});</script>`, 'tagged.html');
  await page.goto(url);
  await waitFor('the tag started Touchpoint', () => page.evaluate(() => window.touchpoint && window.touchpoint.ready === true));
  const got = await page.evaluate(() => window.app());
  assert.deepEqual(got, { state: { analytics: 'granted', marketing: 'pending' }, copy: { analytics: 'granted', marketing: 'pending' } });
  assert.deepEqual(await page.evaluate(() => window.seen), ['granted']);
  assert.ok(warnings.some((w) => /already started.*ignored: site, sampleRate$/.test(w)), warnings.join(' | '));
  await page.evaluate(() => { window.touchpoint('track', 'after_init'); window.touchpoint('flush'); });
  const ev = await waitFor('after_init stored', async () => (await collector.events('&site=npm-tagged')).find((e) => e.event === 'after_init'));
  assert.equal(ev.properties.from_hook, true, 'the hook given to init() ran');
  assert.deepEqual(errors, []);
  await closeTab(page);
});

// An Angular app: zone.js runs each callback in the zone it was registered in, and Angular checks
// the whole app after every task of its own zone. The app starts Touchpoint from its code (init()
// in a component, inside that zone), calls it and routes there; then the visitor scrolls, clicks
// and types. No listener, timer, observer or promise callback of Touchpoint's may run in the
// app's zone: each would be a check of the whole app, at every scroll event.
test('in an Angular app (zone.js), started and called from the app\'s zone, Touchpoint runs no task in that zone', { timeout: 120_000 }, async () => {
  const zone = fs.readFileSync(path.join(root, 'node_modules/zone.js/bundles/zone.umd.min.js'), 'utf8');
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  const url = await serveFixture(page, collector.url, `<!doctype html><title>Angular app</title>
<script>${zone}</script>
<script>
  // The app's zone, forked as Angular's NgZone forks it; the tasks run in it, by kind and source.
  window.inApp = [];
  window.appZone = Zone.current.fork({ name: 'angular', onInvokeTask: function (d, c, t, task, self, args) {
    window.inApp.push(task.type + ' ' + task.source);
    return d.invokeTask(t, task, self, args);
  } });
</script>
<script type="module">
  import { init } from '/touchpoint/npm/index.js';
  appZone.run(() => { window.tp = init({ site: 'npm-zone', consent: 'granted', flushInterval: 300 }); });
</script>
<main style="height: 3000px"><button id="add" type="button">Add to cart</button> <input id="q" type="search"></main>`, 'zone.html');
  await page.goto(url);
  await waitFor('Touchpoint started', () => page.evaluate(() => window.touchpoint && window.touchpoint.ready === true));
  await page.evaluate(() => { window.inApp = []; });
  // The app's own calls, from its zone: an event, a route change, a flush.
  await page.evaluate(() => appZone.run(() => {
    window.tp.track('viewed_offer', { id: 'o-1' });
    history.pushState({}, '', '/offers');
    window.tp.flush();
  }));
  await page.mouse.move(100, 100);
  for (let i = 0; i < 5; i++) await page.mouse.wheel(0, 300);
  await page.click('#add');
  await page.click('#q');
  await page.keyboard.type('mug');
  await waitFor('the route change and the event sent', async () => {
    const ev = await collector.events('&site=npm-zone');
    return ev.some((e) => e.event === 'viewed_offer') && ev.some((e) => e.event === 'page_view' && e.context.page.path === '/offers');
  }, { timeout: 30_000 });
  await page.waitForTimeout(1_500); // (timers Touchpoint set meanwhile fire)
  assert.deepEqual(await page.evaluate(() => window.inApp), [], 'no task of Touchpoint\'s in the app\'s zone');
  assert.deepEqual(errors, []);
  await closeTab(page);
});
