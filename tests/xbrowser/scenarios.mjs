// The cross-browser scenarios, defined once and run per browser by firefox.test.mjs,
// webkit.test.mjs (and chromium.test.mjs). The README's "Browser support" matrix names these
// tests: keep the titles and the matrix in step.
//
// Each test gets its own front (own origin, so empty localStorage) and its own site id, opens its
// pages in new tabs of one browser session, and waits for conditions, never for fixed sleeps:
// Touchpoint hands click records to the wasm in a scheduled task and writes storage at most once
// per second, so every check polls with a generous deadline.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { By, Key } from 'selenium-webdriver';
import {
  assertHealthy, assertUniqueIds, closeTab, fixture, getConsent, openTab, pageLog, proveIdle, root, sdkReady, snippet,
  startBrowser, startCollector, startFront, storageSnapshot, tp, tpKeys, waitFor,
} from './harness.mjs';

const T = { timeout: 300_000 };

/** What each engine has, as the matrix states it. A browser update that changes one fails the
 * feature test, so the matrix cannot silently go stale. */
const FEATURES = {
  chromium: { requestIdleCallback: true, locks: true, CompressionStream: true, sendBeacon: true, AbortController: true,
    schedulerPostTask: true, eventTiming: true, lcp: true, layoutShift: true },
  firefox: { requestIdleCallback: true, locks: true, CompressionStream: true, sendBeacon: true, AbortController: true,
    schedulerPostTask: true, eventTiming: true, lcp: true, layoutShift: false },
  webkit: { requestIdleCallback: false, locks: true, CompressionStream: true, sendBeacon: true, AbortController: true,
    schedulerPostTask: false, eventTiming: false, lcp: false, layoutShift: false },
};

/** A fake IAB TCF v2.2 CMP (head script): `__tcfFake.emit(status, purposes)` tells every listener. */
const FAKE_CMP = `<script>(function () {
  var listeners = [], state = null, next = 1;
  window.__tcfFake = { calls: [], emit: function (status, purposes) {
    var c = {}; purposes.forEach(function (p) { c[p] = true; });
    state = { eventStatus: status, gdprApplies: true, cmpStatus: 'loaded', tcString: 'CPfake.AAAA', tcfPolicyVersion: 4,
      purpose: { consents: c, legitimateInterests: {} }, vendor: { consents: {}, legitimateInterests: {} } };
    listeners.forEach(function (l) { l.cb(Object.assign({ listenerId: l.id }, state), true); });
  } };
  window.__tcfapi = function (command, version, cb) {
    window.__tcfFake.calls.push(command + ':' + version);
    if (command === 'addEventListener') {
      var l = { id: next++, cb: cb }; listeners.push(l);
      if (state) setTimeout(function () { cb(Object.assign({ listenerId: l.id }, state), true); }, 0);
    }
  };
})();</script>`;

/** What went on the wire, for failure messages: per batch, how it was sent and its events. */
function onTheWire(front) {
  return JSON.stringify(front.batches.map((b) => [b.via, b.keepalive, b.events.map((e) => e.event)]));
}

export function defineSuite(name) {
  let browser, collector, home;
  before(async () => {
    [browser, collector] = await Promise.all([startBrowser(name), startCollector()]);
    home = await browser.driver.getWindowHandle();
  }, { timeout: 120_000 });
  after(async () => { await browser?.quit(); await collector?.stop(); }, { timeout: 60_000 });

  const d = () => browser.driver;
  const site = (s) => `xb-${name}-${s}`;
  const stored = (s) => collector.events(site(s));

  /** A fresh origin for one test; its tabs and its front are closed afterwards. */
  async function scenario(fn) {
    const front = await startFront(collector.url);
    try {
      return await fn(front);
    } finally {
      for (const h of await d().getAllWindowHandles()) {
        if (h !== home) { await d().switchTo().window(h); await d().close(); }
      }
      await d().switchTo().window(home);
      await front.close();
    }
  }

  /** Serves a fixture page of `front` and opens it in a new tab, SDK booted. */
  async function open(front, page, attrs, opts) {
    await openTab(d(), front.page(page, fixture(attrs, opts)));
    await sdkReady(d());
  }

  async function click(selector) {
    await d().findElement(By.css(selector)).click();
  }

  /** Waits until the collector has stored `expected` (event names, with repeats) for `s`, and
   * fails if one of those names is stored more often. Other events (friction signals the page's
   * clicks may raise, as later issues add them) are not counted here; no messageId is ever
   * stored twice (checked by the callers on every stored event). */
  async function storedExactly(s, expected, what) {
    const want = {};
    for (const n of expected) want[n] = (want[n] || 0) + 1;
    let ev = [];
    await waitFor(`${what}: ${expected} of ${site(s)} stored`, async () => {
      ev = await stored(s);
      const have = {};
      for (const e of ev) if (e.event in want) have[e.event] = (have[e.event] || 0) + 1;
      for (const n of Object.keys(have)) if (have[n] > want[n]) throw new Error(`${n} stored ${have[n]} times: ${ev.map((e) => e.event)}`);
      return Object.keys(want).every((n) => have[n] === want[n]);
    }, { timeout: 90_000 });
    return ev.filter((e) => e.event in want);
  }

  test(`${name}: the browser features Touchpoint detects are as the support matrix says`, T, async (t) => {
    await scenario(async (front) => {
      await open(front, 'features.html', { site: site('features'), consent: 'pending' });
      const has = await d().executeScript(`return {
        requestIdleCallback: typeof window.requestIdleCallback === 'function',
        locks: !!(navigator.locks && navigator.locks.request),
        CompressionStream: typeof window.CompressionStream === 'function',
        sendBeacon: typeof navigator.sendBeacon === 'function',
        AbortController: typeof window.AbortController === 'function',
        schedulerPostTask: !!(window.scheduler && scheduler.postTask),
        eventTiming: !!(window.PerformanceObserver && (PerformanceObserver.supportedEntryTypes || []).indexOf('event') >= 0),
        lcp: !!(window.PerformanceObserver && (PerformanceObserver.supportedEntryTypes || []).indexOf('largest-contentful-paint') >= 0),
        layoutShift: !!(window.PerformanceObserver && (PerformanceObserver.supportedEntryTypes || []).indexOf('layout-shift') >= 0),
        globalPrivacyControl: navigator.globalPrivacyControl,
        userAgent: navigator.userAgent }`);
      t.diagnostic(JSON.stringify(has));
      assert.equal(await d().executeScript('return document.visibilityState'), 'visible', 'the test page is visible, as a visitor\'s is');
      for (const [k, v] of Object.entries(FEATURES[name])) assert.equal(has[k], v, `${name}: ${k}`);
      assertHealthy(assert, await pageLog(d()));
    });
  });

  test(`${name}: consent pending: nothing is sent or stored`, T, async () => {
    await scenario(async (front) => {
      await open(front, 'pending.html', { site: site('pending'), consent: 'pending', 'flush-interval': '1000' });
      await click('#b');
      await tp(d(), 'track', 'add_to_cart', { sku: 'mug' });
      await proveIdle(d(), 2_500);
      assert.deepEqual(front.batches, [], 'no request to the collector');
      const log = await pageLog(d());
      assert.deepEqual(log.writes, [], 'no storage write (localStorage, sessionStorage, cookie)');
      assert.equal(log.locks, 0, 'no Web Lock requested');
      const snap = await storageSnapshot(d());
      assert.deepEqual([snap.localStorage, snap.sessionStorage, snap.cookie], [[], [], ''], 'nothing stored');
      assert.deepEqual(snap.indexedDB || [], [], 'no IndexedDB database');
      assert.equal((await stored('pending')).length, 0, 'nothing in the collector');
      assertHealthy(assert, log);
    });
  });

  test(`${name}: a grant delivers the buffered page view, click and custom event exactly once`, T, async () => {
    await scenario(async (front) => {
      await open(front, 'grant.html', { site: site('grant'), consent: 'pending', 'flush-interval': '1000' });
      await click('#b');
      await tp(d(), 'track', 'Add To Cart', { sku: 'mug', price: 12 });
      await proveIdle(d(), 1_500);
      assert.equal(front.batches.length, 0, 'nothing sent while pending');
      await tp(d(), 'consent', { analytics: true });
      const expected = ['add_to_cart', 'click', 'consent_change', 'page_view'];
      await storedExactly('grant', expected, 'after the grant');
      await proveIdle(d(), 2_500); // a flush and more than the flush interval: any resend would show
      const all = await stored('grant');
      assertUniqueIds(assert, all);
      const final = await storedExactly('grant', expected, 'still, after a flush and a flush interval');
      const wire = front.wire();
      assertUniqueIds(assert, wire, 'on the wire');
      const click_ = final.find((e) => e.event === 'click');
      assert.equal(click_.properties.element.selector, '#b');
      assert.equal(click_.properties.element.text, 'Buy');
      const pv = final.find((e) => e.event === 'page_view');
      assert.equal(pv.type, 'page');
      assert.equal(pv.context.page.path, '/x/grant.html');
      // add_to_cart is a moment of truth by default (data-moments).
      assert.deepEqual(final.find((e) => e.event === 'add_to_cart').properties, { sku: 'mug', price: 12, moment: true });
      assert.ok(Date.parse(pv.timestamp) <= Date.parse(final.find((e) => e.event === 'consent_change').timestamp),
        'buffered events keep their capture time');
      const log = await pageLog(d());
      assert.ok(log.writes.some((w) => w.startsWith('setItem:tp:')), 'granted: the queue is persisted');
      assertHealthy(assert, log);
    });
  });

  test(`${name}: revoke purges: no tp: key left, nothing queued or later is sent`, T, async () => {
    await scenario(async (front) => {
      // Nothing leaves on its own: the queue stays until the revoke purges it.
      await open(front, 'revoke.html', { site: site('revoke'), consent: 'granted', 'flush-interval': '600000', 'batch-size': '500' });
      await click('#b');
      await tp(d(), 'track', 'before_revoke');
      await waitFor('the queue persisted (tp:q: keys)', async () => (await tpKeys(d())).some((k) => k.startsWith('tp:q:')),
        { timeout: 60_000 });
      await tp(d(), 'consent', { analytics: false });
      assert.equal((await getConsent(d())).analytics, 'denied');
      await waitFor('every tp: key removed', async () => (await tpKeys(d())).length === 0, { timeout: 60_000 });
      await tp(d(), 'track', 'after_revoke');
      await click('#b');
      await proveIdle(d(), 2_500);
      assert.deepEqual(await tpKeys(d()), [], 'no tp: key left');
      // The tab goes away too: nothing goes out by beacon either.
      await closeTab(d(), home);
      await proveQuiet(() => front.batches.length, 1_500);
      assert.deepEqual(front.batches.map((b) => b.events.map((e) => e.event)), [], 'nothing sent, not on flush, not on close');
      assert.equal((await stored('revoke')).length, 0, 'nothing stored');
    });
  });

  /** Waits `ms` of wall time (polling) and fails if `count()` grows: a bounded "nothing more
   * arrives" check, after a page that could have sent is gone. */
  async function proveQuiet(count, ms) {
    const start = count();
    const end = performance.now() + ms;
    while (performance.now() < end) {
      assert.equal(count(), start, 'nothing more arrived');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  // Firefox cuts a closing tab's script short: a pagehide handler still running when the tab
  // is torn down is stopped ("Script terminated by timeout" on Firefox's console; the pref
  // dom.abort_script_on_child_shutdown, on by default). In 110 closes on this loaded 2-core
  // machine it stopped a script in 10, and in 4 it stopped Touchpoint's pagehide a few ms in,
  // before sendBeacon was called: nothing was sent, and the stopped wasm call leaves the page's
  // Touchpoint stalled, so the visibilitychange and unload after it send nothing either. A
  // pagehide made to run 3 s before sendBeacon was stopped in 4 closes of 4 and delivered
  // nothing, and delivered in 4 of 4 with dom.abort_script_on_child_shutdown false. What the
  // beacon would have carried stays persisted, and the next visit sends it. The test accepts
  // that only in Firefox and only when Firefox says it stopped this page's script; everything
  // is still delivered exactly once.
  test(`${name}: events queued at tab close arrive by sendBeacon`, T, async (t) => {
    await scenario(async (front) => {
      const s = 'close';
      const attrs = { site: site(s), consent: 'granted', 'flush-interval': '600000', 'batch-size': '500' };
      await open(front, 'close.html', attrs);
      await click('#b');
      await tp(d(), 'track', 'at_close');
      const keys = await waitFor('the click in the queue', () => d().executeScript(
        "var k = Object.keys(localStorage).filter(function (k) { return k.indexOf('tp:q:') === 0; });"
        + "return k.some(function (x) { return localStorage.getItem(x).indexOf('\"click\"') >= 0; }) && k"),
      { timeout: 60_000 });
      assert.equal(front.batches.length, 0, 'nothing sent before the close');
      const logFrom = browser.log().length;
      await closeTab(d(), home);
      const expected = ['at_close', 'click', 'page_view'];
      // Once Firefox says it stopped this page's script, a beacon that is coming arrives within
      // seconds: 10 s more of nothing settles it (waiting out the whole minute cost CI 60 s).
      let stoppedAt = 0;
      const arrived = await waitFor('the closed tab\'s beacon', async () => {
        if ((await stored(s)).some((e) => e.event === 'at_close')) return 'arrived';
        if (!stoppedAt && name === 'firefox' && /Script terminated by timeout/.test(browser.log().slice(logFrom))) stoppedAt = performance.now();
        return stoppedAt && performance.now() - stoppedAt > 10_000 && 'stopped';
      }, { timeout: 60_000 }).catch(() => false) === 'arrived';
      if (arrived) {
        const events = await storedExactly(s, expected, 'after the tab closed');
        assert.deepEqual([...new Set(front.batches.map((b) => b.via))], ['beacon'], 'sent by sendBeacon');
        assertUniqueIds(assert, events);
        return;
      }
      const wire = onTheWire(front);
      assert.equal(name, 'firefox', `nothing arrived from the closed tab: ${wire}`);
      // The warning names the script, then the stopped script's stack follows, a frame a line.
      const stopped = [...browser.log().slice(logFrom).matchAll(/^JavaScript \w+: (\S+), line \d+: Script terminated by timeout at:\n(?:.+\n)*/gm)]
        .map((m) => m[0]).find((w) => w.includes(`${front.url}/`));
      assert.ok(stopped, `nothing arrived from the closed tab (on the wire: ${wire}), and Firefox stopped none of its scripts`);
      t.diagnostic(`Firefox stopped the closing tab's script (${stopped.trim().split('\n').join(' < ')}); on the wire: ${wire}; `
        + 'the next visit sends its events');
      const pageViews = await nextVisit(t, front, s, attrs, keys[0].split(':')[2], 'at_close');
      const events = await storedExactly(s, [...Array(pageViews).fill('page_view'), 'click', 'at_close'], 'after the next visit');
      assertUniqueIds(assert, await stored(s));
      assertUniqueIds(assert, events);
    });
  });

  // Firefox once (in 7 runs here, on a loaded machine) sent nothing from the closing tab: the
  // keepalive fetch did not reach the collector within 60 s. What it would have carried stays
  // persisted, and the next visit sends it; the test then checks that, in Firefox only.
  test(`${name}: beacon refused at tab close: the keepalive fetch delivers`, T, async (t) => {
    await scenario(async (front) => {
      const s = 'keepalive';
      const attrs = { site: site(s), consent: 'granted', 'flush-interval': '600000', 'batch-size': '500' };
      await open(front, 'keepalive.html', attrs, { instr: { refuseBeacon: true } });
      await tp(d(), 'track', 'at_close');
      const keys = await waitFor('the event persisted', async () => {
        const k = (await tpKeys(d())).filter((x) => x.startsWith('tp:q:'));
        return k.length > 0 && k;
      }, { timeout: 60_000 });
      await closeTab(d(), home);
      const arrived = await waitFor('the closed tab\'s keepalive fetch', async () => (await stored(s)).some((e) => e.event === 'at_close'),
        { timeout: 60_000 }).catch(() => false);
      if (arrived) {
        await storedExactly(s, ['at_close', 'page_view'], 'after the tab closed');
        assert.ok(front.batches.length > 0 && front.batches.every((b) => b.via === 'fetch' && b.keepalive), `sent by keepalive fetch: ${onTheWire(front)}`);
        return;
      }
      await deliveredByNextVisit(t, front, s, attrs, keys[0].split(':')[2], ['at_close']);
    });
  });

  /** The closing tab's keepalive fetch did not arrive (accepted in Firefox only): the next visit
   * must send `events` (the first one, the closed tab's last, marks the adoption), exactly once. */
  async function deliveredByNextVisit(t, front, s, attrs, tab, events) {
    const wire = onTheWire(front);
    assert.equal(name, 'firefox', `nothing arrived from the closed tab: ${wire}`);
    t.diagnostic(`the closing tab's keepalive fetch did not arrive (on the wire: ${wire}); the next visit sends its events`);
    const pageViews = await nextVisit(t, front, s, attrs, tab, events[0]);
    assertUniqueIds(assert, await storedExactly(s, [...Array(pageViews).fill('page_view'), ...events], 'after the next visit'));
  }

  /** A first visit whose delivery cannot get through (beacons refused, batch requests failing),
   * with its page view and two events persisted. Returns its tab id and its page log. */
  async function strandedVisit(front, attrs, instr) {
    await open(front, 'first.html', attrs, { instr: { ...instr, break: true } });
    await tp(d(), 'track', 'stranded_1');
    await tp(d(), 'track', 'stranded_2');
    const keys = await waitFor('the three events persisted', () => d().executeScript(
      "var keys = Object.keys(localStorage).filter(function (k) { return k.indexOf('tp:q:') === 0; });"
      + "return keys.map(function (k) { return localStorage.getItem(k); }).join('\\n').split('messageId').length - 1 === 3 && keys"),
    { timeout: 60_000 });
    return { tab: keys[0].split(':')[2], log: await pageLog(d()) };
  }

  /** Waits for the next visit to have sent the stranded events; on failure says what storage holds. */
  async function adopted(s, pageViews) {
    try {
      await storedExactly(s, [...Array(pageViews).fill('page_view'), 'stranded_1', 'stranded_2'], 'after the next visit');
    } catch (e) {
      e.message += `; tp: keys now: ${JSON.stringify(await tpKeys(d()))}; writes: ${JSON.stringify((await pageLog(d())).writes)}`;
      throw e;
    }
    assertUniqueIds(assert, await stored(s));
  }

  for (const lease of [false, true]) {
    const how = lease ? 'without Web Locks, under the tp:lease fallback' : 'under the tp:adopt Web Lock';
    test(`${name}: a page left with its delivery failing: the next page adopts its persisted events, ${how}`, T, async () => {
      await scenario(async (front) => {
        const s = lease ? 'adopt-lease' : 'adopt-lock';
        const instr = lease ? { without: ['navigator.locks'] } : {};
        const attrs = { site: site(s), consent: 'granted', 'flush-interval': '600000', 'batch-size': '500' };
        const first = await strandedVisit(front, attrs, instr);
        assert.equal(front.batches.length, 0, 'the first page delivered nothing');
        // The visitor goes on to the next page of the site in the same tab (pagehide runs; its
        // beacon is refused and its keepalive fetch fails).
        await d().get(front.page('next.html', fixture({ ...attrs, 'flush-interval': '1000' }, { instr })));
        await sdkReady(d());
        assertHealthy(assert, first.log, 'first page');
        await adopted(s, 2);
        await waitFor('the adopted events removed from storage', async () => !(await tpKeys(d())).some((k) => k.startsWith('tp:q:')),
          { timeout: 60_000 });
        const log = await pageLog(d());
        if (lease) {
          assert.equal(log.locks, 0, 'no Web Lock');
          assert.ok(log.writes.includes('setItem:tp:lease'), `the lease was taken: ${log.writes}`);
        } else {
          assert.ok(log.locks > 0, 'the Web Lock was requested');
          assert.ok(!log.writes.includes('setItem:tp:lease'), 'no lease needed');
        }
        assertHealthy(assert, log, 'next page');
      });
    });
  }

  /** The next visit after tab `tab` of site `s` closed with `marker` (an event name) still
   * persisted: opens the next page and waits for its adoption. Returns how many page views the
   * visits made. Adoption at once, however long a loaded machine takes for it; only a heartbeat
   * left behind (then no adoption can come for 10 minutes: Firefox only, see below) ends the
   * wait early, after 15 s; the heartbeat is then aged and one more page opened. */
  async function nextVisit(t, front, s, attrs, tab, marker) {
    await open(front, 'next.html', { ...attrs, 'flush-interval': '1000' });
    const beat = `tp:tab:${tab}`;
    const since = Date.now();
    const atOnce = await waitFor('adoption, or the closed tab\'s heartbeat left behind', async () => {
      if ((await stored(s)).some((e) => e.event === marker)) return 'adopted';
      const left = await d().executeScript('return localStorage.getItem(arguments[0])', beat);
      return left !== null && Date.now() - since > 15_000 && 'heartbeat left';
    }, { timeout: 90_000 }) === 'adopted';
    if (atOnce) return 2;
    const left = await d().executeScript('return localStorage.getItem(arguments[0])', beat);
    assert.ok(left !== null, `not adopted although the closed tab left no heartbeat: ${JSON.stringify(await tpKeys(d()))}`);
    assert.equal(name, 'firefox', `the closed tab's heartbeat ${beat} was left behind`);
    t.diagnostic(`the closed tab's pagehide did not remove ${beat}: aged to 11 minutes, then one more visit`);
    await d().executeScript('localStorage.setItem(arguments[0], String(Date.now() - 11 * 60 * 1000))', beat);
    await d().get(front.page('third.html', fixture({ ...attrs, 'flush-interval': '1000' })));
    await sdkReady(d());
    return 3;
  }

  // Firefox sometimes cuts a closing tab's pagehide work short (seen here about 1 close in 10):
  // the beacon goes out, but the storage writes after it (removing the tab's heartbeat
  // tp:tab:<tab>) do not land. The next visit then treats the closed tab as alive and adopts its
  // events only once that heartbeat is 10 minutes old (storage::TAB_STALE_MS). The test ages the
  // heartbeat instead of waiting. Chromium and WebKit are held to "at once".
  test(`${name}: a tab closed with its delivery failing: the next visit adopts its persisted events`, T, async (t) => {
    await scenario(async (front) => {
      const s = 'adopt-closed';
      const attrs = { site: site(s), consent: 'granted', 'flush-interval': '600000', 'batch-size': '500' };
      const first = await strandedVisit(front, attrs, {});
      await closeTab(d(), home);
      assert.equal(front.batches.length, 0, 'the closed tab delivered nothing');
      assertHealthy(assert, first.log, 'closed tab');
      const pageViews = await nextVisit(t, front, s, attrs, first.tab, 'stranded_1');
      await adopted(s, pageViews);
    });
  });

  test(`${name}: data-gzip: fetch bodies are gzip from CompressionStream, stored once`, T, async () => {
    await scenario(async (front) => {
      await open(front, 'gzip.html', { site: site('gzip'), consent: 'granted', 'flush-interval': '1000', gzip: 'true' });
      await tp(d(), 'track', 'zipped', { n: 1 });
      await tp(d(), 'flush');
      await storedExactly('gzip', ['page_view', 'zipped'], 'gzip batches');
      const fetches = front.batches.filter((b) => b.via === 'fetch');
      assert.ok(fetches.length > 0 && fetches.every((b) => b.gzip), `gzip on the wire: ${JSON.stringify(front.batches.map((b) => [b.via, b.gzip]))}`);
      assertHealthy(assert, await pageLog(d()));
    });
  });

  test(`${name}: TCF: consent follows the CMP (grant on useractioncomplete, withdrawal purges)`, T, async () => {
    await scenario(async (front) => {
      await open(front, 'tcf.html', { site: site('tcf'), consent: 'tcf', 'flush-interval': '1000' }, { head: FAKE_CMP });
      assert.ok((await d().executeScript('return window.__tcfFake.calls')).includes('addEventListener:2'), 'the SDK listens to the CMP');
      await d().executeScript("window.__tcfFake.emit('cmpuishown', [])");
      await tp(d(), 'track', 'tcf_pending');
      await proveIdle(d(), 1_500);
      assert.equal(front.batches.length, 0, 'cmpuishown is no decision: nothing sent');
      await d().executeScript("window.__tcfFake.emit('useractioncomplete', [1, 8])");
      await waitFor('analytics granted by the CMP', async () => (await getConsent(d())).analytics === 'granted', { timeout: 60_000 });
      assert.equal((await getConsent(d())).marketing, 'denied', 'without purposes 2 and 7, marketing is denied');
      const events = await storedExactly('tcf', ['consent_change', 'page_view', 'tcf_pending'], 'after the CMP grant');
      assert.equal(events.find((e) => e.event === 'consent_change').properties.source, 'tcf');
      await d().executeScript("window.__tcfFake.emit('useractioncomplete', [])");
      await waitFor('analytics withdrawn by the CMP', async () => (await getConsent(d())).analytics === 'denied', { timeout: 60_000 });
      const sent = front.batches.length;
      await tp(d(), 'track', 'tcf_after');
      await proveIdle(d(), 1_500);
      assert.equal(front.batches.length, sent, 'nothing sent after the withdrawal');
      assert.deepEqual(await tpKeys(d()), [], 'no tp: key left');
      assertHealthy(assert, await pageLog(d()));
    });
  });

  test(`${name}: the page's own click handlers keep working`, T, async () => {
    await scenario(async (front) => {
      const head = `<script>window.__page = { buy: 0, link: 0, stop: 0, bubbled: 0, submit: 0 };
        document.addEventListener('click', function (e) { if (e.target.id === 'stop') window.__page.bubbled++; });</script>`;
      const body = `<button id="b" onclick="window.__page.buy++">Buy</button>
        <a id="link" href="#elsewhere" onclick="window.__page.link++; return false">Details</a>
        <div onclick="window.__page.bubbled++"><button id="stop" onclick="window.__page.stop++; event.stopPropagation()">Stop</button></div>
        <form id="f" onsubmit="window.__page.submit++; return false"><input name="q" value="x"><button id="go">Search</button></form>`;
      await open(front, 'handlers.html', { site: site('handlers'), consent: 'granted', 'flush-interval': '1000' }, { head, body });
      for (const sel of ['#b', '#link', '#stop', '#go', '#b']) await click(sel);
      assert.deepEqual(await d().executeScript('return window.__page'), { buy: 2, link: 1, stop: 1, bubbled: 0, submit: 1 },
        'every handler ran once per click; stopPropagation and preventDefault still work');
      assert.equal(await d().executeScript('return location.hash'), '', 'the prevented link did not navigate');
      // Touchpoint saw the clicks anyway (capture phase), stopped propagation included.
      const events = await storedExactly('handlers', ['page_view', 'click', 'click', 'click', 'click', 'click'], 'page view and five clicks');
      assert.deepEqual(events.filter((e) => e.event === 'click').map((e) => e.properties.element.selector).sort(),
        ['#b', '#b', '#go', '#link', '#stop']);
      assertHealthy(assert, await pageLog(d()));
    });
  });

  // The close goes out by keepalive fetch here (no sendBeacon). Firefox does not always deliver a
  // closing tab's keepalive fetch (see "beacon refused at tab close" above; here 1 fresh-clone
  // run in 3 on 2026-11-28): the event then stays persisted and the next visit sends it, which
  // the test accepts in Firefox only, still exactly once.
  test(`${name}: without requestIdleCallback, Web Locks, CompressionStream, sendBeacon, AbortController, observers: nothing throws, events arrive`, T, async (t) => {
    await scenario(async (front) => {
      const without = ['requestIdleCallback', 'navigator.locks', 'CompressionStream', 'navigator.sendBeacon', 'AbortController',
        'PerformanceObserver', 'MutationObserver', 'scheduler', 'WeakMap', 'XMLHttpRequest'];
      const attrs = { site: site('bare'), consent: 'granted', 'flush-interval': '600000', gzip: 'true' };
      await open(front, 'bare.html', attrs, { instr: { without } });
      assert.deepEqual(await d().executeScript(`return [typeof requestIdleCallback, typeof navigator.locks, typeof CompressionStream,
        typeof navigator.sendBeacon, typeof AbortController]`), Array(5).fill('undefined'), 'the features are gone');
      await click('#b');
      await tp(d(), 'track', 'bare_event');
      await tp(d(), 'flush');
      await storedExactly('bare', ['page_view', 'click', 'bare_event'], 'delivered by plain fetch');
      assert.ok(front.batches.every((b) => b.via === 'fetch' && !b.gzip), 'uncompressed fetches');
      // The flush keeps the queue due until it empties: an event captured while a request is in
      // flight (the click's dead_click, 1 s after it, on a loaded machine) goes out at once too,
      // and so would bare_at_close. Everything delivered first (no tp:q: key left), the last
      // event waits for the close.
      await waitFor('every queued event delivered', async () => !(await tpKeys(d())).some((k) => k.startsWith('tp:q:')),
        { timeout: 60_000 });
      await tp(d(), 'track', 'bare_at_close');
      const keys = await waitFor('the event persisted', () => d().executeScript(
        "var k = Object.keys(localStorage).filter(function (k) { return k.indexOf('tp:q:') === 0 && localStorage.getItem(k).indexOf('bare_at_close') >= 0; });"
        + 'return k.length > 0 && k'),
      { timeout: 60_000 });
      const log = await pageLog(d());
      assertHealthy(assert, log);
      await closeTab(d(), home);
      const arrived = await waitFor('the closed tab\'s keepalive fetch', async () => (await stored('bare')).some((e) => e.event === 'bare_at_close'),
        { timeout: 60_000 }).catch(() => false);
      if (!arrived) {
        await deliveredByNextVisit(t, front, 'bare', attrs, keys[0].split(':')[2], ['bare_at_close', 'bare_event', 'click']);
        return;
      }
      await storedExactly('bare', ['bare_at_close', 'bare_event', 'click', 'page_view'], 'the close delivered by keepalive fetch');
      const last = front.batches.find((b) => b.events.some((e) => e.event === 'bare_at_close'));
      assert.ok(last.via === 'fetch' && last.keepalive, `no sendBeacon: a keepalive fetch carried the last event: ${
        onTheWire(front)}`);
      assertUniqueIds(assert, await stored('bare'));
    });
  });

  test(`${name}: without WebAssembly (Lockdown Mode): Touchpoint stays off with one warning, the page is unharmed`, T, async () => {
    await scenario(async (front) => {
      const url = front.page('nowasm.html', fixture({ site: site('nowasm'), consent: 'granted', 'flush-interval': '1000' },
        { instr: { without: ['WebAssembly'] }, body: '<button id="b" onclick="this.dataset.n = (+this.dataset.n || 0) + 1">Buy</button>' }));
      await openTab(d(), url);
      const log = await waitFor('the loader to give up', async () => {
        const l = await pageLog(d());
        return l.warnings.some((w) => /touchpoint: could not load/.test(w)) && l;
      }, { timeout: 60_000 });
      assert.deepEqual(log.errors, [], 'no page error');
      assert.equal(log.warnings.filter((w) => /touchpoint/.test(w)).length, 1, 'one warning');
      await tp(d(), 'track', 'queued_by_the_stub'); // the stub keeps queuing, harmlessly
      await click('#b');
      assert.equal(await d().findElement(By.css('#b')).getAttribute('data-n'), '1', "the page's handler ran");
      assert.equal((await pageLog(d())).errors.length, 0, 'still no page error');
      assert.deepEqual(front.batches, [], 'nothing sent');
    });
  });

  test(`${name}: the SPA journey: history page views, page_leave, a declarative moment of truth, one session`, T, async () => {
    await scenario(async (front) => {
      const body = `<a id="to" href="/x/list">List</a>
<button id="add" data-tp-event="add_to_cart" data-tp-props='{"sku":"A1","price":19.99}'>Add</button>
<script>document.getElementById('to').addEventListener('click', function (e) { e.preventDefault(); history.pushState(null, '', this.href); });</script>`;
      await open(front, 'spa.html', { site: site('journey'), consent: 'granted', journey: 'on', friction: 'off', 'flush-interval': '1000' }, { body });
      const measures = await d().executeScript(`var t = PerformanceObserver.supportedEntryTypes || [];
        return [t.indexOf('largest-contentful-paint') >= 0, t.indexOf('layout-shift') >= 0,
          !!window.PerformanceEventTiming && 'interactionId' in PerformanceEventTiming.prototype];`);
      if (measures[0]) {
        // The load's LCP has reached Touchpoint's observer before the route change ends the view:
        // an observer made now is called after it (both are queued the buffered entry, in order).
        await d().executeScript(`new PerformanceObserver(function () { window.__lcpSeen = true; })
          .observe({ type: 'largest-contentful-paint', buffered: true });`);
        await waitFor('the LCP entry', async () => d().executeScript('return !!window.__lcpSeen'));
      }
      await click('#to');
      await waitFor('the route change', async () => (await d().executeScript('return location.pathname')) === '/x/list');
      await click('#add');
      await tp(d(), 'flush');
      const ev = await storedExactly('journey', ['page_view', 'page_view', 'page_leave', 'add_to_cart'], 'the journey');
      const views = ev.filter((e) => e.event === 'page_view');
      assert.deepEqual(views.map((v) => [v.context.page.path, v.properties.navigation]).sort(),
        [['/x/list', 'push'], ['/x/spa.html', 'load']]);
      assert.equal(views.find((v) => v.properties.navigation === 'push').properties.previous_path, '/x/spa.html');
      const leave = ev.find((e) => e.event === 'page_leave').properties;
      assert.equal(leave.path, '/x/spa.html');
      // Its web vitals: what this browser measures, and nothing it does not (never a 0 for an
      // unmeasured CLS, nor "good" for an unmeasured INP). The view had a click.
      assert.deepEqual([Number.isInteger(leave.lcp_ms), Number.isInteger(leave.cls_milli), ['good', 'needs-improvement', 'poor'].includes(leave.inp)],
        measures, JSON.stringify(leave));
      assert.deepEqual(ev.find((e) => e.event === 'add_to_cart').properties, { category: 'touchpoint', sku: 'A1', price: 19.99, moment: true });
      assert.equal(new Set(ev.map((e) => e.sessionId)).size, 1, 'one session');
      assertHealthy(assert, await pageLog(d()));
    });
  });

  // A customer who signs in in one tab of a visit is named by the events of its other tabs: they
  // hear of the session's write (a storage event) and take the customer from it.
  test(`${name}: identity across tabs: a customer who signs in in one tab of the visit is named in the other`, T, async () => {
    await scenario(async (front) => {
      const attrs = { site: site('tabs-identity'), consent: 'granted', friction: 'off', 'flush-interval': '300' };
      const bUrl = front.page('b.html', fixture(attrs, { body: '<p>account</p>' }));
      await open(front, 'a.html', attrs, { body: `<a id="open" href="${bUrl}" target="_blank">account</a>` });
      const a = await d().getWindowHandle();
      const handles = await d().getAllWindowHandles();
      await click('#open');
      const b = await waitFor('the account tab', async () => (await d().getAllWindowHandles()).find((h) => !handles.includes(h)));
      // (Tab a hears of b's session write holding the customer: a listener of its own, added
      // after Touchpoint's, which has handed it over by then.)
      await d().executeScript(`window.__heard = false; addEventListener('storage', function (e) {
        if (e.key === 'tp:session' && (e.newValue || '').indexOf('\x1fc-5150\x1f') >= 0) window.__heard = true; });`);
      await d().switchTo().window(b);
      await sdkReady(d());
      await tp(d(), 'identify', 'c-5150');
      await tp(d(), 'track', 'in_b_signed_in');
      await tp(d(), 'flush');
      await d().switchTo().window(a);
      await waitFor('tab a heard of the sign-in', () => d().executeScript('return window.__heard'));
      await tp(d(), 'track', 'in_a_after');
      await tp(d(), 'flush');
      const ev = await storedExactly('tabs-identity', ['in_b_signed_in', 'in_a_after'], 'both tabs');
      const [inB, inA] = ['in_b_signed_in', 'in_a_after'].map((n) => ev.find((e) => e.event === n));
      assert.equal(inB.userId, 'c-5150');
      assert.equal(inA.userId, 'c-5150', 'a: the customer who signed in in b');
      assert.equal(inA.sessionId, inB.sessionId, 'one visit');
      assertHealthy(assert, await pageLog(d()));
    });
  });

  // A campaign landing: its page view attributed (channel and campaign), a marked banner seen for
  // a second (IntersectionObserver), the page read to its end (End pressed): scroll depth.
  // (The page takes the campaign's parameters out of its address at once, as "clean URL" scripts
  // do: the landing's page view keeps its attribution, from the document's own address.)
  test(`${name}: a campaign landing: its attribution and channel (the address cleaned by the page), an element_view, scroll depth to 100 %`, T, async () => {
    await scenario(async (front) => {
      const attrs = { site: site('landing'), consent: 'granted', journey: 'on', friction: 'off', 'flush-interval': '300' };
      const url = front.page('landing.html', fixture(attrs, {
        body: '<script>history.replaceState(null, "", location.pathname)</script>'
          + '<div data-tp-view="spring_banner" style="height: 120px">Spring sale</div><div style="height: 4000px">Products</div><p id="end">End</p>',
      }));
      await openTab(d(), `${url}?utm_source=newsletter&utm_medium=email&utm_campaign=spring`);
      await sdkReady(d());
      await storedExactly('landing', ['page_view', 'element_view'], 'the landing and its banner seen');
      await d().actions({ async: true }).sendKeys(Key.END).perform();
      await waitFor('the page read to its end', () => d().executeScript('return scrollY + innerHeight >= document.documentElement.scrollHeight - 2'));
      await tp(d(), 'flush');
      const ev = await waitFor('scroll depth 100 %', async () => {
        await tp(d(), 'flush');
        const all = await stored('landing');
        return all.some((e) => e.event === 'scroll_depth' && e.properties.percent === 100) && all;
      });
      const view = ev.find((e) => e.event === 'page_view').properties;
      assert.deepEqual([view.channel, view.source, view.medium, view.campaign], ['email', 'newsletter', 'email', 'spring'], JSON.stringify(view));
      assert.equal(ev.find((e) => e.event === 'element_view').properties.name, 'spring_banner');
      const marks = ev.filter((e) => e.event === 'scroll_depth').map((e) => e.properties.percent).sort((x, y) => x - y);
      assert.deepEqual(marks, [25, 50, 75, 90, 100], 'each mark once');
      for (const e of ev) assert.equal(e.context.channel, 'email', `${e.event}: the session's channel`);
      assertHealthy(assert, await pageLog(d()));
    });
  });

  // ---- Friction signals -----------------------------------------------------------------------
  // The broken spots of the Playwright suite's fixture (tests/e2e/fixtures/friction.html), driven
  // by WebDriver's trusted input. "Nothing else" is proven as there: the sentinel (a styled div
  // that does nothing) is clicked last and its dead_click awaited; detectors decide in time
  // order, so every window the scenario opened has closed by then. Slow interactions and vitals
  // are only watched where a test is about them (a loaded machine makes real ones).

  // Safari's engine honours only the prefixed -webkit-user-select: without it, a burst of clicks on
  // the size picker selects its text there, and a selection counts as a response (no rage_click),
  // which is what a Safari visitor's burst would do on such a page too.
  const FRICTION_HTML = fs.readFileSync(path.join(root, 'tests/e2e/fixtures/friction.html'), 'utf8');
  const WEBKIT_USER_SELECT = '<style>.size { -webkit-user-select: none; }</style>';
  // The UI kits' buttons added to the fixture since these scenarios were written (class "kit")
  // are judged in the Playwright suite only; hidden here, they leave the page's lines as these
  // scenarios expect them in every browser's fonts (WebDriver clicks only what is in view).
  const KITS_HIDDEN = '<style>.kit { display: none; }</style>';

  async function frictionPage(front, s, attrs = {}) {
    attrs = { site: site(s), consent: 'granted', 'flush-interval': '300', 'slow-interaction-ms': '10000', 'friction-off': 'vital', ...attrs };
    front.answer('/api/save', 500);
    front.answer('/api/notify', 204);
    const html = FRICTION_HTML.replace('__SNIPPET__', WEBKIT_USER_SELECT + KITS_HIDDEN + snippet(attrs));
    await openTab(d(), front.page('friction.html', html));
    await sdkReady(d());
    return html;
  }
  const frictionOf = async (s) => (await stored(s)).filter((e) => e.properties && e.properties.category === 'friction');
  const selOf = (e) => (e.properties.element && e.properties.element.selector) || '';
  const summary = (ev) => ev.map((e) => `${e.event}${selOf(e) ? ` ${selOf(e)}` : ''}`).sort();

  /** `n` trusted clicks on `selector` in one WebDriver action, as fast as a visitor's burst. */
  async function clickN(selector, n) {
    const el = typeof selector === 'string' ? await d().findElement(By.css(selector)) : await selector();
    let a = d().actions({ async: true }).move({ origin: el });
    for (let i = 0; i < n; i++) a = a.click();
    await a.perform();
  }

  /** Runs `src` as the page's own script (a script element), not as WebDriver's: Firefox sets no
   * window.event for a listener that geckodriver's sandbox created. */
  const pageScript = (src) => d().executeScript(`var s = document.createElement('script');
    s.textContent = ${JSON.stringify(src)}; document.head.appendChild(s);`);

  /** Clicks the dead coupon "button" and waits until scenario `s` has its friction event. */
  async function deadCoupon(s) {
    await clickN('#coupon', 1);
    await waitFor('the dead click', async () => {
      await tp(d(), 'flush');
      return (await frictionOf(`fr-${s}`)).length > 0;
    }, { timeout: 60_000 });
  }

  /** Clicks the sentinel and waits for its verdict; returns the scenario's other friction events. */
  async function verdict(s) {
    await waitFor('the page to settle', () => d().executeAsyncScript(`var done = arguments[arguments.length - 1], y = scrollY;
      setTimeout(function () { done(scrollY === y); }, 100);`));
    await clickN('#sentinel', 1);
    const ev = await waitFor("the sentinel's dead_click", async () => {
      await tp(d(), 'flush');
      const all = await frictionOf(s);
      return all.some((e) => e.event === 'dead_click' && selOf(e).endsWith('#sentinel')) && all;
    }, { timeout: 90_000 });
    const log = await pageLog(d());
    assert.deepEqual(log.warnings.filter((w) => /touchpoint: (disabled|could not load)/.test(w)), [], 'Touchpoint stayed up');
    return ev.filter((e) => !selOf(e).endsWith('#sentinel'));
  }

  /** A user scroll by `dy` (WebDriver's wheel action: a trusted wheel event), until
   * `done(scrollY)` holds. A wheel action that has not scrolled the page after 5 s is sent
   * again, up to 60 s: on a loaded CI machine WebKit once left one unanswered for a minute
   * (the page never moved), and later, with the wheel sent again every 5 s, a whole minute of
   * them (a fresh-clone run with other builds alongside). So every other retry is the keyboard
   * instead (End or Home: a trusted keydown, which the scroll sensor also takes as the user's),
   * going the same way: a retry adds no reversal. */
  async function userScroll(dy, done) {
    const deadline = performance.now() + 60_000;
    for (let attempt = 0; ; attempt++) {
      if (attempt % 2 === 0) {
        await d().actions({ async: true }).scroll(400, 300, 0, dy).perform(); // at (400, 300) of the viewport
      } else {
        const key = dy > 0 ? Key.END : Key.HOME;
        await d().actions({ async: true }).keyDown(key).keyUp(key).perform();
      }
      try {
        await waitFor('the scroll', () => d().executeScript(`return (${done})(scrollY)`), { timeout: Math.min(5_000, deadline - performance.now()) });
        return;
      } catch (e) {
        if (performance.now() >= deadline) throw e;
      }
    }
  }

  /** F4. The #slow click is the interaction whose handlers ran about 400 ms (processing_ms):
   * exactly one. Its element is asserted only when the report has one: Chromium gives no target
   * on the pointerdown/pointerup entries of a WebDriver click, and when such an entry rounds
   * 8 ms longer than the click's it is the longest one, so the report has no element (seen
   * once here on a loaded machine; not in 26 slow clicks probed on a quiet one). Other slow interactions (the 300 ms threshold
   * is within reach of a loaded machine's plain clicks) are not the scenario's and are ignored,
   * as long as they are nothing but slow_interaction. WebKit has no Event Timing: nothing. */
  function checkSlow(ev, t) {
    if (name === 'webkit') { assert.deepEqual(summary(ev), []); return; }
    assert.deepEqual([...new Set(ev.map((e) => e.event))], ['slow_interaction'], `only slow_interaction: ${summary(ev)}`);
    const slow = ev.filter((e) => e.properties.processing_ms >= 390);
    assert.equal(slow.length, 1, `one interaction with ~400 ms of handlers: ${JSON.stringify(ev.map((e) => e.properties))}`);
    const p = slow[0].properties;
    assert.ok(p.duration_ms >= 390, `duration_ms ${p.duration_ms}`);
    if (p.element) assert.equal(p.element.selector.split(' > ').pop(), '#slow', `the element: ${JSON.stringify(p.element)}`);
    else t.diagnostic(`slow_interaction without an element (entry: ${p.interaction})`);
    if (ev.length > 1) t.diagnostic(`other slow interactions on a loaded machine: ${JSON.stringify(ev.map((e) => e.properties))}`);
  }

  /** F8. scroll_thrash means 4 reversals within 3 s, and each leg here is a WebDriver round
   * trip, which a loaded machine can stretch past that. So the page keeps its own record of the
   * turning points, observed exactly as Touchpoint's scroll sensor observes them (same events,
   * same clock, same leg and user-input rules), and the detector's rule is applied to it: a
   * burst that was too slow to be a thrash is repeated (up to 4 bursts), and the test expects
   * exactly as many scroll_thrash events as the record calls for. Where the record is within
   * 100 ms of the 3 s window, either answer is accepted. */
  let thrashTurns = [];
  async function thrashBursts() {
    await d().executeScript(`var w = window, lastY = w.scrollY | 0, legStart = lastY, lastDir = 0, lastUser = 0;
      w.__turns = [];
      var userTimer = 0;
      function userOn() { userTimer = 0; ['wheel', 'touchmove', 'keydown'].forEach(function (n) { w.addEventListener(n, user, { capture: true, passive: true, once: true }); }); }
      function user() { lastUser = Date.now(); userTimer = userTimer || setTimeout(userOn, 500); }
      userOn();
      document.addEventListener('scroll', function (e) {
        if (e.target !== document) return;
        var y = w.scrollY | 0, dir = y > lastY ? 1 : y < lastY ? -1 : 0;
        if (dir && lastDir && dir !== lastDir) {
          w.__turns.push({ at: Date.now(), leg: Math.abs(lastY - legStart), vh: w.innerHeight | 0, user: Date.now() - lastUser < 1500 });
          legStart = lastY;
        }
        if (dir) { lastDir = dir; lastY = y; }
      }, { capture: true, passive: true });`);
    for (let burst = 0; burst < 4; burst++) {
      for (let i = 0; i < 6; i++) await userScroll(i % 2 ? -2500 : 2500, i % 2 ? '(y) => y < 100' : '(y) => y > 1000');
      thrashTurns = await d().executeScript('return window.__turns');
      if (Math.min(...thrashCounts(thrashTurns)) >= 1) return;
    }
  }
  /** How many scroll_thrash events core::friction::scroll_thrash reports for `turns`, for each
   * window from 2.9 to 3.1 s (the record and the sensor read the clock a moment apart). */
  function thrashCounts(turns) {
    const counts = [];
    for (let win = 2_900; win <= 3_100; win += 10) {
      let rev = [], reported = false, n = 0;
      for (const t of turns) {
        rev = rev.filter((r) => t.at - r <= win);
        if (!rev.length) reported = false;
        if (!t.user || t.leg * 2 < Math.max(t.vh, 1)) continue;
        rev.push(t.at);
        if (rev.length >= 4 && !reported) { reported = true; n++; }
      }
      counts.push(n);
    }
    return counts;
  }
  function checkThrash(ev, t) {
    const counts = thrashCounts(thrashTurns);
    t.diagnostic(`turning points (ms after the first): ${JSON.stringify(thrashTurns.map((x) => x.at - thrashTurns[0].at))}`);
    assert.ok(Math.min(...counts) >= 1, `4 bursts and none was a thrash by the record: ${JSON.stringify(thrashTurns)}`);
    assert.ok(ev.every((e) => e.event === 'scroll_thrash'), `only scroll_thrash: ${summary(ev)}`);
    assert.ok(counts.includes(ev.length), `${ev.length} scroll_thrash, the record calls for ${[...new Set(counts)]}`);
  }

  const FRICTION = [
    { s: 'dead', title: 'dead_click: a styled div that does nothing', act: () => clickN('#coupon', 1), expect: ['dead_click #coupon'] },
    { s: 'rage', title: 'rage_click: a size picker that ignores clicks, clicked 5 times', act: () => clickN('#size-m', 5), expect: ['rage_click #size-m'] },
    // The browser gives a disabled button no click event: its presses (pointerdown) stand for them.
    { s: 'disabled', title: 'rage_click: a disabled "Add to bag" pressed 4 times', act: () => clickN('#add-disabled', 4), expect: ['rage_click #add-disabled'] },
    { s: 'fieldset', title: 'rage_click: a "Place order" in a disabled fieldset pressed 4 times', act: () => clickN('#order-go', 4), expect: ['rage_click #order-go'] },
    {
      // The focus that the next press moves at its mousedown (onto the pressed element)
      // answers no earlier click.
      // (#noop, next to the sizes: WebDriver scrolls an element into view before it moves to
      // it, and a scroll answers a click.)
      s: 'rage-press', title: 'rage_click: a rage burst, then at once a button pressed',
      act: async () => { await clickN('#size-m', 5); await clickN('#noop', 1); }, expect: ['dead_click #noop', 'rage_click #size-m'],
    },
    { s: 'error', title: 'error_click and js_error: a button that throws', act: () => clickN('#throws', 1), expect: ['error_click #throws', 'js_error'] },
    {
      s: 'slow', title: 'slow_interaction: a click blocking the main thread for 400 ms (Event Timing)', attrs: { 'slow-interaction-ms': '300' },
      act: () => clickN('#slow', 1), check: checkSlow,
    },
    {
      s: 'field', title: 'field_error: a form submitted with an invalid email',
      act: async () => { await clickN('#email', 1); await d().findElement(By.css('#email')).sendKeys('not-an-email'); await clickN('#signup-go', 1); },
      expect: ['field_error #email'],
    },
    { s: 'request', title: 'failed_request: a request answered 500', act: () => clickN('#save', 1), expect: ['failed_request'] },
    // The click waits for the request it started (the fetch wrapper tells when it ends), then
    // for the page to show something: answered, and nothing shown.
    {
      // The component's answer is in its shadow DOM (observed for a click retargeted to its host).
      s: 'shadow', title: 'none: a web component\'s button that changes its shadow DOM, clicked 4 times',
      act: () => clickN(() => d().executeScript("return document.getElementById('shadow-qty').shadowRoot.getElementById('inc')"), 4), expect: [],
    },
    {
      // Answered at the press, before the click event (react-select at mousedown, Radix UI at pointerdown).
      s: 'press', title: 'none: a select that opens at mousedown, then a menu that opens at pointerdown',
      act: async () => { await clickN('#variant', 1); await clickN('#sort', 1); }, expect: [],
    },
    {
      // Shown by the page's CSS when the click's focus lands in it (no script, no DOM change); a
      // focus ring alone shows nothing new. (Elements that take the focus in every browser:
      // WebKit gives a clicked button none.)
      s: 'css-focus', title: 'dead_click: a CSS-only tooltip (:focus) clicked, then an element with a focus ring alone',
      act: async () => { await clickN('#css-tip', 1); await clickN('#help-dead', 1); }, expect: ['dead_click #help-dead'],
    },
    { s: 'notify', title: 'dead_click: a button whose request is answered and nothing shown', act: () => clickN('#notify', 1), expect: ['dead_click #notify'] },
    {
      // The threshold raised to its maximum: on a loaded machine WebDriver's round trips alone can
      // approach the default 10 s; the test is about detection, not the threshold.
      s: 'quick-back', title: 'quick_back: straight back from a single-page-app view', attrs: { 'quick-back-ms': '60000' },
      act: async () => {
        await clickN('#to-details', 1);
        await waitFor('on /details', () => d().executeScript("return location.pathname === '/details'"));
        await d().navigate().back();
        await waitFor('back on the fixture', () => d().executeScript("return location.pathname === '/x/friction.html'"));
      },
      expect: ['quick_back'],
    },
    { s: 'thrash', title: 'scroll_thrash: scrolling up and down repeatedly', act: thrashBursts, check: checkThrash },
    { s: 'normal', title: 'none: add to cart clicked 3 times (each click answered)', act: () => clickN('#add', 3), expect: [] },
    {
      // The sound plays outside the DOM (an Audio never put in the page): no DOM change, no event
      // the document sees. HTMLMediaElement.play is wrapped: its promise kept answers the click
      // (the sample has samples: Firefox refuses an empty WAV, a sound that never plays: a dead_click).
      s: 'sound', title: 'none: a button playing a sound sample from an Audio never put in the page',
      act: async () => {
        await pageScript(`var b = document.createElement('button');
          b.id = 'listen'; b.type = 'button'; b.textContent = 'Listen';
          b.addEventListener('click', function () {
            var p = new Audio('data:audio/wav;base64,UklGRjQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YRAAAACAgICAgICAgICAgICAgICA').play();
            if (p) p.catch(function () {});
          });
          document.body.prepend(b);`);
        await clickN('#listen', 1);
      },
      expect: [],
    },
    {
      // A countdown nobody marked data-tp-ambient ticks every 100 ms: learned as changing on its
      // own, its ticks answer no click outside it; a button whose own handler changes it (in the
      // click's task: window.event) is answered.
      s: 'ambient', title: 'dead_click: a dead button on a page whose countdown nobody marked ticks all the time',
      act: async () => {
        await pageScript(`var c = document.createElement('p');
          c.innerHTML = 'Sale ends in <b id="ticks">0</b> <button id="stop-sale" type="button">Hide the timer</button>';
          document.body.prepend(c);
          window.ticks = 0;
          var tick = setInterval(function () { window.ticks++; document.getElementById('ticks').textContent = Date.now(); }, 100);
          document.getElementById('stop-sale').addEventListener('click', function () {
            clearInterval(tick);
            document.getElementById('ticks').textContent = 'hidden';
          });`);
        await waitFor('the countdown ticking', () => d().executeScript('return window.ticks >= 12'));
        await deadCoupon('ambient');
        await clickN('#stop-sale', 1);
      },
      expect: ['dead_click #coupon'],
    },
    {
      // An autoplaying carousel nobody marked: each turn moves its track and marks a slide and a
      // dot (attribute changes); learned from them, its turns answer no click outside it.
      s: 'carousel', title: 'dead_click: a dead button on a page whose hero carousel nobody marked turns by itself',
      act: async () => {
        await pageScript(`var c = document.createElement('div'), h = '', b = '', i, at = 0;
          c.style.cssText = 'position: fixed; left: 0; bottom: 0; width: 240px; height: 60px; overflow: hidden';
          for (i = 0; i < 6; i++) {
            h += '<li class="slide" style="display: inline-block; width: 240px"><a href="#s' + i + '">Offer ' + i + '</a></li>';
            b += '<button type="button" class="dot"></button>';
          }
          c.innerHTML = '<ul class="track" style="white-space: nowrap; margin: 0; padding: 0">' + h + '</ul><div class="dots">' + b + '</div>';
          document.body.append(c);
          window.turns = 0;
          setInterval(function () {
            var sl = c.querySelectorAll('.slide'), dt = c.querySelectorAll('.dot');
            sl[at].classList.remove('on'); dt[at].classList.remove('on');
            at = (at + 1) % 6;
            sl[at].classList.add('on'); dt[at].classList.add('on');
            c.firstChild.style.transform = 'translateX(' + (-240 * at) + 'px)';
            window.turns++;
          }, 400);`);
        await waitFor('the carousel turning', () => d().executeScript('return window.turns >= 8'));
        await deadCoupon('carousel');
      },
      expect: ['dead_click #coupon'],
    },
    // "Submitted" by a button's own handler, with no submit event: a form without a <form>
    // element checked by its "Continue"; a form's type=button "Review order" moving on to the
    // next step (a route change), which ends the view with the form completed, not abandoned.
    { s: 'field-click', title: 'field_error: a checkout without a <form> element whose "Continue" finds the city empty', act: () => clickN('#ship-next', 1), expect: ['field_error #city'] },
    {
      s: 'form-go', title: 'none: a checkout step continued by its type=button handler (a route change): no form_abandon',
      act: async () => {
        await clickN('#card-name', 1);
        await d().findElement(By.css('#card-name')).sendKeys('J Doe');
        await clickN('#card-no', 1);
        await d().findElement(By.css('#card-no')).sendKeys('4242424242424242');
        await clickN('#pay-next', 1);
        await waitFor('on /review', () => d().executeScript("return location.pathname === '/review'"));
      },
      expect: [],
    },
    // A custom control whose page handles only its clicks: Enter on it does nothing, and the
    // browser makes no click (a keyboard visitor's dead control), taken as its click. (Focused
    // where it is, at the page's end: a scroll to it that came after the Enter would answer it.)
    {
      s: 'custom-enter', title: 'dead_click: a custom role=button that handles only clicks, Enter pressed on it',
      act: async () => {
        await pageScript(`var b = document.createElement('div'); b.id = 'kb-only'; b.setAttribute('role', 'button'); b.tabIndex = 0;
          b.textContent = 'Add one'; b.addEventListener('click', function () { b.textContent += '+'; });
          document.body.appendChild(b); b.focus({ preventScroll: true });`);
        await waitFor('#kb-only focused', () => d().executeScript("return document.activeElement && document.activeElement.id === 'kb-only'"));
        await d().actions({ async: true }).sendKeys(Key.ENTER).perform();
      },
      expect: ['dead_click #kb-only'],
    },
    // The page's script steps a quantity box through its value property: no attribute, no event.
    { s: 'value-set', title: 'none: a quantity box\'s + (input.value set by the script) clicked 4 times', act: () => clickN('#qty-inc', 4), expect: [] },
    // The iOS workaround for click delegation: every element's pointer cursor, from the body, is no
    // sign of a control. (The verdict's sentinel then looks interactive by an onclick attribute.)
    {
      s: 'body-pointer', title: 'none: a paragraph clicked on a page whose body has cursor: pointer (the iOS click-delegation workaround)',
      act: async () => {
        await d().executeScript("document.body.style.cursor = 'pointer'; document.getElementById('sentinel').setAttribute('onclick', '');");
        await clickN('#para', 1);
      },
      expect: [],
    },
    // The same control, Space pressed on it: the page, not cancelled, scrolls (the key's own
    // default), which answers nothing.
    {
      s: 'custom-space', title: 'dead_click: a custom role=button that handles only clicks, Space pressed on it (the page scrolls)',
      act: async () => {
        await pageScript(`var b = document.createElement('div'); b.id = 'kb-space'; b.setAttribute('role', 'button'); b.tabIndex = 0;
          b.textContent = 'Add one'; b.addEventListener('click', function () { b.textContent += '+'; });
          document.body.appendChild(b); scrollTo(0, 0); b.focus({ preventScroll: true });`);
        await waitFor('#kb-space focused', () => d().executeScript("return document.activeElement && document.activeElement.id === 'kb-space'"));
        await d().actions({ async: true }).sendKeys(Key.SPACE).perform();
        await waitFor('the page scrolled by Space', () => d().executeScript('return scrollY > 0'));
      },
      expect: ['dead_click #kb-space'],
    },
    // Buttons that act in their mouseup or pointerup handler: what those change (after mousedown,
    // before the click) answers the click.
    {
      s: 'release-handlers', title: 'none: buttons acting in their mouseup and pointerup handlers',
      act: async () => {
        await pageScript(`['mouseup', 'pointerup'].forEach(function (type) {
            var b = document.createElement('button'); b.id = 'on-' + type; b.textContent = 'Add to bag';
            b.addEventListener(type, function () { b.textContent = 'Added'; });
            document.body.insertBefore(b, document.body.firstChild);
          }); scrollTo(0, 0);`);
        await clickN('#on-mouseup', 1);
        await clickN('#on-pointerup', 1);
      },
      expect: [],
    },
    // A press whose pointerdown handler throws (the button does nothing): that click's error.
    {
      s: 'press-throws', title: 'error_click: a button whose pointerdown handler throws',
      act: async () => {
        await pageScript(`var b = document.createElement('button'); b.id = 'pd-throws'; b.textContent = 'Add to bag';
          b.addEventListener('pointerdown', function () { window.swipe.begin(); });
          document.body.insertBefore(b, document.body.firstChild); scrollTo(0, 0);`);
        await clickN('#pd-throws', 1);
      },
      expect: ['error_click #pd-throws', 'js_error'],
    },
    // A placeholder link (href="#", no handler) changes the address only: dead from its first
    // click (a fragment that names an element, a :target panel, answers).
    {
      s: 'hash-links', title: 'dead_click: a placeholder href="#" link; a link to a :target panel answers',
      act: async () => {
        await pageScript(`var p = document.createElement('p');
          p.innerHTML = '<style>#size-guide { display: none; position: fixed; left: 0; bottom: 0 } #size-guide:target { display: block }</style>' +
            '<a id="placeholder" href="#">Details</a> <a id="guide" href="#size-guide">Size guide</a><span id="size-guide">S M L</span>';
          document.body.insertBefore(p, document.body.firstChild); scrollTo(0, 0);`);
        // (The panel's first: its answer, a moment later, would answer the other click too. It
        // is fixed: a jump to it scrolls nothing, and a scroll back to the top would answer.)
        await clickN('#guide', 1);
        await clickN('#placeholder', 1);
      },
      expect: ['dead_click #placeholder'],
    },
  ];

  for (const f of FRICTION) {
    test(`${name}: friction: ${f.title}`, T, async (t) => {
      await scenario(async (front) => {
        await frictionPage(front, `fr-${f.s}`, f.attrs);
        await f.act();
        const ev = await verdict(`fr-${f.s}`);
        if (f.check) f.check(ev, t);
        else assert.deepEqual(summary(ev), [...f.expect].sort());
      });
    });
  }

  // The page stays on screen until the next one answers; the link's click was answered all the
  // same (followed: not cancelled by the page).
  for (const [what, selector] of [['a link', '#to-slow'], ['a button setting location.href', '#checkout']]) {
    test(`${name}: friction: none: ${what} to a page whose server takes 2.5 s to answer`, T, async () => {
      await scenario(async (front) => {
        const s = `fr-slow-${selector.slice(1)}`;
        const html = await frictionPage(front, s);
        front.slowPage('/slow.html', html, 2_500);
        await clickN(selector, 1);
        await waitFor('on /slow.html', () => d().executeScript("return location.pathname === '/slow.html'"), { timeout: 60_000 });
        await sdkReady(d());
        assert.deepEqual(summary(await verdict(s)), []);
      });
    });
  }

  // Clicks each field and types its text.
  async function typeIn(fields) {
    for (const [sel, text] of fields) {
      await clickN(sel, 1);
      await d().findElement(By.css(sel)).sendKeys(text);
    }
  }
  // Leaves the page; returns site `s`'s events once its form_abandon is stored.
  async function leftAbandoned(front, s) {
    await d().get(`${front.url}/healthz`);
    return waitFor('form_abandon stored', async () => {
      const all = await stored(s);
      return all.some((e) => e.event === 'form_abandon') && all;
    }, { timeout: 60_000 });
  }

  // Without <form> elements: the element around the fields that holds a second field and a
  // button is their form. "Continue" hides the contact step and shows the payment step in place
  // (the contact step completed), then the visitor leaves: one form_abandon, of the payment step.
  test(`${name}: friction: form_abandon: a checkout without <form> elements, its first step completed in place, left at its payment step`, T, async () => {
    await scenario(async (front) => {
      const s = 'fr-formless';
      await frictionPage(front, s);
      await d().executeScript("document.getElementById('fl-contact').scrollIntoView()");
      await typeIn([['#fl-email', 'jane@example.com'], ['#fl-name', 'Jane']]);
      await clickN('#fl-next', 1);
      await waitFor('the payment step', () => d().executeScript("return !document.getElementById('fl-pay').hidden"));
      await clickN('#fl-holder', 1);
      await d().findElement(By.css('#fl-holder')).sendKeys('J Doe', Key.NULL);
      const ev = await leftAbandoned(front, s);
      // (The fixture's page runs without the journey's touchpoints: form_start and form_submit are not sent.)
      const fa = ev.filter((e) => e.event === 'form_abandon');
      assert.deepEqual(fa.map((e) => [e.properties.element.id, e.properties.fields_completed, e.properties.last_field.id]), [['fl-pay', 1, 'fl-holder']]);
    });
  });

  // A <form method=dialog>'s Cancel submits the form (and closes the dialog): told by its
  // submitter, it is no form_submit, and the visitor who typed and left abandoned the form.
  test(`${name}: friction: form_abandon: a back-in-stock alert in a <dialog> typed, closed by its Cancel, then the page left`, T, async () => {
    await scenario(async (front) => {
      const s = 'fr-dialog-cancel';
      await frictionPage(front, s);
      await d().executeScript("document.getElementById('notify-open').scrollIntoView()");
      await clickN('#notify-open', 1);
      await waitFor('the dialog open', () => d().executeScript("return document.getElementById('alert-dlg').open"));
      await typeIn([['#nt-email', 'jane@example.com'], ['#nt-name', 'Jane']]);
      await clickN('#nt-cancel', 1);
      await waitFor('the dialog closed', () => d().executeScript("return !document.getElementById('alert-dlg').open"));
      const ev = await leftAbandoned(front, s);
      const fa = ev.filter((e) => e.event === 'form_abandon');
      assert.deepEqual(fa.map((e) => [e.properties.element.id, e.properties.fields_completed]), [['notify-form', 2]]);
    });
  });

  test(`${name}: friction: form_abandon: a form filled in and left`, T, async () => {
    await scenario(async (front) => {
      await frictionPage(front, 'fr-abandon');
      await clickN('#name', 1);
      await d().findElement(By.css('#name')).sendKeys('Jane');
      await clickN('#email', 1);
      await d().findElement(By.css('#email')).sendKeys('jane@', Key.NULL);
      const ev = await leftAbandoned(front, 'fr-abandon');
      const fa = ev.find((e) => e.event === 'form_abandon');
      assert.equal(fa.properties.fields_completed, 2);
      assert.equal(fa.properties.last_field.id, 'email');
      assert.ok(!JSON.stringify(fa).includes('Jane') && !JSON.stringify(fa).includes('jane@'), 'never a value');
    });
  });
}
