// Friction, end to end: normal shop behaviour, which is no friction at all (and the few broken
// spots among it). Trusted input only. The fixture, the helpers and how "none" is proven:
// ./friction-kit.mjs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { root, sdkReady, waitFor } from './harness.mjs';
import { rewriteDemo, snippetRewrite } from './observe.mjs';
import {
  collector,
  browser,
  T,
  open,
  frictionOf,
  clickN,
  enterOnCustomButton,
  enterOnClickOnlyButton,
  soldOutSize,
  spaceScrolled,
  hxNotify,
  spots,
  defined,
  verdict,
  withAbandon,
  formSteps,
  summary,
  formsOf,
} from './friction-kit.mjs';

// ---- normal behaviour: no friction at all -------------------------------------------------------

const normal = [
  // The same, its answer shown on the button itself as the class goes.
  // (By XHR, the page's onload ran before Touchpoint's loadend: its answer came while the
  // request was still on its way, taken for the button's pending state.)
  ...['fetch', 'XHR'].map((how) => ({ name: `a notify button (htmx) marked pending while its request (${how}) is on its way, its answer shown on it`, act: (p) => hxNotify(p, true, how) })),
  // The iOS workaround for click delegation (Safari dispatches a tap's click to the document only
  // on a pointer cursor) gives every element a pointer cursor, inherited from the body: a
  // paragraph's then is no sign of a control.
  { name: 'a paragraph clicked on a page whose body has cursor: pointer (the iOS click-delegation workaround)',
    act: async (p) => {
      // (The verdict's sentinel, a dead "button" by its own pointer cursor, then looks
      // interactive by an onclick attribute: a handler that does nothing.)
      await p.evaluate(() => { document.body.style.cursor = 'pointer'; document.getElementById('sentinel').setAttribute('onclick', ''); });
      await clickN(p, '#para', 1);
    } },
  // Playwright dismisses the dialogs at once; a visitor reads them.
  { name: 'a button that answers in an alert()', act: (p) => clickN(p, '#alerts', 1) },
  { name: 'a button that asks with confirm()', act: (p) => clickN(p, '#confirms', 1) },
  // The browser's own UI answers, or a file is saved: the DOM does not change.
  { name: 'share: a button opening the share sheet', act: (p) => clickN(p, '#share', 1) },
  { name: 'invoice: a button saving a file through a link never put in the page', act: (p) => clickN(p, '#invoice', 1) },
  { name: 'full screen: a button showing the lookbook in full screen', act: (p) => clickN(p, '#fullscreen', 1) },
  { name: 'location: a button asking for the visitor\'s location', act: (p) => clickN(p, '#locate', 1) },
  { name: 'notifications: a button asking to allow price alerts', act: (p) => clickN(p, '#allow-alerts', 1) },
  { name: 'date picker: a button opening the native date picker', act: (p) => clickN(p, '#pick-date', 1) },
  { name: 'audio: a button playing a sound sample (an Audio never put in the page)', act: (p) => clickN(p, '#listen', 1) },
  { name: 'upload: a button opening the file picker of a hidden file input', act: (p) => clickN(p, '#upload', 1) },
  // Clicked 3 times: neither a dead click nor a rage click.
  { name: 'copy code: a coupon code copied to the clipboard, the page showing nothing, clicked 3 times', act: (p) => clickN(p, '#copy-code', 3) },
  { name: 'copy link: an older copy button (execCommand)', act: (p) => clickN(p, '#copy-link', 1) },
  { name: 'express checkout: a button opening the browser\'s payment sheet', act: (p) => clickN(p, '#gpay', 1) },
  { name: 'passkey: a sign-in button asking the browser for a passkey', act: (p) => clickN(p, '#passkey', 1) },
  {
    name: 'video: a product video paused by a click on it',
    act: async (p) => {
      // Playing (play() by the page's script: paused turns false at once, before any data).
      await p.evaluate(() => { document.getElementById('clip').play().catch(() => {}); });
      await waitFor('the video playing', () => p.evaluate(() => !document.getElementById('clip').paused));
      await clickN(p, '#clip', 1);
    },
  },
  { name: 'upload label: a label (cursor: pointer) for a hidden file input', act: (p) => clickN(p, '#upload-label', 1) },
  { name: 'a menu that opens at pointerdown (Radix UI)', act: (p) => clickN(p, '#sort', 1) },
  { name: 'a select that opens at mousedown (react-select)', act: (p) => clickN(p, '#variant', 1) },
  // A radio's label: choosing an option changes it; the option already chosen stays chosen.
  { name: 'the label of a radio option that is already chosen', act: (p) => clickN(p, '#fit-slim', 1) },
  { name: 'the label of a radio option, chosen', act: (p) => clickN(p, '#fit-loose', 1) },
  // Its answers are drawn, not in the DOM: clicks on a canvas are not judged.
  { name: 'a colour picker drawn on a canvas, clicked 4 times', act: (p) => clickN(p, '#swatches', 4) },
  { name: 'one click on a canvas colour picker (cursor: pointer)', act: (p) => clickN(p, '#swatches', 1) },
  // A 3-D viewer whose controls capture the pointer on the canvas's parent, which then gets the
  // clicks: double-clicked twice to zoom (a furniture store's QA: a rage_click).
  { name: 'a 3-D viewer\'s box (its controls capture the pointer) clicked 4 times to zoom', act: (p) => spots(p).then(() => clickN(p, '#viewer3d', 4)) },
  // Disabled as design systems mark it: by a class of its own and a not-allowed cursor, or by
  // Radix's and Headless UI's data-disabled (a furniture store's calendar: dead clicks).
  { name: 'a calendar day greyed out by a class of its own (.cal__day--disabled), clicked once', act: (p) => spots(p).then(() => clickN(p, '#day-off', 1)) },
  { name: 'a calendar day marked data-disabled, clicked once', act: (p) => spots(p).then(() => clickN(p, '#day-radix', 1)) },
  { name: 'a web component\'s button that changes its shadow DOM, clicked 4 times', act: (p) => clickN(p, '#shadow-qty #inc', 4) },
  // Its root was attached before Touchpoint could wrap attachShadow (the page's script ran
  // first) or after (the loader was cached): either way no friction. Unseen, its answers are
  // not judged; seen, they answer.
  { name: 'a web component\'s button in a closed shadow root that changes it, clicked 4 times', act: (p) => clickN(p, '#closed-qty', 4) },
  { name: 'one click on a web component\'s button in a closed shadow root', act: (p) => clickN(p, '#closed-qty', 1) },
  // The page's own text slotted in a closed component's button: the click's path has the
  // host, never the root, which answers.
  {
    name: 'the page\'s text slotted in a closed web component\'s button that changes its root, clicked 4 times',
    act: async (p) => {
      await defined(p, 'closed-size');
      await clickN(p, '#closed-size span', 4);
      // attachShadow, wrapped, behaves as the browser's own: the root, still closed; its errors.
      assert.deepEqual(await p.evaluate(() => {
        const el = document.createElement('div'), r = el.attachShadow({ mode: 'closed' });
        const error = (f) => { try { f(); return 'none'; } catch (e) { return e.name; } };
        return [r instanceof ShadowRoot && r.mode, r.host === el, el.shadowRoot, error(() => el.attachShadow({ mode: 'open' })),
          error(() => document.createElement('input').attachShadow({ mode: 'open' })), error(() => el.attachShadow()), Element.prototype.attachShadow.length];
      }), ['closed', true, null, 'NotSupportedError', 'NotSupportedError', 'TypeError', 1]);
    },
  },
  {
    name: 'a button whose request answers after 1.5 s and the page then shows the result',
    act: async (p) => {
      await clickN(p, '#eta', 1);
      await waitFor('the delivery date', () => p.evaluate(() => document.getElementById('eta-out').textContent === 'Tuesday'));
    },
  },
  { name: 'a quantity stepper clicked 6 times fast', act: (p) => clickN(p, '#plus', 6) },
  // The server asking the page to come back later, which it does: no failure the visitor met
  // (the top friction of a sneaker drop's waiting room: its QA).
  { name: 'a waiting room\'s queue poll answered 503 with Retry-After, fetch and XHR', act: (p) => p.evaluate(() => Promise.all([fetch('/api/queue'), new Promise((r) => { const x = new XMLHttpRequest(); x.open('GET', '/api/queue'); x.onloadend = r; x.send(); })])) },
  { name: 'a Material UI "Add to bag" that updates the bag (with its ripple), clicked 4 times', act: (p) => clickN(p, '#mui-add', 4) },
  { name: 'a React Aria "Add to wishlist" that updates the count (with its state attributes), clicked once', act: (p) => clickN(p, '#ra-add', 1) },
  { name: 'an Ant Design "Add to basket" that updates the basket (with its wave), clicked 4 times', act: (p) => clickN(p, '#ant-add', 4) },
  { name: 'an MDC Web "Add one" that updates its count (with its ripple), clicked 4 times', act: (p) => clickN(p, '#mdc-add', 4) },
  { name: 'a carousel\'s next button clicked 4 times', act: (p) => clickN(p, '#next', 4) },
  // The page's script changes a control through its property: no attribute, no event.
  {
    name: 'a quantity box\'s + (value set by the script) clicked 6 times fast',
    act: async (p) => {
      await clickN(p, '#qty-inc', 6);
      // The setters still set: directly, and through the prototype's descriptor (as React does).
      assert.equal(await p.inputValue('#qty-in'), '7');
      assert.equal(await p.evaluate(() => {
        const el = document.getElementById('qty-in');
        Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, '3');
        return el.value;
      }), '3');
    },
  },
  { name: 'a quantity box\'s - (stepDown()) clicked 4 times fast', act: async (p) => { await p.evaluate(() => { document.getElementById('qty-in').value = '9'; }); await clickN(p, '#qty-dec', 4); } },
  { name: 'a button filling the promo code field', act: (p) => clickN(p, '#use-points', 1) },
  // The browser clears the fields itself: no property set, no attribute, only a reset event.
  { name: 'a form\'s reset button clearing what was typed', act: async (p) => { await p.click('#gift-code'); await p.keyboard.type('GIFT'); await clickN(p, '#gift-clear', 1); } },
  { name: 'an "Accept all" button ticking a checkbox', act: (p) => clickN(p, '#agree-all', 1) },
  { name: 'a "Fastest" button choosing a delivery option (option.selected)', act: (p) => clickN(p, '#fastest', 1) },
  { name: 'a "Sound on" button for the product video (video.muted)', act: (p) => clickN(p, '#sound', 1) },
  { name: 'triple-click to select a paragraph', act: (p) => p.click('#para', { clickCount: 3 }) },
  { name: 'double-click on a word', act: (p) => p.dblclick('#para') },
  // The link's router leaves a modified click to the browser (a background tab): the page shows
  // no response, so only the rule for modifier keys keeps this from being a dead click.
  { name: 'ctrl-click on a link', act: (p) => p.click('#to-details', { modifiers: ['Control'] }) },
  { name: 'alt-click on the dead coupon "button" (a modifier key: not a plain click)', act: (p) => p.click('#coupon', { modifiers: ['Alt'] }) },
  {
    name: 'a script clicking the dead coupon "button" 5 times (untrusted clicks)',
    act: (p) => p.evaluate(() => { for (let i = 0; i < 5; i++) document.getElementById('coupon').click(); }),
  },
  {
    name: 'a button that opens a modal after 300 ms',
    act: async (p) => { await clickN(p, '#open-modal', 1); await waitFor('the modal', () => p.evaluate(() => !document.getElementById('modal').hidden)); },
  },
  { name: 'add to cart clicked 3 times', act: (p) => clickN(p, '#add', 3) },
  // Shown by the page's CSS when the click's focus lands in it: no script, no DOM change.
  { name: 'a CSS-only menu opened by :focus-within', act: (p) => clickN(p, '#css-menu-go', 1) },
  { name: 'a CSS-only tooltip shown by :focus (a rule inside @media)', act: (p) => clickN(p, '#css-tip', 1) },
  { name: 'a menu shown by Tailwind 4\'s group-focus-within variant', act: (p) => clickN(p, '#tw-menu-go', 1) },
  // Doing nothing is what a disabled button is expected to do: no dead click, and two presses
  // are no rage.
  { name: 'a disabled "Add to bag" pressed twice', act: (p) => clickN(p, '#add-disabled', 2) },
  { name: 'a "Place order" in a disabled fieldset pressed twice', act: (p) => clickN(p, '#order-go', 2) },
  { name: 'an aria-disabled "Pay now" clicked once', act: (p) => clickN(p, '#pay-aria', 1) },
  // Shopify's Dawn theme marks its quantity "-" at 1 by a class (a theme developer's QA).
  {
    name: 'a quantity "-" at 1, marked by the class disabled, clicked once',
    act: async (p) => {
      await p.evaluate(() => {
        const b = document.createElement('button');
        b.id = 'qty-minus'; b.type = 'button'; b.className = 'qty__btn disabled'; b.textContent = '-';
        b.style.cssText = 'position: fixed; right: 8px; top: 8px';
        document.body.append(b);
      });
      await clickN(p, '#qty-minus', 1);
    },
  },
  { name: '"Buy now" with no size chosen: the size picker shakes (Web Animations API), clicked 3 times', act: (p) => clickN(p, '#buy-now', 3) },
  { name: 'clicks placing the caret in a search field', act: (p) => clickN(p, '#search', 4) },
  { name: 'clicks placing the caret in a gift note (contenteditable)', act: (p) => clickN(p, '#gift-note', 4) },
  { name: 'a dead-looking element silenced with data-tp-no-dead', act: (p) => clickN(p, '#silenced', 1) },
  { name: 'reading: plain text clicked once', act: (p) => clickN(p, '#para', 1) },
  {
    name: 'a form filled in correctly, its success announced in a status region',
    act: async (p) => {
      await p.click('#zip'); await p.keyboard.type('75001'); await clickN(p, '#address-go', 1);
      await waitFor('the success message', () => p.evaluate(() => document.getElementById('address-out').textContent !== ''));
    },
  },
  {
    name: 'a field validated while the visitor types (invalid until the third letter)',
    act: async (p) => {
      await p.click('#zip'); await p.keyboard.type('75001'); await p.keyboard.press('Enter'); // a submit opens the window
      await p.click('#user'); await p.keyboard.type('jo', { delay: 50 }); await p.keyboard.type('anna');
      await p.click('#name');
    },
  },
  {
    name: 'a checkout step without a <form> element, filled in and continued',
    act: async (p) => {
      await p.click('#city'); await p.keyboard.type('Nantes'); await clickN(p, '#ship-next', 1);
      await waitFor('the next step', () => p.evaluate(() => document.getElementById('ship-msg').textContent.startsWith('Shipping')));
    },
  },
  // A success announced as an alert after a button's click: alert texts count after a submit only.
  {
    name: 'a button announcing a success in a role=alert',
    act: async (p) => {
      await clickN(p, '#ship-saved', 1);
      await waitFor('the announcement', () => p.evaluate(() => !!document.querySelector('#ship-msg [role=alert]')));
    },
  },
  // A CSS-only switch: the label toggles a hidden checkbox (no DOM change, no focus move; the
  // checkbox's change event is the answer).
  { name: 'a gift-wrap switch (a label for a hidden checkbox) clicked', act: (p) => clickN(p, '#giftwrap', 1) },
  { name: 'the product tab already shown clicked again', act: (p) => clickN(p, '#tab-desc', 1) },
  // The phone or mail app opens outside the page: nothing in the page is expected to change.
  { name: '"call us" (tel:) and "email us" (mailto:) links clicked', act: async (p) => { await clickN(p, '#call-us', 1); await clickN(p, '#mail-us', 1); } },
  {
    name: 'switching tabs right after a click',
    // Headless Chromium keeps every tab "visible", but without Playwright's focus emulation the
    // page loses focus to the tab brought to the front (a trusted window blur): what a real tab
    // switch does first.
    act: async (p) => {
      await (await p.context().newCDPSession(p)).send('Emulation.setFocusEmulationEnabled', { enabled: false });
      await p.bringToFront();
      await waitFor('the page focused', () => p.evaluate(() => document.hasFocus()));
      await clickN(p, '#noop', 1);
      const other = await p.context().newPage();
      await other.bringToFront();
      await waitFor('the tab switched', () => p.evaluate(() => !document.hasFocus()));
      await p.bringToFront();
      await other.close();
    },
  },
  {
    name: 'a form whose script checks its validity on load and at each keystroke',
    act: async (p) => {
      await p.click('#nl-email'); await p.keyboard.type('jo@example.com');
      await waitFor('the check at the last keystroke', () => p.evaluate(() => document.getElementById('nl-email').validity.valid));
    },
  },
  {
    name: 'search as you type, each keystroke cancelling the previous request (fetch and XHR)',
    act: async (p) => {
      // (The cancellations happen in the keystrokes' handlers, before the sentinel's click.)
      for (const id of ['#live', '#live-xhr']) { await p.click(id); await p.keyboard.type('shoes'); }
    },
  },
  // Nothing is expected to change in the page: the browser downloads the file, or opens a tab.
  { name: 'a download link clicked', act: (p) => clickN(p, '#get-pdf', 1) },
  {
    name: 'a link to a new tab clicked',
    act: async (p) => { const tab = p.context().waitForEvent('page'); await clickN(p, '#new-tab', 1); await (await tab).close(); },
  },
  { name: 'a single slow scroll down the page', act: async (p) => { await p.mouse.move(500, 400); await p.mouse.wheel(0, 800); } },
  // The control's value changes at its press (the thumb jumps to the point clicked on the track),
  // before the click: that answers it.
  {
    name: 'a price range slider clicked on its track',
    act: async (p) => {
      await p.evaluate(() => document.body.insertAdjacentHTML('afterbegin',
        '<input type="range" id="price" style="cursor:pointer;width:300px" value="20" oninput="this.nextElementSibling.textContent=this.value"><span>20</span>'));
      const box = await p.locator('#price').boundingBox();
      await p.mouse.click(box.x + box.width * 0.8, box.y + box.height / 2);
    },
  },
  // The option already chosen, told by ARIA (Radix's RadioGroup and ToggleGroup swatches, size
  // pickers): its handler does nothing, as a native radio's.
  ...[['a colour swatch already chosen (role=radio, aria-checked)', 'role="radio" aria-checked="true"'],
    ['a size already picked (aria-pressed)', 'aria-pressed="true"']].map(([name, aria]) => ({
    name,
    act: async (p) => {
      await p.evaluate((a) => document.body.insertAdjacentHTML('afterbegin',
        `<button type="button" id="chosen" ${a} style="cursor:pointer" onclick="if (this.getAttribute('aria-checked') === 'false') this.setAttribute('aria-checked', 'true')">Black</button>`), aria);
      await clickN(p, '#chosen', 1);
    },
  })),
  // The page's own scrolling answers, even while the visitor's wheel still moves it.
  {
    name: 'a "back to top" button (scrollTo) clicked while the wheel still scrolls the page',
    act: async (p) => {
      await p.evaluate(() => document.body.insertAdjacentHTML('beforeend',
        '<button type="button" id="to-top" style="position:fixed;right:10px;bottom:10px" onclick="window.scrollTo({ top: 0, behavior: \'smooth\' })">Top</button>'));
      await p.mouse.move(500, 400);
      await p.mouse.wheel(0, 600);
      await waitFor('the page scrolled down', () => p.evaluate(() => scrollY > 100));
      await p.mouse.wheel(0, 300);
      await clickN(p, '#to-top', 1);
    },
  },
  // A custom role=button whose key handler answers Enter itself, without clicking it.
  {
    name: 'a custom role=button whose own key handler answers Enter, 3 times',
    act: (p) => enterOnClickOnlyButton(p, 'custom-own-keys', 3, true),
  },
  // A web component that is the control (role=button on its host), its key handler answering
  // Enter in its shadow root.
  {
    name: 'a web component role=button whose key handler answers Enter in its shadow root',
    act: async (p) => {
      await p.evaluate(() => {
        customElements.define('tp-kbd-button', class extends HTMLElement {
          connectedCallback() {
            const root = this.attachShadow({ mode: 'open' });
            root.innerHTML = '<span>Follow</span>';
            this.addEventListener('keydown', (e) => { if (e.key === 'Enter') root.querySelector('span').textContent = 'Following'; });
          }
        });
        document.body.insertAdjacentHTML('afterbegin', '<tp-kbd-button role="button" tabindex="0" id="kbd-wc"></tp-kbd-button>');
      });
      await p.focus('#kbd-wc');
      await p.keyboard.press('Enter');
    },
  },
  // A custom role=button clicked by the mouse (no Enter: nothing for the key listener to take).
  {
    name: 'a custom role=button with a click handler only, clicked by the mouse',
    act: async (p) => { await enterOnClickOnlyButton(p, 'custom-mouse', 0); await clickN(p, '#custom-mouse', 1); },
  },
  // The same custom button with a click handler that answers, pressed by keyboard 3 times.
  {
    name: 'a custom role=button stepper activated by Enter through its key handler, 3 times',
    act: (p) => enterOnCustomButton(p, 'custom-inc', '<div role="button" tabindex="0" id="custom-inc">+</div> <output id="custom-n">1</output>', 3, 'custom-n'),
  },
  // A sold-out size clicked once: it is expected to do nothing (a disabled control), no dead click.
  {
    name: 'a sold-out size (the label of a disabled radio) clicked once',
    act: async (p) => { await soldOutSize(p); await clickN(p, '#sold-l', 1); },
  },
  // The option already chosen, clicked again and again: nothing is expected to happen (ARIA).
  {
    name: 'the colour already chosen (role=radio, aria-checked) and the fit already pressed (aria-pressed) clicked 4 times each',
    act: async (p) => {
      await p.evaluate(() => document.body.insertAdjacentHTML('afterbegin',
        '<div role="radiogroup"><div role="radio" aria-checked="true" tabindex="0" id="c-black" style="cursor:pointer">Black</div></div>'
        + '<p><button type="button" aria-pressed="true" id="fit-regular">Regular</button></p>'));
      await clickN(p, '#c-black', 4);
      await clickN(p, '#fit-regular', 4);
    },
  },
  {
    name: 'a custom role=button stepper activated by Space through its key handler, 3 times',
    act: (p) => enterOnCustomButton(p, 'custom-inc-space', '<div role="button" tabindex="0" id="custom-inc-space">+</div> <output id="custom-space-n">1</output>', 3, 'custom-space-n', ' '),
  },
  // The ARIA practices' button activates on Space's keyup (its keydown cancelled, so that the
  // page does not scroll): answered at the keyup.
  {
    name: 'a custom role=button stepper that acts on Space\'s keyup, 3 times',
    act: async (p) => {
      await p.evaluate(() => {
        document.body.insertAdjacentHTML('afterbegin', '<div role="button" tabindex="0" id="custom-keyup">+</div> <output id="custom-keyup-n">1</output>');
        const b = document.getElementById('custom-keyup');
        b.addEventListener('keydown', (e) => { if (e.key === ' ') e.preventDefault(); });
        b.addEventListener('keyup', (e) => { if (e.key === ' ') b.click(); });
        b.addEventListener('click', () => { const c = document.getElementById('custom-keyup-n'); c.textContent = String(+c.textContent + 1); });
      });
      await p.focus('#custom-keyup');
      for (let i = 0; i < 3; i++) await p.keyboard.press(' ');
      assert.equal(await p.evaluate(() => document.getElementById('custom-keyup-n').textContent), '4');
    },
  },
  // Space on a custom link scrolls the page, as on a native link: links are activated by Enter
  // only, so Space is no click of it.
  {
    name: 'a custom role=link with a click handler only, Space pressed on it (the page scrolls)',
    act: async (p) => { await enterOnClickOnlyButton(p, 'custom-link-space', 1, false, ' ', 'link'); await spaceScrolled(p); },
  },
  // CSS-in-JS (emotion, styled-components) inserts each new component's rules into its sheet as
  // it mounts, after the rules were read for an earlier click: at its end, and before its end.
  {
    name: 'CSS-only menus whose rules a CSS-in-JS library inserted after the rules were read',
    act: async (p) => {
      await p.evaluate(() => {
        const style = document.createElement('style');
        style.id = 'emo';
        style.textContent = '.emo-a { color: #123 }';
        document.head.append(style);
      });
      await clickN(p, '#css-menu-go', 1); // (its answer is read from the rules)
      await p.evaluate(() => {
        const sheet = document.getElementById('emo').sheet;
        sheet.insertRule('.emo-menu:focus-within .emo-list { display: block }', sheet.cssRules.length);
        document.body.insertAdjacentHTML('afterbegin', '<span class="emo-menu"><button type="button" id="emo-go">Sale</button><span class="emo-list" style="display: none">Mugs</span></span>');
      });
      await clickN(p, '#emo-go', 1);
      await p.evaluate(() => {
        document.getElementById('emo').sheet.insertRule('.emo-menu2:focus-within .emo-list2 { display: block }', 0);
        document.body.insertAdjacentHTML('afterbegin', '<span class="emo-menu2"><button type="button" id="emo-go2">New in</button><span class="emo-list2" style="display: none">Bowls</span></span>');
      });
      await clickN(p, '#emo-go2', 1);
    },
  },
  // A theme switched by rewriting a stylesheet of the page's (no element changes).
  {
    name: 'a dark mode button rewriting a constructed stylesheet',
    act: async (p) => {
      await p.evaluate(() => {
        const sheet = new CSSStyleSheet();
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
        document.body.insertAdjacentHTML('afterbegin', '<button type="button" id="theme">Dark mode</button>');
        let dark = false;
        document.getElementById('theme').onclick = () => { dark = !dark; sheet.replaceSync(dark ? 'body { background: #111 }' : ''); };
      });
      await clickN(p, '#theme', 1);
    },
  },
  // A theme switched by turning the page's own dark style sheet on and off (`sheet.disabled`,
  // which is no attribute: no element changes).
  {
    name: 'a dark mode button switching a style sheet on (sheet.disabled)',
    act: async (p) => {
      await p.evaluate(() => {
        document.head.insertAdjacentHTML('beforeend', '<style id="dark-sheet">body { background: #111; color: #eee }</style>');
        const sheet = document.getElementById('dark-sheet').sheet;
        sheet.disabled = true;
        document.body.insertAdjacentHTML('afterbegin', '<button type="button" id="dark-toggle">Dark mode</button>');
        document.getElementById('dark-toggle').onclick = () => { sheet.disabled = !sheet.disabled; };
      });
      await clickN(p, '#dark-toggle', 1);
    },
  },
];

for (const [i, s] of normal.entries()) {
  test(`normal: ${s.name} produces no friction`, T, async (t) => {
    const site = `fn-${i}-${s.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`;
    const { page } = await open(t, site);
    await s.act(page);
    const ev = await verdict(page, site);
    assert.deepEqual(summary(ev), [], JSON.stringify(ev.map((e) => e.properties)));
  });
}

// The old page stays on screen until the next one answers: the click was answered all the same.
for (const [what, selector] of [['a link', '#to-slow'], ['a form posted', '#slow-go'], ['a button setting location.href', '#checkout']]) {
  test(`normal: ${what} to a page whose server takes 2.5 s to answer produces no friction`, T, async (t) => {
    const site = `fn-slow-${selector.slice(1)}`;
    const { page } = await open(t, site);
    await Promise.all([page.waitForURL(/slow/, { timeout: 60_000 }), clickN(page, selector, 1)]);
    await sdkReady(page);
    const ev = await verdict(page, site);
    assert.deepEqual(summary(ev), []);
  });
}

test('normal: a link to another page produces no friction', T, async (t) => {
  const site = 'fn-link';
  const { page } = await open(t, site);
  await Promise.all([page.waitForURL(/elsewhere/), clickN(page, '#elsewhere', 1)]);
  await sdkReady(page);
  const ev = await verdict(page, site);
  assert.deepEqual(summary(ev), []);
});

// A form "submitted" by its button's own handler (type=button, no submit event) that moves the
// visitor on: a form_submit, and no form_abandon when the view ends.
test('normal: a checkout step continued by its type=button handler (a route change) is a form_submit, not a form_abandon', T, async (t) => {
  const site = 'fn-step-route';
  const { page } = await open(t, site);
  await page.click('#card-name'); await page.keyboard.type('J Doe');
  await page.click('#card-no'); await page.keyboard.type('4242424242424242');
  await clickN(page, '#pay-next', 1);
  await waitFor('the review step', () => page.evaluate(() => location.pathname === '/review'));
  assert.deepEqual(summary(await verdict(page, site)), []);
  const forms = await formSteps(site);
  assert.deepEqual(forms, ['form_start', 'form_submit']);
});

// The same kind of step whose send fails (its request answered 500: the payment service down),
// then the visitor leaves within the 3 s a moved-on view counts as sent: nothing was sent, a
// form_abandon (it was a form_submit: a zone.js QA, Back 2 s after a payment's 500).
// A publisher's forms have neither id nor name (a header's search, a newsletter's signup): each
// is named by its aria-label, else its action's path (all were "": a publisher's QA).
test('forms without id or name are named by their aria-label or their action\'s path', T, async (t) => {
  const site = 'fx-form-names';
  const { page } = await open(t, site);
  await page.evaluate(() => {
    document.body.insertAdjacentHTML('afterbegin', '<form aria-label="Site search" onsubmit="return false"><input id="fn-q"></form>' +
      '<form action="/newsletter/subscribe?src=footer" onsubmit="return false"><input id="fn-a"> <input id="fn-b"></form>');
    scrollTo(0, 0);
  });
  await page.click('#fn-q'); await page.keyboard.type('tides');
  await page.click('#fn-a'); await page.keyboard.type('Jane');
  await waitFor('both form_starts', async () => (await formsOf(site)).length === 2);
  assert.deepEqual(await formsOf(site), ['form_start /newsletter/subscribe', 'form_start Site search']);
});

test('broken: a checkout step whose type=button send fails with 500, then left at once: form_abandon, not form_submit', T, async (t) => {
  const site = 'fb-step-500';
  const { page } = await open(t, site);
  await page.evaluate(() => {
    document.body.insertAdjacentHTML('afterbegin', '<form id="pay500" onsubmit="return false"><input id="p5-name"> <input id="p5-email"> ' +
      '<button type="button" id="p5-go">Pay</button> <span id="p5-msg"></span></form>');
    document.getElementById('p5-go').addEventListener('click', () => {
      fetch('/api/save', { method: 'POST' }).then((r) => { document.getElementById('p5-msg').textContent = r.ok ? 'Paid' : 'Payment failed'; });
    });
    scrollTo(0, 0);
    history.pushState({}, '', '/pay'); // (the app's router: its payment step)
  });
  await page.click('#p5-name'); await page.keyboard.type('J Doe');
  await page.click('#p5-email'); await page.keyboard.type('j@example.com');
  await clickN(page, '#p5-go', 1);
  await waitFor('the failure shown', () => page.evaluate(() => document.getElementById('p5-msg').textContent === 'Payment failed'));
  // Back, at once (no click: a click elsewhere ends the step's moment by itself).
  await page.goBack();
  await waitFor('the view before', () => page.evaluate(() => location.pathname !== '/pay'));
  const ev = await withAbandon(site);
  assert.deepEqual(ev.filter((e) => /^form_/.test(e.event)).map((e) => e.event).sort(), ['form_abandon', 'form_start']);
});

test('normal: a gift card redeemed on another page by a type=button handler (location.href) is a form_submit, not a form_abandon', T, async (t) => {
  const site = 'fn-step-page';
  const { page } = await open(t, site);
  await page.click('#gift-code'); await page.keyboard.type('GIFT-1234');
  await page.click('#gift-pin'); await page.keyboard.type('0000');
  await Promise.all([page.waitForURL(/elsewhere/), clickN(page, '#gift-go', 1)]);
  await sdkReady(page);
  assert.deepEqual(summary(await verdict(page, site)), []);
  const forms = await waitFor('the first page\'s form events', async () => {
    const f = await formSteps(site);
    return f.includes('form_submit') && f;
  });
  assert.deepEqual(forms, ['form_start', 'form_submit']);
});

// A button of the form that writes the URL in place (replaceState) submits nothing: the page
// left right after is a form_abandon. One that opens another view of a form nobody typed in
// submits nothing either.
test('broken: a form filled in, a button of it that writes the URL in place (replaceState), then the page left: form_abandon', T, async (t) => {
  const site = 'fr-step-replace';
  const { page } = await open(t, site);
  await page.click('#gift-code'); await page.keyboard.type('GIFT-1234');
  await page.click('#gift-pin'); await page.keyboard.type('0000');
  await clickN(page, '#gift-check', 1);
  await waitFor('the URL written', () => page.evaluate(() => location.search === '?balance=1'));
  await page.goto(`${collector.url}/healthz`);
  const ev = await withAbandon(site);
  assert.deepEqual(ev.filter((e) => /^form_/.test(e.event)).map((e) => e.event), ['form_start', 'form_abandon']);
});

test('normal: a button of a form nobody typed in opening another view (pushState) is no form_submit', T, async (t) => {
  const site = 'fn-step-help';
  const { page } = await open(t, site);
  await clickN(page, '#gift-help', 1);
  await waitFor('the help view', () => page.evaluate(() => location.pathname === '/gift-help'));
  assert.deepEqual(summary(await verdict(page, site)), []);
  const forms = (await collector.events(`&site=${site}`)).filter((e) => /^form_/.test(e.event));
  assert.deepEqual(forms, []);
});

// The visitor pressed the form's button, got an error, and left by a link at once: abandoned.
test('broken: a checkout step whose "Review order" found an error, left by a link right after, is a form_abandon', T, async (t) => {
  const site = 'fr-step-left';
  const { page } = await open(t, site);
  await page.click('#card-name'); await page.keyboard.type('J Doe');
  await page.click('#card-no'); await page.keyboard.type('4242');
  await clickN(page, '#pay-next', 1);
  await Promise.all([page.waitForURL(/elsewhere/), clickN(page, '#elsewhere', 1)]);
  await sdkReady(page);
  const ev = await verdict(page, site);
  assert.deepEqual(summary(ev), ['field_error #card-no', 'form_abandon #pay-step']);
  const forms = await formSteps(site);
  assert.deepEqual(forms, ['form_start']);
});

test('thresholds from data-* take effect; data-friction="off" finds nothing', T, async (t) => {
  const site = 'fr-thresholds';
  const { page } = await open(t, site, { 'rage-clicks': '6' });
  await clickN(page, '#size-m', 5);
  assert.deepEqual(summary(await verdict(page, site)), ['dead_click #size-m'], '5 clicks are no rage at data-rage-clicks="6"');
  const offSite = 'fr-all-off';
  const { page: p2 } = await open(t, offSite, { friction: 'off' });
  await clickN(p2, '#coupon', 1);
  await clickN(p2, '#size-m', 5);
  await clickN(p2, '#throws', 1);
  await p2.evaluate(() => { touchpoint('track', 'done'); touchpoint('flush'); });
  const ev = await waitFor('the marker after the clicks', async () => {
    const all = await collector.events(`&site=${offSite}`);
    return all.some((e) => e.event === 'done') && all;
  }, { timeout: 30_000 });
  assert.ok(ev.some((e) => e.event === 'click'), 'the clicks themselves are still captured');
  assert.deepEqual(ev.filter((e) => e.properties?.category === 'friction').map((e) => e.event), []);
});

test('data-friction-off switches detectors off; friction obeys consent like every event', T, async (t) => {
  const site = 'fr-off';
  const { page } = await open(t, site, { 'friction-off': 'rage,vital' });
  await clickN(page, '#size-m', 5);
  const ev = await verdict(page, site);
  assert.deepEqual(summary(ev), ['dead_click #size-m'], 'rage off: the burst is a dead click again');
  const pendingSite = 'fr-pending';
  const { page: p2 } = await open(t, pendingSite, { consent: 'pending' });
  await clickN(p2, '#coupon', 1);
  await p2.evaluate(() => new Promise((r) => setTimeout(r, 1500)));
  assert.deepEqual(await frictionOf(pendingSite), [], 'nothing sent while consent is pending');
  await p2.evaluate(() => { touchpoint('consent', { analytics: true }); touchpoint('flush'); });
  await waitFor('the buffered dead_click delivered on grant', async () => (await frictionOf(pendingSite)).some((e) => e.event === 'dead_click'));
});

// The demo shop's deliberate broken spots (what `npm start` shows at once) produce what they
// are there to show, on the right elements.
test('the demo shop\'s broken spots: dead and rage clicks on the grind chips, an error click, a dead coupon button', T, async (t) => {
  const site = 'fr-demo';
  const context = await browser.newContext();
  t.after(() => context.close());
  await rewriteDemo(context, collector.url, snippetRewrite({ site, consent: 'granted', 'flush-interval': '300', 'slow-interaction-ms': '10000', 'friction-off': 'vital' }));
  const page = await context.newPage();
  await page.goto(`${collector.url}/product.html?sku=mug`);
  await sdkReady(page);
  await clickN(page, '#grind-whole', 1);
  await clickN(page, '#grind-filter', 5);
  await clickN(page, '#broken-button', 1);
  // (Leaving the page answers the clicks still waiting for their verdict: wait for it first.)
  await waitFor('the product page\'s verdicts', async () => {
    await page.evaluate(() => touchpoint('flush')).catch(() => {});
    return (await frictionOf(site)).some((e) => e.event === 'dead_click');
  }, { timeout: 30_000 });
  await page.goto(`${collector.url}/cart.html`);
  await sdkReady(page);
  await clickN(page, '#apply-coupon', 1);
  await page.evaluate(() => touchpoint('flush'));
  let last = null;
  const ev = await waitFor('the four spots\' friction', async () => {
    await page.evaluate(() => touchpoint('flush')).catch(() => {});
    const f = await frictionOf(site);
    const s = summary(f);
    last = s;
    return ['dead_click #apply-coupon', 'dead_click #grind-whole', 'error_click #broken-button', 'rage_click #grind-filter'].every((x) => s.includes(x)) && f;
  }, { timeout: 30_000 }).catch((e) => { throw new Error(`${e.message}: ${JSON.stringify(last)}`); });
  assert.deepEqual(summary(ev), ['dead_click #apply-coupon', 'dead_click #grind-whole', 'error_click #broken-button', 'js_error', 'rage_click #grind-filter']);
});

// A sold-out shade in Shopify's Dawn theme: its radio marked `class="disabled"`, not disabled,
// still chosen by its label, and the page then says "Sold out". Those are the visitor's clicks
// (they were no clicks at all, and three quick ones nothing: a Shopify theme's QA); the shade
// already chosen, clicked again, is expected not to answer: no friction.
test('normal: a sold-out shade whose radio has class="disabled" (Dawn), chosen by its label, then clicked twice more: its clicks, no friction', T, async (t) => {
  const site = 'fn-dawn-sold-out';
  const { page } = await open(t, site);
  await page.evaluate(() => {
    document.body.insertAdjacentHTML('afterbegin', '<fieldset id="shades" style="position: fixed; left: 8px; top: 150px; background: #fff; z-index: 9">' +
      '<input type="radio" name="shade" id="shade-rose" value="101" checked><label for="shade-rose">Rose</label>' +
      '<input type="radio" name="shade" id="shade-nude" value="103" class="disabled"><label for="shade-nude">Nude</label>' +
      ' <span id="shade-say">Add to cart</span></fieldset>');
    document.getElementById('shades').addEventListener('change', (e) => {
      history.replaceState({}, '', '?variant=' + e.target.value);
      document.getElementById('shade-say').textContent = e.target.classList.contains('disabled') ? 'Sold out' : 'Add to cart';
    });
  });
  await clickN(page, 'label[for=shade-nude]', 3);
  assert.equal(await page.textContent('#shade-say'), 'Sold out');
  assert.deepEqual(summary(await verdict(page, site)), []);
  const clicks = (await collector.events(`&site=${site}`)).filter((e) => e.event === 'click' && e.properties.element?.id === 'shade-nude');
  assert.equal(clicks.length, 3, JSON.stringify(clicks.map((e) => e.properties)));
});
