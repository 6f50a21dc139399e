// What the friction end-to-end files (tests/e2e/friction-*.test.mjs) share: the collector and
// browser each file starts, the fixture page with deliberately broken spots and normal shop
// behaviour, and the helpers that drive it with trusted input (Playwright's mouse and keyboard)
// and read the verdicts. (The tests were one file, which alone lasted longer than all the other
// e2e files together, on one of the two lanes `npm test` runs them in; by topic, four files
// share both lanes.)
//
// How "none" is proven without a fixed sleep: after a scenario, the test clicks a sentinel (a
// styled div that does nothing) and waits for its dead_click. Detectors decide in time order, so
// once the sentinel's verdict is stored, every window the scenario opened before it has closed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { launch, root, sdkReady, startCollector, visitorContext, waitFor } from './harness.mjs';

export let collector, browser;
before(async () => { [collector, browser] = await Promise.all([startCollector(), launch()]); });
after(async () => { await browser?.close(); await collector?.stop(); });

export const T = { timeout: 120_000 };
export const FIXTURE = fs.readFileSync(path.join(root, 'tests/e2e/fixtures/friction.html'), 'utf8');

/** The fixture with the snippet for `site`, served at /friction.html (and /elsewhere.html).
 * On a loaded machine any click can take a few hundred ms and a page's LCP can pass 4 s, which
 * are real slow interactions and poor vitals: so they are only watched where a test is about
 * them (slow_interaction at 300 ms there; poor_vital is covered by the host tests). */
// (`visitor`: a context the SDK takes for a visitor's, for what the collector counts only for
// customers; see `visitorContext`.)
// (`setup`: called with the context before the page loads: a mock the page's scripts must find.)
export async function open(t, site, attrs = {}, { visitor = false, setup, ...device } = {}) {
  attrs = { 'slow-interaction-ms': '10000', 'friction-off': 'vital', ...attrs };
  const options = { viewport: { width: 1000, height: 700 }, ...device };
  const context = visitor ? await visitorContext(browser, options) : await browser.newContext(options);
  t.after(() => context.close());
  const a = Object.entries({ site, consent: 'granted', 'flush-interval': '300', ...attrs }).map(([k, v]) => ` data-${k}="${v}"`).join('');
  const html = FIXTURE.replace('__SNIPPET__', `<script async src="/touchpoint/touchpoint.js" data-collector="/v1/batch"${a}></script>`);
  await context.route(/\/(friction|elsewhere|details)(\.html)?$/, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }));
  // A server that takes longer to answer than a click waits for a response.
  await context.route(/\/slow\.html$/, (route) => setTimeout(() => route.fulfill({ status: 200, contentType: 'text/html', body: html }).catch(() => {}), 2_500));
  await context.route(/\/api\/save$/, (route) => route.fulfill({ status: 500, body: 'down' }));
  await context.route(/\/files\//, (route) => route.fulfill({ status: 200, contentType: 'application/pdf', body: '%PDF-1.4' }));
  await context.route(/\/api\/stock/, (route) => route.abort('connectionrefused'));
  await context.route(/\/api\/wish$/, () => {}); // never answered
  await context.route(/\/api\/notify$/, (route) => route.fulfill({ status: 204 }));
  await context.route(/\/api\/slot$/, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"ok":false}' }));
  await context.route(/\/api\/queue$/, (route) => route.fulfill({ status: 503, headers: { 'Retry-After': '5' }, body: 'wait' }));
  await context.route(/\/media\/missing/, (route) => route.fulfill({ status: 404, body: '' }));
  // A payment answered after 4 s: accepted for the billing postcode 75001, declined otherwise.
  await context.route(/\/api\/pay/, (route) => setTimeout(() => route.fulfill({
    status: 200, body: new URL(route.request().url()).searchParams.get('zip') === '75001' ? 'ok' : 'declined',
  }).catch(() => {}), 4_000));
  // A postcode check answered after 4 s (a slow network): deliverable for 75001 only.
  await context.route(/\/api\/postcode/, (route) => setTimeout(() => route.fulfill({
    status: 200, body: new URL(route.request().url()).searchParams.get('c') === '75001' ? 'ok' : 'no',
  }).catch(() => {}), 4_000));
  // A lazy modal's script, arriving 2.5 s after it is asked for (a slow network).
  await context.route(/\/lazy\/guide\.js$/, (route) => setTimeout(() => route.fulfill({
    status: 200, contentType: 'text/javascript', body: 'document.getElementById("lazy-guide").hidden = false;',
  }).catch(() => {}), 2_500));
  // A thanks page whose server answers after 4 s (a slow network after the payment's answer).
  await context.route(/\/thanks-slow$/, (route) => setTimeout(() => route.fulfill({ status: 200, contentType: 'text/html', body: html }).catch(() => {}), 4_000));
  // Answered later than the 1 s a click waits for a response: the click waits for the request.
  await context.route(/\/api\/eta$/, (route) => setTimeout(() => route.fulfill({ status: 200, body: 'Tuesday' }).catch(() => {}), 1_500));
  // Suggestions answer only the whole term: the requests of the keystrokes before it are still
  // open when the next keystroke cancels them, whatever the machine's speed.
  await context.route(/\/api\/suggest/, (route) => {
    if (new URL(route.request().url()).searchParams.get('q') === 'shoes') route.fulfill({ status: 200, body: '[]' }).catch(() => {});
  });
  await setup?.(context);
  const page = await context.newPage();
  const errors = [], warnings = [];
  page.on('console', (m) => {
    if (/touchpoint: (disabled|could not load)/.test(m.text())) errors.push(m.text());
    if (m.type() === 'warning') warnings.push(m.text());
  });
  await page.goto(`${collector.url}/friction.html`);
  await sdkReady(page);
  t.after(() => assert.deepEqual(errors, [], 'Touchpoint stayed up'));
  return { page, context, warnings };
}

export const frictionOf = async (site) => (await collector.events(`&site=${site}`)).filter((e) => e.properties?.category === 'friction');
export const sel = (e) => e.properties.element?.selector ?? '';
export const isSentinel = (e) => sel(e).endsWith('#sentinel');

export async function clickN(page, selector, n) {
  const box = await page.locator(selector).boundingBox();
  // A point outside the viewport clicks nothing, and a test of "no friction" would pass for it.
  const { width, height } = page.viewportSize();
  assert.ok(box.x + box.width / 2 < width && box.y + box.height / 2 < height, `${selector} is in view`);
  for (let i = 0; i < n; i++) await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

/** A custom `role=button` (`html`: its element, id `id`, put first in the page) as the ARIA
 * practices write one: its key handler clicks it on Enter or Space. With `counter` (an element's
 * id), its click adds one to that element's number (a stepper); without, it does nothing. Then
 * `key` (Enter unless said) pressed on it `n` times. */
export async function enterOnCustomButton(page, id, html, n, counter = null, key = 'Enter') {
  await page.evaluate(([id, html, counter]) => {
    document.body.insertAdjacentHTML('afterbegin', html);
    const b = document.getElementById(id);
    b.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); b.click(); } });
    if (counter) b.addEventListener('click', () => { const c = document.getElementById(counter); c.textContent = String(+c.textContent + 1); });
  }, [id, html, counter]);
  await page.focus(`#${id}`);
  for (let i = 0; i < n; i++) await page.keyboard.press(key);
}

/** The ARIA practices' button: Enter clicks it at keydown, Space at keyup (its keydown
 * cancelled, so that the page does not scroll). `counter`: the element its clicks count in
 * (none: it does nothing). Put first in the page, focused, then `key` pressed `n` times. */
export async function apgButton(page, id, n, key, counter = null) {
  await page.evaluate(([id, counter]) => {
    document.body.insertAdjacentHTML('afterbegin', `<span role="button" tabindex="0" id="${id}">Notify me</span> <output id="${id}-n">0</output>`);
    const b = document.getElementById(id);
    b.addEventListener('keydown', (e) => { if (e.key === 'Enter') b.click(); else if (e.key === ' ') e.preventDefault(); });
    b.addEventListener('keyup', (e) => { if (e.key === ' ') b.click(); });
    b.addEventListener('click', () => { if (counter) { const c = document.getElementById(`${id}-n`); c.textContent = String(+c.textContent + 1); } });
  }, [id, counter]);
  await page.focus(`#${id}`);
  for (let i = 0; i < n; i++) await page.keyboard.press(key);
}

/** A custom control (`role`: button unless said) whose page handles its clicks (each adds one to
 * `#<id>-n`) but not its keys, unless `ownKeys`: its key handler then does the same on Enter
 * itself, without a click. Put first in the page, focused, then `key` (Enter unless said)
 * pressed on it `n` times. */
export async function enterOnClickOnlyButton(page, id, n, ownKeys = false, key = 'Enter', role = 'button') {
  await page.evaluate(([id, ownKeys, role]) => {
    document.body.insertAdjacentHTML('afterbegin', `<div role="${role}" tabindex="0" id="${id}">Add one</div> <output id="${id}-n">0</output>`);
    const b = document.getElementById(id), add = () => { const c = document.getElementById(`${id}-n`); c.textContent = String(+c.textContent + 1); };
    b.addEventListener('click', add);
    if (ownKeys) b.addEventListener('keydown', (e) => { if (e.key === 'Enter') add(); });
  }, [id, ownKeys, role]);
  await page.focus(`#${id}`);
  for (let i = 0; i < n; i++) await page.keyboard.press(key);
}

/** A size picker whose L is sold out (its radio disabled), put first in the page; its label `#sold-l`. */
export async function soldOutSize(page) {
  await page.evaluate(() => document.body.insertAdjacentHTML('afterbegin',
    '<fieldset id="sizes"><input type="radio" name="sz" id="sold-m" checked><label for="sold-m">M</label> '
    + '<input type="radio" name="sz" id="sold-in" disabled><label for="sold-in" id="sold-l" style="cursor:pointer;padding:4px 12px">L</label></fieldset>'));
}

/** Space pressed on the focused custom control (see enterOnClickOnlyButton) scrolled the page,
 * the key's own default, not cancelled: waits until it did, so that a test of it tests it. */
export async function spaceScrolled(page) {
  await waitFor('the page scrolled by Space', () => page.evaluate(() => scrollY > 0));
}

/** Enter held down on the focused element: its first press, then 8 auto-repeats, then let go. */
export async function holdEnter(page) {
  // (Playwright sends a key pressed again while down as the browser's auto-repeat: repeat=true.)
  for (let i = 0; i < 9; i++) await page.keyboard.down('Enter');
  await page.keyboard.up('Enter');
}

/** An htmx-style "Notify me" (#hx-notify), first in the page, clicked once: class htmx-request
 * while its POST (answered 204) is on its way, by `how` (fetch or XHR); with `said`, its text
 * says so at the answer. */
export async function hxNotify(page, said, how) {
  await page.evaluate(([said, how]) => {
    document.body.insertAdjacentHTML('afterbegin', '<button id="hx-notify" class="btn">Notify me when cheaper</button>');
    const b = document.getElementById('hx-notify');
    const done = () => { b.classList.remove('htmx-request'); if (said) b.textContent = 'We will tell you'; };
    b.addEventListener('click', () => {
      b.classList.add('htmx-request');
      if (how === 'fetch') return fetch('/api/notify', { method: 'POST' }).then(done);
      // (Its JSON read first: the pending state is taken off a task or more after the answer.)
      if (how === 'fetch, its JSON read') return fetch('/api/slot', { method: 'POST' }).then((r) => r.json()).then(done);
      const x = new XMLHttpRequest();
      x.open('POST', '/api/notify');
      x.onloadend = done;
      x.send();
    });
    scrollTo(0, 0);
  }, [said, how]);
  await clickN(page, '#hx-notify', 1);
}

/** A furniture store's spots, put first in the page (not in the fixture, whose layout the
 * cross-browser suite clicks by coordinates): a 3-D viewer's box that captures the pointer, a
 * calendar's days disabled by a class of their own and by data-disabled. */
export async function spots(page) {
  await page.evaluate(() => {
    document.body.insertAdjacentHTML('afterbegin', '<span id="viewer3d" style="display: inline-block; cursor: grab" onpointerdown="this.setPointerCapture(event.pointerId)"><canvas width="60" height="30"></canvas></span> ' +
      '<button id="day-off" type="button" class="cal__day--disabled" style="cursor: not-allowed; color: #999">12</button> <button id="day-radix" type="button" data-disabled>13</button>');
    scrollTo(0, 0);
  });
}

/** Waits until the page has defined custom element `name`. */
export async function defined(page, name) {
  await waitFor(`<${name}> defined`, () => page.evaluate((n) => !!customElements.get(n), name));
}

/** Clicks the sentinel and waits for its verdict; returns the other friction events of `site`. */
export async function verdict(page, site) {
  // After a scenario that left for another page, that page's Touchpoint must be up to see the
  // sentinel's click (on a loaded machine the click came before it, and no verdict ever came).
  await sdkReady(page);
  // The scenario's own effects are over (no scroll still moving, no DOM change pending).
  await waitFor('the page to settle', () => page.evaluate(() => new Promise((resolve) => {
    const y = window.scrollY;
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(window.scrollY === y)));
  })));
  const ev = await sentinelDead(page, site, 30_000);
  return ev.filter((e) => !isSentinel(e));
}

/** Clicks the sentinel and waits at most `ms` for its dead_click (one more than before): the
 * friction events of `site` then, or false. */
export async function sentinelDead(page, site, ms) {
  const dead = (all) => all.filter((e) => e.event === 'dead_click' && isSentinel(e)).length;
  const before = dead(await frictionOf(site));
  await clickN(page, '#sentinel', 1);
  return waitFor('the sentinel\'s dead_click', async () => {
    await page.evaluate(() => touchpoint('flush')).catch(() => {});
    const all = await frictionOf(site);
    return dead(all) > before && all;
  }, { timeout: ms }).catch((e) => { if (ms < 30_000) return false; throw e; });
}

/**
 * Waits until what changes on its own in the page (a countdown, a carousel nobody marked) is
 * learned: until then its changes answer every click, so the sentinel is clicked until its click
 * is a dead_click. (Learning takes three changes at regular times while nobody clicks: on a
 * loaded machine, a countdown's timer late by more than half its period spoilt the first ones,
 * and a test that clicked after a fixed number of ticks saw its dead clicks answered.)
 */
export async function learned(page, site) {
  const deadline = performance.now() + 60_000;
  while (!await sentinelDead(page, site, 4_000)) assert.ok(performance.now() < deadline, 'the ambient changes learned within 60 s');
}

/** Every event of `site` once its form_abandon is stored. */
export const withAbandon = (site) => waitFor('form_abandon stored', async () => {
  const all = await collector.events(`&site=${site}`);
  return all.some((e) => e.event === 'form_abandon') && all;
}, { timeout: 30_000 });
/** Clicks the link to the SPA's /details view and waits for it (the view the form was in ends). */
export const toDetails = async (page) => {
  await page.click('#to-details');
  await waitFor('the new view', () => page.evaluate(() => location.pathname === '/details'));
};
/** The form_start and form_submit events of `site`, oldest first. */
export const formSteps = async (site) => (await collector.events(`&site=${site}`)).filter((e) => /^form_(start|submit)$/.test(e.event)).map((e) => e.event);
export const summary = (ev) => ev.map((e) => `${e.event}${sel(e) ? ` ${sel(e)}` : ''}`).sort();

/**
 * The dead and rage clicks the ambient scenarios expect: the coupon "button" clicked once, the
 * size picker five times, `between()` after each (a change made meanwhile); waits for both.
 */
export async function deadAndRage(page, site, between = async () => {}) {
  await clickN(page, '#coupon', 1);
  await between();
  await clickN(page, '#size-m', 5);
  await between();
  await waitFor('the dead and rage clicks', async () => {
    await page.evaluate(() => touchpoint('flush'));
    return (await frictionOf(site)).length >= 2;
  });
}

/**
 * A countdown nobody marked, prepended to the page: `html` with a `#ticks` element, which shows the
 * time every 100 ms (counted in window.ticks; window.stopTicks() stops it). Resolves once it has
 * ticked 12 times (learned after 3 changes at least 250 ms apart: see `learned` for the proof).
 */
export async function addCountdown(page, html) {
  await page.evaluate((html) => {
    const c = document.createElement('p');
    c.innerHTML = html;
    document.body.prepend(c);
    window.ticks = 0;
    const tick = setInterval(() => { window.ticks++; document.getElementById('ticks').textContent = Date.now(); }, 100);
    window.stopTicks = () => clearInterval(tick);
  }, html);
  await waitFor('the countdown ticking', () => page.evaluate(() => window.ticks >= 12));
}

/**
 * An autoplaying carousel nobody marked (fixed, bottom left), turning every `ms`: each turn
 * (window.turn(), counted in window.turns) moves its track (a style change) and marks the slide
 * and the dot shown (class changes); its own "next" button (#hero-next) turns it too.
 */
export async function addCarousel(page, ms) {
  await page.evaluate((ms) => {
    const c = document.createElement('div');
    c.style.cssText = 'position: fixed; left: 0; bottom: 0; width: 240px; height: 60px; overflow: hidden; background: #eee';
    let slides = '', dots = '';
    for (let i = 0; i < 6; i++) {
      slides += `<li class="slide${i ? '' : ' on'}" style="display: inline-block; width: 240px"><a href="#s${i}">Offer ${i}</a> <span>-${10 + i}%</span></li>`;
      dots += `<button type="button" class="dot${i ? '' : ' on'}" aria-label="Slide ${i + 1}"></button>`;
    }
    c.innerHTML = `<ul class="track" style="white-space: nowrap; margin: 0; padding: 0">${slides}</ul>` +
      `<div class="dots">${dots}</div><button id="hero-next" type="button">Next</button>`;
    document.body.append(c);
    let at = 0;
    window.turns = 0;
    window.turn = () => {
      const s = c.querySelectorAll('.slide'), d = c.querySelectorAll('.dot');
      s[at].classList.remove('on'); d[at].classList.remove('on');
      at = (at + 1) % 6;
      s[at].classList.add('on'); d[at].classList.add('on');
      c.querySelector('.track').style.transform = `translateX(${-240 * at}px)`;
      window.turns++;
    };
    setInterval(window.turn, ms);
    document.getElementById('hero-next').addEventListener('click', () => window.turn());
  }, ms);
}
export const formsOf = async (site) => (await collector.events(`&site=${site}`)).filter((e) => /^form_/.test(e.event)).map((e) => `${e.event} ${e.properties.form ?? e.properties.element?.id ?? ''}`).sort();
