// Fault injection on the delivery path: the collector failing (503, 429 + Retry-After, 400),
// the network failing (aborted requests, the browser offline) and gzip bodies. In each scenario
// the events the page created are compared with what the collector's SQLite holds: equal, and
// each messageId stored once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, sdkReady, startCollector, waitFor } from './harness.mjs';
import { expectExactlyStored, faultRoute, flush, names, openSite, storedOf, track, waitStored, watchBatches } from './faults.mjs';
import { assertNoPageErrors, withContext } from './faults.mjs'; // shared with the other fault tests

let collector, browser;
before(async () => { [collector, browser] = await Promise.all([startCollector(), launch()]); });
after(async () => { await browser?.close(); await collector?.stop(); });

const attrs = (site, extra = {}) => ({
  site, consent: 'granted', 'flush-interval': '1000', 'batch-size': '20', 'retry-base': '200', 'retry-cap': '2000', ...extra,
});

/** A fresh context per test (its own localStorage), closed whatever happens. */
const inContext = (fn) => withContext(browser, fn);


const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('503 for 10 s, then recovery: every event arrives exactly once, retried with growing gaps', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'dl-503';
    const { page, url, pageErrors } = await openSite(context, collector, attrs(site), undefined, { ready: false });
    const OUTAGE = 10_000;
    let outageEnd = null;
    const r = await faultRoute(page, (a) => {
      if (outageEnd === null) outageEnd = a.at + OUTAGE;
      return a.at < outageEnd ? { status: 503 } : 'pass';
    });
    await page.goto(url);
    await sdkReady(page);
    let created = 1; // the automatic page_view
    created += await track(page, names('burst', 30), { phase: 'burst' });
    await waitFor('three failed attempts', () => r.attempts.filter((a) => a.status === 503).length >= 3, { timeout: 30_000 });
    created += await track(page, names('mid_outage', 5), { phase: 'mid' });

    const stored = await expectExactlyStored(assert, collector, site, created, { lists: [r.attempts] });

    const failed = r.attempts.filter((a) => a.status === 503);
    assert.ok(failed.length >= 3 && failed.length <= 30,
      `a 10 s outage with retry-base 200 / cap 2000 takes a handful of attempts, not a hot loop: ${failed.length}`);
    // Delay chosen by the page: from our 503 answer to its next attempt (the first 'pass' included).
    const upToRecovery = r.attempts.slice(0, failed.length + 1);
    const gaps = upToRecovery.slice(1).map((a, i) => a.at - upToRecovery[i].answeredAt);
    const SLACK = 800; // scheduling, IPC and route overhead on a loaded machine
    assert.ok(gaps[0] <= 400 + SLACK, `first retry ceiling is small (base 200): gaps ${gaps}`);
    assert.ok(Math.max(...gaps) >= 700, `the backoff ceiling grew past the first retries: gaps ${gaps}`);
    assert.ok(gaps.every((g) => g <= 2000 + 2 * SLACK), `no gap beyond the 2000 ms cap (+ slack): gaps ${gaps}`);
    assert.equal(r.maxConcurrent, 1, 'one request in flight at a time');
    // Retries carry the same messageIds, and each of them ends up stored.
    const storedIds = new Set(stored.map((e) => e.messageId));
    for (const a of failed) for (const id of a.ids) assert.ok(storedIds.has(id), `retried ${id} was stored`);
    assert.ok(r.attempts.every((a) => a.type === 'fetch'), 'delivered by fetch');
    await assertNoPageErrors(page, pageErrors);
  });
});

test('429 with Retry-After: 3 holds the next attempt back at least 3 s, then everything arrives', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'dl-429';
    const { page, url, pageErrors } = await openSite(context, collector, attrs(site), undefined, { ready: false });
    const r = await faultRoute(page, (a, i) => (i < 2 ? { status: 429, headers: { 'Retry-After': '3' } } : 'pass'));
    await page.goto(url);
    await sdkReady(page);
    let created = 1;
    created += await track(page, names('limited', 5));
    await flush(page);
    await expectExactlyStored(assert, collector, site, created, { lists: [r.attempts], names: ['page_view', ...names('limited', 5)] });

    assert.ok(r.attempts.length >= 3, `two 429s then a success: ${r.attempts.map((a) => a.action)}`);
    for (let i = 1; i < 3; i++) {
      const gap = r.attempts[i].at - r.attempts[i - 1].answeredAt;
      assert.ok(gap >= 2_900, `attempt ${i + 1} came ${gap} ms after the 429 with Retry-After: 3`);
      assert.ok(gap <= 8_000, `attempt ${i + 1} was not parked much longer than asked: ${gap} ms`);
    }
    assert.equal(r.maxConcurrent, 1, 'one request in flight at a time');
    await assertNoPageErrors(page, pageErrors);
  });
});

test('requests aborted at the network for a while: retried, then every event arrives once', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'dl-abort';
    const { page, url, pageErrors } = await openSite(context, collector, attrs(site), undefined, { ready: false });
    let abortUntil = null;
    const r = await faultRoute(page, (a) => {
      if (abortUntil === null) abortUntil = a.at + 4_000;
      return a.at < abortUntil ? 'abort' : 'pass';
    });
    await page.goto(url);
    await sdkReady(page);
    let created = 1;
    created += await track(page, names('unreachable', 25), { note: 'network down' });
    await flush(page);
    const stored = await expectExactlyStored(assert, collector, site, created, { lists: [r.attempts] });

    const aborted = r.attempts.filter((a) => a.action === 'abort');
    assert.ok(aborted.length >= 2, `the page retried after network errors: ${aborted.length} aborted attempts`);
    const storedIds = new Set(stored.map((e) => e.messageId));
    for (const a of aborted) for (const id of a.ids) assert.ok(storedIds.has(id), `aborted ${id} was stored later`);
    assert.equal(r.maxConcurrent, 1, 'one request in flight at a time');
    await assertNoPageErrors(page, pageErrors);
  });
});

test('a request that never gets an answer is aborted after data-request-timeout and sent again: nothing waits behind it', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'dl-hang';
    const { page, url, pageErrors } = await openSite(context, collector, attrs(site, { 'request-timeout': '2000' }), undefined, { ready: false });
    // The first request is held for ever (a proxy that never answers); the others pass.
    const r = await faultRoute(page, (a, i) => (i === 0 ? 'hold' : 'pass'));
    const failed = [];
    page.on('requestfailed', (q) => { if (q.url().includes('/v1/batch')) failed.push({ at: Date.now(), error: q.failure()?.errorText }); });
    await page.goto(url);
    await sdkReady(page);
    let created = 1;
    created += await track(page, names('behind_a_hang', 5), { note: 'first request hangs' });
    await flush(page);
    await waitFor('the first request', () => r.attempts.length >= 1, { timeout: 30_000 });
    created += await track(page, names('after', 3), { note: 'later events' });
    const stored = await expectExactlyStored(assert, collector, site, created, { lists: [r.attempts] });

    const [held, next] = r.attempts;
    assert.ok(held.held && next, `the held request, then another: ${r.attempts.map((a) => a.action)}`);
    // Aborted at 2 s, then retried within the backoff cap (2 s here), with slack for the machine.
    const gap = next.at - held.at;
    assert.ok(gap >= 1_500 && gap <= 2_000 + 2_000 + 3_000, `the next attempt ${gap} ms after the held one`);
    assert.ok(failed.length >= 1, 'the page aborted the held request');
    const storedIds = new Set(stored.map((e) => e.messageId));
    for (const id of held.ids) assert.ok(storedIds.has(id), `held ${id} was sent again and stored`);
    await held.release.abort();
    await assertNoPageErrors(page, pageErrors);
  });
});

test('a tab frozen in the background (the freeze event, maybe discarded next): what it captured since it was hidden is written at once', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'dl-freeze';
    const { page, url, pageErrors } = await openSite(context, collector, attrs(site, { 'flush-interval': '60000', friction: 'on' }), undefined, { ready: false });
    await page.goto(url);
    await sdkReady(page);
    // An error in a background widget, then the freeze, before the loader's next hand-over.
    const stored = await page.evaluate(() => new Promise((resolve) => {
      const widget = document.createElement('script');
      widget.textContent = 'setTimeout(function () { throw new Error("widget broke in the background"); }, 0);';
      document.head.append(widget);
      setTimeout(() => {
        document.dispatchEvent(new Event('freeze'));
        resolve(Object.keys(localStorage).filter((k) => k.startsWith('tp:q:')).map((k) => localStorage.getItem(k)).join('\n'));
      }, 30);
    }));
    assert.match(stored, /widget broke in the background/, 'the js_error is in storage at the freeze');
    assert.deepEqual(pageErrors.map(String).filter((e) => !/widget broke/.test(e)), [], 'no other error in the page');
  });
});

test('offline for 20 s: no request is attempted while offline, everything arrives once back online', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'dl-offline';
    const { page, url, pageErrors } = await openSite(context, collector, attrs(site), undefined, { ready: false });
    const seen = watchBatches(page);
    const r = await faultRoute(page, () => 'pass');
    await page.goto(url);
    await sdkReady(page);
    let created = 1;
    await expectExactlyStored(assert, collector, site, created, { lists: [seen, r.attempts] }); // page_view, nothing in flight

    const offlineAt = Date.now();
    await context.setOffline(true);
    await waitFor('navigator.onLine to be false', () => page.evaluate(() => navigator.onLine === false), { timeout: 10_000 });
    created += await track(page, names('offline_a', 25)); // more than a batch
    await flush(page);
    await sleep(10_000); // the outage is the scenario: 20 s without network
    created += await track(page, names('offline_b', 5));
    await flush(page);
    await sleep(Math.max(0, offlineAt + 20_000 - Date.now()));
    const duringOffline = [...seen, ...r.attempts].filter((a) => a.at >= offlineAt);
    assert.deepEqual(duringOffline.map((a) => `${a.type} ${a.names.length} events`), [], 'no request attempted while offline');

    const onlineAt = Date.now();
    await context.setOffline(false);
    await expectExactlyStored(assert, collector, site, created, { lists: [seen, r.attempts] });
    const resumed = r.attempts.filter((a) => a.at >= onlineAt);
    assert.ok(resumed.length >= 2, `31 events need at least two batches of 20: ${resumed.length}`);
    assert.ok(resumed[0].at - onlineAt <= 10_000, `sending resumed on the 'online' event (${resumed[0].at - onlineAt} ms)`);
    assert.equal(r.maxConcurrent, 1, 'one request in flight at a time');
    await assertNoPageErrors(page, pageErrors);
  });
});

test('a 400 answer drops that batch: sent once, never retried, later events still delivered', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'dl-400';
    const { page, url, pageErrors } = await openSite(context, collector, attrs(site), undefined, { ready: false });
    let mode = 'pass';
    const r = await faultRoute(page, () => (mode === 'reject'
      ? { status: 400, body: JSON.stringify({ error: 'batch[0].event: rejected by the test' }) } : 'pass'));
    await page.goto(url);
    await sdkReady(page);
    await expectExactlyStored(assert, collector, site, 1, { lists: [r.attempts] });

    mode = 'reject';
    await track(page, names('doomed', 5));
    await flush(page);
    const rejected = await waitFor('the 400 answer', () => r.attempts.find((a) => a.status === 400), { timeout: 30_000 });
    mode = 'pass';
    await track(page, ['after_400']);
    await flush(page);
    // The queue is FIFO: once after_400 is stored, a kept doomed batch would have gone before it.
    await expectExactlyStored(assert, collector, site, 2, { lists: [r.attempts], names: ['page_view', 'after_400'] });

    assert.deepEqual([...rejected.names].sort(), names('doomed', 5).sort(), 'the rejected batch held the doomed events');
    for (const n of names('doomed', 5)) {
      const carrying = r.attempts.filter((a) => a.names.includes(n));
      assert.equal(carrying.length, 1, `${n} was attempted once, not retried: ${carrying.map((a) => a.action)}`);
    }
    assert.equal((await storedOf(collector, site, '&event=doomed_0')).length, 0, 'a rejected event is not stored');
    await assertNoPageErrors(page, pageErrors);
  });
});

// A web page answering in the collector's place: a PWA's service worker whose catch-all gives
// its cached offline page for any request that fails (200), a captive portal, a static host's
// 404 page. None is the collector's acknowledgement or refusal: the 200 took the batch as
// delivered and the 404 as refused for good, and both lost it (a PWA developer's QA).
test('a web page answering for the collector (a service worker\'s offline fallback, a 404 page) is no answer: the batch is sent again', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'dl-html';
    const { page, url, pageErrors } = await openSite(context, collector, attrs(site), undefined, { ready: false });
    const page_ = (status) => ({ status, contentType: 'text/html; charset=utf-8', body: '<!doctype html><title>You are offline</title>' });
    const r = await faultRoute(page, (a, i) => (i === 0 ? page_(200) : i === 1 ? page_(404) : 'pass'));
    await page.goto(url);
    await sdkReady(page);
    let created = 1;
    created += await track(page, names('while_the_sw_answers', 5));
    await flush(page);
    const stored = await expectExactlyStored(assert, collector, site, created, { lists: [r.attempts] });
    const pages = r.attempts.filter((a) => /^status/.test(a.action));
    assert.equal(pages.length, 2, 'the two web pages were answered');
    const storedIds = new Set(stored.map((e) => e.messageId));
    for (const a of pages) for (const id of a.ids) assert.ok(storedIds.has(id), `${id}, answered by a web page, was sent again`);
    await assertNoPageErrors(page, pageErrors);
  });
});

test('data-gzip="true": fetch bodies are gzip (1f 8b) and every event is stored once', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'dl-gzip';
    const { page, url, pageErrors } = await openSite(context, collector, attrs(site, { gzip: 'true' }), undefined, { ready: false });
    const r = await faultRoute(page, () => 'pass');
    await page.goto(url);
    await sdkReady(page);
    let created = 1;
    created += await track(page, names('compressed', 45), { text: 'lorem ipsum '.repeat(20) });
    await flush(page);
    await expectExactlyStored(assert, collector, site, created, { lists: [r.attempts] });

    assert.ok(r.attempts.length >= 3, `46 events in batches of 20: ${r.attempts.length} requests`);
    for (const a of r.attempts) {
      assert.equal(a.gzip, true, `body starts with 1f 8b (got ${a.bytes} bytes, type ${a.type})`);
      assert.ok(a.json && typeof a.json.sentAt === 'string' && Array.isArray(a.json.batch), 'gunzips to the batch JSON');
      assert.equal(a.status, 200, `the collector accepted the gzip body: ${a.answer}`);
    }
    await assertNoPageErrors(page, pageErrors);
  });
});

// A tab hidden while offline (a phone on a train, a laptop lid closed away from Wi-Fi): the
// hide sends what is queued by beacon, which the browser accepts although it cannot arrive, and
// an accepted beacon is delivered as far as the queue knows: the events were lost. Offline, the
// beacon is not used: the events stay queued and arrive once the tab is back online.
test('a tab hidden while offline: no beacon; its queued events arrive once, back online', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'dl-offline-hidden';
    const countBeacons = () => {
      const b = navigator.sendBeacon.bind(navigator);
      window.__beacons = [];
      navigator.sendBeacon = function (u, d) { window.__beacons.push(navigator.onLine); return b(u, d); };
      // (And the keepalive fetch a refused beacon falls back to: it cannot arrive either.)
      const f = window.fetch;
      window.__keepalive = 0;
      window.fetch = function (u, o) { if (o && o.keepalive) window.__keepalive++; return f.apply(this, arguments); };
    };
    const { page, pageErrors } = await openSite(context, collector, attrs(site), undefined, { init: [countBeacons] });
    let created = 1;
    await waitStored(collector, site, created); // the page_view
    await context.setOffline(true);
    await waitFor('navigator.onLine to be false', () => page.evaluate(() => navigator.onLine === false), { timeout: 10_000 });
    created += await track(page, names('offline_hidden', 3));
    const setVisibility = (state) => page.evaluate((state) => {
      Object.defineProperty(document, 'visibilityState', { get: () => state, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);
    await setVisibility('hidden');
    assert.deepEqual(await page.evaluate(() => window.__beacons), [], 'no beacon while offline');
    assert.equal(await page.evaluate(() => window.__keepalive), 0, 'no keepalive request while offline');
    await context.setOffline(false);
    await setVisibility('visible');
    await expectExactlyStored(assert, collector, site, created);
    await assertNoPageErrors(page, pageErrors);
  });
});

test('the clock corrected back 2 h: queued events still go within the flush interval, and a pending retry is not held 2 h', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'dl-clock-back';
    const { page, url, pageErrors } = await openSite(context, collector, attrs(site), undefined, { ready: false });
    // Playwright's clock runs in real time once installed; setSystemTime moves Date.now only.
    await page.clock.install({ time: Date.now() });
    let down = false;
    const r = await faultRoute(page, () => (down ? 'abort' : 'pass'));
    await page.goto(url);
    await sdkReady(page);
    let created = 1;
    await waitStored(collector, site, created); // the page_view
    const back = () => page.evaluate(() => Date.now()).then((t) => page.clock.setSystemTime(t - 2 * 3600e3));

    // A deadline set before the correction (the 1 s flush) must not move 2 h away.
    created += await track(page, ['queued_before_back']);
    await back();
    created += await track(page, ['after_back']);
    await waitStored(collector, site, created, { timeout: 15_000 });

    // A retry pending (the network down) when the clock goes back: sent once the network is back.
    down = true;
    created += await track(page, ['during_outage']);
    await waitFor('a failed attempt', () => r.attempts.some((a) => a.action === 'abort'), { timeout: 15_000 });
    await back();
    down = false;
    await waitStored(collector, site, created, { timeout: 20_000 });
    await expectExactlyStored(assert, collector, site, created, { lists: [r.attempts] });
    await assertNoPageErrors(page, pageErrors);
  });
});

// A laptop waking from sleep (or an NTP step forward) moves the wall clock on while the
// browser's timers keep their delays: the engine's timer, armed for a deadline of the old time,
// held every deadline set after the jump (the 1 s write to storage, the flush) until its own
// delay ran out, up to the 30 s heartbeat (QA: nothing stored for 17-30 s after a wake).
test('the clock jumping 45 min forward (a laptop waking): an event after it is stored and sent within the flush interval', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'dl-clock-forward';
    const { page, url, pageErrors } = await openSite(context, collector, attrs(site), undefined, { ready: false });
    await page.clock.install({ time: Date.now() });
    await page.goto(url);
    await sdkReady(page);
    let created = 1;
    await waitStored(collector, site, created); // the page_view
    const t = await page.evaluate(() => Date.now());
    await page.clock.setSystemTime(t + 45 * 60e3);
    const at = Date.now();
    created += await track(page, ['after_wake']);
    await waitStored(collector, site, created, { timeout: 60_000 });
    const sent = Date.now() - at;
    // (The 1 s flush interval, with room for a loaded machine; the old timer's delay was 17-30 s.)
    assert.ok(sent < 8_000, `stored after ${sent} ms`);
    await expectExactlyStored(assert, collector, site, created, {});
    await assertNoPageErrors(page, pageErrors);
  });
});

test('the collector down as a page is left: its beacon, accepted by the browser, never arrives; the next page asks about those events and sends them again, once', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'dl-beacon-lost';
    const { fixture, serveFixture } = await import('./harness.mjs');
    const page = await context.newPage();
    // Page a's beacons are accepted and go nowhere, as when the collector is down while the
    // page is left (Playwright's routes do not see beacons, so it is the browser call's answer
    // that is played).
    await page.addInitScript(() => {
      if (!location.pathname.endsWith('/a.html')) return;
      window.__lostBeacons = 0;
      navigator.sendBeacon = function () { window.__lostBeacons++; return true; };
    });
    const html = fixture(attrs(site), '<a id="next" href="b.html">next</a>');
    const urlA = await serveFixture(page, collector.url, html, 'a.html');
    await serveFixture(page, collector.url, html, 'b.html');
    const seen = watchBatches(context);
    await page.goto(urlA);
    await sdkReady(page);
    let created = 1;
    await waitStored(collector, site, created); // a's page_view
    const lost = [];
    for (const n of names('left_with_a', 3)) lost.push(await page.evaluate((n) => { touchpoint('track', n); return n; }, n));
    await page.click('#next'); // a is left: its queue goes by the beacon that is lost
    await sdkReady(page);
    created += 1 + 3 + 1; // the link's click and a's three, b's page_view
    await waitStored(collector, site, 2);
    assert.ok(!(await storedOf(collector, site)).some((e) => lost.includes(e.event)), 'the beacon was lost');
    await sleep(11_000); // past PROBE_RIDE_MS: the next request asks about them
    created += await track(page, ['on_b']);
    await flush(page);
    await expectExactlyStored(assert, collector, site, created, { lists: [seen] });
    // Asked about by id (not sent whole), said missing, then sent whole.
    const asked = seen.filter((a) => a.json && Array.isArray(a.json.confirm));
    assert.equal(asked.length, 1, JSON.stringify(seen.map((a) => a.json)));
    assert.equal(asked[0].json.confirm.length, 4, 'the click and the three');
    assert.ok(!asked[0].names.some((n) => lost.includes(n)), 'the probes are not in the batch that asks');
  });
});
