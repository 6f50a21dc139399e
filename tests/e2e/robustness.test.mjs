// Robustness: Touchpoint lives in someone else's page, so nothing the page does to it may break
// the page, and an internal error must switch it off cleanly. A seeded barrage of junk calls,
// a deliberate internal error (debug:panic) and malformed configuration attributes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeTab, launch, serveFixture, startCollector, waitFor } from './harness.mjs';
import { expectExactlyStored, flush, names, openSite, pageCounters, storedOf, track, waitStored, watchBatches } from './faults.mjs';
import { assertNoPageErrors, withContext } from './faults.mjs'; // shared with the other fault tests

let collector, browser;
before(async () => { [collector, browser] = await Promise.all([startCollector(), launch()]); });
after(async () => { await browser?.close(); await collector?.stop(); });

/** A fresh context per test (its own localStorage), closed whatever happens. */
const inContext = (fn) => withContext(browser, fn);


// The page's own UI: a button whose handler counts clicks, as a shop's "add to cart" would.
const OWN_BUTTON = '<button id="own" onclick="window.__tpTest.clicks++">Add to cart</button>';

const tpWarnings = (console_, since = 0) => console_.filter((m) => m.type === 'warning' && m.at >= since && /touchpoint/i.test(m.text));

/**
 * Runs calls [from, to) of a seeded barrage of junk `touchpoint(...)` calls in the page. Every
 * `knownEvery`-th call is a well-formed track of `known_<n>`. Returns how many known events were
 * tracked and any exception a call threw into the page (there must be none).
 */
function barrage({ seed, from, to, knownEvery }) {
  let s = (seed ^ Math.imul(from + 1, 0x9e3779b1)) >>> 0;
  const rnd = () => { // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = (n) => Math.floor(rnd() * n);
  const pick = (a) => a[r(a.length)];
  const tp = (...a) => window.touchpoint(...a);
  const J = window.__junk || (window.__junk = (() => {
    const boom = () => { throw new Error('junk trap'); };
    const traps = {};
    for (const k of ['get', 'set', 'has', 'ownKeys', 'getPrototypeOf', 'setPrototypeOf', 'getOwnPropertyDescriptor',
      'defineProperty', 'deleteProperty', 'isExtensible', 'preventExtensions', 'apply', 'construct']) traps[k] = boom;
    let deep = { leaf: true };
    for (let i = 0; i < 20_000; i++) deep = { d: deep };
    return {
      boom,
      huge: ['x'.repeat(100_000), 'é'.repeat(300_000), '\u{1F600}'.repeat(200_000), 'a'.repeat(1 << 20), `${'\0'.repeat(70_000)}track`],
      small: ['', ' ', 'track', 'page', 'flush', 'a b c', 'Add To Cart', '🙂', '\ud800', '\u0000', '<script>alert(1)</script>',
        'x'.repeat(300), 'constructor', '__proto__', 'toString', 'null', 'undefined', '{}', '[]', '1e999', 'ünïcödé', 'tab\there'],
      proxy: new Proxy({}, traps),
      fnProxy: new Proxy(function () {}, traps),
      deep,
      sparse: { a: new Array(100_000) },
    };
  })());
  const junk = (d = 0) => {
    switch (r(26)) {
      case 0: return undefined;
      case 1: return null;
      case 2: return pick([0, -0, NaN, Infinity, -Infinity, 1e308, -1, 2 ** 53 + 1, 3.14, Number.MIN_VALUE]);
      case 3: return pick(J.huge);
      case 4: return pick(J.small);
      case 5: { const o = { ok: 1 }; Object.defineProperty(o, 'boom', { get: J.boom, enumerable: true }); return o; }
      case 6: { const o = { a: 1, list: [] }; o.self = o; o.list.push(o); return o; }
      case 7: return pick([() => {}, J.boom, function () { return tp('track', 'reentrant', { nested: true }); },
        () => tp('flush'), () => tp('getConsent', J.boom), class Junk {}, Math.max, J.fnProxy, J.boom.bind(null)]);
      case 8: return Symbol('junk');
      case 9: return BigInt(r(1e9)) ** 3n;
      case 10: return d > 2 ? [] : Array.from({ length: r(5) }, () => junk(d + 1));
      case 11: return J.proxy;
      case 12: { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; }
      case 13: return { toJSON: J.boom };
      case 14: return { toString: J.boom, valueOf: J.boom, [Symbol.toPrimitive]: J.boom };
      case 15: { const o = Object.create(null); o.k = 'v'; return o; }
      case 16: {
        if (d > 2) return {};
        const o = {};
        for (let i = r(5); i > 0; i--) { // own data properties, even '__proto__'
          Object.defineProperty(o, pick(['a', 'b', 'sku', 'price', 'k' + r(100), '', ' ', '__proto__', 'constructor']),
            { value: junk(d + 1), enumerable: true, configurable: true, writable: true });
        }
        return o;
      }
      case 17: return pick([new Date(NaN), new Date(), /re/g, new Uint8Array(8), new Map([[1, 2]]), new Set([1]),
        new Error('junk'), document.body, window, document, Promise.resolve(1), new WeakMap(), new ArrayBuffer(4)]);
      case 18: return J.deep;
      case 19: return r(2) === 0;
      case 20: return { length: 2 ** 32 - 1, 0: 'track' };
      case 21: return Object.freeze({ sku: 'mug', price: 12, tags: ['a', { b: 'c' }] });
      case 22: return new String('track');
      case 23: return J.sparse;
      case 24: return { price: 12, nested: { more: [1, 2, { deeper: 'yes' }] } };
      default: return { [Symbol('s')]: 1, ok: 'plain' };
    }
  };
  const commands = ['track', 'track', 'track', 'page', 'flush', 'consent', 'getConsent', 'Track', 'TRACK', 'trak', 'identify',
    'debug', 'panic', '', ' ', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'q', 'init', 'track\u0000'];
  let known = 0;
  const thrown = [];
  for (let i = from; i < to; i++) {
    if (i % knownEvery === 0) {
      try { tp('track', `known_${i / knownEvery}`, { i, note: 'well formed' }); } catch (e) { thrown.push(`call ${i}: ${e && e.message}`); }
      known++;
      continue;
    }
    // Built outside the try: only what touchpoint(...) itself throws is counted against it.
    const args = [r(5) === 0 ? junk() : pick(commands)];
    for (let k = r(5); k > 0; k--) args.push(junk());
    const how = r(25);
    const self = how === 0 ? junk() : undefined;
    try {
      switch (how) {
        case 0: window.touchpoint.apply(self, args); break;
        case 1: new window.touchpoint(...args); break; // eslint-disable-line new-cap
        case 2: window.touchpoint(); break;
        default: window.touchpoint(...args);
      }
    } catch (e) {
      thrown.push(`call ${i} (${typeof args[0] === 'string' ? args[0].slice(0, 20) : typeof args[0]}): ${e && e.message}`);
    }
  }
  return { known, thrown };
}

test('10,000 junk calls: nothing thrown into the page, its handlers work, well-formed events still arrive', { timeout: 240_000 }, async (t) => {
  await inContext(async (context) => {
    const site = 'rb-junk';
    const { page, pageErrors, console: console_ } = await openSite(context, collector,
      // The track rate limit is off: this test is about junk arguments, not volume (a flood of
      // track calls is dropped and counted by design: properties.test.mjs).
      { site, consent: 'granted', 'flush-interval': '1000', 'batch-size': '100', 'max-queue': '10000', 'retry-base': '200', 'retry-cap': '2000', 'track-limit': 'off' },
      OWN_BUTTON);
    // A getConsent or getIds callback of the page's that throws is reported as the page's own
    // uncaught error (reportError, as the browser reports a throwing listener's): here the page
    // keeps those aside, so that any other error reaching its handlers is Touchpoint's.
    await page.evaluate(() => { window.__reported = []; window.reportError = (e) => { window.__reported.push(String(e)); }; });
    const seed = Number(process.env.TP_JUNK_SEED || 0x5eed);
    t.diagnostic(`junk seed ${seed} (TP_JUNK_SEED to replay)`);
    const CALLS = 10_000, CHUNK = 500, KNOWN_EVERY = 500;
    let known = 0;
    const thrown = [];
    const started = Date.now();
    for (let from = 0; from < CALLS; from += CHUNK) {
      const res = await page.evaluate(barrage, { seed, from, to: from + CHUNK, knownEvery: KNOWN_EVERY });
      known += res.known;
      thrown.push(...res.thrown);
    }
    t.diagnostic(`barrage of ${CALLS} calls took ${Date.now() - started} ms`);
    assert.equal(known, CALLS / KNOWN_EVERY);
    assert.deepEqual(thrown, [], 'no touchpoint(...) call threw into the page');
    const reported = await page.evaluate(() => window.__reported);
    // (A track call's last argument is a callback too, called as Segment calls it: a class given
    // as one throws when called, the page's own error too.)
    assert.ok(reported.every((r) => r === 'Error: junk trap' || /^TypeError: Class constructor Junk /.test(r)),
      `only the page's own callbacks' errors reported: ${reported}`);

    // The page's own handler still runs, and Touchpoint still works afterwards.
    await page.click('#own');
    assert.equal((await pageCounters(page)).clicks, 1, "the page's own click handler ran");
    await assertNoPageErrors(page, pageErrors);
    await track(page, ['after_barrage']);
    await flush(page);
    const expected = [...names('known', known), 'after_barrage'];
    const missing = async () => {
      const out = [];
      for (const n of [...expected, 'click']) if ((await storedOf(collector, site, `&event=${n}`)).length === 0) out.push(n);
      return out;
    };
    const disabled = () => tpWarnings(console_).filter((w) => /disabled/i.test(w.text)).map((w) => w.text);
    try {
      // Stops early if Touchpoint switched itself off: then nothing more can arrive.
      await waitFor('every well-formed event stored', async () => disabled().length > 0 || (await missing()).length === 0,
        { timeout: 60_000, interval: 500 });
    } catch (e) {
      e.message += `; missing: ${await missing()}`;
      throw e;
    }
    assert.deepEqual(disabled(), [], `Touchpoint switched itself off during the barrage (missing afterwards: ${await missing()})`);
    for (const n of expected) {
      const ev = await storedOf(collector, site, `&event=${n}`);
      assert.equal(ev.length, 1, `${n} stored once`);
    }
    const clicks = await storedOf(collector, site, '&event=click');
    assert.equal(clicks.length, 1, 'the click on the page button was tracked once');
    assert.equal(clicks[0].properties.element.id, 'own');

    await assertNoPageErrors(page, pageErrors);
    const warnings = tpWarnings(console_);
    assert.ok(warnings.length >= 1, 'bad calls are reported on the console');
    assert.ok(warnings.length <= 21, `the console is not flooded: ${warnings.length} touchpoint warnings`);
  });
});

test("debug:panic: Touchpoint disables itself quietly; the page is unharmed and nothing more is sent", { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'rb-panic';
    const control = 'rb-panic-control';
    const attrs = (s) => ({ site: s, consent: 'granted', 'flush-interval': '1000', 'batch-size': '20', 'retry-base': '200', 'retry-cap': '2000' });
    const body = `${OWN_BUTTON}<a id="l" href="#x">Link</a>`;
    const seen = watchBatches(context);
    const { page, pageErrors, console: console_ } = await openSite(context, collector, attrs(site), body);
    await expectExactlyStored(assert, collector, site, 1, { lists: [seen] }); // the page_view

    const panicAt = Date.now();
    const outcome = await page.evaluate(() => {
      try { window.touchpoint('debug:panic'); return 'returned'; } catch (e) { return `threw ${e}`; }
    });
    assert.equal(outcome, 'returned', 'the panic did not escape touchpoint(...)');
    await waitFor('a console warning from touchpoint', () => tpWarnings(console_, panicAt).length >= 1, { timeout: 15_000 });

    // Everything Touchpoint would normally capture and send, after the panic.
    await page.click('#own');
    await page.click('#l');
    await page.evaluate(() => {
      window.touchpoint('track', 'after_panic', { n: 1 });
      window.touchpoint('page');
      window.touchpoint('flush');
    });
    const counters = await pageCounters(page);
    assert.equal(counters.clicks, 1, "the page's own click handler still runs");
    await assertNoPageErrors(page, pageErrors);
    await closeTab(page);

    // A control tab doing the same afterwards: once its events are stored, the disabled page's
    // would have been too.
    const ctl = await openSite(context, collector, attrs(control), body);
    await ctl.page.click('#own');
    await ctl.page.click('#l');
    await ctl.page.evaluate(() => {
      window.touchpoint('track', 'after_panic', { n: 1 });
      window.touchpoint('page');
      window.touchpoint('flush');
    });
    await closeTab(ctl.page);
    await waitStored(collector, control, 5);

    const stored = await storedOf(collector, site);
    assert.deepEqual(stored.map((e) => e.event), ['page_view'], 'nothing captured after the panic was stored');
    const after = seen.filter((e) => e.page === page && e.at >= panicAt);
    assert.deepEqual(after.map((e) => `${e.type}: ${e.names}`), [], 'no request from the disabled page');
    const warnings = tpWarnings(console_, panicAt);
    assert.equal(warnings.length, 1, `exactly one warning: ${warnings.map((w) => w.text).join(' | ')}`);
    assert.match(warnings[0].text, /disabled/i, 'the warning says Touchpoint is disabled');
  });
});

// A page awaiting getIds or getConsent (a checkout's submit handler putting the session id in
// the order) is answered also when Touchpoint is off: the wasm did not load (a 404 here; a CSP
// without 'wasm-unsafe-eval', no WebAssembly) or an internal error disabled it. Both callbacks
// waited forever before.
test('Touchpoint off (its wasm not loaded, or disabled by an internal error): getIds and getConsent still answer', { timeout: 120_000 }, async () => {
  const OFF = [{ sessionId: null, anonymousId: null, userId: null }, { analytics: 'pending', marketing: 'pending' }];
  const ask = (page) => page.evaluate(() => Promise.all([
    new Promise((r) => window.touchpoint('getIds', r)),
    new Promise((r) => window.touchpoint('getConsent', r)),
  ]));
  await inContext(async (context) => {
    await context.route(/\.wasm(\?|$)/, (r) => r.fulfill({ status: 404, body: 'not here' }));
    // (Asked before any script of the page: queued by the stub.)
    const queued = 'window.touchpoint = function () { (touchpoint.q = touchpoint.q || []).push(arguments); };' +
      'window.__asked = Promise.all([new Promise((r) => touchpoint("getIds", r)), new Promise((r) => touchpoint("getConsent", r))]);';
    const { page, url, pageErrors, console: console_ } = await openSite(context, collector, { site: 'rb-nowasm', consent: 'granted' }, OWN_BUTTON, { ready: false, init: [queued] });
    await page.goto(url);
    await waitFor('touchpoint: could not load', () => console_.some((m) => /touchpoint: could not load/.test(m.text)));
    // (It names the file and what may be wrong with it: a 404 fails the integrity check first.)
    assert.match(console_.find((m) => /could not load/.test(m.text)).text, /could not load \S+\.wasm\S* \(missing, blocked/);
    assert.deepEqual(await page.evaluate(() => window.__asked), OFF, 'the calls the stub queued');
    assert.deepEqual(await ask(page), OFF, 'and later ones');
    await assertNoPageErrors(page, pageErrors);
  });
  await inContext(async (context) => {
    const { page, console: console_ } = await openSite(context, collector, { site: 'rb-panic-ids', consent: 'granted' });
    const ids = (await ask(page))[0];
    assert.ok(ids.sessionId, 'running: a session id');
    await page.evaluate(() => window.touchpoint('debug:panic'));
    await waitFor('disabled', () => console_.some((m) => /disabled/.test(m.text)));
    assert.deepEqual(await ask(page), OFF);
  });
});

test('malformed data-* attributes: a warning naming each, defaults used (consent pending: nothing sent)', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'rb-attrs';
    const seen = watchBatches(context);
    const { page, pageErrors, console: console_ } = await openSite(context, collector,
      { site, consent: 'maybe', 'batch-size': 'lots', 'retry-base': '200', 'retry-cap': '2000' });
    await waitFor('warnings naming the bad attributes', () => {
      const w = tpWarnings(console_).map((m) => m.text);
      return w.some((x) => x.includes('data-batch-size')) && w.some((x) => x.includes('data-consent'));
    }, { timeout: 15_000 });
    const w = tpWarnings(console_).map((m) => m.text);
    assert.ok(w.some((x) => x.includes('data-batch-size') && x.includes('lots')), `names the value: ${w.join(' | ')}`);
    assert.ok(w.some((x) => x.includes('data-consent') && x.includes('maybe')), `names the value: ${w.join(' | ')}`);

    // Defaults: consent pending, so more than a default batch plus a flush sends nothing.
    let created = 1;
    created += await track(page, names('while_pending', 55));
    await flush(page);
    const consent = await page.evaluate(() => new Promise((resolve) => window.touchpoint('getConsent', resolve)));
    assert.equal(consent.analytics, 'pending', 'data-consent="maybe" fell back to pending');
    // Ordering barrier: a request the page makes now is reported after any the SDK already made.
    await page.evaluate(() => fetch('/healthz').then((r) => r.text()));
    assert.deepEqual(seen.map((e) => e.names.length), [], 'nothing sent while consent is pending');
    assert.equal((await storedOf(collector, site)).length, 0);

    const grantAt = Date.now();
    await page.evaluate(() => window.touchpoint('consent', { analytics: true }));
    created += 1; // consent_change
    await expectExactlyStored(assert, collector, site, created, {
      lists: [seen], names: ['page_view', 'consent_change', ...names('while_pending', 55)],
    });
    assert.ok(seen.every((e) => e.at >= grantAt), 'the first request came after the grant');
    assert.ok(seen.length >= 2 && seen.every((e) => e.names.length <= 50),
      `default batch size 50: ${seen.map((e) => e.names.length)}`);
    await assertNoPageErrors(page, pageErrors);
  });
});

test('a page whose console methods throw: Touchpoint\'s warnings are swallowed, it stays up, and the next events arrive', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'rb-console';
    // From before the SDK loads: every console method throws, and reading console.warn too.
    const hostile = () => {
      const boom = () => { throw new Error('console trap'); };
      for (const k of ['log', 'info', 'warn', 'error', 'debug']) { try { console[k] = boom; } catch (e) {} }
      try { Object.defineProperty(console, 'warn', { get: boom, configurable: true }); } catch (e) {}
      window.__trapped = true;
    };
    // A malformed attribute warns at boot; an empty event name and a property cleaned warn later.
    const { page, pageErrors } = await openSite(context, collector, { site, consent: 'granted', 'batch-size': 'lots' }, undefined, { init: [hostile] });
    assert.equal(await page.evaluate(() => window.__trapped), true);
    await page.evaluate(() => {
      window.touchpoint('track', '');
      window.touchpoint('track', 'cleaned', { text: 'mail jane@example.org' });
      window.touchpoint('track', 'after_the_traps', { n: 1 });
      window.touchpoint('flush');
    });
    const ev = await waitFor('the events after the warnings', async () => {
      const got = (await storedOf(collector, site)).map((e) => e.event);
      return got.includes('after_the_traps') && got;
    }, { timeout: 30_000 });
    assert.ok(ev.includes('page_view') && ev.includes('cleaned'), ev.join(','));
    await assertNoPageErrors(page, pageErrors);
  });
});

/** Flushes until every event named in `names` is stored for `site`; returns a lookup of the
 * first stored event by name. */
function storedByName(page, site, names) {
  return waitFor(names.join(', '), async () => {
    await flush(page);
    const got = await storedOf(collector, site);
    const by = (n) => got.find((e) => e.event === n);
    return names.every(by) && by;
  }, { timeout: 60_000 });
}

// A shop whose old libraries extend the built-ins, as Prototype.js (Magento 1) and MooTools do:
// enumerable members on Object.prototype and Array.prototype, and Array.prototype.toJSON returning
// a string of JSON (Prototype 1.5.1-1.6), which JSON.stringify would take for the array's value.
// Before, Touchpoint stopped at its first hand-over (a `for in` over its own map met the page's
// member) and a command's arrays arrived as strings of JSON.
test('a page whose libraries extend the built-ins (Prototype.js style): Touchpoint stays up, arrays stay arrays (a beforeSend hook\'s batch too), field times stay numbers', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'rb-builtins';
    const extend = () => {
      Object.prototype.__libMember = 'x'; // eslint-disable-line no-extend-native
      Array.prototype.each = function (fn) { for (let i = 0; i < this.length; i++) fn(this[i], i); }; // eslint-disable-line no-extend-native
      Array.prototype.toJSON = function () { return JSON.stringify(this.slice()); }; // eslint-disable-line no-extend-native
      window.__libToJSON = Array.prototype.toJSON;
    };
    // A field named `constructor` (its focus time is kept by field name) and a button whose
    // handler blocks the main thread (a slow_interaction, whose Event Timing entries the loader
    // keeps by interactionId until its hand-over).
    // (The form's submit handler shows its answer: one answered in no way is not sent.)
    const body = `<form id="f" onsubmit="event.preventDefault(); this.insertAdjacentHTML('afterend', '<p>Sent</p>')"><input name="constructor"><input name="email" type="email"><button id="send">Send</button></form>
      <button id="slow" onclick="var t = performance.now(); while (performance.now() - t < 400) {}">Slow</button>`;
    const { page, pageErrors, console: console_ } = await openSite(context, collector, { site, consent: 'granted', friction: 'on', journey: 'on', 'slow-interaction-ms': '300' }, body, { init: [extend] });
    await page.click('input[name=constructor]');
    await page.keyboard.type('Jo');
    await page.click('input[name=email]');
    await page.keyboard.type('jo@example.org');
    await page.click('#send');
    await page.click('#slow');
    // A beforeSend hook too: the batch it rebuilds is made without the page's toJSON (before,
    // its events went as one string of JSON, which the collector refused: nothing was stored).
    await page.evaluate(() => window.touchpoint('beforeSend', (e) => e));
    await page.evaluate(() => window.touchpoint('track', 'cart_viewed', { tags: ['a', 'b'], lines: [{ sku: 'A1', qty: 2 }] }));
    const ev = await storedByName(page, site, ['form_submit', 'slow_interaction', 'cart_viewed']);
    assert.deepEqual(ev('cart_viewed').properties.tags, ['a', 'b']);
    assert.deepEqual(ev('cart_viewed').properties.lines, [{ sku: 'A1', qty: 2 }]);
    const fieldMs = ev('form_submit').properties.field_ms;
    assert.deepEqual(Object.keys(fieldMs).sort(), ['constructor', 'email']);
    assert.ok(Object.values(fieldMs).every((ms) => Number.isInteger(ms) && ms >= 0), JSON.stringify(fieldMs));
    assert.equal(ev('slow_interaction').properties.element.selector.split(' > ').pop(), '#slow');
    assert.deepEqual(tpWarnings(console_), [], 'no warning: Touchpoint stayed up');
    // The page's own toJSON is back, as it was (same function, still enumerable).
    assert.equal(await page.evaluate(() => Array.prototype.toJSON === window.__libToJSON && Object.keys(Array.prototype).includes('toJSON')), true);
    await assertNoPageErrors(page, pageErrors);
  });
});

// DOM clobbering: a form's field named "id" (every Shopify product form: the variant's select)
// or "name" (a contact form) hides the form's `id` and `name` properties behind the field.
// Before, such a form was named "[object HTMLSelectElement]" in form_start and form_submit,
// and so was the form in the selector of a click inside it.
test('a form with fields named "id" and "name" (a Shopify product form): named and described by its attributes', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'rb-clobber';
    const body = `<form id="product-form" action="/cart/add" onsubmit="event.preventDefault(); document.getElementById('added').textContent = 'Added'">
        <select name="id"><option value="1">S</option><option value="2">M</option></select>
        <input name="name" placeholder="Engraving"><input name="email" type="email"><button class="add">Add to cart</button></form>
      <p id="added"></p>`;
    const { page, pageErrors, console: console_ } = await openSite(context, collector, { site, consent: 'granted', friction: 'on', journey: 'on' }, body);
    await page.click('input[name=name]');
    await page.keyboard.type('For Jo');
    await page.click('input[name=email]');
    await page.keyboard.type('jo@example.org');
    await page.click('button.add');
    const ev = await storedByName(page, site, ['form_submit', 'click']);
    assert.equal(ev('form_start').properties.form, 'product-form');
    assert.equal(ev('form_submit').properties.form, 'product-form');
    assert.match(ev('click').properties.element.selector, /^#product-form > button\.add$/);
    assert.deepEqual(tpWarnings(console_), []);
    await assertNoPageErrors(page, pageErrors);
  });
});

// DOM clobbering: an element named like a document property (an <img name> in a product
// review's markup; DOMPurify keeps the name unless told to sanitise it) becomes that property of
// `document`. document.currentScript was then the image, whose data-* configured Touchpoint: its
// collector got the events, with the consent its attributes granted. And `prerendering` named so
// was truthy: Touchpoint waited forever for the page to be shown.
test('DOM clobbering: an <img name="currentScript"> or name="prerendering" in the page neither configures Touchpoint nor stops it', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'rb-clobber';
    const evil = [];
    context.on('request', (r) => { if (r.url().includes('/evil/')) evil.push(r.url()); });
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e));
    const html = `<!doctype html><html><head><title>Review</title></head><body>
<p>Great mug!<img name="currentScript" src="/touchpoint/none.gif" data-collector="/evil/collect" data-site="evil" data-consent="granted"><img name="prerendering" src="/touchpoint/none.gif"></p>
<script async src="/touchpoint/touchpoint.js" data-collector="/v1/batch" data-site="${site}" data-consent="pending" data-flush-interval="300" data-friction="off" data-journey="off"></script>
${OWN_BUTTON}</body></html>`;
    await page.goto(await serveFixture(page, collector.url, html, `${site}.html`));
    await waitFor('Touchpoint started', () => page.evaluate(() => window.touchpoint && window.touchpoint.ready === true), { timeout: 30_000 });
    const consent = await page.evaluate(() => new Promise((r) => window.touchpoint('getConsent', r)));
    assert.deepEqual(consent, { analytics: 'pending', marketing: 'pending' }, 'the script tag\'s consent, not the image\'s');
    await page.evaluate(() => { window.touchpoint('track', 'after_review'); window.touchpoint('consent', { analytics: true }); });
    const ev = await waitFor('the events under the tag\'s site', async () => {
      await flush(page);
      const got = (await storedOf(collector, site)).map((e) => e.event);
      return got.includes('after_review') && got;
    }, { timeout: 30_000 });
    assert.ok(ev.includes('page_view'), ev.join(','));
    assert.deepEqual(evil, [], 'nothing went to the image\'s collector');
    assert.equal((await storedOf(collector, 'evil')).length, 0);
    assert.deepEqual(pageErrors, []);
  });
});

// An internal error switches Touchpoint off; the visitor may still withdraw their consent on that
// page. With data-remember-consent the next page applied the grant remembered before, and sent
// events with the anonymous id kept under it. The withdrawal is obeyed: the remembered choice
// and every tp: key are removed (the page's own keys stay).
test('switched off by an internal error: a withdrawal still removes the remembered choice and Touchpoint\'s tp: keys, not the page\'s own', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'rb-off-withdraw';
    const { page, console: console_, pageErrors } = await openSite(context, collector, { site, consent: 'pending', 'remember-consent': 'true' });
    await page.evaluate(() => { window.touchpoint('consent', { analytics: true, marketing: true }); localStorage.setItem('tp:wishlist', 'mug'); });
    await waitFor('the choice remembered and the ids kept', () => page.evaluate(() =>
      !!localStorage.getItem('tp_consent') && !!localStorage.getItem('tp:aid')));
    await page.evaluate(() => window.touchpoint('debug:panic'));
    await waitFor('disabled', () => console_.some((m) => /disabled/.test(m.text)));
    const threw = await page.evaluate(() => {
      try { window.touchpoint('consent', { analytics: false, marketing: false }); window.touchpoint('consent', null); } catch (e) { return String(e); }
      return '';
    });
    assert.equal(threw, '');
    const left = await page.evaluate(() => [localStorage, sessionStorage].flatMap((s) => Object.keys(s)).sort());
    assert.deepEqual(left, ['tp:wishlist'], 'no key of Touchpoint\'s and no remembered choice left; the page\'s own tp:wishlist kept');
    await assertNoPageErrors(page, pageErrors);
    // Running, a denial leaves the page's own tp: key alone too.
    const ctl = await openSite(context, collector, { site: `${site}-running`, consent: 'granted' });
    await ctl.page.evaluate(() => window.touchpoint('consent', { analytics: false, marketing: false }));
    await waitFor('Touchpoint\'s keys removed', () => ctl.page.evaluate(() => !localStorage.getItem('tp:aid') && !sessionStorage.getItem('tp:session')));
    assert.equal(await ctl.page.evaluate(() => localStorage.getItem('tp:wishlist')), 'mug');
  });
});

// What a page does to Touchpoint's arguments and to the functions it wraps is the page's
// business: a tags object that throws when read is refused with a warning, as any other bad
// argument (it switched Touchpoint off, and the events captured before were lost); a page's own
// fetch wrapper that returns something other than a promise gets its value back (it switched
// Touchpoint off).
test('a tags object that throws when read, and a page fetch wrapper returning no promise: warnings at most, Touchpoint stays up', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'rb-hostile-values';
    const wrapFetch = () => {
      const f = window.fetch;
      // ('/odd-body': a promise of what is no Response, a body and no headers: Touchpoint reads
      // an answer's Content-Type, and must not reject the page's promise.)
      window.fetch = function (u) {
        if (String(u).includes('/odd-body')) return Promise.resolve({ body: {}, status: 200 });
        return String(u).includes('/odd') ? { odd: true } : f.apply(this, arguments);
      };
    };
    const { page, console: console_, pageErrors } = await openSite(context, collector, { site, consent: 'granted', 'flush-interval': '300' }, OWN_BUTTON, { init: [wrapFetch] });
    const got = await page.evaluate(() => {
      const boom = () => { throw new Error('trap'); };
      window.touchpoint('set', new Proxy({}, { ownKeys: boom }));
      const p = Proxy.revocable({}, {}); p.revoke();
      window.touchpoint('set', p.proxy);
      window.touchpoint('set', Object.defineProperty({}, 'ab', { get: boom, enumerable: true }));
      window.touchpoint('set', { ab: 'test-b' });
      return Promise.all([fetch('/odd'), fetch('/odd-body').then((r) => r.status, (e) => `rejected: ${e}`)]);
    });
    assert.deepEqual(got, [{ odd: true }, 200], 'the wrapper\'s values, unchanged, its promise not rejected');
    await page.evaluate(() => window.touchpoint('track', 'still_up'));
    const ev = await waitFor('still_up stored', async () => {
      await flush(page);
      const all = await storedOf(collector, site);
      return all.some((e) => e.event === 'still_up') && all;
    }, { timeout: 30_000 });
    assert.deepEqual(ev.find((e) => e.event === 'still_up').context.tags, { ab: 'test-b' });
    assert.ok(!console_.some((m) => /disabled/.test(m.text)), console_.map((m) => m.text).join(' | '));
    assert.equal(tpWarnings(console_).filter((m) => /set expects/.test(m.text)).length, 3, tpWarnings(console_).map((m) => m.text).join(' | '));
    await assertNoPageErrors(page, pageErrors);
  });
});

// Consent Mode read from the page's dataLayer: only an entry's own members. A page whose
// Object.prototype was polluted (analytics_storage: 'granted' left there by a vulnerable
// query-string parser) had every consent entry grant both categories.
test('Consent Mode on a page whose Object.prototype was polluted with granted states: nothing granted', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'rb-polluted';
    const pollute = () => {
      Object.prototype.analytics_storage = 'granted'; // eslint-disable-line no-extend-native
      Object.prototype.ad_storage = 'granted'; // eslint-disable-line no-extend-native
      window.dataLayer = [];
      window.gtag = function () { window.dataLayer.push(arguments); };
      window.gtag('consent', 'default', { ad_personalization: 'denied' });
    };
    const seen = watchBatches(context);
    const { page, pageErrors } = await openSite(context, collector, { site, consent: 'consent-mode' }, OWN_BUTTON, { init: [pollute] });
    await page.evaluate(() => { window.gtag('consent', 'update', { ad_user_data: 'denied' }); window.touchpoint('track', 'while_pending'); window.touchpoint('flush'); });
    const consent = await page.evaluate(() => new Promise((r) => window.touchpoint('getConsent', r)));
    assert.deepEqual(consent, { analytics: 'pending', marketing: 'pending' });
    await page.evaluate(() => fetch('/healthz').then((r) => r.text())); // (an ordering barrier)
    assert.deepEqual(seen, [], 'nothing sent');
    await assertNoPageErrors(page, pageErrors);
  });
});

// Switched off by an internal error while a click waited for its answer: the observer that
// watched for it was left connected (its callback ran at every DOM change of the page).
test('switched off by an internal error while a click waits: no MutationObserver of Touchpoint stays connected', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'rb-off-observers';
    const track = () => {
      const M = MutationObserver.prototype, o = M.observe, d = M.disconnect;
      window.__active = new Set();
      M.observe = function () { if (/touchpoint/.test(new Error().stack)) window.__active.add(this); return o.apply(this, arguments); };
      M.disconnect = function () { window.__active.delete(this); return d.apply(this, arguments); };
    };
    const { page, console: console_, pageErrors } = await openSite(context, collector, { site, consent: 'granted', friction: 'on' },
      '<button id="dead">Apply</button>', { init: [track] });
    await page.click('#dead');
    await waitFor('a click waiting for its answer', () => page.evaluate(() => window.__active.size > 0));
    await page.evaluate(() => window.touchpoint('debug:panic'));
    await waitFor('disabled', () => console_.some((m) => /disabled/.test(m.text)));
    assert.equal(await page.evaluate(() => window.__active.size), 0);
    await assertNoPageErrors(page, pageErrors);
  });
});

// The page's own objects stay as they are: an XHR sent through Touchpoint's wrapper and a video
// played while a click waited had properties of Touchpoint's added (__tp, __tpE, __tpA, __tpL,
// __tpP), and navigator, its clipboard, geolocation and credentials had the wrapped methods as
// their own: the page's Object.keys() and for-in showed them.
test('the page\'s XHR, video, navigator and clipboard objects get no properties of Touchpoint\'s', { timeout: 120_000 }, async () => {
  await inContext(async (context) => {
    const site = 'rb-own-objects';
    await context.route(/\/api\/ping$/, (r) => r.fulfill({ status: 200, body: 'ok' }));
    const { page, pageErrors } = await openSite(context, collector, { site, consent: 'granted', friction: 'on' },
      '<button id="go">Go</button><video id="v" muted></video>');
    await page.evaluate(() => {
      document.getElementById('go').onclick = () => {
        const x = new XMLHttpRequest(); x.open('GET', '/api/ping'); x.send(); window.__x = x;
        document.getElementById('v').play().catch(() => {});
      };
    });
    await page.click('#go');
    await waitFor('the XHR done', () => page.evaluate(() => window.__x.readyState === 4));
    const keys = await page.evaluate(() => [window.__x, document.getElementById('v'), navigator, navigator.clipboard, navigator.geolocation, navigator.credentials]
      .map((o) => Object.keys(o || {})));
    assert.deepEqual(keys, [[], [], [], [], [], []]);
    await assertNoPageErrors(page, pageErrors);
  });
});

test('a second script tag configured otherwise (a tag manager\'s beside the template\'s) is ignored with one warning; the same tag twice silently', { timeout: 120_000 }, async () => {
  const attrs = (site) => ({ site, consent: 'granted', 'flush-interval': '300' });
  for (const other of [true, false]) {
    await inContext(async (context) => {
      const site = other ? 'rb-second-tag' : 'rb-same-tag';
      const { page, pageErrors, console: console_ } = await openSite(context, collector, attrs(site), OWN_BUTTON);
      // As a tag manager adds its tag: a copy of the template's, maybe configured otherwise.
      await page.evaluate((other) => new Promise((resolve) => {
        // (Not cloneNode: a clone of a script that ran is marked as started and never runs.)
        const tag = document.createElement('script');
        for (const a of document.querySelector('script[src*="touchpoint.js"]').attributes) tag.setAttribute(a.name, a.value);
        if (other) { tag.dataset.site = 'someone-else'; tag.dataset.consent = 'pending'; }
        tag.onload = resolve;
        document.head.appendChild(tag);
      }), other);
      await page.click('#own');
      await flush(page);
      await waitStored(collector, site, 2);
      const warned = tpWarnings(console_).map((m) => m.text);
      if (other) {
        assert.equal(warned.length, 1, JSON.stringify(warned));
        assert.match(warned[0], /second copy.*someone-else/);
      } else {
        assert.deepEqual(warned, []);
      }
      assert.deepEqual(await storedOf(collector, 'someone-else'), [], 'nothing for the ignored tag\'s site');
      await assertNoPageErrors(page, pageErrors);
    });
  }
});
