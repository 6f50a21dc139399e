// Privacy, end to end: with consent granted, what leaves the browser (every request body, beacons
// included) and what the collector stores never holds a form field's value, PII from visible
// labels, ignored elements, masked labels or secrets from URL query strings.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertUniqueIds, closeTab, fixture, launch, sdkReady, serveFixture, startCollector, waitFor } from './harness.mjs';
import { CHECKOUT, allStrings, proveIdle, recordContextBatches, startProxy, staysQuiet, waitForConsent, wireEvents } from './observe.mjs';

let collector, browser;
before(async () => { [collector, browser] = await Promise.all([startCollector(), launch()]); });
after(async () => { await browser?.close(); await collector?.stop(); });

const T = { timeout: 120_000 };

/** A fresh browser context talking to the collector through its own recording proxy:
 * `batches` holds every request body that reached /v1/batch (beacons sent while a tab
 * navigates included, which Playwright's request events miss), `pwBatches` what Playwright saw. */
async function session(t) {
  const proxy = await startProxy(collector.url);
  const context = await browser.newContext();
  t.after(async () => { await context.close(); await proxy.close(); });
  const pwBatches = recordContextBatches(context);
  return { base: proxy.url, batches: proxy.batches, pwBatches, context, all: () => [...proxy.batches, ...pwBatches] };
}

async function stored(site, what, pred, timeout = 30_000) {
  return waitFor(what, async () => {
    const ev = await collector.events(`&site=${site}`);
    return pred(ev) && ev;
  }, { timeout });
}

/** Every place a leak could show: raw request bodies, and the strings of every stored event. */
function haystacks(batches, events) {
  return [
    ...batches.map((b, i) => ({ where: `request #${i} (${b.type})`, text: b.body })),
    ...events.map((e) => ({ where: `stored ${e.event} ${e.messageId}`, text: JSON.stringify(e) })),
    ...events.map((e) => ({ where: `stored ${e.event} ${e.messageId} (decoded strings)`, text: allStrings(e).join('\n') })),
  ];
}

function assertAbsent(stacks, needles) {
  for (const { where, text } of stacks) {
    for (const n of needles) {
      const hit = n instanceof RegExp ? n.test(text) : text.toLowerCase().includes(n.toLowerCase());
      assert.ok(!hit, `${where} contains ${n}: ${text.slice(0, 400)}`);
    }
  }
}

const ELEMENT_KEYS = new Set(['selector', 'tag', 'id', 'text']);

// ---------------------------------------------------------------------------------------------

test('checkout: no form value (email, card, expiry, CVC, password, name, address) is ever sent or stored', T, async (t) => {
  const site = 'demo-shop';
  const { base, batches, all: seen, context } = await session(t);
  const page = await context.newPage();
  await page.goto(`${base}/checkout.html?cart=mug,grinder`);
  await sdkReady(page);
  await page.click('#consent-accept');
  await waitForConsent(page, { analytics: 'granted' });

  const fields = [['#email', CHECKOUT.email], ['#name', CHECKOUT.name], ['#address', CHECKOUT.address],
    ['#card-number', CHECKOUT.card], ['#card-exp', CHECKOUT.exp], ['#card-cvc', CHECKOUT.cvc]];
  for (const [sel, value] of fields) {
    await page.click(sel);
    await page.type(sel, value);
    await page.press(sel, 'Tab'); // focus moves on: blur/change fire
  }
  await page.check('#create-account');
  await page.waitForSelector('#password-field:not(.is-collapsed)');
  await page.click('#password');
  await page.type('#password', CHECKOUT.password);
  await page.dblclick('#card-number');
  await page.click('#place-order');

  // thanks.html: the demo remembers the choice (data-remember-consent), so nobody is asked
  // again; the order event left the checkout page by beacon or stays queued for this page.
  await page.waitForURL((u) => u.pathname === '/thanks.html', { timeout: 60_000 });
  await sdkReady(page);
  await waitForConsent(page, { analytics: 'granted' });
  await page.evaluate(() => window.touchpoint('flush'));
  const events = await stored(site, 'purchase and the thanks page view', (ev) =>
    ev.some((e) => e.event === 'purchase') && ev.some((e) => e.event === 'page_view' && e.context.page.path === '/thanks.html'));
  await proveIdle(page, 1_500);
  await closeTab(page);
  // Whatever the closing tab still beaconed is scanned too: wait until the stored count settles.
  let count = -1;
  await waitFor('the stored events to settle', async () => {
    const n = (await collector.events(`&site=${site}`)).length;
    const settled = n === count;
    count = n;
    return settled;
  }, { interval: 500 });
  const all = await collector.events(`&site=${site}`);
  assertUniqueIds(assert, all);
  assert.ok(batches.length > 0 && all.length >= events.length);

  // Sanity: this really is the checkout session, captured with consent.
  const order = all.find((e) => e.event === 'purchase');
  assert.equal(order.properties.value, 101);
  assert.ok(all.some((e) => e.event === 'click' && e.properties.element.id === 'place-order'), 'the Place order click is recorded');
  assert.ok(all.some((e) => e.event === 'page_view' && e.context.page.path === '/checkout.html'));

  const digits = CHECKOUT.card.replace(/\D/g, '');
  assert.ok(batches.some((b) => b.method === 'POST'), 'batches went through the recording proxy');
  assertAbsent(haystacks(seen(), all), [
    CHECKOUT.email, 'jane.doe', 'shop@example', encodeURIComponent(CHECKOUT.email),
    CHECKOUT.card, digits, '4111-1111', '4111%201111',
    CHECKOUT.exp, encodeURIComponent(CHECKOUT.exp),
    /cvc\W{0,12}123\b/i, /csc\W{0,12}123\b/i, /"123"/, /=123(&|"|$)/,
    CHECKOUT.password, 'Tr0ub4dor', encodeURIComponent(CHECKOUT.password),
    CHECKOUT.name, 'Quinn', CHECKOUT.address, 'Baker Street', 'NW1 6XE',
  ]);

  // Fields that were focused or clicked are described, never by their value.
  const values = fields.map(([, v]) => v).concat(CHECKOUT.password);
  for (const e of all.filter((x) => x.properties?.element)) {
    const el = e.properties.element;
    for (const k of Object.keys(el)) assert.ok(ELEMENT_KEYS.has(k), `element has only {selector, tag, id, text}: ${JSON.stringify(el)}`);
    for (const v of values) assert.ok(!JSON.stringify(el).includes(v), `${JSON.stringify(el)} holds a field value`);
    if (['email', 'name', 'address', 'card-number', 'card-exp', 'card-cvc', 'password', 'create-account'].includes(el.id)) {
      assert.equal(el.text, undefined, `a form field is not described by text: ${JSON.stringify(el)}`);
    }
  }
  // Batch bodies, beacons included, were all readable JSON batches.
  for (const b of seen()) assert.ok(Array.isArray(JSON.parse(b.body).batch), `${b.type} body is a batch`);
});

// ---------------------------------------------------------------------------------------------

test('visible labels with PII are scrubbed; sensitive button-like inputs get no text', T, async (t) => {
  const site = 'labels';
  const { base, all: seen, context } = await session(t);
  const page = await context.newPage();
  const url = await serveFixture(page, base, fixture({ site, consent: 'granted', 'flush-interval': '1000' }, `
    <button id="email-btn">Email jane@example.com</button>
    <a id="phone-link" href="#call">Call +44 20 7946 0958</a>
    <button id="card-btn">Card 4111 1111 1111 1111</button>
    <button id="iban-btn">Pay to GB82 WEST 1234 5698 7654 32</button>
    <button id="order-btn">Order 20240917 status</button>
    <button id="aria-btn" aria-label="Write to jane@example.com">@</button>
    <button id="plain-btn">Buy 2 mugs</button>
    <input type="submit" id="pay-btn" name="cardnumber" autocomplete="cc-number" value="Pay 5555 5555 5555 4444">
    <input type="button" id="pw-btn" name="password" value="Tr0ub4dor-label-secret">`));
  await page.goto(url);
  await sdkReady(page);
  const ids = ['email-btn', 'phone-link', 'card-btn', 'iban-btn', 'order-btn', 'aria-btn', 'plain-btn', 'pay-btn', 'pw-btn'];
  for (const id of ids) await page.click(`#${id}`);
  await page.evaluate(() => window.touchpoint('track', 'labels_done'));
  await page.evaluate(() => window.touchpoint('flush'));
  const events = await stored(site, 'the clicks and the marker', (ev) =>
    ev.some((e) => e.event === 'labels_done') && ev.filter((e) => e.event === 'click').length >= ids.length);
  const elements = events.filter((e) => e.event === 'click').map((e) => e.properties.element);
  // Which element each click was on: its id, or (sensitive fields carry no id) what its
  // selector finds in the page.
  const found = await page.evaluate((sels) => sels.map((s) => [...document.querySelectorAll(s)].map((x) => x.id)), elements.map((el) => el.selector));
  const clicks = new Map(elements.map((el, i) => {
    assert.equal(found[i].length, 1, `the selector ${el.selector} finds exactly one element`);
    if (el.id !== undefined) assert.equal(found[i][0], el.id, `the selector ${el.selector} finds #${el.id}`);
    return [found[i][0], el];
  }));
  assert.deepEqual([...clicks.keys()].sort(), [...ids].sort(), 'one click per element');

  const scrubbed = (id, lead, forbidden) => {
    const { text } = clicks.get(id);
    assert.ok(typeof text === 'string' && text.includes('***'), `${id}: PII replaced by *** (text: ${JSON.stringify(text)})`);
    assert.ok(text.startsWith(lead), `${id}: the rest of the label is kept (text: ${JSON.stringify(text)})`);
    for (const f of forbidden) assert.ok(!text.includes(f), `${id}: ${JSON.stringify(text)} still contains ${f}`);
  };
  scrubbed('email-btn', 'Email', ['jane', 'example.com', '@']);
  scrubbed('phone-link', 'Call', ['7946', '0958', '+44']);
  scrubbed('card-btn', 'Card', ['4111', '1111']);
  scrubbed('iban-btn', 'Pay to', ['GB82', 'WEST', '5698']);
  scrubbed('order-btn', 'Order', ['20240917']);
  scrubbed('aria-btn', 'Write to', ['jane', 'example.com']);
  assert.equal(clicks.get('plain-btn').text, 'Buy 2 mugs', 'a label without PII is kept as is');
  for (const id of ['pay-btn', 'pw-btn']) {
    const el = clicks.get(id);
    assert.equal(el.tag, 'input');
    assert.deepEqual(Object.keys(el).sort(), ['selector', 'tag'], `${id}: a sensitive field is described only by tag and selector: ${JSON.stringify(el)}`);
  }
  for (const el of clicks.values()) for (const k of Object.keys(el)) assert.ok(ELEMENT_KEYS.has(k), JSON.stringify(el));

  await proveIdle(page, 1_500);
  await closeTab(page);
  const all = await collector.events(`&site=${site}`);
  assertAbsent(haystacks(seen(), all), ['jane@example.com', 'example.com', '7946 0958', '4111 1111', '4111111111111111',
    'GB82', 'WEST 1234', '20240917', '5555 5555', '5555555555554444', 'Tr0ub4dor']);
});

// ---------------------------------------------------------------------------------------------

test('data-tp-ignore stops capture on the element and inside it; data-tp-mask keeps the click without text', T, async (t) => {
  const site = 'ignore-mask';
  const { base, all: seen, context } = await session(t);
  const page = await context.newPage();
  const url = await serveFixture(page, base, fixture({ site, consent: 'granted', 'flush-interval': '1000' }, `
    <button id="control">Control label</button>
    <button id="ign-self" data-tp-ignore>IgnoredLabelOne</button>
    <div data-tp-ignore><section><button id="ign-inner">IgnoredLabelTwo</button><a id="ign-link" href="#i">IgnoredLabelThree</a></section></div>
    <button data-tp-ignore><span id="ign-span">IgnoredLabelFour</span></button>
    <button id="mask-self" data-tp-mask>MaskedLabelOne</button>
    <div data-tp-mask><a id="mask-link" href="#m"><span id="mask-span">MaskedLabelTwo</span></a></div>`));
  await page.goto(url);
  await sdkReady(page);
  for (const sel of ['#ign-self', '#ign-inner', '#ign-link', '#ign-span', '#mask-self', '#mask-span', '#control']) await page.click(sel);
  await page.evaluate(() => window.touchpoint('track', 'ignore_done'));
  await page.evaluate(() => window.touchpoint('flush'));
  // The marker was captured after every click, so once it is stored so is any click before it.
  await stored(site, 'the marker', (ev) => ev.some((e) => e.event === 'ignore_done'));
  await proveIdle(page, 1_500);
  await closeTab(page);
  const events = await collector.events(`&site=${site}`);
  const clicks = events.filter((e) => e.event === 'click').map((e) => e.properties.element);
  assert.deepEqual(clicks.map((el) => el.id).sort(), ['control', 'mask-link', 'mask-self'],
    `only the control and the masked elements are captured: ${JSON.stringify(clicks)}`);
  assert.equal(clicks.find((el) => el.id === 'control').text, 'Control label');
  for (const id of ['mask-self', 'mask-link']) {
    const el = clicks.find((x) => x.id === id);
    assert.equal(el.text, undefined, `${id}: masked, no text: ${JSON.stringify(el)}`);
    assert.ok(el.selector && el.tag, 'still a touchpoint with its selector and tag');
  }
  assertAbsent(haystacks(seen(), events), ['IgnoredLabel', 'MaskedLabel', 'ign-self', 'ign-inner', 'ign-link', 'ign-span']);
});

// A kiosk's on-screen keyboard (each key a button whose handler writes into a read-only field):
// the keys' texts, click after click, spelled what the shopper typed (a loyalty card number).
// Masked: a one-character control among ten or more of one character. A pager's "1", "2", "3"
// keep theirs, and so do a buy box's sizes S and 7 among its ten buttons (a fashion retailer's
// QA: every size had one selector, and the commonest no text).
test('the keys of an on-screen keypad are clicks without text; a pager\'s page numbers and a buy box\'s sizes keep theirs', T, async (t) => {
  const site = 'keypad';
  const { base, context } = await session(t);
  const page = await context.newPage();
  const keys = [...'1234567890'].map((k) => `<button class="key" type="button">${k}</button>`).join('');
  await page.goto(await serveFixture(page, base, fixture({ site, consent: 'granted', 'flush-interval': '1000' }, `
    <div class="kiosk"><input id="card" readonly><div id="pad">${keys}<button class="key" type="button">OK</button></div></div>
    <main><p>Results</p><nav id="pager"><button type="button">1</button><button type="button">2</button><button type="button">3</button></nav></main>
    <section id="buy"><div id="sizes">${['XS', 'S', 'M', 'L', 'XL', '7'].map((s) => `<button type="button">${s}</button>`).join('')}</div>
      <div><button type="button">Add to bag</button><button type="button" aria-label="Save">♡</button><button type="button">Size guide</button><button type="button">Share</button></div></section>
    <script>document.getElementById('pad').addEventListener('click', (e) => { const k = e.target.closest('.key');
      if (k && k.textContent.length === 1) document.getElementById('card').value += k.textContent; });</script>`)));
  await sdkReady(page);
  for (const k of '4929') await page.click(`#pad .key:text-is("${k}")`);
  await page.click('#pad .key:text-is("OK")');
  await page.click('#pager button:text-is("2")');
  await page.click('#sizes button:text-is("S")');
  await page.click('#sizes button:text-is("7")');
  assert.equal(await page.inputValue('#card'), '4929');
  await page.evaluate(() => { window.touchpoint('track', 'keys_done'); window.touchpoint('flush'); });
  await stored(site, 'the marker', (ev) => ev.some((e) => e.event === 'keys_done'));
  const clicks = (await collector.events(`&site=${site}`)).filter((e) => e.event === 'click').map((e) => e.properties.element);
  assert.deepEqual(clicks.map((el) => el.text ?? null), [null, null, null, null, 'OK', '2', 'S', '7'], JSON.stringify(clicks));
});

// Colour swatches as a hidden radio in a label named by its title or aria-label (a
// configurator's QA: every colour was the same click, the radio's, with no text).
test('a swatch\'s hidden radio is named by its label\'s title or aria-label', T, async (t) => {
  const site = 'swatch-names';
  const { base, context } = await session(t);
  const page = await context.newPage();
  await page.goto(await serveFixture(page, base, fixture({ site, consent: 'granted', 'flush-interval': '1000' }, `
    <div id="colours"><label class="swatch" title="Sand" style="display:inline-block;width:30px;height:30px;background:#c2b280"><input type="radio" name="c" hidden></label>
    <label class="swatch" aria-label="Racing red" style="display:inline-block;width:30px;height:30px;background:#c00"><input type="radio" name="c" hidden></label>
    <label class="swatch" title="Ignored" style="display:inline-block"><input type="radio" name="c"> Forest green</label></div>
    <button id="close" style="width:20px;height:20px"></button>`)));
  await sdkReady(page);
  for (const l of await page.$$('#colours label')) await l.click();
  await page.click('#close'); // (an icon drawn by CSS: no text, not "false", a pharmacy's QA)
  await page.evaluate(() => { window.touchpoint('track', 'swatches_done'); window.touchpoint('flush'); });
  await stored(site, 'the marker', (ev) => ev.some((e) => e.event === 'swatches_done'));
  const clicks = (await collector.events(`&site=${site}`)).filter((e) => e.event === 'click').map((e) => e.properties.element);
  assert.deepEqual(clicks.map((el) => el.text ?? null), ['Sand', 'Racing red', 'Forest green', null], JSON.stringify(clicks));
});

// A saved order's line, clicked on its label, holds a note the buyer typed (an editable element)
// and a textarea a server filled: neither is the line's text, which had "Jana Novak gate 4"
// (B2B QA). Its blocks' texts are words apart ("qty 2Jana" was one word).
test('what a visitor typed into an editable element or a textarea is no clicked element\'s text', T, async (t) => {
  const site = 'editable-text';
  const { base, all: seen, context } = await session(t);
  const page = await context.newPage();
  await page.goto(await serveFixture(page, base, fixture({ site, consent: 'granted', 'flush-interval': '1000' }, `
    <ul><li id="line" role="button" tabindex="0"><span id="label">HX-2200 Hex bolt</span><div>qty 2</div>
      <div class="note" contenteditable="true"></div><p contenteditable="plaintext-only">Fixed note</p>
      <textarea>Server filled Kowalski</textarea></li></ul>`)));
  await sdkReady(page);
  await page.click('.note');
  await page.keyboard.type('Jana Novak gate 4');
  await page.click('#label');
  await page.evaluate(() => { window.touchpoint('track', 'notes_done'); window.touchpoint('flush'); });
  const events = await stored(site, 'the marker', (ev) => ev.some((e) => e.event === 'notes_done'));
  const line = events.find((e) => e.event === 'click' && e.properties.element.id === 'line');
  assert.ok(line, JSON.stringify(events.map((e) => [e.event, e.properties.element])));
  assert.equal(line.properties.element.text, 'HX-2200 Hex bolt qty 2');
  assertAbsent(haystacks(seen(), events), ['Jana', 'Novak', 'gate 4', 'Fixed note', 'Kowalski']);
});

// ---------------------------------------------------------------------------------------------

test('URL query secrets and email addresses in the path are masked in context.page.url, path and referrer; data-mask-params adds names', T, async (t) => {
  const site = 'urls';
  const { base, all: seen, context } = await session(t);
  const page = await context.newPage();
  await serveFixture(page, base, fixture({ site, consent: 'granted', 'flush-interval': '1000' },
    '<a id="next" href="/second.html?session_id=s3cr3tSess&amp;page=2">Next</a>'));
  await serveFixture(page, base, fixture({ site, consent: 'granted', 'flush-interval': '1000' }, '<p>second</p>'), 'second.html');
  await serveFixture(page, base,
    fixture({ site: 'urls-extra', consent: 'granted', 'flush-interval': '1000', 'mask-params': 'ref, q' }, '<p>extra</p>')
      .replace('<title>Fixture</title>', '<title>Results for Pregnancy Test - Shop</title>'), 'masked.html');

  await page.goto(`${base}/fixture.html?token=abc123xyz&email=a%40b.com&ref=home`);
  await sdkReady(page);
  const first = await stored(site, 'the first page view', (ev) => ev.some((e) => e.context.page.path === '/fixture.html'));
  const u1 = first.find((e) => e.context.page.path === '/fixture.html').context.page.url;
  const p1 = new URL(u1).searchParams;
  assert.equal(p1.get('ref'), 'home', `an innocuous parameter is kept: ${u1}`);
  for (const [name, secret] of [['token', 'abc123xyz'], ['email', 'a@b.com']]) {
    assert.ok(p1.has(name), `${name} is still named in ${u1}`);
    assert.ok(p1.get(name) && !p1.get(name).includes(secret) && !p1.get(name).includes(secret.slice(0, 4)), `${name} value is masked in ${u1}`);
  }

  await page.click('#next');
  await page.waitForURL((u) => u.pathname === '/second.html');
  await sdkReady(page);
  const second = (await stored(site, 'the second page view', (ev) => ev.some((e) => e.context.page.path === '/second.html')))
    .find((e) => e.context.page.path === '/second.html');
  const { url: u2, referrer: r2 } = second.context.page;
  assert.equal(new URL(u2).searchParams.get('page'), '2', u2);
  assert.ok(!u2.includes('s3cr3tSess'), `session_id masked in ${u2}`);
  assert.ok(r2.includes('/fixture.html?'), `the referrer is the first page: ${r2}`);
  assert.equal(new URL(r2).searchParams.get('ref'), 'home', r2);
  assert.ok(!r2.includes('abc123xyz') && !r2.includes('a%40b.com') && !r2.includes('a@b.com'), `referrer masked: ${r2}`);

  await page.goto(`${base}/masked.html?ref=home&token=abc123xyz&utm_source=news&q=pregnancy+test`);
  await sdkReady(page);
  const extra = (await stored('urls-extra', 'the masked.html page view', (ev) => ev.length > 0))[0];
  const p3 = new URL(extra.context.page.url).searchParams;
  assert.equal(p3.get('utm_source'), 'news', extra.context.page.url);
  assert.ok(p3.has('ref') && p3.get('ref') !== 'home', `data-mask-params="ref" masks ref: ${extra.context.page.url}`);
  // ... and where the title repeats a masked value, in any case (a pharmacy's QA).
  assert.equal(extra.context.page.title, 'Results for *** - Shop');
  assert.ok(!extra.context.page.url.includes('abc123xyz'));

  // An email address in the path (a single-page app's account route), plain or %40-encoded:
  // the segment holding it is masked in the page view's path and URL, and in the next one's
  // referrer path.
  await page.evaluate(() => history.pushState({}, '', '/account/jane.doe@example.org/orders?tab=1'));
  await page.evaluate(() => history.pushState({}, '', '/unsubscribe/jane.doe%40example.org'));
  const routes = await stored('urls-extra', 'the two route page views', (ev) => ev.filter((e) => e.event === 'page_view').length >= 3);
  const paths = routes.filter((e) => e.event === 'page_view').map((e) => e.context.page.path);
  assert.ok(paths.includes('/account/***/orders'), `the account route's path masked: ${JSON.stringify(paths)}`);
  assert.ok(paths.includes('/unsubscribe/***'), `the unsubscribe route's path masked: ${JSON.stringify(paths)}`);

  await proveIdle(page, 1_500);
  await closeTab(page);
  const all = [...await collector.events(`&site=${site}`), ...await collector.events('&site=urls-extra')];
  assert.ok(wireEvents(seen()).length >= 3);
  assertAbsent(haystacks(seen(), all), ['abc123xyz', 's3cr3tSess', 'a%40b.com', 'a@b.com', 'jane.doe']);
});
