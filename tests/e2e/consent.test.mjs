// Consent, end to end: what the visitor has not agreed to never leaves the browser and never
// touches storage; grants release the buffered touchpoints once, in order, with their capture
// times; revocations (from the page or from a TCF CMP) take effect at once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertUniqueIds, closeTab, fixture, launch, sdkReady, serveFixture, startCollector, waitFor } from './harness.mjs';
import {
  EMPTY_STORAGE, fakeCmp, getConsent, getIds, gpcOn, instrumentStorage, proveIdle, recordContextBatches, rewriteDemo,
  shoppingSession, snippetAttrs, snippetRewrite, startProxy, staysQuiet, storageSnapshot, tpKeys, waitForConsent, wireEvents,
} from './observe.mjs';

let collector, browser;
before(async () => { [collector, browser] = await Promise.all([startCollector(), launch()]); });
after(async () => { await browser?.close(); await collector?.stop(); });

const T = { timeout: 120_000 };

/** A fresh browser context talking to the collector through its own recording proxy (a fresh
 * origin, so fresh storage). `batches`: every request that reached /v1/batch (authoritative,
 * beacons from navigating documents included); `pwBatches`: what Playwright saw. */
async function session(t, init = async () => {}) {
  const proxy = await startProxy(collector.url);
  const context = await browser.newContext();
  t.after(async () => { await context.close(); await proxy.close(); });
  await init(context);
  const pwBatches = recordContextBatches(context);
  return { base: proxy.url, batches: proxy.batches, pwBatches, context };
}

/** Console lines and page errors that show Touchpoint died (a dead SDK also sends nothing). */
function watchHealth(target) {
  const problems = [];
  target.on('console', (m) => { if (/touchpoint: (disabled|could not load)/.test(m.text())) problems.push(m.text()); });
  target.on('weberror', (e) => problems.push(`pageerror: ${e.error().message}`));
  return problems;
}

/** Waits until the collector holds events of `site` matching `pred` (all of them by default). */
async function stored(site, what, pred = (ev) => ev.length > 0, timeout = 30_000) {
  return waitFor(what, async () => {
    const ev = await collector.events(`&site=${site}`);
    return pred(ev) && ev;
  }, { timeout });
}

// ---------------------------------------------------------------------------------------------
// 1. Nothing sent, nothing stored, for a whole shopping session without consent.

const zeroScenarios = [
  { name: 'consent pending (the demo as is)', site: 'zero-pending', consent: 'pending', expect: { analytics: 'pending' } },
  { name: 'consent denied by the page', site: 'zero-denied', consent: 'denied', expect: { analytics: 'denied', marketing: 'denied' } },
  {
    name: 'Global Privacy Control on, page asks for marketing', site: 'zero-gpc', consent: 'pending', gpc: true,
    // The page grants marketing (both spellings) on every page; GPC must keep it denied, and
    // analytics stays pending, so still nothing may be sent or stored.
    onPage: async (page) => {
      await page.evaluate(() => { window.touchpoint('consent', { marketing: true }); window.touchpoint('consent', { ad_storage: 'granted' }); });
    },
    expect: { analytics: 'pending', marketing: 'denied' },
  },
  { name: 'TCF CMP answering with no purposes', site: 'zero-tcf', consent: 'tcf', tcf: { purposes: [] }, expect: { analytics: 'denied', marketing: 'denied' } },
];

for (const sc of zeroScenarios) {
  test(`no consent, no requests and no storage writes in a whole shopping session: ${sc.name}`, T, async (t) => {
    let counters;
    const { base, batches, pwBatches, context } = await session(t, async (c) => {
      if (sc.gpc) await c.addInitScript(gpcOn);
      if (sc.tcf) await c.addInitScript(fakeCmp, sc.tcf);
      counters = await instrumentStorage(c);
    });
    const problems = watchHealth(context);
    const routes = await rewriteDemo(context, base,
      snippetRewrite({ site: sc.site, consent: sc.consent, 'flush-interval': '1000' }));

    const page = await context.newPage();
    // Before: a page of the same origin without Touchpoint.
    await page.goto(`${base}/healthz`);
    const before = await storageSnapshot(page);
    assert.deepEqual(before, EMPTY_STORAGE, 'a fresh context starts with empty storage');

    const consentSeen = [];
    const visited = await shoppingSession(page, base, {
      onPage: async (p, path) => {
        const attrs = await snippetAttrs(p);
        assert.equal(attrs.consent, sc.consent, `${path}: the snippet was rewritten`);
        assert.equal(attrs.site, sc.site);
        if (sc.gpc) assert.equal(await p.evaluate(() => navigator.globalPrivacyControl), true);
        if (sc.onPage) await sc.onPage(p);
        try {
          consentSeen.push({ path, consent: await waitForConsent(p, sc.expect, 15_000) });
        } catch (e) {
          consentSeen.push({ path, error: e.message });
        }
        if (sc.tcf) consentSeen.push({ path, tcfCalls: await p.evaluate(() => window.__tcfFake.calls) });
      },
    });
    assert.deepEqual(visited, ['/', '/product.html', '/cart.html', '/checkout.html', '/thanks.html']);
    assert.equal(routes.rewritten, 5, `every demo page was rewritten (unchanged: ${routes.unchanged})`);

    // The last page: the SDK answers, is asked to flush, and well past its 1 s flush
    // interval still nothing has gone out.
    await proveIdle(page, 2_500);
    assert.deepEqual(batches, [], 'no request reached /v1/batch during the session');
    assert.deepEqual(pwBatches, [], 'and the browser issued none');
    const after = await storageSnapshot(page);
    await closeTab(page); // pagehide/visibilitychange: the beacon path

    // After the tab is gone: no beacon, nothing stored, nothing written on the way out.
    const check = await context.newPage();
    await check.goto(`${base}/healthz`);
    await staysQuiet('a batch request after the tab closed', async () => batches.length || (await collector.events(`&site=${sc.site}`)).length, 1_500);
    assert.deepEqual([...batches, ...pwBatches], [], 'no request to /v1/batch after the tab closed either');
    assert.equal((await collector.events(`&site=${sc.site}`)).length, 0, 'the collector stored nothing');
    const afterClose = await storageSnapshot(check);
    const writes = await counters.all(check);
    assert.deepEqual(writes, [], 'no storage API was written to (localStorage, sessionStorage, cookie, IndexedDB, caches), no Web Lock requested');
    assert.deepEqual(after, before, 'storage unchanged during the session');
    assert.deepEqual(afterClose, before, 'storage unchanged after the tab closed');
    assert.deepEqual(problems, [], 'Touchpoint stayed alive and the page threw nothing');

    // Consent as the SDK reported it on each page.
    for (const c of consentSeen) assert.ok(!c.error, `${c.path}: ${c.error}`);
    if (sc.tcf) {
      for (const c of consentSeen.filter((x) => x.tcfCalls)) {
        assert.ok(c.tcfCalls.some((k) => k.command === 'addEventListener' && k.version === 2),
          `${c.path}: the SDK registered with __tcfapi('addEventListener', 2, ...): ${JSON.stringify(c.tcfCalls)}`);
      }
    }
    await check.close();
  });
}

// ---------------------------------------------------------------------------------------------
// 2. Grant mid-session.

test('a grant mid-session delivers the buffered touchpoints exactly once, in capture order, with their capture times', T, async (t) => {
  const site = 'grant-mid';
  const { base, batches, pwBatches, context } = await session(t);
  const page = await context.newPage();
  const url = await serveFixture(page, base, fixture({ site, consent: 'pending', 'flush-interval': '1000' },
    '<button id="c1">One</button><button id="c2">Two</button><a id="c3" href="#three">Three</a><span id="plain">plain</span>'));
  await page.goto(url);
  await sdkReady(page);

  // Capture order: page_view (at load), then these, alternating clicks and custom events.
  for (const [i, id] of ['c1', 'c2', 'c3'].entries()) {
    await page.click(`#${id}`);
    await page.evaluate((seq) => window.touchpoint('track', 'step', { seq }), i + 1);
  }
  await page.click('#plain'); // not a touchpoint
  const expectedOrder = ['page_view', 'click:c1', 'step:1', 'click:c2', 'step:2', 'click:c3', 'step:3'];

  assert.equal((await proveIdle(page, 2_500)).analytics, 'pending');
  assert.deepEqual([...batches, ...pwBatches], [], 'nothing sent while pending, even past the flush interval and on flush');

  const grantAt = await page.evaluate(() => { const t = Date.now(); window.touchpoint('consent', { analytics: true }); return t; });
  const label = (e) => (e.event === 'click' ? `click:${e.properties.element.id}` : e.event === 'step' ? `step:${e.properties.seq}` : e.event);

  await stored(site, `${expectedOrder.length + 1} events`, (ev) => ev.length >= expectedOrder.length + 1);
  await proveIdle(page, 2_000); // any stray resend would happen now
  const events = await collector.events(`&site=${site}`);
  assertUniqueIds(assert, events);
  assert.deepEqual(events.map(label).sort(), [...expectedOrder, 'consent_change'].sort(), 'each touchpoint stored exactly once, nothing else');

  // On the wire: each event sent exactly once, the buffered ones in capture order, before the
  // consent change.
  const wire = wireEvents(batches);
  assert.deepEqual(wire.map(label), [...expectedOrder, 'consent_change'], 'sent once each, in capture order');

  const byLabel = new Map(events.map((e) => [label(e), e]));
  const times = expectedOrder.map((l) => Date.parse(byLabel.get(l).timestamp));
  for (let i = 1; i < times.length; i++) {
    assert.ok(times[i - 1] <= times[i], `timestamps follow capture order: ${expectedOrder[i - 1]} ${byLabel.get(expectedOrder[i - 1]).timestamp} <= ${expectedOrder[i]} ${byLabel.get(expectedOrder[i]).timestamp}`);
  }
  for (const [i, l] of expectedOrder.entries()) assert.ok(times[i] < grantAt, `${l} keeps its capture time, before the grant (${byLabel.get(l).timestamp} < ${new Date(grantAt).toISOString()})`);
  const change = byLabel.get('consent_change');
  assert.ok(Date.parse(change.timestamp) >= grantAt, 'the consent change is stamped at the grant');
  assert.ok(times.every((x) => x < Date.parse(change.timestamp)));
  assert.equal(change.properties.analytics, 'granted');
  assert.equal(change.properties.marketing, 'pending');
  assert.ok(typeof change.properties.source === 'string' && change.properties.source !== 'tcf', `source of a page call: ${change.properties.source}`);
  await closeTab(page);
});

// ---------------------------------------------------------------------------------------------
// 3. Revoke with events queued.

test('revoking analytics purges the queue at once: nothing queued is ever sent, not on flush, not on tab close; no tp: key remains', T, async (t) => {
  const site = 'revoke-queued';
  let counters;
  const { base, batches, pwBatches, context } = await session(t, async (c) => { counters = await instrumentStorage(c); });
  const page = await context.newPage();
  // Ten minutes and 100 events: nothing goes out by time or size during this test.
  const url = await serveFixture(page, base, fixture({ site, consent: 'granted', 'flush-interval': '600000', 'batch-size': '100' },
    '<button id="b">Buy</button><a id="l" href="#x">Link</a>'));
  await page.goto(url);
  await sdkReady(page);
  for (let i = 0; i < 3; i++) {
    await page.click('#b');
    await page.click('#l');
    await page.evaluate((n) => window.touchpoint('track', 'queued_before_revoke', { n }), i);
  }
  // page_view + 9: all persisted as the unsent queue (groups of events, one JSON event a line).
  const persisted = await waitFor('10 queued events in localStorage', async () => {
    const events = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tp:q:'))
      .flatMap((k) => localStorage.getItem(k).split('\n').map((line) => JSON.parse(line))));
    return events.length >= 10 && events;
  }, { timeout: 20_000 });
  assert.equal(persisted.filter((e) => e.event === 'queued_before_revoke').length, 3, 'the custom events are in the stored queue');
  assert.deepEqual([...batches, ...pwBatches], [], 'nothing sent yet');
  const queuedIds = new Set(persisted.map((e) => e.messageId));

  const before = await counters.all(page);
  // The instrumentation sees the lock request that a grant allows (so "none" elsewhere means none).
  assert.ok(before.some((w) => w.api === 'navigator.locks.request'), 'the granted page asked for its Web Lock');
  const writesBefore = before.length;
  const left = await page.evaluate(() => {
    window.touchpoint('consent', { analytics: false });
    return Object.keys(localStorage).filter((k) => k.startsWith('tp:'));
  });
  assert.deepEqual(left, [], 'every tp: key is removed at once, inside the consent call');
  assert.equal((await getConsent(page)).analytics, 'denied');

  // More activity after the revoke, an explicit flush, then the tab closes (beacon path).
  await page.click('#b');
  await page.evaluate(() => window.touchpoint('track', 'after_revoke'));
  await proveIdle(page, 1_500);
  assert.deepEqual([...batches, ...pwBatches], [], 'nothing sent after the revoke, even on flush');
  assert.deepEqual(await tpKeys(page), []);
  await closeTab(page);

  const check = await context.newPage();
  await check.goto(`${base}/healthz`);
  await staysQuiet('a batch request after the revoke', async () => batches.length || (await collector.events(`&site=${site}`)).length, 2_000);
  assert.deepEqual([...batches, ...pwBatches].map((b) => b.type), [], 'no batch request at all, beacon included');
  assert.deepEqual(wireEvents([...batches, ...pwBatches]).filter((e) => queuedIds.has(e.messageId)), []);
  assert.deepEqual(await tpKeys(check), [], 'no tp: key after the tab closed');
  const late = (await counters.all(check)).slice(writesBefore)
    .filter((w) => /setItem|cookie|indexedDB\.open|caches\.open|cookieStore\.set|navigator\.locks/.test(w.api));
  assert.deepEqual(late, [], 'no storage write and no Web Lock request after the revoke (removals only)');
  await check.close();
});

// A withdrawal's own click ("Reject all"), sensed while granted and not yet handed over, was
// handed over first and sent at once (a moment of truth earlier on the page asks for a send at
// each hand-over), ahead of the withdrawal, with the anonymousId (a DPO's QA). The consent goes
// first: the click is dropped with the rest of the queue.
test('a withdrawal sends nothing sensed before it and not yet sent: not its own "Reject all" click, after a moment of truth', T, async (t) => {
  const site = 'revoke-own-click';
  const { base, batches, pwBatches, context } = await session(t);
  const page = await context.newPage();
  const html = fixture({ site, consent: 'granted', 'flush-interval': '600000' },
    `<button id="buy" onclick="touchpoint('track','add_to_cart',{value:12,currency:'EUR'})">Add to cart</button>
     <button id="reject" onclick="touchpoint('consent',{analytics:false,marketing:false})">Reject all</button><a id="next" href="/next.html">Next</a>`);
  const url = await serveFixture(page, base, html);
  await serveFixture(page, base, html, 'next.html');
  // (A page before, left: its beacon's events are still unconfirmed on the next, which kept
  // the moment's send asked for: see outbox::Outbox::on_result.)
  await page.goto(url);
  await sdkReady(page);
  await page.click('#next');
  await page.waitForURL(/next\.html$/);
  await sdkReady(page);
  await page.click('#buy');
  await stored(site, 'the add_to_cart, sent at once', (ev) => ev.some((e) => e.event === 'add_to_cart'));
  await page.click('#reject');
  assert.equal((await getConsent(page)).analytics, 'denied');
  await proveIdle(page, 1_500);
  const sent = wireEvents([...batches, ...pwBatches]);
  assert.deepEqual(sent.filter((e) => e.properties?.element?.id === 'reject'), [], 'the withdrawal\'s click is never sent');
  assert.deepEqual((await collector.events(`&site=${site}`)).filter((e) => e.event === 'click' && e.properties?.element?.id === 'reject'), []);
  assert.deepEqual(await tpKeys(page), []);
});

// "Reject", then "Accept" (and "Accept", "Reject", "Accept") on a landing page that fits on one
// screen: its view, taken at the grant, had no channel, and the grant read the page's 100 % as a
// scroll, 25 to 100 % of scroll_depth never scrolled (a React developer's QA).
test('a grant after a Reject: the landing view keeps its channel, and a page never scrolled has no scroll_depth', T, async (t) => {
  const { base, context } = await session(t);
  for (const [site, answers] of [['regrant-deny-grant', [false, true]], ['regrant-grant-deny-grant', [true, false, true]]]) {
    const page = await context.newPage();
    await page.goto(await serveFixture(page, base, fixture({ site, consent: 'pending', 'flush-interval': '300' }, '<h1>Short page</h1>')));
    await sdkReady(page);
    for (const [i, yes] of answers.entries()) {
      await page.evaluate((yes) => touchpoint('consent', { analytics: yes, marketing: false }), yes);
      // (A grant answered later: what it granted was sent meanwhile.)
      if (yes && i < answers.length - 1) await stored(site, 'the view', (e) => e.some((x) => x.event === 'page_view'));
    }
    await page.evaluate(() => touchpoint('track', 'regranted'));
    const ev = await stored(site, 'the marker', (e) => e.some((x) => x.event === 'regranted'));
    const views = ev.filter((e) => e.event === 'page_view');
    assert.equal(views.length, 1, JSON.stringify(ev.map((e) => e.event)));
    assert.equal(views[0].properties.channel, 'direct', JSON.stringify(views[0].properties));
    assert.deepEqual(ev.filter((e) => e.event === 'scroll_depth'), []);
    await page.close();
  }
});

// A banner that asks on every page (no data-remember-consent): "Accept" on one page, "Reject"
// on the next. The first page's unconfirmed queue lines (with the anonymousId) and the session
// stayed in storage, since the second page, pending, had stored nothing (a DPO's QA).
test('a denial on a later page removes what an earlier page of the visit stored under its grant', T, async (t) => {
  const site = 'deny-later-page';
  const { base, context } = await session(t);
  const page = await context.newPage();
  const html = fixture({ site, consent: 'pending', 'flush-interval': '600000' }, '<button id="b">Buy</button><a id="next" href="/next.html">Next</a>');
  const url = await serveFixture(page, base, html);
  await serveFixture(page, base, html, 'next.html');
  await page.goto(url);
  await sdkReady(page);
  await page.evaluate(() => touchpoint('consent', { analytics: true, marketing: true }));
  await page.click('#b');
  await waitFor('the grant\'s storage', async () => (await tpKeys(page)).length > 0);
  await page.click('#next');
  await page.waitForURL(/next\.html$/);
  await sdkReady(page);
  assert.equal((await getConsent(page)).analytics, 'pending');
  const kept = await page.evaluate(() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)].filter((k) => k.startsWith('tp:')));
  assert.ok(kept.length > 0, 'the first page left tp: keys (the test proves their removal)');
  await page.evaluate(() => touchpoint('consent', { analytics: false, marketing: false }));
  assert.deepEqual(await page.evaluate(() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)].filter((k) => k.startsWith('tp:'))), []);
});

// ---------------------------------------------------------------------------------------------
// 4. Marketing: the anonymous id lives and dies with marketing consent; GPC forbids it.

test('marketing consent stores tp:aid and stamps anonymousId; withdrawing it removes both; getIds gives the page the ids events carry', T, async (t) => {
  const site = 'marketing';
  const { base, context } = await session(t);
  const page = await context.newPage();
  const url = await serveFixture(page, base, fixture({ site, consent: 'pending', 'flush-interval': '1000' }));
  await page.goto(url);
  await sdkReady(page);
  assert.deepEqual(await tpKeys(page), [], 'nothing stored before consent');
  const none = { sessionId: null, anonymousId: null, userId: null };
  assert.deepEqual(await getIds(page), none, 'no id for the page before consent');

  await page.evaluate(() => window.touchpoint('consent', { analytics: true, marketing: true }));
  const aid = await waitFor('tp:aid stored', () => page.evaluate(() => localStorage.getItem('tp:aid')), { timeout: 20_000 });
  assert.match(aid, /^[0-9a-f-]{16,}$/i, 'an opaque random id');
  await page.evaluate(() => window.touchpoint('track', 'with_id'));
  await page.evaluate(() => window.touchpoint('flush'));
  const first = await stored(site, 'with_id stored', (ev) => ev.some((e) => e.event === 'with_id'));
  assert.equal(first.find((e) => e.event === 'with_id').anonymousId, aid, 'events carry the stored anonymous id');
  const sessionId = first.find((e) => e.event === 'with_id').sessionId;
  await page.evaluate(() => window.touchpoint('identify', 'c-7'));
  assert.deepEqual(await getIds(page), { sessionId, anonymousId: aid, userId: 'c-7' }, 'the ids its events carry');
  const grantChange = first.find((e) => e.event === 'consent_change');
  assert.equal(grantChange.properties.marketing, 'granted');

  const afterWithdraw = await page.evaluate(() => {
    window.touchpoint('consent', { marketing: false });
    return localStorage.getItem('tp:aid');
  });
  assert.equal(afterWithdraw, null, 'tp:aid removed at once');
  assert.deepEqual(await getConsent(page), { analytics: 'granted', marketing: 'denied' });
  assert.deepEqual(await getIds(page), { sessionId, anonymousId: null, userId: 'c-7' }, 'no anonymous id after the withdrawal');
  await page.evaluate(() => window.touchpoint('track', 'without_id'));
  await page.click('#b');
  await page.evaluate(() => window.touchpoint('flush'));
  const all = await stored(site, 'without_id stored', (ev) => ev.some((e) => e.event === 'without_id') && ev.some((e) => e.event === 'click'));
  for (const e of all.filter((x) => ['without_id', 'click'].includes(x.event))) {
    assert.equal(e.anonymousId, undefined, `${e.event} after the withdrawal has no anonymousId`);
  }
  const withdrawChange = all.find((e) => e.event === 'consent_change' && e.properties.marketing === 'denied');
  assert.ok(withdrawChange, 'the withdrawal is recorded');
  assert.equal(withdrawChange.anonymousId, undefined, 'the withdrawal event itself carries no id');
  assert.equal(await page.evaluate(() => localStorage.getItem('tp:aid')), null, 'and the id does not come back');
  assertUniqueIds(assert, all);
  await closeTab(page);
});

test('with Global Privacy Control a marketing grant leaves marketing denied and stores no id', T, async (t) => {
  const site = 'marketing-gpc';
  const { base, context } = await session(t, (c) => c.addInitScript(gpcOn));
  const page = await context.newPage();
  const url = await serveFixture(page, base, fixture({ site, consent: 'pending', 'flush-interval': '1000' }));
  await page.goto(url);
  await sdkReady(page);
  assert.equal(await page.evaluate(() => navigator.globalPrivacyControl), true);
  assert.equal((await getConsent(page)).marketing, 'denied', 'GPC denies marketing from the start');

  await page.evaluate(() => window.touchpoint('consent', { analytics: true, marketing: true }));
  await page.evaluate(() => window.touchpoint('consent', { ad_storage: 'granted', analytics_storage: 'granted' }));
  assert.deepEqual(await getConsent(page), { analytics: 'granted', marketing: 'denied' });
  await page.evaluate(() => window.touchpoint('track', 'gpc_event'));
  await page.evaluate(() => window.touchpoint('flush'));
  const events = await stored(site, 'gpc_event stored', (ev) => ev.some((e) => e.event === 'gpc_event'));
  assert.equal(await page.evaluate(() => localStorage.getItem('tp:aid')), null, 'no anonymous id stored');
  for (const e of events) assert.equal(e.anonymousId, undefined, `${e.event} has no anonymousId`);
  for (const e of events.filter((x) => x.event === 'consent_change')) assert.equal(e.properties.marketing, 'denied');
  await closeTab(page);
});

/** A consent platform's IAB GPP v1.1 API with a US national section: `optOut` is the
 * visitor's SaleOptOut (1 opted out, 2 not); `emit` changes it as the visitor would. */
function fakeGpp({ optOut }) {
  const listeners = [];
  let out = optOut;
  const ping = () => ({ gppVersion: '1.1', cmpStatus: 'loaded', signalStatus: 'ready', applicableSections: [7],
    parsedSections: { usnat: [{ Version: 1, SaleOptOut: out ? 1 : 2, SharingOptOut: 2, TargetedAdvertisingOptOut: 2 }, { SubsectionType: 1, Gpc: false }] } });
  window.__gppFake = { calls: [], emit(o) { out = o; for (const l of listeners) l({ eventName: 'sectionChange', listenerId: 1, data: 'usnat', pingData: ping() }, true); } };
  window.__gpp = function (command, cb) {
    window.__gppFake.calls.push(command);
    if (command === 'addEventListener') { listeners.push(cb); cb({ eventName: 'listenerRegistered', listenerId: 1, data: true, pingData: ping() }, true); }
    else if (command === 'ping') cb(ping(), true);
  };
}

// A US storefront (opt-out regime, data-consent="opt-out": tracking on until the visitor opts
// out) whose consent platform speaks GPP: the visitor's "Do Not Sell or Share" in the platform
// denies marketing (the id removed, the change recorded with source gpp), and no grant of the
// page's takes it back while it lasts. Touchpoint read no GPP signal at all before (a US
// privacy counsel's QA).
test('GPP: a US opt-out in the consent platform denies marketing, removes the id, and no page grant takes it back', T, async (t) => {
  const site = 'gpp-us';
  const { base, context } = await session(t, (c) => c.addInitScript(fakeGpp, { optOut: false }));
  const page = await context.newPage();
  await page.goto(await serveFixture(page, base, fixture({ site, consent: 'opt-out', 'flush-interval': '1000' })));
  await sdkReady(page);
  assert.deepEqual(await getConsent(page), { analytics: 'granted', marketing: 'granted' }, 'opt-out: both granted by default');
  assert.ok((await page.evaluate(() => window.__gppFake.calls)).includes('addEventListener'), 'the SDK listens to __gpp');
  await page.evaluate(() => window.touchpoint('track', 'gpp_before'));
  await waitFor('the anonymous id stored', () => page.evaluate(() => localStorage.getItem('tp:aid')));
  await page.evaluate(() => window.__gppFake.emit(true)); // "Do Not Sell or Share" in the platform
  assert.deepEqual(await waitForConsent(page, { marketing: 'denied' }), { analytics: 'granted', marketing: 'denied' });
  assert.equal(await page.evaluate(() => localStorage.getItem('tp:aid')), null, 'the id is removed');
  await page.evaluate(() => window.touchpoint('consent', { marketing: true }));
  assert.equal((await getConsent(page)).marketing, 'denied', 'no grant while the opt-out lasts');
  await page.evaluate(() => window.touchpoint('track', 'gpp_after'));
  await page.evaluate(() => window.touchpoint('flush'));
  const events = await stored(site, 'gpp_after stored', (ev) => ev.some((e) => e.event === 'gpp_after'));
  assert.equal(events.find((e) => e.event === 'gpp_after').anonymousId, undefined);
  const change = events.find((e) => e.event === 'consent_change');
  assert.deepEqual({ ...change.properties }, { analytics: 'granted', marketing: 'denied', source: 'gpp' });
  await closeTab(page);
});

// ---------------------------------------------------------------------------------------------
// 5. TCF: the CMP grants, then withdraws.

test('TCF: consent follows the CMP (grant on tcloaded, cmpuishown ignored, withdrawal on useractioncomplete)', T, async (t) => {
  const site = 'tcf-flow';
  // Purposes 1 and 8 (storage + measurement): analytics only. Answered on a later task, as a CMP
  // that is still loading would.
  const { base, batches, pwBatches, context } = await session(t,
    (c) => c.addInitScript(fakeCmp, { purposes: [1, 8], status: 'tcloaded', async: true }));
  const page = await context.newPage();
  const url = await serveFixture(page, base, fixture({ site, consent: 'tcf', 'flush-interval': '1000' }));
  await page.goto(url);
  await sdkReady(page);

  const calls = await page.evaluate(() => window.__tcfFake.calls);
  assert.ok(calls.some((c) => c.command === 'addEventListener' && c.version === 2), `the SDK listens to the CMP: ${JSON.stringify(calls)}`);
  assert.deepEqual(await waitForConsent(page, { analytics: 'granted' }), { analytics: 'granted', marketing: 'denied' },
    'purposes 1+8 grant analytics; without 2 and 7 marketing is denied');
  await page.evaluate(() => window.touchpoint('track', 'tcf_before'));

  // The CMP shows its UI: not a decision, so nothing changes.
  await page.evaluate(() => window.__tcfFake.emit('cmpuishown', []));
  assert.equal((await getConsent(page)).analytics, 'granted', 'cmpuishown is ignored');
  await page.evaluate(() => window.touchpoint('track', 'tcf_while_ui'));
  await page.evaluate(() => window.touchpoint('flush'));
  await stored(site, 'tcf_before and tcf_while_ui stored', (ev) => ev.some((e) => e.event === 'tcf_before') && ev.some((e) => e.event === 'tcf_while_ui'));

  // The visitor withdraws everything in the CMP.
  const sentBefore = batches.length;
  await page.evaluate(() => window.__tcfFake.emit('useractioncomplete', []));
  assert.deepEqual(await waitForConsent(page, { analytics: 'denied' }), { analytics: 'denied', marketing: 'denied' });
  await page.evaluate(() => window.touchpoint('track', 'tcf_after'));
  await page.click('#b');
  await proveIdle(page, 2_500);
  assert.equal(batches.length, sentBefore, 'nothing sent after the withdrawal');
  assert.deepEqual(await tpKeys(page), [], 'withdrawal removes Touchpoint storage');
  await closeTab(page);
  const check = await context.newPage();
  await check.goto(`${base}/healthz`);
  await staysQuiet('events after the withdrawal arrived', async () => {
    const ev = await collector.events(`&site=${site}`);
    return ev.filter((e) => e.event === 'tcf_after' || (e.event === 'click' && e.properties.element.id === 'b')).map((e) => e.event).join(',');
  }, 1_500);
  assert.equal(batches.length, sentBefore, 'nothing sent after the withdrawal, beacon included');
  assert.equal(wireEvents([...batches, ...pwBatches]).filter((e) => e.event === 'tcf_after').length, 0, 'tcf_after never on the wire');

  const events = await collector.events(`&site=${site}`);
  assertUniqueIds(assert, events);
  const changes = events.filter((e) => e.event === 'consent_change');
  assert.ok(changes.length >= 1, 'the TCF grant is recorded');
  for (const c of changes) assert.equal(c.properties.source, 'tcf', 'consent changes from the CMP say source tcf');
  assert.deepEqual({ ...changes[0].properties }, { analytics: 'granted', marketing: 'denied', source: 'tcf' });
  await check.close();
});

// A CMP whose script comes after Touchpoint's (its stub not first in the page) was never
// followed: consent stayed pending on every page. It is looked for during 30 s.
test('TCF: a CMP installed after Touchpoint started is followed once it appears', T, async (t) => {
  const site = 'tcf-late';
  const { base, context } = await session(t);
  const page = await context.newPage();
  await page.goto(await serveFixture(page, base, fixture({ site, consent: 'tcf', 'flush-interval': '1000' })));
  await sdkReady(page);
  await page.evaluate(() => window.touchpoint('track', 'tcf_late_before'));
  assert.deepEqual(await page.evaluate(() => new Promise((r) => window.touchpoint('getConsent', r))), { analytics: 'pending', marketing: 'pending' });
  await page.evaluate(fakeCmp, { purposes: [1, 8], status: 'tcloaded' }); // the CMP arrives
  assert.deepEqual(await waitForConsent(page, { analytics: 'granted' }), { analytics: 'granted', marketing: 'denied' });
  await page.evaluate(() => window.touchpoint('flush'));
  const ev = await stored(site, 'the event captured before the CMP', (e) => e.some((x) => x.event === 'tcf_late_before'));
  assert.equal(ev.find((e) => e.event === 'consent_change').properties.source, 'tcf');
  await closeTab(page);
});

// ---------------------------------------------------------------------------------------------
// 5b. Google Consent Mode: the choice a consent platform gives gtag, followed on window.dataLayer.

/** gtag as Google's snippet defines it, with the site's defaults pushed before anything loads. */
function gtagDefaults(defaults) {
  window.dataLayer = window.dataLayer || [];
  window.gtag = function () { window.dataLayer.push(arguments); };
  for (const d of defaults) window.gtag('consent', 'default', d);
}

test('Google Consent Mode: a denial by default is no decision; the CMP\'s update grants (the buffer released once), then withdraws, through a GTM push wrapper', T, async (t) => {
  const site = 'consent-mode-flow';
  const { base, batches, context } = await session(t, (c) => c.addInitScript(gtagDefaults, [
    { analytics_storage: 'denied', ad_storage: 'denied', wait_for_update: 500 },
    { analytics_storage: 'granted', ad_storage: 'granted', region: ['US-CA'] }, // another region's: not ours to apply
  ]));
  const page = await context.newPage();
  const problems = watchHealth(page);
  await page.goto(await serveFixture(page, base, fixture({ site, consent: 'consent-mode', 'flush-interval': '1000' })));
  await sdkReady(page);
  await page.evaluate(() => window.touchpoint('track', 'cm_before_choice'));
  assert.deepEqual(await proveIdle(page, 1_500), { analytics: 'pending', marketing: 'pending' }, 'defaults alone decide nothing');
  assert.equal(batches.length, 0, 'nothing sent before the choice');
  assert.deepEqual(await tpKeys(page), [], 'nothing stored before the choice');

  // The visitor accepts statistics in the banner: the CMP updates gtag.
  await page.evaluate(() => window.gtag('consent', 'update', { analytics_storage: 'granted', ad_storage: 'denied' }));
  assert.deepEqual(await waitForConsent(page, { analytics: 'granted' }), { analytics: 'granted', marketing: 'denied' });
  await page.evaluate(() => window.touchpoint('flush'));
  const ev = await stored(site, 'the buffered events', (e) => e.some((x) => x.event === 'cm_before_choice'));
  assert.deepEqual(ev.filter((e) => e.event === 'cm_before_choice').length, 1, 'released once');
  const change = ev.find((e) => e.event === 'consent_change');
  assert.deepEqual({ ...change.properties }, { analytics: 'granted', marketing: 'denied', source: 'consent_mode' });

  // GTM loads and wraps dataLayer.push (over Touchpoint's); the visitor then withdraws.
  await page.evaluate(() => {
    const prev = window.dataLayer.push;
    window.__gtmSaw = 0;
    window.dataLayer.push = function () { window.__gtmSaw += 1; return prev.apply(window.dataLayer, arguments); };
  });
  const sentBefore = batches.length;
  const length = await page.evaluate(() => window.dataLayer.length);
  await page.evaluate(() => window.gtag('consent', 'update', { analytics_storage: 'denied' }));
  assert.deepEqual(await waitForConsent(page, { analytics: 'denied' }), { analytics: 'denied', marketing: 'denied' });
  assert.deepEqual(await page.evaluate(() => [window.__gtmSaw, window.dataLayer.length]), [1, length + 1], 'the page\'s push still did its work');
  await page.evaluate(() => window.touchpoint('track', 'cm_after_withdrawal'));
  await proveIdle(page, 1_500);
  assert.equal(batches.length, sentBefore, 'nothing sent after the withdrawal');
  assert.deepEqual(await tpKeys(page), [], 'the withdrawal removed Touchpoint\'s storage');
  assert.deepEqual(problems, []);
  await closeTab(page);
});

test('Google Consent Mode: a choice given before Touchpoint loaded applies from the first page view; a default grant counts', T, async (t) => {
  const site = 'consent-mode-early';
  const { base, context } = await session(t, (c) => c.addInitScript(() => {
    window.dataLayer = [];
    window.gtag = function () { window.dataLayer.push(arguments); };
    window.gtag('consent', 'default', { analytics_storage: 'denied', ad_storage: 'denied' });
    window.gtag('consent', 'update', { analytics_storage: 'granted', ad_storage: 'granted' }); // the CMP's stored choice
    window.gtag('consent', 'default', { analytics_storage: 'denied' }); // after an update: no effect
  }));
  const page = await context.newPage();
  await page.goto(await serveFixture(page, base, fixture({ site, consent: 'consent-mode', 'flush-interval': '1000' })));
  await sdkReady(page);
  assert.deepEqual(await waitForConsent(page, { analytics: 'granted' }), { analytics: 'granted', marketing: 'granted' });
  await page.evaluate(() => window.touchpoint('flush'));
  const ev = await stored(site, 'the page view', (e) => e.some((x) => x.event === 'page_view'));
  assert.ok(ev.find((e) => e.event === 'page_view').anonymousId, 'marketing granted by ad_storage: the anonymous id');
  await closeTab(page);

  // A site whose policy grants by default (no banner for its visitors): granted from the start.
  const other = await session(t, (c) => c.addInitScript(gtagDefaults, [{ analytics_storage: 'granted' }]));
  const p2 = await other.context.newPage();
  await p2.goto(await serveFixture(p2, other.base, fixture({ site: `${site}-default`, consent: 'consent-mode' })));
  await sdkReady(p2);
  assert.deepEqual(await waitForConsent(p2, { analytics: 'granted' }), { analytics: 'granted', marketing: 'pending' });
  await closeTab(p2);

  // A site that grants by default but denies in the EEA (a regional default, before or after the
  // global one): the visitor's region is not known in the page, so nothing is granted by default
  // and consent waits for the visitor's choice; it granted EU visitors before they chose.
  for (const [n, defaults] of [
    [1, [{ analytics_storage: 'granted', ad_storage: 'granted' }, { analytics_storage: 'denied', ad_storage: 'denied', region: ['DE', 'FR'] }]],
    [2, [{ analytics_storage: 'denied', region: ['DE', 'FR'] }, { analytics_storage: 'granted', ad_storage: 'granted' }]],
  ]) {
    const s = await session(t, (c) => c.addInitScript(gtagDefaults, defaults));
    const p = await s.context.newPage();
    await p.goto(await serveFixture(p, s.base, fixture({ site: `${site}-region-${n}`, consent: 'consent-mode' })));
    await sdkReady(p);
    const want = n === 1 ? { analytics: 'pending', marketing: 'pending' } : { analytics: 'pending', marketing: 'granted' };
    assert.deepEqual(await proveIdle(p, 500), want, `defaults ${JSON.stringify(defaults)}`);
    assert.equal(s.batches.length, 0, 'nothing sent before the choice');
    await p.evaluate(() => window.gtag('consent', 'update', { analytics_storage: 'granted' }));
    assert.equal((await waitForConsent(p, { analytics: 'granted' })).analytics, 'granted');
    await closeTab(p);
  }

  // The same defaults pushed after Touchpoint started (a consent platform loaded after it), the
  // global grant first, in one script: the regional denial is seen all the same. And a default
  // followed by an update in one script: both count, the update's category and the default's.
  for (const [n, calls, want] of [
    [3, [['default', { analytics_storage: 'granted', ad_storage: 'granted' }], ['default', { analytics_storage: 'denied', ad_storage: 'denied', region: ['DE', 'FR'] }]],
      { analytics: 'pending', marketing: 'pending' }],
    [4, [['default', { analytics_storage: 'granted' }], ['update', { ad_storage: 'granted' }]], { analytics: 'granted', marketing: 'granted' }],
  ]) {
    const s = await session(t);
    const p = await s.context.newPage();
    await p.goto(await serveFixture(p, s.base, fixture({ site: `${site}-region-${n}`, consent: 'consent-mode' })));
    await sdkReady(p);
    await p.evaluate((calls) => {
      window.gtag = function () { window.dataLayer.push(arguments); };
      for (const [kind, c] of calls) window.gtag('consent', kind, c);
    }, calls);
    if (n === 4) await waitForConsent(p, { analytics: 'granted', marketing: 'granted' });
    await proveIdle(p, 500); // (consent read after the pushes' effects, whenever they apply)
    assert.deepEqual(await getConsent(p), want, `pushed later: ${JSON.stringify(calls)}`);
    if (n === 3) assert.equal(s.batches.length, 0, 'nothing sent before the choice');
    await closeTab(p);
  }

  // A frozen dataLayer cannot be followed: a console warning, consent pending, Touchpoint alive.
  const third = await session(t, (c) => c.addInitScript(() => {
    window.dataLayer = Object.freeze([['consent', 'update', { analytics_storage: 'granted' }]]);
  }));
  const p3 = await third.context.newPage();
  const warnings = [];
  p3.on('console', (m) => { if (m.text().startsWith('touchpoint:')) warnings.push(m.text()); });
  const problems = watchHealth(p3);
  await p3.goto(await serveFixture(p3, third.base, fixture({ site: `${site}-frozen`, consent: 'consent-mode' })));
  await sdkReady(p3);
  assert.deepEqual(await proveIdle(p3, 500), { analytics: 'pending', marketing: 'pending' });
  assert.ok(warnings.some((w) => /dataLayer cannot be followed/.test(w)), `${warnings}`);
  assert.deepEqual(problems, []);
  await closeTab(p3);
});

// ---------------------------------------------------------------------------------------------
// 6. The window event.

// A Consent Mode default is the site's setting before the visitor chose: with
// data-remember-consent, the visitor's "no" remembered from an earlier page stays a "no" on a page
// whose consent platform pushes a default grant (it was a "yes" there: events sent, an id stored);
// so does a "no" given through the API before a late platform's default.
test('Google Consent Mode: a default grant changes no decision of the visitor (remembered, or given through the API)', T, async (t) => {
  const site = 'consent-mode-decided';
  const { base, batches, context } = await session(t, async (c) => {
    await c.addInitScript(() => localStorage.setItem('tp_consent', `denied|denied|${Date.now()}`)); // an earlier page's "no"
    await c.addInitScript(gtagDefaults, [{ analytics_storage: 'granted', ad_storage: 'granted' }]);
  });
  const page = await context.newPage();
  await page.goto(await serveFixture(page, base, fixture({ site, consent: 'consent-mode', 'remember-consent': '', 'flush-interval': '300' })));
  await sdkReady(page);
  // (The default's record is handed over with the page's first ones: asked after a flush.)
  await page.evaluate(() => { window.touchpoint('track', 'after_default'); window.touchpoint('flush'); });
  assert.deepEqual(await waitForConsent(page, { analytics: 'denied' }), { analytics: 'denied', marketing: 'denied' });
  assert.deepEqual(await tpKeys(page), [], 'no tp: key');
  await closeTab(page);

  // Through the API, then a consent platform loaded after Touchpoint pushes its default grant.
  const other = await session(t);
  const p2 = await other.context.newPage();
  await p2.goto(await serveFixture(p2, other.base, fixture({ site: `${site}-api`, consent: 'consent-mode', 'flush-interval': '300' })));
  await sdkReady(p2);
  await p2.evaluate(() => window.touchpoint('consent', { analytics: false }));
  await p2.evaluate(() => { window.dataLayer.push(['consent', 'default', { analytics_storage: 'granted', ad_storage: 'granted' }]); });
  // (A later default applies at the end of the script that pushed it: a marker after it.)
  await p2.evaluate(() => new Promise((r) => setTimeout(r, 0)));
  assert.deepEqual(await waitForConsent(p2, { marketing: 'granted' }), { analytics: 'denied', marketing: 'granted' },
    'the undecided category takes the default; the decided one does not');
  await p2.evaluate(() => { window.touchpoint('track', 'after_default'); window.touchpoint('flush'); });
  await closeTab(p2);
  await staysQuiet('a batch request', async () => batches.length + other.batches.length
    || (await collector.events(`&site=${site}`)).length + (await collector.events(`&site=${site}-api`)).length, 1_500);
});

test('the touchpoint:consent window event announces the start state and every change', T, async (t) => {
  const { base, context } = await session(t, (c) => c.addInitScript(() => {
    window.__consentEvents = [];
    window.addEventListener('touchpoint:consent', (e) => window.__consentEvents.push({ ...e.detail }));
  }));
  const page = await context.newPage();
  const url = await serveFixture(page, base, fixture({ site: 'consent-event', consent: 'pending', 'flush-interval': '1000' }));
  await page.goto(url);
  await sdkReady(page);
  const start = await waitFor('the start event', () => page.evaluate(() => window.__consentEvents[0]), { timeout: 20_000 });
  assert.deepEqual(start, { analytics: 'pending', marketing: 'pending' });

  const change = async (update, expected) => {
    const n = await page.evaluate(() => window.__consentEvents.length);
    await page.evaluate((u) => window.touchpoint('consent', u), update);
    const fresh = await waitFor(`an event after ${JSON.stringify(update)}`,
      () => page.evaluate((k) => window.__consentEvents.length > k && window.__consentEvents.slice(k), n), { timeout: 20_000 });
    const last = fresh[fresh.length - 1];
    for (const [k, v] of Object.entries(expected)) assert.equal(last[k], v, `detail.${k} after ${JSON.stringify(update)}: ${JSON.stringify(last)}`);
    assert.deepEqual(last, await getConsent(page), 'detail equals getConsent');
  };
  await change({ analytics: true }, { analytics: 'granted', marketing: 'pending' });
  await change({ ad_storage: 'granted' }, { analytics: 'granted', marketing: 'granted' });
  await change({ analytics_storage: 'denied' }, { analytics: 'denied' });
  await change({ marketing: false }, { analytics: 'denied', marketing: 'denied' });
  await closeTab(page);
});

// ---------------------------------------------------------------------------------------------
// 5. A full pending buffer: nothing more could be kept, so the visitor is not observed (no
// click, scroll, key, error or request is looked at) until they decide; route changes are still
// followed, so a grant finds the sensors on again, on the right page.

test('with the pending buffer full the visitor is not observed; a grant observes again, on the current page', T, async (t) => {
  const site = 'pending-full';
  const { base, context } = await session(t);
  const page = await context.newPage();
  const url = await serveFixture(page, base, fixture({ site, consent: 'pending', 'pending-limit': '3', friction: 'on', journey: 'on', 'flush-interval': '1000' },
    '<button id="b">Buy</button><button id="c" onclick="this.textContent = \'Added\'">Add</button>' +
    '<form id="f"><input id="q" name="q"></form><div style="height:6000px"></div>'));
  await page.goto(url);
  await sdkReady(page);
  // The page view and two calls fill the buffer of 3.
  await page.evaluate(() => { window.touchpoint('track', 'one'); window.touchpoint('track', 'two'); });

  // While full: a route change (followed: its page_view and the first view's page_leave are
  // dropped, as is the call after it, made when the route has settled), then a rage burst on
  // a dead button, typing in a form, a thrown error, a failed request and scrolling to the
  // bottom (none of them looked at).
  await page.evaluate(() => { history.pushState({}, '', '/after-route'); window.touchpoint('track', 'dropped'); });
  for (let i = 0; i < 4; i++) await page.click('#b');
  await page.click('#q');
  await page.keyboard.type('abc');
  await page.keyboard.press('Tab'); // the field's change, while full
  await page.evaluate(() => { setTimeout(() => { throw new Error('while quiet'); }); fetch('/nowhere-404').catch(() => {}); });
  for (let i = 0; i < 8; i++) await page.mouse.wheel(0, 800);
  await page.waitForFunction(() => window.scrollY > 4000);

  await page.evaluate(() => window.touchpoint('consent', { analytics: true }));
  await page.click('#c'); // a button that answers: no friction of its own
  await page.evaluate(() => window.touchpoint('flush'));
  const ev = await stored(site, 'the click and the depth after the grant',
    (e) => e.some((x) => x.event === 'click') && e.some((x) => x.event === 'scroll_depth'));
  const names = ev.map((e) => e.event);
  // Had the sensors reported while full, the burst, the error, the request, the form and the
  // scroll marks would have been dropped (and counted) too.
  const overflow = ev.find((e) => e.event === 'queue_overflow');
  assert.equal(overflow?.properties.dropped, 3, `dropped while full: ${JSON.stringify(overflow)}; stored: ${names}`);
  for (const n of ['rage_click', 'dead_click', 'js_error', 'failed_request', 'form_start', 'dropped']) {
    assert.ok(!names.includes(n), `${n} while full must not be stored: ${names}`);
  }
  const clicks = ev.filter((e) => e.event === 'click');
  assert.equal(clicks.length, 1, 'one click: the one after the grant');
  assert.equal(clicks[0].context.page.path, '/after-route', 'the route change made while full is the current page');
  // The depth reached while quiet is read again once observed: the current view's marks.
  const marks = ev.filter((e) => e.event === 'scroll_depth');
  assert.ok(marks.every((e) => e.context.page.path === '/after-route'), JSON.stringify(marks));
  assertUniqueIds(assert, ev);
  await closeTab(page);
});
