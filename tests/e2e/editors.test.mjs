// A product designer (a print shop's T-shirt editor): a text layer the visitor types in, dragged
// by its box; a layer list reordered by touch, which the page scrolls at the screen's edges; a
// properties panel of fields marked data-tp-ignore. What it must not report (a caret placed, a
// drag, the ignored panel) and what must never leave the page (the text typed in the layer).
// Trusted input only; "none" is proven by a sentinel's dead_click, decided after every window
// the scenario opened (detectors decide in time order).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, startCollector, waitFor } from './harness.mjs';

let collector, browser;
before(async () => { [collector, browser] = await Promise.all([startCollector(), launch()]); });
after(async () => { await browser?.close(); await collector?.stop(); });

const T = { timeout: 120_000 };

const PAGE = (site, attrs) => `<!doctype html><html><head><title>Designer</title>
<meta name="viewport" content="width=device-width">
<script>window.touchpoint=window.touchpoint||function(){(touchpoint.q=touchpoint.q||[]).push(arguments)};</script>
<script async src="/touchpoint/touchpoint.js" data-collector="/v1/batch" data-site="${site}" data-consent="granted" data-flush-interval="300" data-slow-interaction-ms="10000" data-friction-off="vital"${attrs}></script>
<style>body { margin: 0; font: 16px sans-serif } #sentinel { cursor: pointer; display: inline-block; padding: 8px }</style>
</head><body>
<div id="sentinel">Help</div>
<div id="layer" style="display: inline-block; padding: 10px; border: 1px dashed #888; cursor: move"><span id="text" contenteditable style="font-size: 28px">Happy birthday to you</span></div>
<div id="toolbar"><button id="undo" type="button">Undo</button>
  <input id="fontsize" name="fontsize" data-tp-ignore> <input id="outline" name="outline" data-tp-ignore> <input id="spacing" name="spacing" data-tp-ignore></div>
<button id="preview" type="button">Preview</button>
<ul id="layers" style="list-style: none; padding: 0; margin: 0">
  <li id="row" style="touch-action: none; height: 60px; background: #ddd">Drag me</li>
</ul>
<div style="height: 6000px"></div>
<script>
  // The text layer's box is dragged: it takes the pointer at the press (pointer capture).
  document.getElementById('layer').addEventListener('pointerdown', (e) => e.currentTarget.setPointerCapture(e.pointerId));
  // The layer list's row is dragged by touch; the page scrolls as the finger moves, as a
  // sortable list does at the screen's edges.
  const row = document.getElementById('row');
  let lastY = null;
  row.addEventListener('pointerdown', (e) => { row.setPointerCapture(e.pointerId); lastY = e.clientY; });
  row.addEventListener('pointermove', (e) => { if (lastY !== null) { scrollBy(0, (e.clientY - lastY) * 10); lastY = e.clientY; } });
  row.addEventListener('pointerup', () => { lastY = null; });
  // A font that cannot draw the text: the error quotes it.
  document.getElementById('preview').addEventListener('click', () => {
    throw new Error('Font cannot render "' + document.getElementById('text').innerText + '"');
  });
</script>
</body></html>`;

async function open(t, site, { attrs = '', ...options } = {}) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 }, ...options });
  t.after(() => context.close());
  await context.route(/\/designer(\.html)?$/, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: PAGE(site, attrs) }));
  await context.route(/\/elsewhere\.html$/, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Elsewhere</title>' }));
  // A page of a map dragged by touch (touch-action: none: the browser never pans it).
  await context.route(/\/map\.html$/, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: PAGE(site, attrs).replace('<div id="sentinel">', '<div id="map" style="touch-action: none; width: 300px; height: 300px; background: #9c9"></div><div id="sentinel">') }));
  const page = await context.newPage();
  await page.goto(`${collector.url}/designer.html`);
  await page.waitForFunction(() => window.touchpoint && window.touchpoint.ready === true, null, { timeout: 60_000 });
  return { page, context };
}

const eventsOf = async (site) => (await collector.events(`&site=${site}`));
const friction = (ev) => ev.filter((e) => e.properties?.category === 'friction');

/** Clicks (or taps) the sentinel and waits for its dead_click; returns the other friction. */
async function verdict(page, site, tap) {
  const b = await page.locator('#sentinel').boundingBox();
  if (tap) await page.touchscreen.tap(b.x + b.width / 2, b.y + b.height / 2); else await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2);
  const ev = await waitFor('the sentinel\'s dead_click', async () => {
    await page.evaluate(() => touchpoint('flush'));
    const e = await eventsOf(site);
    return e.some((x) => x.event === 'dead_click' && x.properties.element?.id === 'sentinel') && e;
  }, { timeout: 30_000 });
  return friction(ev).filter((e) => e.properties.element?.id !== 'sentinel');
}

test('a caret placed three times in a text layer whose box captures the pointer is no rage_click', T, async (t) => {
  const site = 'ed-caret';
  const { page } = await open(t, site);
  const b = await page.locator('#text').boundingBox();
  for (const x of [0.2, 0.5, 0.8]) {
    await page.mouse.click(b.x + b.width * x, b.y + b.height / 2);
    await page.waitForTimeout(250); // (a visitor's pace between the three, within rage's 1 s)
  }
  const other = await verdict(page, site);
  assert.deepEqual(other.map((e) => `${e.event} ${e.properties.element?.selector}`), []);
});

test('on a phone, a layer row dragged up and down by touch while the page scrolls with it is no scroll_thrash', T, async (t) => {
  const site = 'ed-drag';
  const { page, context } = await open(t, site, { attrs: ' data-thrash-window-ms="30000"', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await page.evaluate(() => {
    scrollTo(0, document.getElementById('row').offsetTop - 400);
    window.ys = [];
    addEventListener('scroll', () => window.ys.push(scrollY));
  });
  const cdp = await context.newCDPSession(page);
  const box = await page.locator('#row').boundingBox();
  const x = box.x + 50, y = box.y + 30;
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
  // Six legs of 100 px of the finger: 1,000 px of the page's scrolling each, more than half
  // the viewport, turning five times.
  for (let leg = 0; leg < 6; leg++) {
    for (let k = 1; k <= 5; k++) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y: y + (leg % 2 ? 100 - 20 * k : 20 * k) }] });
    }
    await page.waitForTimeout(100);
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  // (The page did scroll with the finger, up and down.)
  const ys = await page.evaluate(() => window.ys);
  assert.ok(Math.max(...ys) - Math.min(...ys) >= 900, JSON.stringify(ys));
  await page.evaluate(() => scrollTo(0, 0));
  assert.deepEqual((await verdict(page, site, true)).map((e) => e.event), []);
});

test('fields marked data-tp-ignore in a panel without a form: no form_start, form_submit or form_abandon, no field named', T, async (t) => {
  const site = 'ed-ignore';
  const { page } = await open(t, site);
  for (const [id, v] of [['#fontsize', '32'], ['#outline', '2'], ['#spacing', '1.5']]) await page.locator(id).fill(v);
  await page.locator('#undo').click();
  for (const [id, v] of [['#fontsize', '30'], ['#outline', '1']]) await page.locator(id).fill(v);
  await page.goto(`${collector.url}/elsewhere.html`); // (the panel's page left: a form_abandon would be sent)
  const ev = await waitFor('the designer\'s page_leave', async () => {
    const e = await eventsOf(site);
    return e.some((x) => x.event === 'page_leave') && e;
  }, { timeout: 30_000 });
  assert.deepEqual(ev.filter((e) => /^form_/.test(e.event)).map((e) => e.event), []);
  assert.ok(!JSON.stringify(ev).match(/fontsize|outline|spacing/), 'no ignored field is named');
});

test('what the visitor typed in a text layer (contenteditable) is masked in the error that quotes it', T, async (t) => {
  const site = 'ed-typed';
  const { page } = await open(t, site);
  await page.locator('#text').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('For Maria Rossi');
  await page.locator('#preview').click();
  const ev = await waitFor('the js_error', async () => {
    await page.evaluate(() => touchpoint('flush'));
    const e = await eventsOf(site);
    return e.some((x) => x.event === 'js_error') && e;
  }, { timeout: 30_000 });
  const error = ev.find((x) => x.event === 'js_error');
  assert.match(error.properties.message, /Font cannot render "\*\*\*"/);
  assert.ok(!JSON.stringify(ev).includes('Maria'), 'the text typed is in no event');
});

// A map the visitor drags by touch on the page they went to, then Back within 10 s: they used
// that page (no quick_back), although the map holds the pointer (its drags are no scrolling of
// theirs: see the layer row above).
test('on a phone, a map dragged by touch on the next page, then Back: no quick_back', T, async (t) => {
  const site = 'ed-map';
  const { page, context } = await open(t, site, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await page.goto(`${collector.url}/map.html`);
  await page.waitForFunction(() => window.touchpoint && window.touchpoint.ready === true, null, { timeout: 60_000 });
  const cdp = await context.newCDPSession(page);
  const box = await page.locator('#map').boundingBox();
  const x = box.x + 150, y = box.y + 150;
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
  for (let k = 1; k <= 5; k++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: x - 20 * k, y: y - 10 * k }] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  // (The use is written to the tab's session before the page is left.)
  await waitFor('the map page stored as used', () => page.evaluate(() => (sessionStorage.getItem('tp:session') || '').split('\x1f')[8] === '1'));
  await page.goBack();
  await page.waitForFunction(() => window.touchpoint && window.touchpoint.ready === true, null, { timeout: 60_000 });
  assert.deepEqual((await verdict(page, site, true)).map((e) => e.event), []);
});

