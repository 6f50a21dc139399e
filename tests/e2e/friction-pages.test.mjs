// Friction, end to end: links, routes, Back, scrolling and touch. Each broken spot produces
// exactly the expected friction event on the right element, and normal behaviour produces none.
// Trusted input only. The fixture, the helpers and how "none" is proven: ./friction-kit.mjs.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { sdkReady, waitFor } from './harness.mjs';
import {
  collector,
  browser,
  T,
  open,
  frictionOf,
  sel,
  isSentinel,
  clickN,
  verdict,
  withAbandon,
  toDetails,
  summary,
  deadAndRage,
  formsOf,
} from './friction-kit.mjs';

// A placeholder link (`href="#"`, no handler) changes the address only: its first click is dead
// (it was taken as answered by the URL change, and only its second click was seen). A link to an
// element that a CSS :target rule shows, and a `#` link whose handler opens a menu, answer.
test('broken: a placeholder href="#" link is a dead click from its first click; a :target panel and a # link with a handler are not', T, async (t) => {
  const site = 'fr-hash-links';
  const { page } = await open(t, site);
  await page.evaluate(() => {
    const bar = document.createElement('div');
    bar.style.cssText = 'position: fixed; left: 8px; top: 120px; background: #fff';
    bar.innerHTML = '<style>#size-guide { display: none; position: fixed; left: 0; bottom: 0 } #size-guide:target { display: block }</style>' +
      '<a id="placeholder" href="#">Details</a> <a id="guide" href="#size-guide">Size guide</a> ' +
      '<a id="menu" href="#" onclick="document.getElementById(\'m\').hidden = !document.getElementById(\'m\').hidden">Menu</a>' +
      '<div id="size-guide">S M L</div><div id="m" hidden>Menu items</div>';
    document.body.append(bar);
  });
  // (The placeholder last: the others' answers, a moment after their clicks, would answer it
  // too. The panel is fixed: the jump to it scrolls nothing, and a scroll back to the top would
  // answer.)
  await clickN(page, '#menu', 1);
  await clickN(page, '#guide', 1);
  await clickN(page, '#placeholder', 1);
  const ev = await verdict(page, site);
  assert.deepEqual(summary(ev), ['dead_click #placeholder']);
});

// A table of contents' entry for the section the address already names (a shared link to
// #section-5, the entry clicked again, a scrollspy marking it by a class only), and a router's
// link to the page it is on: the visitor is already where they lead, nothing is to happen (a
// content site's QA: dead_click, 6 of 6). A link elsewhere that does nothing is still one, and a
// placeholder `#` from its second click too.
test('not friction: a link to where the visitor already is (the section the address names, the current page); a link elsewhere that does nothing is', T, async (t) => {
  const site = 'fr-here-links';
  const { page } = await open(t, site);
  await page.evaluate(() => {
    const bar = document.createElement('nav');
    bar.style.cssText = 'position: fixed; left: 8px; top: 120px; background: #fff';
    bar.innerHTML = '<a id="nav-here" href="' + location.pathname + location.search + '" onclick="event.preventDefault()">This page</a> ' +
      '<a id="toc-here" class="active" href="#sec-here">Section</a> <a id="toc-broken" href="#sec-other" onclick="event.preventDefault()">Other</a> ' +
      '<a id="ph" href="#">Details</a><h2 id="sec-here" style="margin: 0">Section</h2><h2 id="sec-other">Other</h2>';
    document.body.append(bar);
  });
  await clickN(page, '#nav-here', 1); // (a router's link to its own page: the router does nothing)
  assert.deepEqual(summary(await verdict(page, site)), []);
  await page.evaluate(() => history.replaceState(null, '', '#sec-here')); // (landed on a shared link to it)
  await clickN(page, '#toc-here', 1);
  await clickN(page, '#toc-here', 1);
  await clickN(page, '#ph', 1);
  await clickN(page, '#ph', 1);
  await clickN(page, '#toc-broken', 1);
  // (The last click's verdict comes last.)
  const ev = await waitFor('the broken entry\'s dead_click', async () => {
    await page.evaluate(() => touchpoint('flush'));
    const all = (await frictionOf(site)).filter((e) => !isSentinel(e));
    return all.some((e) => sel(e).endsWith('#toc-broken')) && all;
  }, { timeout: 30_000 });
  assert.deepEqual(summary(ev), ['dead_click #ph', 'dead_click #toc-broken']);
  assert.equal(ev.find((e) => sel(e).endsWith('#ph')).properties.clicks, 2, 'the placeholder\'s second click too');
});

/** `window.pop()` in the page: a sales-pop toast (class `sales-pop`, for data-ambient to name)
 * and a chat bubble marked data-tp-ambient, appended to the body and removed 100 ms later. */
const addSalesPop = (page) => page.evaluate(() => {
  window.pop = () => {
    const toast = document.createElement('div');
    toast.className = 'sales-pop';
    toast.style.cssText = 'position: fixed; left: 8px; bottom: 8px; background: #fff';
    toast.innerHTML = '<b>Anna</b> in Lyon just bought a <a href="#mug">mug</a>';
    const chat = document.createElement('div');
    chat.setAttribute('data-tp-ambient', '');
    chat.style.cssText = 'position: fixed; left: 8px; bottom: 40px';
    chat.textContent = 'Need help?';
    document.body.append(toast, chat);
    setTimeout(() => { toast.remove(); chat.remove(); }, 100);
  };
});

// A sales-pop toast ("Anna in Lyon just bought a mug"), appended to the body by a third party's
// script and removed a moment later, the page unable to mark it: named in data-ambient. And a chat
// bubble marked data-tp-ambient, appended whole in the same way. Neither answers the clicks made
// meanwhile. (Each pops up in each click's window, at once, as their own timers would: not in the
// visitor's event.)
test('broken: dead and rage clicks on a page whose sales-pop toast (named in data-ambient) comes and goes', T, async (t) => {
  const site = 'fr-ambient-toast';
  const { page } = await open(t, site, { ambient: '.sales-pop, #nope' });
  await addSalesPop(page);
  await deadAndRage(page, site, () => page.evaluate(() => window.pop()));
  const ev = await verdict(page, site);
  assert.deepEqual(summary(ev), ['dead_click #coupon', 'rage_click #size-m']);
});

// A router's prefetch on hover (React Router's <Link prefetch="intent">: a <link rel=prefetch> or
// modulepreload put in the head) right after a dead click answers it not: the visitor moving the
// pointer over a product grid hid every dead click (a React Router QA).
test('broken: a dead button, then a link hovered whose router prefetches its page (a resource hint in the head): dead_click', T, async (t) => {
  const site = 'fr-prefetch';
  const { page } = await open(t, site);
  await clickN(page, '#coupon', 1);
  await page.evaluate(() => {
    for (const rel of ['prefetch', 'modulepreload']) {
      const l = document.createElement('link');
      l.rel = rel;
      l.href = `/details?${rel}`;
      document.head.append(l);
    }
  });
  assert.deepEqual(summary(await verdict(page, site)), ['dead_click #coupon']);
});

// Add-to-cart forms of a product grid, each a hidden id and a button, sent by fetch (React
// Router's fetcher forms): buttons, not forms the visitor fills in. Each was a form_start and a
// form_submit, and the alert of one that failed (500) a field_error besides its failed_request.
test('add-to-cart forms of hidden inputs and a button (fetcher forms): no form events; one that fails is a failed_request, no field_error', T, async (t) => {
  const site = 'fn-button-forms';
  const { page } = await open(t, site);
  await page.evaluate(() => {
    document.body.insertAdjacentHTML('afterbegin', ['ok', 'ko'].map((k) => `<form class="add" id="add-${k}" action="/cart-action" method="post">
      <input type="hidden" name="id" value="${k}"><button id="go-${k}">Add to cart</button></form>`).join(''));
    for (const k of ['ok', 'ko']) {
      document.getElementById(`add-${k}`).addEventListener('submit', async (e) => {
        e.preventDefault();
        const r = await fetch(k === 'ok' ? '/api/notify' : '/api/save', { method: 'POST' });
        if (r.ok) e.target.querySelector('button').textContent = 'Added';
        else e.target.insertAdjacentHTML('beforeend', '<p role="alert">Could not add the kettle. Try again.</p>');
      });
    }
    scrollTo(0, 0);
  });
  await clickN(page, '#go-ok', 1);
  await page.waitForFunction(() => document.getElementById('go-ok').textContent === 'Added');
  await clickN(page, '#go-ko', 1);
  await page.waitForSelector('#add-ko [role=alert]');
  assert.deepEqual(summary(await verdict(page, site)), ['failed_request']);
  // The view ends: a form taken as sent has its form_submit by then.
  await toDetails(page);
  await waitFor('the next view stored', async () => {
    await page.evaluate(() => touchpoint('flush'));
    return (await collector.events(`&site=${site}`)).some((e) => e.event === 'page_view' && e.context.page.path === '/details');
  });
  assert.deepEqual(await formsOf(site), []);
});

// One selector of the list the browser refuses is left out, with a warning naming it; the others
// apply (the whole list was dropped: the toast answered every click).
test('data-ambient with a selector that is not CSS: one console warning naming it, and the others apply', T, async (t) => {
  const site = 'fr-ambient-bad';
  const { page, warnings } = await open(t, site, { ambient: '#chat::nope, :is(.sales-pop, .promo-pop)' });
  await addSalesPop(page);
  await deadAndRage(page, site, () => page.evaluate(() => window.pop()));
  const ev = await verdict(page, site);
  assert.deepEqual(summary(ev), ['dead_click #coupon', 'rage_click #size-m']);
  const said = warnings.filter((w) => w.includes('data-ambient: not a CSS selector'));
  assert.equal(said.length, 1, JSON.stringify(warnings));
  assert.match(said[0], /#chat::nope/);
  assert.doesNotMatch(said[0], /sales-pop/);
});

// A consent platform's preference centre appended to the body (OneTrust's: toggles and a button
// in a container of its own) and a third party's search layer named in data-ignore are not the
// shop's: no click, form or friction event from them (the toggles were a form started, and
// abandoned on leaving, on every page: a third-party widgets QA). The shop's own form is.
test('a consent platform\'s dialog and a widget named in data-ignore: no click, form or friction event from them', T, async (t) => {
  const site = 'fn-ignore';
  const { page } = await open(t, site, { ignore: '.search-layer' });
  await page.evaluate(() => {
    document.body.insertAdjacentHTML('afterbegin', `<div id="onetrust-consent-sdk"><div id="onetrust-pc-sdk" style="position: fixed; left: 8px; top: 300px; background: #fff; z-index: 9">
      <label><input type="checkbox" id="ot-ads"> Ads</label> <label><input type="checkbox" id="ot-perf"> Performance</label>
      <button id="ot-save" type="button">Confirm my choices</button></div></div>
      <div class="search-layer" style="position: fixed; left: 400px; top: 300px; background: #fff; z-index: 9"><input id="sl-q" type="search">
      <label><input type="checkbox" id="sl-stock"> In stock</label> <button id="sl-go" type="button">Search</button></div>`);
    scrollTo(0, 0);
  });
  await clickN(page, '#ot-ads', 1);
  await clickN(page, '#ot-perf', 1);
  await clickN(page, '#ot-save', 1);
  await clickN(page, '#sl-q', 1);
  await page.keyboard.type('mugs');
  await clickN(page, '#sl-stock', 1);
  await clickN(page, '#sl-go', 4);
  assert.deepEqual(summary(await verdict(page, site)), []);
  await page.click('#name');
  await page.keyboard.type('Jane');
  await page.goto(`${collector.url}/healthz`);
  const all = await withAbandon(site);
  const ids = all.map((e) => e.properties?.element?.id ?? e.properties?.last_field?.id).filter(Boolean);
  assert.deepEqual(ids.filter((id) => /^(ot|sl)-/.test(id)), [], JSON.stringify(all.map((e) => [e.event, e.properties])));
  assert.deepEqual(await formsOf(site), ['form_abandon signup', 'form_start signup']);
});

// A header whose announcement bar rotates by itself (class changes): the bar is learned, not the
// header around it, so the mini-cart drawer an "Add to bag" button opens in the header after a
// moment (a class change, outside the click's task) answers that click.
test('normal: a drawer opening late in a header whose announcement bar rotates produces no friction', T, async (t) => {
  const site = 'fn-announcement-bar';
  const { page } = await open(t, site);
  await page.evaluate(() => {
    const h = document.createElement('div');
    h.style.cssText = 'position: fixed; top: 0; left: 300px; width: 320px; height: 40px; background: #ddd';
    h.innerHTML = '<div class="bar"><span class="msg on">Free shipping</span> <span class="msg">New glazes</span> ' +
      '<span class="msg">Gift cards</span></div><div class="drawer" style="display: none"><p>1 item</p><a href="/cart">Cart</a></div>';
    const b = document.createElement('button');
    b.id = 'add-async';
    b.type = 'button';
    b.textContent = 'Add to bag';
    b.style.cssText = 'position: fixed; top: 50px; left: 300px';
    document.body.append(h, b);
    let at = 0;
    window.turns = 0;
    setInterval(() => {
      const m = h.querySelectorAll('.msg');
      m[at].classList.remove('on');
      at = (at + 1) % 3;
      m[at].classList.add('on');
      window.turns++;
    }, 400);
    b.addEventListener('click', () => setTimeout(() => h.querySelector('.drawer').classList.add('open'), 150));
  });
  await waitFor('the bar rotating', () => page.evaluate(() => window.turns >= 8));
  await clickN(page, '#add-async', 1);
  // (Before the sentinel's click: an answer answers every click before it.)
  await waitFor('the drawer open', () => page.evaluate(() => !!document.querySelector('.drawer.open')));
  const ev = await verdict(page, site);
  assert.deepEqual(summary(ev), [], JSON.stringify(ev.map((e) => e.properties)));
});

// A widget throwing every 300 ms: its error is seen again and again while no click waits, so it
// explains none of the clicks it happens to follow; the button that does nothing is still a dead
// click.
test('broken: a dead click on a page whose widget throws every 300 ms is not an error click', T, async (t) => {
  const site = 'fr-background-error';
  const { page } = await open(t, site);
  await page.evaluate(() => setInterval(() => { throw new Error('widget: feed unavailable'); }, 300));
  // (Seen twice: once could be a script that failed at load, which a click can run again.)
  await waitFor('the widget\'s error seen twice', async () => {
    await page.evaluate(() => touchpoint('flush'));
    return (await frictionOf(site)).filter((e) => e.event === 'js_error').length >= 2;
  });
  await clickN(page, '#noop', 1);
  const ev = await verdict(page, site);
  assert.deepEqual(summary(ev.filter((e) => e.event !== 'js_error')), ['dead_click #noop']);
});

// A script that failed once at load and fails again when the visitor clicks the button that runs
// A form sent to the server and drawn again with its errors at the same address (the GOV.UK
// pattern: an error summary, role=alert, linking to each field; with or without aria-invalid):
// no script changed the page, and no field_error was told (an accessibility QA). A plain
// reload of a page showing errors is none either.
// (`via`: as the form is sent. Posted to its own address; with a Referrer-Policy that leaves
// only the origin; posted to the next step's address, which draws it again with its errors. The
// last two were no field_error: a legacy storefront's QA.)
for (const via of ['to its own address', 'with Referrer-Policy strict-origin', 'to the next step\'s address']) {
  test(`broken: a server-side form drawn again with its errors (an error summary, aria-invalid) is a field_error per field (sent ${via})`, T, async (t) => {
    const site = `fr-server-errors-${via.replace(/\W+/g, '-')}`;
    const context = await browser.newContext();
    t.after(() => context.close());
    const snippet = `<script async src="/touchpoint/touchpoint.js" data-collector="/v1/batch" data-site="${site}" data-consent="granted" data-flush-interval="300"></script>`;
    const action = via.startsWith('to the next') ? '/payment' : '/delivery';
    const form = (errors) => `<!doctype html><html><head><meta charset="utf-8"><title>${errors ? 'Error: ' : ''}Delivery</title>${snippet}</head><body>
${errors ? '<div role="alert" tabindex="-1"><h2>There is a problem</h2><ul><li><a href="#postcode">Enter a real postcode</a></li><li><a href="#phone">Enter a phone number</a></li></ul></div>' : ''}
<form method="post" action="${action}" id="delivery">
<label for="postcode">Postcode</label><input id="postcode" name="postcode" ${errors ? 'aria-invalid="true"' : ''}>
<label for="phone">Phone</label><input id="phone" name="phone">
<button id="go">Continue</button></form></body></html>`;
    const headers = via.includes('strict') ? { 'Referrer-Policy': 'strict-origin' } : {};
    await context.route(/\/(delivery|payment)$/, (r) => r.fulfill({ status: 200, contentType: 'text/html', headers, body: form(r.request().method() === 'POST') }));
    const page = await context.newPage();
    await page.goto(`${collector.url}/delivery`);
    await sdkReady(page);
    await page.locator('#postcode').fill('nowhere');
    await page.locator('#go').click();
    await waitFor('the page drawn again', () => page.evaluate(() => document.title.startsWith('Error')));
    await sdkReady(page);
    const errors = await waitFor('a field_error for each field', async () => {
      await page.evaluate(() => touchpoint('flush'));
      const ev = (await frictionOf(site)).filter((e) => e.event === 'field_error');
      return ev.length >= 2 && ev;
    });
    assert.deepEqual(errors.map((e) => sel(e)).sort(), ['#phone', '#postcode']);
    assert.equal(errors.find((e) => sel(e) === '#phone').properties.message, 'Enter a phone number');
    // Dated at their page's view, not before it: the journey shows them on their page.
    const views = (await collector.events(`&site=${site}`)).filter((e) => e.event === 'page_view');
    for (const e of errors) assert.ok(e.timestamp >= views[1].timestamp, `${e.timestamp} >= ${views[1].timestamp}`);
    if (via !== 'to its own address') {
      // Given up after the server's errors: a form_abandon, and no second form_start (the form
      // was sent on the page before, then drawn again: no form_abandon was told, as if sent).
      await page.goto(`${collector.url}/`);
      const forms = await waitFor('the form_abandon', async () => {
        const ev = (await collector.events(`&site=${site}`)).filter((e) => /^form_/.test(e.event)).map((e) => e.event);
        return ev.includes('form_abandon') && ev;
      });
      assert.deepEqual(forms, ['form_start', 'form_submit', 'form_abandon']);
      return;
    }
    // Reloaded, the page showing its errors is no new error.
    // (Events arrive in order: once an event tracked after the load is stored, a field_error of
    // the load would be too.)
    await page.reload();
    await sdkReady(page);
    await page.evaluate(() => { touchpoint('track', 'after_reload'); touchpoint('flush'); });
    await waitFor('the event after the reload', async () => (await collector.events(`&site=${site}`)).some((e) => e.event === 'after_reload'));
    assert.equal((await frictionOf(site)).filter((e) => e.event === 'field_error').length, 2);
  });
}

// it: the same message, but seen once without a click is no background noise; the click's error.
test('broken: a button throwing the error the page already threw once at load is an error click', T, async (t) => {
  const site = 'fr-error-at-load-and-click';
  const { page } = await open(t, site);
  await page.evaluate(() => setTimeout(() => null.boom()));
  await waitFor('the load error seen', async () => {
    await page.evaluate(() => touchpoint('flush'));
    return (await frictionOf(site)).some((e) => e.event === 'js_error');
  });
  await clickN(page, '#throws', 1);
  const ev = await verdict(page, site);
  assert.deepEqual(summary(ev.filter((e) => e.event !== 'js_error')), ['error_click #throws']);
  assert.equal(ev.filter((e) => e.event === 'js_error').length, 2, 'the load error and the click\'s');
  // Placed by file, line and column (what a source map needs: a minified bundle is all line 1).
  const placed = ev.filter((e) => e.event === 'js_error' && e.properties.line > 0);
  assert.ok(placed.length && placed.every((e) => e.properties.column > 0), JSON.stringify(ev.map((e) => e.properties)));
});

// (Shift pressed alone on the view, as before a shift-click, is no use of it; nor is Tab, a
// keyboard visitor looking around as a mouse's pointer moves.)
test('broken: a view the visitor bounces straight back from (SPA history) is a quick_back', T, async (t) => {
  for (const key of ['', 'Shift', 'Tab']) {
    const site = `fr-quick-back${key ? `-${key.toLowerCase()}` : ''}`;
    const { page } = await open(t, site);
    await clickN(page, '#to-details', 1);
    await waitFor('on /details', () => page.evaluate(() => location.pathname === '/details'));
    if (key) await page.keyboard.press(key);
    await page.goBack();
    await waitFor('back on the fixture', () => page.evaluate(() => location.pathname === '/friction.html'));
    const ev = await verdict(page, site);
    assert.deepEqual(summary(ev), ['quick_back'], `key: ${key}`);
    assert.equal(ev[0].properties.from_path, '/details');
    assert.equal(ev[0].properties.to_path, '/friction.html');
  }
});

// A hash-routed app (data-spa="hash": Vue's createWebHashHistory, React's HashRouter): Back
// between two fragments fires popstate as a fragment link does, and was taken as a `hash` view,
// never a back_forward, so no hash-routed app had a quick_back (QA). Where the browser has the
// Navigation API, its traverse tells Back apart.
test('broken: a hash route the visitor bounces straight back from is a quick_back (Navigation API)', T, async (t) => {
  const site = 'fr-quick-back-hash';
  const { page } = await open(t, site, { spa: 'hash' });
  await page.evaluate(() => {
    const a = document.createElement('a'); a.id = 'to-mug'; a.href = '#/product/mug'; a.textContent = 'Mug';
    document.body.prepend(a); scrollTo(0, 0);
  });
  await clickN(page, '#to-mug', 1);
  await waitFor('on the mug', () => page.evaluate(() => location.hash === '#/product/mug'));
  await page.goBack();
  await waitFor('back', () => page.evaluate(() => location.hash === ''));
  const ev = await verdict(page, site);
  assert.deepEqual(summary(ev), ['quick_back']);
  assert.equal(ev[0].properties.from_path, '/friction.html#/product/mug');
  assert.equal(ev[0].properties.to_path, '/friction.html');
  const views = (await collector.events(`&site=${site}`)).filter((e) => e.event === 'page_view').map((e) => e.properties.navigation);
  assert.deepEqual(views, ['load', 'hash', 'back_forward']);
});

// An unsaved-changes guard (React Router's useBlocker, a Vue Router navigation aborted): the
// app's popstate handler undoes the visitor's Back at once with history.go(1), and the visitor
// never leaves the form. That was a form_abandon, an 11 ms view of the page before, and a
// quick_back (an SPA developer's QA).
test('normal: a Back the app undoes at once (an unsaved-changes guard) is no form_abandon, no view and no quick_back', T, async (t) => {
  const site = 'fn-blocked-back';
  const { page } = await open(t, site);
  await clickN(page, '#to-details', 1);
  await waitFor('on /details', () => page.evaluate(() => location.pathname === '/details'));
  await page.click('#name');
  await page.keyboard.type('Jane');
  await page.click('#email');
  await page.keyboard.type('jane@');
  await page.evaluate(() => addEventListener('popstate', () => { if (location.pathname !== '/details') { window.undone = 1; history.go(1); } }));
  await page.goBack();
  await waitFor('the Back undone', () => page.evaluate(() => location.pathname === '/details' && window.undone === 1));
  assert.deepEqual(summary(await verdict(page, site)), []);
  const views = (await collector.events(`&site=${site}`)).filter((e) => /^page_(view|leave)$/.test(e.event)).map((e) => `${e.event} ${e.properties.navigation || ''}`);
  assert.deepEqual(views, ['page_view load', 'page_leave ', 'page_view push']);
});

// An add to cart whose request hangs, its button showing its pending state (disabled, aria-busy,
// "Adding…", as React Router's fetcher forms do): the pending state is no answer while the
// request is on its way, and the click is dead at 7 s. Its pending state was taken as the answer,
// and a visitor who gave up left no trace (a React Router QA). The same button whose request is
// answered, then says "Added", is no friction.
test('broken: an add to cart whose request hangs, its button pending (disabled, "Adding…"), is a dead_click at 7 s; answered, no friction', T, async (t) => {
  const site = 'fr-stuck-pending';
  const { page } = await open(t, site);
  await page.evaluate(() => {
    document.body.insertAdjacentHTML('afterbegin', '<p><button id="add-hang" type="button">Add to cart</button> <button id="add-ok" type="button">Add mug</button></p>');
    for (const [id, url] of [['add-hang', '/api/wish'], ['add-ok', '/api/eta']]) {
      const b = document.getElementById(id);
      b.addEventListener('click', async () => {
        b.disabled = true;
        b.setAttribute('aria-busy', 'true');
        b.textContent = 'Adding…';
        await fetch(url, { method: 'POST' });
        b.disabled = false;
        b.removeAttribute('aria-busy');
        b.textContent = 'Added';
      });
    }
    scrollTo(0, 0);
  });
  await clickN(page, '#add-ok', 1);
  await page.waitForFunction(() => document.getElementById('add-ok').textContent === 'Added');
  await clickN(page, '#add-hang', 1);
  const ev = await waitFor('the stuck click\'s dead_click', async () => {
    await page.evaluate(() => touchpoint('flush'));
    const all = await frictionOf(site);
    return all.some((e) => e.event === 'dead_click') && all;
  }, { timeout: 30_000 });
  assert.deepEqual(summary(ev), ['dead_click #add-hang']);
  const dead = ev[0].properties;
  assert.ok(dead.waited_ms >= 7_000 && dead.pending_requests === 1, JSON.stringify(dead));
});

// The same Back undone by the app's router with a push to the page the visitor was on (React
// Router: the sign-in route's loader, the visitor signed in meanwhile, redirects to the account
// with a new entry): the page the Back went to was never shown. It was a view of it and a
// quick_back to it (a React Router QA). (The app's redirect is made once the route's data is
// in: here in a microtask, before the view settled, on any machine.)
test('normal: a Back the app\'s router redirects at once to the page the visitor was on is no view and no quick_back', T, async (t) => {
  const site = 'fn-redirected-back';
  const { page } = await open(t, site);
  await clickN(page, '#to-details', 1);
  await waitFor('on /details', () => page.evaluate(() => location.pathname === '/details'));
  await page.evaluate(() => addEventListener('popstate', () => {
    if (location.pathname !== '/details') Promise.resolve().then(() => { history.pushState({}, '', '/details'); window.undone = 1; });
  }));
  await page.goBack();
  await waitFor('the Back redirected', () => page.evaluate(() => location.pathname === '/details' && window.undone === 1));
  assert.deepEqual(summary(await verdict(page, site)), []);
  const views = (await collector.events(`&site=${site}`)).filter((e) => /^page_(view|leave)$/.test(e.event)).map((e) => `${e.event} ${e.properties.navigation || ''}`);
  assert.deepEqual(views, ['page_view load', 'page_leave ', 'page_view push']);
});

// A slow widget's request ("customers also bought") still on its way when the visitor follows a
// link: the browser cuts it off as the page goes, and rejects its fetch after pagehide. That is no
// failure at the network: it was a failed_request (status 0) on every ordinary page change.
test('normal: a request still on its way when the visitor leaves the page by a link is no failed_request', T, async (t) => {
  const site = 'fn-leave-inflight';
  const { page } = await open(t, site);
  await page.evaluate(() => {
    fetch('/api/wish').catch(() => {});
    const x = new XMLHttpRequest(); x.open('GET', '/api/wish?x'); x.send();
    const a = document.createElement('a'); a.id = 'go-on'; a.href = '/elsewhere.html'; a.textContent = 'Next';
    document.body.prepend(a); scrollTo(0, 0);
  });
  await clickN(page, '#go-on', 1);
  await waitFor('on the next page', () => page.evaluate(() => location.pathname === '/elsewhere.html'));
  await sdkReady(page);
  // (The verdict waits for the next page's sentinel: the records the left page kept, adopted
  // by this one, are sent before it.)
  assert.deepEqual(summary(await verdict(page, site)), []);
});

// The same with a request that hangs at a real server (not one the test's browser holds, which
// it rejects after pagehide): Chromium rejects its fetch before pagehide, right after
// beforeunload (a React Router QA saw it as a failed_request, status 0; the engine now holds a
// failure with no answer for a second, and drops it at pagehide: crates/core's
// a_request_cut_off_by_leaving... test). An add to cart on its way for 1 s, then a link
// followed. The page's origin is a server of the test's that passes everything else on to the
// collector.
test('normal: an add to cart hanging at the server when the visitor follows a link is no failed_request', T, async (t) => {
  const site = 'fn-leave-hanging';
  const held = [];
  const server = http.createServer(async (req, res) => {
    if (req.url === '/api/cart') return held.push(res); // never answered
    if (req.url === '/cart') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(`<!doctype html><title>Cart</title><script async src="/touchpoint/touchpoint.js" data-collector="/v1/batch"
        data-site="${site}" data-consent="granted" data-flush-interval="300"></script><p>Your cart</p>`);
    }
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const up = await fetch(collector.url + req.url, { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? '' },
      body: chunks.length ? Buffer.concat(chunks) : undefined });
    res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? '' });
    res.end(Buffer.from(await up.arrayBuffer()));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => { for (const res of held) res.destroy(); server.close(); });
  const { page } = await open(t, site);
  await page.goto(`http://127.0.0.1:${server.address().port}/friction.html`);
  await sdkReady(page);
  await page.evaluate(() => {
    const b = document.createElement('button'); b.id = 'add-4'; b.textContent = 'Add to cart';
    b.onclick = () => { b.disabled = true; fetch('/api/cart', { method: 'POST', body: 'id=4' }).catch(() => {}); };
    const a = document.createElement('a'); a.id = 'go-on'; a.href = '/cart'; a.textContent = 'Cart';
    document.body.prepend(a, b); scrollTo(0, 0);
  });
  await clickN(page, '#add-4', 1);
  await waitFor('the request at the server', () => held.length > 0);
  await page.waitForTimeout(1_000); // (on its way for a while, as the visitor reads: the claim is about any time)
  await clickN(page, '#go-on', 1);
  await waitFor('on the next page', () => page.evaluate(() => location.pathname === '/cart'));
  await sdkReady(page);
  // (What the page left sent or kept arrives before the next page's marker.)
  await page.evaluate(() => { touchpoint('track', 'marker'); touchpoint('flush'); });
  await waitFor('the marker', async () => (await collector.events(`&site=${site}`)).some((e) => e.event === 'marker'));
  assert.deepEqual(summary(await frictionOf(site)), []);
});

// The page's own Back link (a legacy shop's "« Back": `javascript:history.back()`) is the
// visitor's Back, not a use of the page: a quick_back (none was ever told: QA). So it is by the
// keyboard (its Enter's keydown was a use of the page: QA). A click on the page before it is a
// use (no quick_back).
for (const how of ['click', 'keyboard', 'used']) {
  const used = how === 'used';
  test(`${used ? 'normal' : 'broken'}: a page the visitor leaves by its own Back link (javascript:history.back())${used ? ' after clicking on it' : how === 'keyboard' ? ' by the keyboard' : ''} within 10 s${used ? ' is no quick_back' : ' is a quick_back'}`, T, async (t) => {
    const site = `fr-quick-back-link-${how}`;
    const { page } = await open(t, site);
    await page.goto(`${collector.url}/elsewhere.html`);
    await sdkReady(page);
    await page.evaluate(() => {
      document.body.insertAdjacentHTML('afterbegin', '<p><a id="back-link" href="javascript:history.back()">« Back</a> <button id="enlarge">Enlarge</button></p>');
      document.getElementById('enlarge').onclick = (e) => { e.target.textContent = 'Enlarged'; };
      scrollTo(0, 0);
    });
    if (used) await clickN(page, '#enlarge', 1);
    if (how === 'keyboard') {
      await page.focus('#back-link');
      await page.keyboard.press('Enter');
    } else {
      await clickN(page, '#back-link', 1);
    }
    await waitFor('back on the fixture', () => page.evaluate(() => location.pathname === '/friction.html'));
    await sdkReady(page);
    const ev = await verdict(page, site);
    assert.deepEqual(summary(ev), used ? [] : ['quick_back']);
  });
}

test('broken: a page the visitor bounces straight back from by the back button (full reload) is a quick_back', T, async (t) => {
  const site = 'fr-quick-back-reload';
  const { page } = await open(t, site);
  await page.goto(`${collector.url}/elsewhere.html`);
  await sdkReady(page);
  // Playwright's browser has no back/forward cache: the back button loads the page again, and
  // only the tab's session (sessionStorage) remembers the visit to /elsewhere.html.
  await page.goBack();
  await waitFor('back on the fixture', () => page.evaluate(() => location.pathname === '/friction.html'));
  await sdkReady(page);
  const ev = await verdict(page, site);
  assert.deepEqual(summary(ev), ['quick_back']);
  assert.deepEqual([ev[0].properties.from_path, ev[0].properties.to_path, ev[0].properties.via], ['/elsewhere.html', '/friction.html', 'reload']);
  // The page view of the page loaded again says how the visitor came: by the back button (it
  // was a `load`, and a multi-page shop's Backs were never told: an Astro storefront's QA).
  const views = (await collector.events(`&site=${site}`)).filter((e) => e.event === 'page_view')
    .map((e) => `${e.context.page.path} ${e.properties.navigation} ${e.properties.previous_path ?? ''}`);
  assert.deepEqual(views, ['/friction.html load ', '/elsewhere.html load /friction.html', '/friction.html back_forward /elsewhere.html']);
});

// The README: quick_back is going back "with no click, user scroll or typing in between". Only
// a scroll that turned round, or typing in a form's field, counted: a view read to its end by the
// wheel, or a search box outside any form typed in, then left by the back button was a quick_back.
test('normal: a view scrolled down by the wheel, or typed in outside a form, then left by the back button is no quick_back', T, async (t) => {
  for (const how of ['wheel', 'typing']) {
    const site = `fn-quick-back-used-${how}`;
    const { page } = await open(t, site);
    await clickN(page, '#to-details', 1);
    await waitFor('on /details', () => page.evaluate(() => location.pathname === '/details'));
    if (how === 'wheel') {
      await page.mouse.move(500, 400);
      await page.mouse.wheel(0, 1200);
      await waitFor('the scroll', () => page.evaluate(() => window.scrollY > 600));
    } else {
      await page.evaluate(() => { const i = document.createElement('input'); i.id = 'lone-search'; document.body.prepend(i); scrollTo(0, 0); });
      await page.click('#lone-search');
      await page.keyboard.type('shirts');
    }
    await page.goBack();
    await waitFor('back on the fixture', () => page.evaluate(() => location.pathname === '/friction.html'));
    await page.evaluate(() => scrollTo(0, 0));
    assert.deepEqual(summary(await verdict(page, site)), [], how);
  }
});

// A router's redirect (a guard: pushState to the address asked for, then replaceState to where
// it leads, in one task) made Chromium's Navigation API abort the first navigation: its
// navigateerror (an AbortError, no error of the page's) was a js_error, and an error_click of
// the link; and the page view kept the address left at once. Writing the same URL again (a
// store syncing its state) changes nothing: the button that does only that is dead.
test('normal: a router\'s redirect on a click is one page view at the address it leads to, no js_error; a click that writes the same URL again is a dead_click', T, async (t) => {
  const site = 'fn-redirect';
  const { page } = await open(t, site);
  await page.evaluate(() => {
    const b = (id, fn) => { const e = document.createElement('button'); e.id = id; e.textContent = id; e.onclick = fn; document.body.prepend(e); };
    b('same-url', () => history.replaceState({ at: Date.now() }, '', location.href));
    b('redirect', () => { history.pushState({}, '', '/old-offer'); history.replaceState({}, '', '/offer'); });
    scrollTo(0, 0);
  });
  await clickN(page, '#redirect', 1);
  await waitFor('on /offer', () => page.evaluate(() => location.pathname === '/offer'));
  await clickN(page, '#same-url', 1);
  assert.deepEqual(summary(await verdict(page, site)), ['dead_click #same-url']);
  const views = (await collector.events(`&site=${site}`)).filter((e) => e.event === 'page_view');
  assert.deepEqual(views.map((e) => `${e.properties.navigation} ${e.context.page.path}`), ['load /friction.html', 'push /offer']);
});

// A single-page app whose router scrolls to the top at each route change: a visitor who only
// reads down, follows a link, reads down again. The router's jump to the top is no leg of theirs
// (it came within 1.5 s of their wheel): 4 such routes were a scroll_thrash (a web-perf QA, 7 in
// one session).
test('normal: reading down, then a link whose route scrolls to the top, three times: no scroll_thrash', T, async (t) => {
  const site = 'fn-thrash-route-top';
  const { page } = await open(t, site);
  await page.evaluate(() => {
    document.body.insertAdjacentHTML('afterbegin', '<a id="spa-next" href="/list" style="position:fixed;top:8px;left:8px;z-index:9">Next</a>');
    let n = 0;
    document.getElementById('spa-next').addEventListener('click', (e) => {
      e.preventDefault();
      history.pushState(null, '', `/list?page=${++n}`);
      scrollTo(0, 0);
    });
  });
  await page.mouse.move(500, 400);
  for (let i = 0; i < 4; i++) {
    await page.mouse.wheel(0, 1500);
    await waitFor('the scroll down', () => page.evaluate(() => window.scrollY > 1000), { timeout: 10_000 });
    if (i === 3) break;
    await clickN(page, '#spa-next', 1);
    await waitFor('the route at the top', () => page.evaluate(() => window.scrollY < 100), { timeout: 10_000 });
  }
  const ev = await verdict(page, site);
  assert.deepEqual(summary(ev), []);
});

// A single-page app replacing its view of 300 elements at each route, reached by a click on an
// element of the view: the views replaced are garbage once collected. The clicked elements kept
// for Event Timing held each replaced view's whole detached tree, 8 views of DOM (a web-perf QA:
// 16,000 nodes for 2,000).
test('the views a single-page app replaced are not kept alive by the clicks on them', T, async (t) => {
  const site = 'fn-detached-views';
  const { page } = await open(t, site);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const nodes = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'Nodes').value;
  };
  await page.evaluate(() => {
    document.body.insertAdjacentHTML('afterbegin', '<div id="spa-view"></div>');
    let n = 0;
    window.render = () => {
      const v = document.getElementById('spa-view');
      v.innerHTML = `<main><a id="spa-go" href="/p/${n + 1}">Next product</a>${'<div class="card"><p>Item</p></div>'.repeat(150)}</main>`;
      v.firstChild.firstChild.addEventListener('click', (e) => { e.preventDefault(); history.pushState(null, '', `/p/${++n}`); window.render(); });
    };
    window.render();
    scrollTo(0, 0);
  });
  const route = async (i) => {
    await clickN(page, '#spa-go', 1);
    await waitFor('the route', () => page.evaluate((i) => location.pathname === `/p/${i}`, i));
  };
  await route(1); await route(2);
  const before = await nodes();
  for (let i = 3; i <= 10; i++) await route(i);
  const after = await nodes();
  // (One view's 301 elements is 452 nodes with their text; at most one old view kept, by the
  // last press.)
  assert.ok(after - before < 500, `${before} nodes after 2 routes, ${after} after 10`);
});

// Not on a page marked data-tp-no-thrash (its body: scroll-jacked panels, each flick a
// viewport, flicked back and forth: a brand site's QA).
for (const marked of [false, true]) {
  test(marked ? 'normal: scrolling up and down repeatedly on a page marked data-tp-no-thrash is no scroll_thrash'
    : 'broken: scrolling up and down repeatedly is scroll_thrash, once', T, async (t) => {
    const site = marked ? 'fn-thrash-marked' : 'fr-thrash';
    const { page } = await open(t, site);
    if (marked) await page.evaluate(() => document.body.setAttribute('data-tp-no-thrash', ''));
    await page.mouse.move(500, 400);
    for (let i = 0; i < 6; i++) {
      await page.mouse.wheel(0, i % 2 ? -1500 : 1500);
      const want = i % 2 ? 0 : 1;
      await waitFor('the scroll', () => page.evaluate((w) => (w ? window.scrollY > 1000 : window.scrollY < 100), want), { timeout: 10_000 });
    }
    const ev = await verdict(page, site);
    assert.deepEqual(summary(ev), marked ? [] : ['scroll_thrash']);
    if (!marked) assert.ok(ev[0].properties.reversals >= 4);
  });
}

test('broken: a form filled in and left is form_abandon, on pagehide', T, async (t) => {
  const site = 'fr-abandon';
  const { page } = await open(t, site);
  await page.click('#name');
  await page.keyboard.type('Jane');
  await page.click('#email');
  await page.keyboard.type('jane@');
  await page.goto(`${collector.url}/healthz`);
  const ev = await withAbandon(site);
  const fa = ev.find((e) => e.event === 'form_abandon');
  assert.equal(fa.properties.fields_completed, 2);
  assert.equal(fa.properties.last_field.id, 'email');
  assert.ok(!JSON.stringify(fa).includes('Jane') && !JSON.stringify(fa).includes('jane@'), 'never a value');
});

// A phone: a tap makes touch pointer events, then the compatibility mouse events and the click;
// it is judged as a click is.
test('on a phone (touch): a dead "button" tapped, a size picker tapped again and again; a stepper and a carousel tapped fast are no friction', T, async (t) => {
  const site = 'fr-touch';
  const { page } = await open(t, site, {}, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const tap = async (selector, n) => {
    await page.locator(selector).scrollIntoViewIfNeeded();
    const b = await page.locator(selector).boundingBox();
    assert.ok(b.y + b.height / 2 < 844 && b.y > 0, `${selector} is in view`);
    for (let i = 0; i < n; i++) await page.touchscreen.tap(b.x + b.width / 2, b.y + b.height / 2);
  };
  await tap('#plus', 6);
  await tap('#next', 4);
  await tap('#coupon', 1);
  await tap('#size-m', 5);
  assert.deepEqual(summary(await verdict(page, site)), ['dead_click #coupon', 'rage_click #size-m']);
  assert.equal(await page.textContent('#qty'), '7', 'the stepper took every tap');
});

// A tap's touchstart and pointerdown handlers run before its click: a swipe library's
// touchstart handler that throws leaves the "Add to bag" doing nothing. That is the tap's
// error_click, not a dead_click (as a press's error is for a mouse's mousedown handler). A
// touchstart handler that works and answers is no friction.
test('on a phone (touch): a button whose touchstart handler throws is an error_click; a mouse\'s mousedown handler throwing too; a working touchstart handler is no friction', T, async (t) => {
  const site = 'fr-touch-throws';
  const { page } = await open(t, site, {}, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await page.evaluate(() => {
    const bar = document.createElement('div');
    bar.innerHTML = '<button id="swipe-bag">Add to bag</button> <button id="down-buy">Buy</button> <button id="swipe-ok">Next</button>';
    document.body.prepend(bar);
    document.getElementById('swipe-bag').addEventListener('touchstart', () => { window.swipe.begin(); }, { passive: true });
    document.getElementById('down-buy').addEventListener('mousedown', () => { window.checkout.open(); });
    const ok = document.getElementById('swipe-ok');
    ok.addEventListener('touchstart', () => { ok.textContent = 'Next (2)'; }, { passive: true });
    scrollTo(0, 0);
  });
  const tap = async (selector) => {
    const b = await page.locator(selector).boundingBox();
    await page.touchscreen.tap(b.x + b.width / 2, b.y + b.height / 2);
  };
  await tap('#swipe-bag');
  await tap('#down-buy');
  await tap('#swipe-ok');
  const ev = await verdict(page, site);
  assert.deepEqual(summary(ev), ['error_click #down-buy', 'error_click #swipe-bag', 'js_error', 'js_error']);
  assert.match(ev.find((e) => e.event === 'error_click' && sel(e) === '#swipe-bag').properties.message, /reading 'begin'/);
});

// A "fast tap" button acts on touchend (or touchstart) and cancels it: the browser then makes
// no mousedown and no click. Such a tap is judged as the click it stands for: dead when its
// handler does nothing, rage when tapped again and again, an error_click when it throws; a
// stepper acting on touchend answers each tap. A swipe whose touchend a carousel cancels is no
// tap at all.
test('on a phone (touch): buttons acting on a cancelled touchend or touchstart are judged as their taps; a carousel\'s cancelled swipe is no tap', T, async (t) => {
  const site = 'fr-touch-cancel';
  const { page, context } = await open(t, site, {}, PHONE);
  const cdp = await context.newCDPSession(page);
  await page.evaluate(() => {
    const bar = document.createElement('div');
    // (One a line, apart: taps within 30 px of each other make one burst.)
    bar.innerHTML = '<style>#ft-bar button { display: block; margin: 0 0 40px }</style>'
      + '<div id="ft-slides" style="width:300px;height:120px;background:#ddd">slide 1</div>'
      + '<button id="ft-dead">Share</button><button id="ft-stuck">Pay</button><button id="ft-plus">+</button><b id="ft-qty">1</b>'
      + '<button id="ft-start">Next</button><button id="ft-throw">Add to bag</button>';
    bar.id = 'ft-bar';
    // (A phone page's viewport: without it, quick taps zoom the page, and its scroll answers.)
    document.head.insertAdjacentHTML('beforeend', '<meta name="viewport" content="width=device-width, initial-scale=1">');
    document.body.prepend(bar);
    const on = (id, type, fn) => document.getElementById(id).addEventListener(type, (e) => { e.preventDefault(); fn(); });
    on('ft-dead', 'touchend', () => {});
    on('ft-stuck', 'touchend', () => {});
    on('ft-plus', 'touchend', () => { const q = document.getElementById('ft-qty'); q.textContent = +q.textContent + 1; });
    on('ft-start', 'touchstart', () => { document.getElementById('ft-start').textContent = 'Next (2)'; });
    on('ft-throw', 'touchend', () => { window.bag.add(); });
    const slides = document.getElementById('ft-slides');
    let n = 1;
    slides.addEventListener('touchmove', (e) => e.preventDefault());
    on('ft-slides', 'touchend', () => { slides.textContent = `slide ${++n}`; });
    scrollTo(0, 0);
  });
  const tap = async (selector, n) => {
    const b = await page.locator(selector).boundingBox();
    for (let i = 0; i < n; i++) await page.touchscreen.tap(b.x + b.width / 2, b.y + b.height / 2);
  };
  const s = await page.locator('#ft-slides').boundingBox();
  for (let i = 0; i < 3; i++) {
    const y = s.y + 60;
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: s.x + 250, y }] });
    for (let k = 1; k <= 5; k++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: s.x + 250 - 40 * k, y }] });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  }
  await tap('#ft-plus', 6);
  await tap('#ft-dead', 1);
  await tap('#ft-stuck', 4);
  await tap('#ft-start', 1);
  await tap('#ft-throw', 1);
  assert.equal(await page.textContent('#ft-qty'), '7', 'the stepper took every tap');
  assert.equal(await page.textContent('#ft-slides'), 'slide 4', 'the carousel took every swipe');
  const ev = await verdict(page, site);
  assert.deepEqual(summary(ev), ['dead_click #ft-dead', 'error_click #ft-throw', 'js_error', 'rage_click #ft-stuck']);
  assert.equal(ev.find((e) => e.event === 'rage_click').properties.count, 4);
  const clicks = (await collector.events(`&site=${site}`)).filter((e) => e.event === 'click');
  assert.ok(!clicks.some((e) => JSON.stringify(e).includes('ft-slides')), 'a swipe is no click');
});

// A button that does its work in its mouseup or pointerup handler (a drag-aware "Add to bag", a
// slider's handle whose label follows it): the change comes after mousedown and before the
// click, and answers the click that press makes, as a change its pointerdown or mousedown
// handler makes does.
test('normal: buttons answering in their pointerdown, mousedown, mouseup or pointerup handler (a mouse\'s click) are no dead_click', T, async (t) => {
  const site = 'fn-press-handlers';
  const { page } = await open(t, site);
  await page.evaluate(() => {
    const bar = document.createElement('div');
    for (const type of ['pointerdown', 'mousedown', 'mouseup', 'pointerup']) {
      const b = document.createElement('button');
      b.id = `on-${type}`; b.textContent = 'Add to bag';
      b.addEventListener(type, () => { b.textContent = 'Added'; });
      bar.append(b);
    }
    document.body.prepend(bar);
    scrollTo(0, 0);
  });
  for (const type of ['pointerdown', 'mousedown', 'mouseup', 'pointerup']) await clickN(page, `#on-${type}`, 1);
  assert.deepEqual(summary(await verdict(page, site)), []);
});

// A swipe begun on a control ends in pointercancel (the browser scrolls), with no mousedown and
// no click: the press it began waited for a click that never came, and took for it the answer
// to the tap before (an "Add to cart" answered 300 ms later was a dead_click when the visitor
// went on scrolling at once). And a disabled sticky "Add to bag" at the page's end, swiped on to
// scroll further, had each swipe counted as a press: a rage_click. Tapped, it still is one.
test('on a phone (touch): a tap answered late then a swipe at once is no dead_click; swipes on a disabled sticky button are no rage_click, taps on it are', T, async (t) => {
  const site = 'fn-touch-swipe';
  const { page, context } = await open(t, site, {}, PHONE);
  const cdp = await context.newCDPSession(page);
  await page.evaluate(() => {
    const add = document.createElement('button');
    add.id = 'late-add'; add.textContent = 'Add to cart';
    add.onclick = () => setTimeout(() => { add.textContent = 'Added'; }, 300);
    document.body.prepend(add);
    const bar = document.createElement('div');
    bar.style.cssText = 'position:fixed;left:0;right:0;bottom:0;height:90px;background:#eee';
    bar.innerHTML = '<button id="sticky-bag" disabled style="width:100%;height:100%">Add to bag</button>';
    document.body.append(bar);
    scrollTo(0, 0);
  });
  const drag = async (x, y0, y1) => {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y: y0 }] });
    for (let k = 1; k <= 5; k++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y: y0 + (y1 - y0) * k / 5 }] });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  };
  const b = await page.locator('#late-add').boundingBox();
  await page.touchscreen.tap(b.x + b.width / 2, b.y + b.height / 2);
  await drag(200, 600, 300);
  await waitFor('the late answer', () => page.evaluate(() => document.querySelector('#late-add').textContent === 'Added'));
  await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
  for (let i = 0; i < 4; i++) await drag(200, 800, 450);
  assert.deepEqual(summary(await verdict(page, site)), []);
  const bag = await page.locator('#sticky-bag').boundingBox();
  for (let i = 0; i < 4; i++) await page.touchscreen.tap(bag.x + bag.width / 2, bag.y + bag.height / 2);
  await waitFor('the taps\' rage_click', async () => {
    await page.evaluate(() => touchpoint('flush'));
    return (await frictionOf(site)).some((e) => e.event === 'rage_click' && sel(e).endsWith('#sticky-bag') && e.properties.disabled === true);
  }, { timeout: 30_000 });
});

// A touch screen's tap leaves its element hovered: a navigation menu shown by CSS :hover
// (`.hovernav li:hover > ul`) opens at the tap, with no DOM change and (a span) no focus: its
// toggle was a dead_click. Its neighbour, which the :hover rule shows nothing for, still is one.
test('on a phone (touch): a menu toggle shown by a CSS :hover rule, tapped, is no dead_click; a tappable item no rule shows anything for is', T, async (t) => {
  const site = 'fn-touch-hover-menu';
  const { page } = await open(t, site, {}, PHONE);
  await page.evaluate(() => {
    const st = document.createElement('style');
    st.textContent = '.hovernav > li { display: inline-block; margin-right: 40px; } .hovernav ul { display: none; position: absolute; } .hovernav li:hover > ul { display: block; }';
    document.head.append(st);
    const nav = document.createElement('ul');
    nav.className = 'hovernav';
    nav.innerHTML = '<li><span id="hov-shop" style="cursor: pointer; padding: 8px">Shop</span><ul><li>Mugs</li></ul></li><li><button id="hov-none" type="button">Sale</button></li>';
    document.body.prepend(nav);
    scrollTo(0, 0);
  });
  const tap = async (selector) => {
    const b = await page.locator(selector).boundingBox();
    await page.touchscreen.tap(b.x + b.width / 2, b.y + b.height / 2);
  };
  await page.evaluate(() => { window.__tapped = []; document.addEventListener('click', (e) => window.__tapped.push(e.target.id), true); });
  await tap('#hov-shop');
  await waitFor('the menu shown', () => page.evaluate(() => getComputedStyle(document.querySelector('.hovernav ul')).display === 'block'));
  assert.deepEqual(await page.evaluate(() => window.__tapped), ['hov-shop'], 'the tap clicked the toggle');
  assert.deepEqual(summary(await verdict(page, site)), []);
  await tap('#hov-none');
  await waitFor('the dead_click of the item with nothing to show', async () => {
    await page.evaluate(() => touchpoint('flush'));
    return (await frictionOf(site)).some((e) => e.event === 'dead_click' && sel(e) === '#hov-none');
  }, { timeout: 30_000 });
});

/** Swipes of a finger on a phone (CDP touch events: Playwright has no swipe) until the page has
 * scrolled `by` px down (or up). The finger stops before it lifts, so there is no fling: how far a
 * fling goes depends on how fast the machine sends the moves, and one could hit the page's end. */
async function swipe(page, cdp, down, by) {
  const at = () => page.evaluate(() => new Promise((resolve) => {
    const y = scrollY;
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(scrollY === y && { y })));
  }));
  const { y: start } = await waitFor('the page standing still', at);
  const [y0, y1] = down ? [700, 150] : [150, 700];
  for (let n = 0; n < 8; n++) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: 200, y: y0 }] });
    for (let k = 1; k <= 5; k++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: 200, y: y0 + (y1 - y0) * k / 5 }] });
    await page.waitForTimeout(150); // (the finger held still: see above)
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: 200, y: y1 }] });
    await page.waitForTimeout(150);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    const { y } = await waitFor('the page standing still', at);
    if ((down ? y - start : start - y) >= by) return;
  }
  throw new Error(`8 swipes did not scroll ${by} px ${down ? 'down' : 'up'}`);
}
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

// Touch scrolling is the visitor's own (touchmove), as a wheel is. Each leg is 500 px or more,
// more than half the 844 px viewport. The window is widened to 30 s so that a loaded machine's swipes still
// fit in it: what is tested is the touch, not the 3 s.
test('on a phone (touch): swiping up and down repeatedly is scroll_thrash, once; swiping down to read and once back up is not', T, async (t) => {
  const site = 'fr-touch-thrash';
  const { page, context } = await open(t, site, { 'thrash-window-ms': '30000' }, PHONE);
  const cdp = await context.newCDPSession(page);
  await page.evaluate(() => scrollTo(0, 1500)); // (the page's own scroll: no leg of the visitor's)
  for (let i = 0; i < 6; i++) await swipe(page, cdp, i % 2 === 0, 500);
  const ev = await verdict(page, site);
  assert.deepEqual(summary(ev), ['scroll_thrash']);
  assert.ok(ev[0].properties.reversals >= 4, JSON.stringify(ev[0].properties));
  const readSite = 'fn-touch-read';
  const r = await open(t, readSite, { 'thrash-window-ms': '30000' }, PHONE);
  const cdp2 = await r.context.newCDPSession(r.page);
  for (let i = 0; i < 3; i++) await swipe(r.page, cdp2, true, 500);
  await swipe(r.page, cdp2, false, 500);
  assert.deepEqual(summary(await verdict(r.page, readSite)), []);
});

// Chrome's scroll anchoring keeps the reader's place when content above it changes: a feed
// that drops its oldest stories, or photos without a size loading above, make the page jump the
// other way while the visitor scrolls one way. Those jumps are no reversals of the visitor's
// (they were 3 in 4 runs of a QA reader's session). The window is 30 s: what is tested is the
// anchoring, not the 3 s.
// A keyboard visitor tabbing round the page: the focus goes from a control at its top to one far
// below and back again and again, the page scrolling to each: the focus moves, not the visitor's
// own scrolling (a keyboard QA: it was a scroll_thrash).
test('normal: Tab and Shift+Tab between a control at the top and one far below, again and again, is no scroll_thrash', T, async (t) => {
  const site = 'fn-tab-round';
  const { page } = await open(t, site);
  await page.evaluate(() => {
    document.body.insertAdjacentHTML('afterbegin', '<button id="tab-top">Top</button><div style="height: 3000px"></div><button id="tab-end">End</button>');
    scrollTo(0, 0);
  });
  await page.focus('#tab-top');
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press(i % 2 ? 'Shift+Tab' : 'Tab');
    await new Promise((r) => setTimeout(r, 60));
  }
  assert.deepEqual(summary(await verdict(page, site)), []);
});

test('normal: reading one way while the page above changes (scroll anchoring jumps back) is no scroll_thrash', T, async (t) => {
  const site = 'fn-anchoring';
  const { page } = await open(t, site, { 'thrash-window-ms': '30000' });
  await page.evaluate(() => {
    const feed = document.createElement('div');
    feed.id = 'feed';
    for (let i = 0; i < 40; i++) {
      const s = document.createElement('section');
      s.style.height = '500px';
      s.textContent = `story ${i}`;
      feed.appendChild(s);
    }
    document.body.prepend(feed);
    scrollTo(0, 8000); // (the page's own scroll)
  });
  const still = () => waitFor('the page standing still', () => page.evaluate(() => new Promise((resolve) => {
    const y = scrollY;
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(scrollY === y && { y })));
  })));
  await page.mouse.move(500, 400);
  // Down, the oldest stories dropped above (the page jumps up by 500 px each time).
  for (let i = 0; i < 4; i++) {
    const { y } = await still();
    await page.mouse.wheel(0, 400);
    await waitFor('the wheel\'s scroll', () => page.evaluate((y0) => scrollY >= y0 + 300, y));
    const { y: y1 } = await still();
    await page.evaluate(() => document.getElementById('feed').firstElementChild.remove());
    await waitFor('the anchoring jump', () => page.evaluate((y0) => scrollY <= y0 - 400, y1));
  }
  // Up, stories inserted above (photos loading: the page jumps down by 500 px each time).
  for (let i = 0; i < 4; i++) {
    const { y } = await still();
    await page.mouse.wheel(0, -400);
    await waitFor('the wheel\'s scroll', () => page.evaluate((y0) => scrollY <= y0 - 300, y));
    const { y: y1 } = await still();
    await page.evaluate(() => {
      const s = document.createElement('section');
      s.style.height = '500px';
      document.getElementById('feed').prepend(s);
    });
    await waitFor('the anchoring jump', () => page.evaluate((y0) => scrollY >= y0 + 400, y1));
  }
  assert.deepEqual(summary(await verdict(page, site)), []);
});
