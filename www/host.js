// The loader's half of the contract with the wasm driver (src/web/host.rs documents the other).
// scripts/build.mjs strips the `export`s below and bundles this file between wasm-bindgen's glue
// and touchpoint.js; the browser tests import it as a module.
//
// Why these live in JavaScript: an input handler must cost the page as little as possible, and
// every wasm<->JS crossing costs. A sensor here reads what only the event can tell now (target,
// position, time, the clicked element's raw facts) into one text record without entering wasm;
// records wait in `queue` until one scheduled task per burst hands them to the driver in a single
// call (`input`). Lifecycle events and answers are handed over at once ("urgent"), after the
// records before them, so the engine sees everything in order.
//
// Record format (fields joined by U+001F, records by U+001E; parsed by core::input::parse_record):
// code, now() (the loader's clock), fields... See that function's table.

// An interaction's duration and input delay / processing / presentation split, from its Event
// Timing entries: those painted in the same frame as the longest one, as web-vitals attributes
// INP. A tap's pointerdown can be the longest entry (it started first, and the click's slow
// handler delayed its paint too) while its own handlers took nothing: that one entry's split
// blamed the presentation for the click's handlers. Returns [duration, input delay, processing,
// presentation, the entry whose handlers ran longest (its type names the interaction)].
export function interactionSplit(es) {
  function proc(e) { return e.processingEnd - e.processingStart; }
  // The longest first; among equals the one whose handlers ran longest.
  es.sort(function (a, b) { return b.duration - a.duration || proc(b) - proc(a); });
  var l = es[0], end = l.startTime + l.duration, first = l, kind = l, pe = 0;
  es.forEach(function (e) {
    if (Math.abs(e.startTime + e.duration - end) > 8) return; // painted in another frame (durations are in 8 ms steps)
    if (e.startTime < first.startTime) first = e;
    if (e.processingEnd > pe) pe = e.processingEnd;
    if (proc(e) > proc(kind)) kind = e;
  });
  return [l.duration | 0, (first.processingStart - first.startTime) | 0, (pe - first.processingStart) | 0, Math.max(0, end - pe) | 0, kind];
}

// CSS-only menus (see makeHost's focusRules): adds to `out` a [part, rest, within] for each
// :focus (within: undefined) or :focus-within compound of style rule `r`'s selector list that
// has something after it to show (`rest`, up to the next comma), when the rule's declarations
// (as the browser writes them: `display: block; color: red;`) show or hide (clip: also
// clip-path; left: a menu kept at `left: -9999px`). Inside :is(), :where() or :has() (Tailwind 4
// writes `.x:is(:where(.group):focus-within *)`), a part and its rest are those of that argument.
// (tests/e2e/focus-parts.test.mjs)
// `hover`: the :hover compounds instead, which hold like :focus-within (a touch screen's tap
// leaves its element hovered: `.nav li:hover > ul` opens at the tap).
export function focusParts(r, out, hover) {
  var s = r.selectorText;
  if (s.indexOf(hover ? ':hover' : ':focus') < 0 || !/(^|; )(display|visibility|opacity|transform|translate|scale|(max-)?height|clip|left)/.test(r.style.cssText)) return;
  for (var re = hover ? /:hover(?![-\w(])/g : /:focus(-within)?(?![-\w(])/g, m, i, j, e, n, c; (m = re.exec(s));) {
    i = m.index;
    if (s[i - 1] === '\\' || s.slice(i - 5, i) === ':not(') continue;
    // The part's start (back to an opening parenthesis or a comma), its compound's end, then
    // the rest's end (a comma or a closing parenthesis).
    for (j = i, n = 0; j-- > 0;) { c = s[j]; if (c === ')') n++; else if (c === '(' ? !n-- : c === ',' && !n) break; }
    for (n = 0; ++i < s.length;) { c = s[i]; if (c === '(') n++; else if (c === ')' ? !n-- : !n && /[\s>+~,]/.test(c)) break; }
    for (n = 0, e = i; e < s.length; e++) { c = s[e]; if (c === '(') n++; else if (c === ')' ? !n-- : c === ',' && !n) break; }
    // (`:focus-within > ul` leaves no part: not kept.)
    if (/\S/.test(c = s.slice(i, e)) && s.slice(j - 4, j + 1) !== ':has(' && (n = (s.slice(j + 1, m.index) + s.slice(re.lastIndex, i)).trim())) out.push([n, c, hover || m[1]]);
  }
}

// Closed shadow roots (attachShadow({ mode: 'closed' })), by host. Nothing outside such a root
// can see or observe it, so a click a web component answered inside it (its stepper, its size
// picker around the page's own slotted text) looked dead. The loader wraps attachShadow as it
// starts, as session recorders do (rrweb), and a click whose path crosses a root kept here
// observes it as it does an open one. Only the reference is kept, in a WeakMap (a component
// removed is collected), and nothing in the root is read. Roots attached before the loader ran
// stay unknown (see group()'s fl 4). `closedRoots` stays null until the first one: a page with
// none pays nothing in its clicks.
var closedRoots = null;
// Every shadow root attached since the loader started, open or closed (and the open ones attached
// before it, found at the first click in a component: see findRoots), each observed while a
// click waits: a web component's click is often answered in another component's root (a
// storefront's "Add to cart" counting up the header's cart badge, opening the cart drawer,
// showing a toast: each a dead_click, four presses a rage_click, when only the clicked
// component's roots were observed: a web components QA).
var shadowRoots = [];
// Touchpoint's storage keys (core::storage): queued events, tabs, the adoption lease, the ids,
// the tab's session. (Also read by touchpoint.js's switched-off withdrawal, in the same bundle.)
var OURS = /^tp:(q:|tab:|lease|aid|session)/;
// (Called once: the loader starts once a page. Without an AbortController, `signal.aborted`
// throws and nothing is kept.)
export function keepClosedRoots(signal) {
  var E = window.Element && Element.prototype, attach = E && E.attachShadow;
  if (attach) E.attachShadow = function (init) {
    var root = attach.apply(this, arguments);
    try {
      if (!signal.aborted) {
        shadowRoots.push(root);
        if (init.mode == 'closed') (closedRoots = closedRoots || new WeakMap()).set(this, root);
      }
    } catch (e) {}
    return root;
  };
}

export function makeHost(input, guard, signal, overlayUrl, ambientSel, crossDomain, ignoreSel, maskParams) {
  var w = window, d = document, US = '\x1f', RS = '\x1e', queue = [], planned = 0, timer = 0;
  // (A radio or checkbox too: a size swatch, a shipping option, "gift wrap". Its label's click
  // is followed by the browser's click on it, so either way one click is its touchpoint.)
  // And a sortable table's header (aria-sort, which only sortable headers carry) that handles
  // its clicks itself, with no button inside: a B2B portal's price sort was no click (QA); a
  // data grid's `div role=columnheader` too (AG Grid's, MUI X's: an admin's QA). And
  // a table row or list item with an onclick attribute (a legacy shop's `<tr onclick=
  // "location.href=...">`: its cells' clicks were neither clicks nor dead clicks: QA); not any
  // element's, as a page's wrapper may close its menus at any click.
  var CLICKABLE = 'a,button,input[type=button],input[type=submit],input[type=reset],input[type=image],' +
    '[role=button],[role=link],[role=menuitem],[role=tab],[role=checkbox],[role=switch],[role=option],' +
    'input[type=checkbox],input[type=radio],summary,[aria-sort],tr[onclick],li[onclick],' +
    // (Custom choices: a fare family's role=radio, a calendar's or seat map's role=gridcell:
    // the day picked was no click, a sold-out one's dead_click came with no click before it:
    // a travel site's QA.)
    '[role=radio],[role=gridcell],[role=menuitemradio],[role=menuitemcheckbox]';

  // Maps by a name the page chooses (an interactionId, a field's name) have no prototype: a page
  // whose library adds enumerable members to Object.prototype would give `for in` names that
  // are not ours (Touchpoint stopped at its first hand-over on such a page), and a field named
  // `constructor` or `__proto__` would read the prototype's.
  function dict() { return Object.create(null); }
  // Event Timing entries by interactionId until the hand-over (see interactionSplit).
  // And the page's interaction count when it changed, for INP's 98th percentile
  // (core::friction::poor_vital): one property read per hand-over.
  // `clickedAs`: the last 8 clicks' targets, each followed by its element as the click sensor
  // described it, before the page's handlers ran: a slow click's handler that relabels its button
  // ("Apply" becomes "Applied") is told by what the visitor clicked, as the click is, not by what
  // the hand-over finds after it (and by its button, not the icon inside it). Eight: its Event
  // Timing entry comes after the paint, maybe after other clicks.
  var slowEntries = dict(), slowTargets = dict(), counted = 0, clickedAs = [], lastReason, labelled = null, thirdFailed = w.WeakSet && new WeakSet();
  function interactions() {
    for (var id in slowEntries) {
      var s = interactionSplit(slowEntries[id]), target = s[4].target || slowTargets[id], at = clickedAs.lastIndexOf(target);
      // (With how long ago it began: its friction is during the moment of truth under way then.)
      queue.push(rec('i', now(), s[0], s[1], s[2], s[3], s[4].name, id, (performance.now() - s[4].startTime) | 0, target && target.tagName ? (at < 0 ? group(target, false) : clickedAs[at + 1]) : ''));
    }
    slowEntries = dict();
    slowTargets = dict();
    var n = sensing && w.performance && performance.interactionCount;
    if (n > counted) queue.push(rec('w', now(), 'n', counted = n));
  }
  // Everything queued, then the tick that ends the burst, in one crossing.
  // `force`: hand over everything now (lifecycle events, locks, the page's own calls); otherwise
  // a route change still settling waits, with the records after it (see routeDone).
  // `planned`: the scheduled task's timer, cleared when an urgent hand-over took everything
  // first (it would only hand over an empty queue: a wasm call for nothing); -1 while a route's
  // settle timer stands in for it.
  var drain = guard(function (force) {
    clearTimeout(planned); // (-1 and 0 are no timer: a no-op)
    planned = 0;
    focusAnswer();
    responded = selected = false;
    interactions();
    var rest = [];
    if (!routeDone(force === true)) {
      rest = queue.splice(routeAt);
      routeAt = 0;
      planned = -1;
      // By its own timer, not by the clock: timers run in the order they expire, so a title the
      // router sets in a timer of its own comes first even on a page that stalled.
      if (!settle) settle = setTimeout(function () { settle = 0; drain(true); }, ROUTE_SETTLE_MS);
    } else if (scrolled) depth(1);
    queue.push('k' + US + now());
    // (A page's call held while its route settled (see sync) goes in its place: the records
    // before it, the call, then the rest.)
    var batch = queue, part = [];
    queue = rest;
    for (var i = 0; i < batch.length; i++) {
      if (batch[i].c) {
        if (part.length) input(part.join(RS));
        part = [];
        // At the time it was made (the engine asks host.now()): stamped at the hand-over, it came
        // up to ~0.9 s late, after the clicks that followed it, or after its view's page_leave.
        heldAt = batch[i].t;
        try { input('', batch[i].c); } finally { heldAt = 0; }
      } else part.push(batch[i]);
    }
    input(part.join(RS));
  });

  // One task per burst, after the input handlers. Records carry their own time, so handing them
  // over later changes no decision; what it saves is the fixed cost of a task and a wasm call per
  // interaction (measured: 557 tasks for the bench's 390 interactions when each burst got its own
  // idle callback). 400 ms keeps a burst of clicks, scrolls and responses in one task and events
  // still reach storage within about a second of their capture.
  function later() {
    if (!planned) planned = setTimeout(drain, 400);
  }

  // urgent: 1 hands everything over now; 2 (the engine's timer, a request's answer) does not
  // wait for the next scheduled task either, but lets a settling route change finish.
  function push(record, urgent) {
    // The depth scrolled to before an urgent record (pagehide, hidden) is handed over before it,
    // at its time (its second field): read at the end of the hand-over, it came after the
    // page_leave that ended the view.
    if (urgent && scrolled && routeAt < 0) depth(1, record.split(US, 2)[1]);
    queue.push(record);
    if (urgent) drain(urgent === 1); else later();
  }

  // A field of a record: never contains the separators.
  function f(v) {
    if (v == null) return '';
    v = String(v);
    return v.indexOf('\x1e') < 0 && v.indexOf('\x1f') < 0 ? v : v.replace(/[\x1e\x1f]/g, ' '); // the common case: no regex
  }
  function attr(e, n) { return f(e.getAttribute(n)); }
  // The page's title, with the values of the query parameters named in data-mask-params masked
  // where it repeats them, in any case: a results page titled "Results for pregnancy test", its
  // `q` masked, sent the term in every event (a pharmacy's QA). (The engine masks the address.
  // Done here, where the browser decodes the address: ~500 B of wasm there.)
  var masks = String(maskParams || '').split(',');
  function title() {
    var t = d.title, q = new URLSearchParams(location.search);
    masks.forEach(function (n) {
      if ((n = q.get(n.trim())) && n.length > 2) t = starred(t, [n]);
    });
    return t;
  }
  // The text with every one of the values replaced by ***, in any case (the title's masked
  // parameters, a message's typed values).
  function starred(t, values) {
    return t.replace(RegExp(values.map(function (x) { return x.replace(/[$()*+.?[\\\]^{|}]/g, '\\$&'); }).join('|'), 'gi'), '***');
  }
  // A record from its fields (none null). A loop, not Array.prototype.join.call(arguments): V8
  // then needs no arguments object, and a click's records are built ~2x faster.
  function rec(a) {
    for (var i = 1, s = '' + a; i < arguments.length; i++) s += US + arguments[i];
    return s;
  }
  // The wall clock, never going back: a clock corrected backwards (NTP, the visitor, a VM resumed)
  // would otherwise hold every deadline, a retry and the 5 s flush included, until the old time
  // came round again (2 h for a 2 h correction). A jump back is absorbed into \`skew\`, so time goes
  // on from where it was; a jump forward (a laptop waking) is kept: it is real idle time.
  // performance.now() is monotonic, but stops while the computer sleeps on some systems.
  var last = 0, skew = 0, heldAt = 0;
  function now() {
    var t = Date.now() + skew;
    if (t < last) skew += last - t, t = last;
    return last = t;
  }

  // Whether events can be kept now (host.sensing: the driver then also removes the listeners
  // of the sensors that only feed events).
  var sensing = true;
  // Whether this browser reports LCP (observe() asks): then a restored page's is measured too.
  // Whether the remembered decision is read (data-remember-consent: facts() is told).
  var lcpOn = 0, remember;
  // The page's tags (host.tags; touchpoint('set', ...)).
  var tags = dict();
  // Elements are numbered (weakly: a removed element is forgotten) so that the engine can tell
  // "the same target" without holding DOM nodes.
  var keys = w.WeakMap ? new WeakMap() : null, nextKey = 1;
  function key(el) {
    var k = keys && keys.get(el);
    if (!k && keys) keys.set(el, k = nextKey++);
    return k || 1;
  }
  var NO = ['rage', 'dead', 'error', 'slow', 'quick-back', 'thrash', 'field', 'abandon', 'js-error', 'request', 'vital'];
  var ANY_NO = NO.map(function (n) { return '[data-tp-no-' + n + ']'; }).join(',');
  // Every attribute that changes capture, in one selector: most clicks have none of them, and one
  // walk up the tree is cheaper than three.
  // A site's CSS selector list (data-ambient, data-ignore), each selector checked on its own: one
  // the browser refuses is left out, with a warning (one typo dropped the whole list: QA). Split
  // at the commas outside brackets and parentheses (`:is(a, b)`, `[title="a,b"]`).
  function sels(list, name) {
    var out = '', s = '', depth = 0, i, c;
    for (list = (list || '') + ',', i = 0; i < list.length; i++) {
      if ((c = list[i]) !== ',' || depth) {
        depth += c === '(' || c === '[' ? 1 : c === ')' || c === ']' ? -1 : 0;
        s += c;
      } else if (s.trim()) {
        try { d.createDocumentFragment().querySelector(s); out += ',' + s; } catch (e) {
          try { console.warn('touchpoint: data-' + name + ': not a CSS selector (left out):', s.trim()); } catch (x) {}
        }
        s = '';
      }
    }
    return out;
  }
  // As if marked data-tp-ignore: the dialogs of the consent platforms most shops use (their
  // toggles and buttons, in a container of their own added to the body, were a form the visitor
  // started and abandoned on every page: a third-party widgets QA; the visitor's choice reaches
  // Touchpoint through their API), and what the site names in data-ignore (a third party's
  // search layer, which the page cannot mark).
  // (The six most used: each name costs the page ~15 B gzip; others go in data-ignore.)
  var IGNORE = '[data-tp-ignore],#onetrust-consent-sdk,#CybotCookiebotDialog,#usercentrics-root,#didomi-host,.qc-cmp2-container,#truste-consent-track' +
    sels(ignoreSel, 'ignore');
  var SPECIAL = IGNORE + ',[data-tp-mask],[data-tp-event],[data-tp-ambient],' + ANY_NO;
  // An element's text, up to 400 characters (and a text node past them). Not textContent, which
  // makes the text of the whole subtree: a click on a page's background names <body>, whose text
  // on a shop holds its inline JSON (product data, analytics config: hundreds of KB), measured at
  // 0.2-1.4 ms a click in Chromium against 0.01 ms here; and the code of <script> and <style>
  // elements (CSS-in-JS puts its <style> inside components) was taken as the element's label.
  // (<noscript> holds its markup as text while scripts run.)
  function textOf(el, s) {
    // A <slot>'s text is what the page put in it (a design system's button labelled by its
    // slot): its own children are only its fallback.
    var l = el.assignedNodes && el.assignedNodes(), i, n;
    if (!l || !l.length) l = el.childNodes;
    // Not what a visitor typed: an editable element's text (a note typed into a saved order's
    // line, under the list a drag's click landed on: B2B QA) nor a textarea's (its default
    // value, which a server may have filled). (Its attribute, "true" or "plaintext-only", not
    // isContentEditable, which brings the page's style up to date inside the click's handler.)
    // A block's text is set apart from its neighbour's ("gate 4call" was one word). Nor the
    // head's (the title), for a click on the root: one a running view transition takes.
    for (i = 0; i < l.length && s.length < 400; i++) {
      n = l[i];
      if (n.nodeType === 3) s += n.data;
      else if (n.nodeType === 1 && !/^(script|style|noscript|textarea|head)$/i.test(n.tagName) && !/^[tp]/.test(n.contentEditable)) {
        if (/^(div|p|li|br|t[dhr]|h\d|d[dt])$/i.test(n.tagName)) s += ' ';
        s = textOf(n, s);
      }
    }
    return s;
  }
  // An element group (core::input::sensed): key, flags, silenced signals, then raw facts.
  // Never a field's value: only a button-like input's value attribute (its printed label), and
  // no text at all from fields and editable elements (a radio or checkbox has its label's).
  // `interactive`: a boolean, or the flags to start from (17: a disabled control's press).
  // `special`: el.closest(SPECIAL) when the caller has it (undefined: looked up here).
  function group(el, interactive, special) {
    var tag = el.tagName.toLowerCase(), type = attr(el, 'type').toLowerCase(), fl = interactive | 0, no = 0, i, e, r, sh;
    if (special === undefined) special = up(el, SPECIAL);
    // (A pointer cursor the whole page has, from its body, is no sign: the iOS workaround for
    // click delegation, `body { cursor: pointer }`, would make every paragraph a dead click.)
    // A zoom-in cursor is a lightbox's photo's promise (a broken one was no dead_click: a
    // publisher's QA).
    if (interactive || el.hasAttribute('onclick') || (w.getComputedStyle && /^(pointer|zoom-in)$/.test(getComputedStyle(el).cursor) &&
      getComputedStyle(d.body || d.documentElement).cursor !== 'pointer')) fl |= 2;
    // Clicks whose answer cannot be seen (fl 4: not judged by rage and dead clicks): in a field
    // they place the caret; on a canvas the answer is drawn, not put in the DOM; in a web
    // component that shows nothing but a closed shadow root the loader did not see attached
    // (no child nodes of its own, none that the page can see), the answer is in that root,
    // which no observer outside it reaches.
    // A colour input (or the swatch, its label, around one) opens the browser's picker, which
    // the page cannot see, as a select's list: its clicks were all dead (a configurator's QA).
    var ctl = tag === 'label' ? el.control : el;
    // (And a canvas's box: a 3D viewer's controls capture the pointer on the canvas's parent,
    // where its double clicks to zoom were rage clicks: a furniture store's QA.)
    if (el.isContentEditable || /^(textarea|select|canvas)$/.test(tag) || el.querySelector(':scope>canvas') || (tag.indexOf('-') > 0 && !el.shadowRoot && !(closedRoots && closedRoots.has(el)) && !el.firstChild) ||
      (tag === 'input' && !/^(button|submit|reset|image|checkbox|radio|range|file)$/.test(type)) || ctl && ctl.type === 'color') fl |= 4;
    // "Nothing happens in the page" is the expected outcome: a download, another window, the
    // phone or mail app, a file picker, or the element already is the current one (the tab
    // shown, the page's own nav link, the radio option already chosen: a radio is checked
    // before its click is dispatched, so a radio itself always, its label when its radio is),
    // or a link to where the visitor already is (a table of contents' entry for the section
    // the address names, marked by a class only, as most scrollspy scripts do: QA). Not a
    // placeholder's `#`, dead from its second click on too.
    if ((tag === 'a' && (el.href === location.href && !/#!?$/.test(el.href) || el.hasAttribute('download') || (el.target && el.target !== '_self') || /^(mailto|tel|sms):/i.test(attr(el, 'href')))) || (ctl && ctl.type === 'file') ||
      el.getAttribute('aria-selected') === 'true' || /^(page|step|location|true)$/.test(el.getAttribute('aria-current')) ||
      el.getAttribute('aria-pressed') === 'true' || (el.getAttribute('aria-checked') === 'true' && /^(menuitem)?radio$/.test(attr(el, 'role'))) ||
      // (A label's click handed to its radio, `labelled`, before the radio is chosen: the choice
      // is its answer, and none, the page cancelling it, a dead click: a configurator's QA.)
      (ctl && ctl.type === 'radio' && (ctl === el && !(labelled && labelled[0] === el && labelled[1] === evAt) || ctl.checked))) fl |= 8;
    // Disabled through ARIA (a design system's button that stays focusable, and gets its clicks),
    // or by a class (a quantity stepper's "-" at 1 in Shopify's Dawn theme, Bootstrap's
    // `.btn.disabled`): judged like a disabled control (core::input::SENSED_DISABLED).
    // (Or an input's label: a configurator's option greyed out on its <label aria-disabled>.)
    if (ariaOff(el) || tag === 'input' && [].some.call(el.labels || [], ariaOff)) fl |= 16;
    if (special) for (i = 0; i < NO.length; i++) if (up(el, '[data-tp-no-' + NO[i] + ']')) no |= 1 << i;
    // (An input's text is its label's: a radio's "Size M".)
    var value = tag === 'input' && /^(submit|button|reset)$/.test(type) ? attr(el, 'value') : '',
      text = fl & 4 || !(e = tag === 'input' ? el.labels && el.labels[0] : el) ? '' : (saying ? unsaid : hide)(f(textOf(e, '').slice(0, 400)));
    r = [key(el), fl, no, tag, attr(el, 'id'), type, attr(el, 'autocomplete'), attr(el, 'name'), special && up(el, '[data-tp-mask]') || suggested(el) || keyOf(el, text || value) ? 1 : 0,
      // (A title when nothing else names it: a colour swatch, a div with only its title, had
      // no text at all: a configurator's QA. An input's: its label's name when the label has
      // no text, a swatch's hidden radio in <label title="Sand">: every colour was one click.)
      // (Never `false`, which join() writes: a textarea's or an icon's name was "false".)
      groupName || attr(el, 'aria-label') || attr(el, 'alt') || (text.trim() ? '' : attr(el, 'title') || (e = tag === 'input' && el.labels && el.labels[0]) && (attr(e, 'aria-label') || attr(e, 'title')) || ''), value, text];
    // The path crosses an open shadow root to its host; ids inside one are the component's own
    // (every <qty-picker> has its #inc), so the selector goes on to the host's: `#cart-qty > button`.
    for (i = 0, e = el, sh = el.getRootNode().host; e && i < 4; i++) {
      r.push(e.tagName.toLowerCase(), sh ? '' : attr(e, 'id'), attr(e, 'class'));
      if (!(e = e.parentElement) && sh) e = sh, sh = e.getRootNode().host;
    }
    return r.join(US);
  }
  // el.closest(s), on through the hosts of the shadow roots el is in; for an element of the last
  // click's path through a web component (`flat`), along that path: the flat tree, where the
  // page's text slotted in a design system's <ds-button> is inside its <button>, under the
  // component's data-tp-event or data-tp-mask around the slot (such a click was no click, its
  // declared add_to_cart lost, a masked address sent: a web components QA).
  var flat = null;
  // An option a text box suggests as the visitor types (an address, a name, a passenger
  // completed): its text is what goes into the field, never sent (it was, on the option's click:
  // a booking wizard's QA). Its listbox is the one a text box, or a combobox around one, controls.
  function suggested(el) {
    var l = (el = up(el, '[role=option]')) && el.closest('[role=listbox]'), c;
    try { c = l && l.id && d.querySelector('[aria-controls~="' + l.id + '"],[aria-owns~="' + l.id + '"]'); } catch (e) {}
    return c && (c.matches('input,[contenteditable]') || c.querySelector('input'));
  }
  // A key of an on-screen keyboard or keypad (a kiosk's, a PIN pad's): one character (`text`,
  // the text group() reads anyway: not textContent, the whole subtree's at every click) on a
  // control with ten or more others within two levels up (the grandparent's: it holds the
  // parent's). Its text, click after click, spells what the visitor typed: masked (a kiosk QA
  // rebuilt a loyalty card number and a postcode).
  // (Not an icon named by a phrase, aria-label="Save Brass lamp": a results grid's hearts, each
  // card's buttons within two levels, were all nameless: a marketplace's QA.)
  // (Ten of them keys of one character: a product's buy box holds ten buttons and more, and its
  // sizes S, M, L and 7 were sent without their text: a fashion retailer's QA.)
  function keyOf(el, text) {
    var q = el.parentElement;
    return text.trim().length === 1 && !/ /.test(attr(el, 'aria-label').trim()) && (q = q && q.parentElement) &&
      [].filter.call(q.querySelectorAll('button,[role=button]'), function (b) { return b.textContent.trim().length === 1; }).length > 9;
  }
  function up(el, s) {
    var i = flat ? flat.indexOf(el) : -1, x;
    if (i >= 0) {
      for (; i < flat.length; i++) if ((x = flat[i]).matches && x.matches(s)) return x;
      return null;
    }
    for (; el && !(x = el.closest(s)); ) el = el.getRootNode().host;
    return x;
  }

  // While a click waits for a response (the engine says so with watch()), DOM changes and the
  // other signs of a response are reported; otherwise the MutationObserver is disconnected.
  // pressSends: the last press was a submit button's (or Enter in a form); checked: the fields
  // a check after any other press found invalid (see `invalid`).
  var pressSends = false, checked = null, pressAt = 0, pressed = 0, pressEl, pressPath, pressing = false, releasing = false, pressAnswer = false, watching = false, mo = null, clickedEl = null, undone = [], born = [], lastUser = 0, lastField = null, reqId = 0, responded = false, selected = false;
  // One response record per scheduled task is enough: only the first one after a click matters.
  // A text selection is reported apart: it answers a double or triple click but not a longer
  // burst (core::friction::rage), so it must not hide a real response after it.
  // `own`: the element whose value changed (an input event), if any. The pressed control's own
  // value changing between its press and its click (a range's value set at mousedown, or
  // dragged) answers that click, as what its press's handlers do.
  function respond(kind, own) {
    if (!watching) return;
    pendQuiet = 0;
    var e = releasing && w.event;
    // (And the click's own handlers that run before the loader's: the page's capture listener on
    // the window, or on the document added before it, delegating every action of a shop: its
    // "Quick add" answered before the click was told, and was a dead_click: a mobile shop's QA.)
    if ((pressing || own && own === pressEl || e && e.isTrusted && /(up|click)$/.test(e.type)) && now() - pressed < 1000) { pressAnswer = true; return; }
    if (kind === 'l') { if (!selected) { selected = true; push(rec('r', now(), kind)); } return; }
    if (!responded) { responded = true; push(rec('r', now(), kind)); }
  }
  // The first DOM change after a click is all the engine needs: the observer disconnects at it
  // and is connected again by the next click, so a busy page pays for one callback per click.
  var observing = false, MO_OPTS = { subtree: true, childList: true, attributes: true, attributeOldValue: true, characterData: true };
  // The page starts leaving (a link followed, a form submitted, location.href set, history.back()
  // to another document): that answers the click, although the page shows nothing until the
  // next one arrives, seconds later from a slow server. The Navigation API's navigate event
  // (listened to for good, see observe) tells it where there is one; elsewhere beforeunload,
  // whose listener is there only while a click waits, as bfcache advice asks (Firefox keeps no
  // page with one in its back/forward cache). Not beforeunload everywhere: adding and removing
  // its listener costs ~40 us in Chromium (the browser process is told), twice per click.
  // A form button's moment still open (formGo): its page is left, though the next page may take
  // seconds to arrive on a slow network (a "Pay" whose thanks page comes 5 s after the payment's
  // answer was a form_abandon): the view's end is within the moment.
  function leaving() { respond('u'); if (formGo && now() < goBy) goBy = now() + 30000; }
  // A keyboard visitor's Tab moves the focus as a mouse's press does: no answer to a click still
  // waiting (a dead button activated by Enter, then Tab to the next one). Listened to while a
  // keyboard's click (`keys`) waits only: a key listener at every keystroke costs typing ~20 us a
  // key, and adding and removing it at every mouse click cost the bench's workload ~8 ms.
  // And Enter held down: its auto-repeat clicks the focused button again and again (~30 times a
  // second), one press of the visitor's, not a burst of them (a rage click): from its first
  // repeat until Enter is let go (`held`), a keyboard's click is not judged. (The first repeat
  // after an answered click is not seen, this listener being off then: two clicks judged.) Any
  // other key, or Enter pressed anew, ends `held` too: its keyup may have come while the page
  // had no focus.
  var tabAt = 0, tabOn = false, held = false, keyOpts = { capture: true, passive: true, signal: signal || undefined };
  function tabbed(e) {
    if (!e.isTrusted) return;
    if (e.key === 'Tab') tabAt = now();
    // (addEventListener and removeEventListener return undefined: held is set true, then false)
    held = e.repeat && e.key === 'Enter' && (held || !w.addEventListener('keyup', unheld, keyOpts));
  }
  function unheld(e) {
    if (e.key === 'Enter') held = !!w.removeEventListener('keyup', unheld, true);
  }
  // The open roots of components made before the loader ran (defined by a script that ran first:
  // the async tag races the page's own), found once, at the first click whose path crosses a
  // shadow root (a page without components pays nothing); 1-2 ms on a page of 5,000 elements.
  var scanned = false;
  function findRoots(n) {
    for (var l = n.querySelectorAll('*'), i = 0, r; i < l.length; i++) if ((r = l[i].shadowRoot)) {
      if (shadowRoots.indexOf(r) < 0) shadowRoots.push(r);
      findRoots(r);
    }
  }
  // (Those whose host left the page are forgotten: a router's views come and go. Not the debug
  // overlay's: its list of events redrawn at each one answered every click.)
  function observeRoots() {
    for (var i = 0, keep = [], r; i < shadowRoots.length; i++) if ((r = shadowRoots[i]).host.isConnected) {
      if (!r.host.hasAttribute('data-touchpoint-overlay')) mo.observe(r, MO_OPTS);
      keep.push(r);
    }
    shadowRoots = keep;
  }
  // Whether `e` (window.event) is the visitor's input, whose handlers (and their microtasks) run:
  // what they change answers the click (see watch), what they send is their request (see the
  // WebSocket wrapper).
  function visitors(e) { return e && e.isTrusted && /^(click|pointer|mouse|key|touch|input|change|submit)/.test(e.type); }
  function watch(on, keys) {
    if (on !== watching && !w.navigation) w[on ? 'addEventListener' : 'removeEventListener']('beforeunload', leaving, signal ? { signal: signal } : false);
    if ((keys = on && (keys || tabOn)) !== tabOn) w[(tabOn = keys) ? 'addEventListener' : 'removeEventListener']('keydown', tabbed, keyOpts);
    if (on && !observing && w.MutationObserver) {
      mo = mo || new MutationObserver(function (records) {
        // An element that changes on its own (a countdown, a live ticker: marked data-tp-ambient,
        // named in data-ambient or learned, see `ambient`; added or taken away whole, see `moved`)
        // answers only a click inside it, or a click (a press, a key)
        // whose own handlers changed it: window.event is then the visitor's event (also in the
        // microtasks after a handler, where frameworks render), and not for a timer's tick, a
        // video's timeupdate or a socket's message (checked in Chromium, Firefox and WebKit).
        var e = w.event, own = visitors(e),
          // The end of a transition begun before (a router's view sliding in: Vue's <Transition>
          // drops its classes and the view left at transitionend, Svelte's at its animation's
          // finish) answers no click: a dead button clicked as the view came in was answered by
          // it, and the first second of every view was blind to dead and rage clicks (QA).
          ended = e && /^(transitionend|animationend|finish)$/.test(e.type),
          // Nor what the pointer's motion changes, out of a press (a custom cursor following the
          // mouse, a hover reveal, a menu opened on hover): every dead and rage click of a brand
          // site with a custom cursor was answered by it, marked data-tp-ambient or not (QA). (In
          // a press, a drag's own handlers: a slider's thumb following the pointer.)
          hover = e && !pressed && /(move|over|out|enter|leave)$/.test(e.type);
        for (var i = 0, n, a; i < records.length; i++) {
          loads(records[i].addedNodes);
          if (ended || hover || deco(records[i])) continue;
          // The clicked control's own pending state (disabled, aria-busy, "Adding…") while the
          // request the click started is on its way answers nothing yet: the click waits for the
          // request (a dead click if it hangs 7 s). Each stuck submit with a pending state was
          // answered by it, and given up on, no trace (a React Router QA). Nor, after it, that
          // state taken off again, an attribute back to its value before (htmx's htmx-request
          // class, Turbo's aria-busy: a "Notify me" answered 204, showing nothing, was answered
          // by its class's removal: an htmx storefront's QA). (`undone`: the values before.)
          if (clickedEl && clickedEl.contains(n = records[i].target) && (a = records[i].attributeName)) {
            if (clickReqs) { if (!undone.some(function (u) { return u[0] === n && u[1] === a; })) undone.push([n, a, records[i].oldValue]); continue; }
            if (undone.some(function (u) { return u[0] === n && u[1] === a && u[2] === n.getAttribute(a); })) continue;
          }
          if (clickReqs && clickedEl && clickedEl.contains(records[i].target)) continue;
          // What an earlier click's handlers put in the page and a timer takes away (an "Added
          // to basket" toast gone after 2 s) answers no later click: the "+" at its maximum
          // tapped meanwhile was no dead_click (a grocery shop's QA). (`born`: the last 8 such.)
          if (!own && !records[i].addedNodes.length && records[i].removedNodes.length && [].every.call(records[i].removedNodes, function (x) { return born.indexOf(x) >= 0; })) continue;
          // Nor a list grown at its end while the visitor scrolls (an infinite feed's next cards,
          // its loader's, within 3 s of the document's scroll), when the click asked for nothing
          // ("Load more" did): a dead Compare clicked after a flick was answered by the next 24
          // cards (a marketplace's QA).
          if (!own && asked !== clickNo && now() - scrollAt < 3000 && grown(records[i])) continue;
          n = ambient(records[i].target, records[i].type === 'attributes') || moved(records[i]);
          if (!n || own || n.contains(clickedEl)) {
            // (Small ones only, as a toast is, and the view's: a view's root its router drew
            // after a click, kept here, kept whole replaced views alive.)
            for (; own && i < records.length; i++) [].forEach.call(records[i].addedNodes, function (x) { if (x.nodeType === 1 && x.getElementsByTagName('*').length < 30 && born.push(x) > 8) born.shift(); });
            mo.disconnect(); observing = false; respond('m'); return;
          }
        }
      });
      mo.observe(d, MO_OPTS);
      observeRoots();
      observing = true;
    }
    if (!on && observing) { mo.disconnect(); observing = false; }
    watching = on;
  }

  // A script the page puts in while a click waits (a lazy modal's, a code-split chunk: webpack
  // loads one so) is waited for as a request is: on a slow network it arrives after the click's
  // second, and what it shows then is the answer (8 of 8 working buttons were dead_clicks at
  // 2 s latency). Its insertion answers nothing (a tag manager's tag at every click): request
  // id 0, no answer to a rage burst; its end is no request's failure (status 1, not first party).
  function loads(l) {
    for (var i = 0, n; i < l.length; i++) if ((n = l[i]).tagName === 'SCRIPT' && n.src) {
      push(rec('q', now(), 0, 's'));
      n.addEventListener('load', loaded);
      n.addEventListener('error', loaded);
    }
  }
  var loaded = guard(function () { push(rec('q', now(), 0, 'e', '', '', 1, 0, 0)); });
  // Elements that change on their own while nobody does anything (a countdown, a "12 people
  // viewing" line, a ticker, a carousel turning by itself) would answer every click made
  // meanwhile: a page with a countdown had no dead or rage click at all. Besides those marked
  // data-tp-ambient, they are learned in the page's first LEARN_MS, from changes at regular
  // intervals (3 changes, counted at least 250 ms apart, the two intervals within 25 % of each
  // other) while no click or press waited and no wheel or key was used for 1.5 s. A menu the
  // pointer opens changes when the pointer comes, not by the clock. 35 s: a carousel's turns
  // come every 3-7 s (Slick and Swiper default to 3 s, Bootstrap to 5 s), a hero banner's or an
  // announcement bar's every 8-10 s, and three must be seen (20 s learned turns of 7 s at most;
  // the longer window costs a busy page the learning observer's callbacks for 15 s more).
  // - An element with at most 5 elements inside is learned from its own changes.
  // - A larger one (at most 99 inside, not the body or the root) only from attribute changes,
  //   its own or its children's, and then only attribute changes inside it are its own: a
  //   carousel's turn moves its track and marks a slide and a dot (each of which alone changes
  //   at irregular times), while content a click puts in it still answers. Not from changes
  //   further below: a header was learned from the announcement rotating in it, and then the
  //   drawer a click opened in it answered nothing.
  var LEARN_MS = 35000, learned = [], learnedAttrs = [], changes = w.WeakMap && new WeakMap(), lo = null, loTimer = 0;
  // Learning, in the page's first LEARN_MS and again in the first LEARN_MS of each new view of a
  // single-page app (route): a view brings its own countdowns and carousels ("order within
  // 2 h 13 min" on a product page), which were never learned when the visitor came to it by
  // the app's router. The elements learned that left the page are forgotten (at most 12 are
  // kept). Not once the sensors are done (pointOpts 0) or while nothing could be kept.
  function relearn() {
    if (!lo || !pointOpts || !sensing) return;
    function inPage(n) { return n.isConnected; }
    learned = learned.filter(inPage);
    learnedAttrs = learnedAttrs.filter(inPage);
    lo.observe(d, MO_OPTS); // (observing again only renews the options)
    clearTimeout(loTimer);
    loTimer = setTimeout(function () { lo.disconnect(); }, LEARN_MS);
  }
  // Besides those marked data-tp-ambient, those the site names in data-ambient (a CSS selector
  // list): the widgets of third parties, which it cannot mark (a sales-pop toast, a chat
  // launcher). A selector the browser refuses is ignored, with a warning.
  var AMBIENT = '[data-tp-ambient]' + sels(ambientSel, 'ambient');
  function learn(records) {
    var t = now(), i, j, r, n, c, k, p, u;
    // A page with no data-tp-view yet (so no observer of its own, see views()) whose route
    // renders one after the view settled (its data fetched first): found in the learning
    // window after each route change, then observed from there on.
    // (Until the observer exists: once views() made it, the records left are not looked at.)
    for (i = 0; !vo && i < records.length; i++) for (r = records[i].addedNodes, j = 0; !vo && j < r.length; j++) {
      n = r[j];
      if (n.nodeType === 1 && (n.hasAttribute('data-tp-view') || n.firstElementChild && n.querySelector('[data-tp-view]'))) views();
    }
    if (watching || t - lastUser < 1500 || busy || t - busyEnd < 1500) return;
    for (i = 0; i < records.length && i < 50; i++) {
      r = records[i];
      for (j = 0, n = elOf(r.target); n && j < (r.type === 'attributes' ? 2 : 1); j++, n = n.parentElement) {
        c = changes.get(n) || [];
        if (!holder(learned, n) && learnedAttrs.indexOf(n) < 0 && !(t - c[c.length - 1] < 250)) {
          c.push(t);
          changes.set(n, c = c.slice(-3));
          if (c.length > 2 && Math.abs(c[2] - 2 * c[1] + c[0]) < (c[2] - c[0]) / 8) {
            k = n.getElementsByTagName('*').length;
            // The third learned within an element up to 3 levels above (a ticker's prices, each
            // in its item of one list; a row of live figures): that element is, in their place,
            // unless it is large, so that a ticker of more cells than are kept still answers no
            // click outside it (13 ticking cells filled the list, and every dead click of the
            // page was answered: QA).
            for (p = n.parentElement, u = 0; !j && k < 6 && p && u < 3 && learned.filter(function (x) { return !p.contains(x); }).length > learned.length - 2; u++) p = p.parentElement;
            if (u < 3 && p && !j && k < 6 && p !== d.body && p !== d.documentElement && p.getElementsByTagName('*').length < 100) {
              learned = learned.filter(function (x) { return !p.contains(x); }).concat(p);
            } else if (learned.length + learnedAttrs.length > 11) break;
            else if (!j && k < 6) learned.push(n);
            else if (r.type === 'attributes' && k < 100 && n !== d.body && n !== d.documentElement) learnedAttrs.push(n);
          }
        }
      }
    }
  }
  // Motion a script keeps up by itself answers no click: a ticker or a slideshow scrolled every
  // frame, a slideshow's video played again by a timer. An element seen scrolling (within
  // the last 150 ms) or its media played, paused or moved (within 10 s) while no click waited
  // is moving, and so is one that goes on; its scrolls and media calls answer only a click
  // inside it, or the click's own handler (window.event), as marked and learned elements'
  // changes do. (Elements only: see the scroll listener.)
  var motion = w.WeakMap && new WeakMap();
  function moving(el, within) {
    var t = now(), was = motion && el && motion.get(el), on = was && t - was < within;
    if (!motion || !el) return false;
    if (!watching || on) motion.set(el, t);
    var e = w.event;
    return !watching || on && !el.contains(clickedEl) && !(e && e.isTrusted && /^(click|pointer|mouse|key|touch)/.test(e.type));
  }
  // A change that only appends elements at the end of a list of more than 10 (see watch).
  var scrollAt = -1e4, asked = 0;
  function grown(r) {
    var a = r.addedNodes;
    return a.length && !r.removedNodes.length && !a[a.length - 1].nextSibling && r.target.childElementCount > 10 && !r.target.contains(clickedEl);
  }
  // Node `n` if it is an element, else (a text node, a document, a shadow root) its parent element.
  function elOf(n) { return n.nodeType === 1 ? n : n.parentElement; }
  // The element, marked or learned, that changes on its own and holds node `n`; falsy if none.
  // `attrs`: the change is an attribute's (the larger learned elements count too).
  // (Through shadow roots, to their hosts: a widget that draws its toasts in a root of its own,
  // named by its host in data-ambient, answered every click: a third-party widgets QA.)
  function ambient(n, attrs) {
    for (var a, e = elOf(n) || n.host; e && !(a = e.closest(AMBIENT) || holder(learned, e) || (attrs && holder(learnedAttrs, e))); e = e.getRootNode().host);
    return a;
  }
  // The nodes a record added to the body or took from it (a toast appended, then removed) when
  // each is an element marked or named as changing on its own (or blank text): the first of them;
  // undefined otherwise. Only the body's: asked for every record the click-response observer
  // sees, looking at the nodes of all of them cost ~35 us a callback (bench/entry-points.mjs); a
  // widget that puts its toasts in a container of its own is named by that container. (Not
  // learned elements either: those are known in place only.)
  function moved(r) {
    if (r.target !== d.body) return;
    for (var k = 0, l, i; k < 2; k++) {
      for (l = k ? r.removedNodes : r.addedNodes, i = 0; i < l.length; i++) {
        if (l[i].nodeType === 1 ? !l[i].matches(AMBIENT) : !/^\s*$/.test(l[i].data)) return;
      }
    }
    return r.addedNodes[0] || r.removedNodes[0];
  }
  // Press feedback that UI kits draw at every press, whether the control does anything or not,
  // answers nothing: every dead or rage-clicked button of those kits was answered by it.
  // - Ripples (Material UI's TouchRipple, Angular Material's, Vuetify's, Quasar's, Materialize's
  //   waves-ripple), PrimeReact's and PrimeNG's ink, and the waves of Ant Design and Naive UI: a
  //   change to such an element, or one adding or removing only such elements (and the next
  //   click was answered by its removal). Not a ripple class on the clicked element or around it
  //   (MDC's mdc-ripple-upgraded button): its other changes answer. Ant Design 5 puts its wave in
  //   a holder with no class, empty when it comes and when it goes (2 s after the click,
  //   answering any click made meanwhile): an empty element with no attribute but a style that
  //   places it absolutely shows nothing of its own, and is no answer either. Ant Design 4 (and
  //   ng-zorro-antd, Ant Design Vue 1-3) sets an ant-click-animating* attribute on the button,
  //   and writes a coloured button's wave colour in a <style> (its rule names that attribute),
  //   put in, emptied or taken out: neither is an answer.
  // - The pressed, hovered or focused state a control reflects, whichever control: React Aria's
  //   data-pressed, data-hovered, data-focused, data-focus-visible; Headless UI's data-hover,
  //   data-focus and (on the clicked control or around it) data-active; Angular CDK's
  //   cdk-*-focused classes, Ionic's ion-activated and ion-focused, and the focus-visible
  //   polyfill's class, when a class change adds or removes only those; MDC Web's ripple
  //   (material-components-web, Svelte Material UI), drawn by the control's own classes
  //   (mdc-ripple-upgraded--*) and the custom properties it sets in its style (--mdc-ripple-*).
  //   (A control the visitor pressed before loses its focus or pressed state as the next press
  //   begins: that answered it.)
  function only(x, y) { return x.every(function (c) { return !c || y.indexOf(c) >= 0 || /^(cdk(-\w+)?-focused|focus-visible|ion-(activated|focused)|mdc-ripple-upgraded--.*)$/.test(c); }); }
  // A style attribute without MDC's ripple properties (--mdc-ripple-fg-size: 40px;).
  // (Spaces and semicolons left out: a style set through the CSSOM is written back its own way,
  // `cursor:pointer` becoming `cursor: pointer;`.)
  // (Nor the cursor: a map's pan code sets `cursor: grabbing` at every press, which answered
  // every click on its seats: a ticketing QA.)
  function unrippled(v, t) { return (v || '').replace(t.hasAttribute('data-tp-outlined') ? /(--mdc-ripple|outline|cursor)[^;]*|[\s;]/g : /(--mdc-ripple|cursor)[^;]*|[\s;]/g, ''); }
  // (`moved`: added or removed, when an empty holder counts too; a change to one, a progress
  // bar's width, may be an answer.)
  // Nor does what a tag manager puts in the page at a click (Google Tag Manager's click trigger
  // firing a Custom HTML tag: its script elements, a tracking pixel, blank text), which nobody
  // sees: every dead and rage click of such a shop was answered by its tag.
  // Nor Touchpoint's own debug overlay, which mounts its panel when its script arrives: late on
  // a slow machine, when it answered a click still waiting.
  function isDeco(n, moved) {
    // (A resource hint too: a router's prefetch on hover, `<link rel=prefetch|preload|modulepreload|
    // preconnect|dns-prefetch>`, answered a dead click made just before: a React Router QA.)
    return moved && (n.nodeType === 3 ? !n.data.trim() : /^(SCRIPT|NOSCRIPT|META)$/.test(n.tagName) || n.tagName === 'LINK' && /pre|dns/i.test(n.rel) || n.tagName === 'IMG' && n.width <= 1 && n.height <= 1 && n.hasAttribute('width')) ||
      /ant-click-animating/.test(n.nodeType === 3 ? n.data : n.tagName === 'STYLE' && n.textContent) ||
      n.nodeType === 1 && (/ripple|(^|\s)(p-ink|ant-wave|n-base-wave|ant-click-animating-node)(\s|$)/i.test(n.getAttribute('class')) || n.hasAttribute('data-touchpoint-overlay') ||
      (moved && !n.firstChild && n.attributes.length === 1 && n.style && n.style.position === 'absolute'));
  }
  function deco(r) {
    var t = r.target, a = r.attributeName, k, l, i, on = t.contains(clickedEl) || t.contains(pressEl);
    // The document's title, which no one sees change in the page (a router's afterEach writes
    // it also for a navigation its guard cancelled: that link's clicks were answered by it).
    if ((t.nodeType === 3 ? t.parentNode : t).nodeName === 'TITLE') return true;
    if (isDeco(t) && !on) return true;
    if (a) {
      // An attribute written again unchanged (a stock poll setting a sold-out size disabled
      // again: nothing changes on screen) answers nothing (a dead Buy clicked meanwhile was
      // none: a sneaker drop's QA).
      if (r.oldValue === t.getAttribute(a)) return true;
      // (data-active only on the control: elsewhere it may be what a click made active.)
      if (/^(data-(press|hover|focus)(ed)?(-visible)?|ant-click-animating.*)$/.test(a) || (on && a === 'data-active')) return true;
      // (Each class in one list and not the other must be a focus state.)
      k = (r.oldValue || '').split(/\s+/);
      l = (t.getAttribute('class') || '').split(/\s+/);
      // (The debug overlay's outline of a friction event's element, data-tp-outlined, neither.)
      return a === 'class' ? only(k, l) && only(l, k) : a === 'data-tp-outlined' || a === 'style' && unrippled(r.oldValue, t) === unrippled(t.getAttribute('style'), t);
    }
    if (r.type !== 'childList') return false;
    for (k = 0; k < 2; k++) for (l = k ? r.removedNodes : r.addedNodes, i = 0; i < l.length; i++) if (!isDeco(l[i], 1)) return false;
    return true;
  }
  // The element of list `l` that holds node `n`, if any.
  function holder(l, n) {
    for (var i = 0; i < l.length; i++) if (l[i].contains(n)) return l[i];
  }

  // A declarative event (data-tp-event): name, data-tp-props, then data-tp-prop-* pairs, each
  // name after `data-tp-prop-` with its hyphens as `_` (`item-id` gives `item_id`; letters of any
  // script kept: `größe`, `色`; the core's ASCII event-name rule made `gr_e` of the first).
  function declared(el) { push(decl(el)); }
  function decl(el) {
    var r = ['m', now(), attr(el, 'data-tp-event'), attr(el, 'data-tp-props')], a = el.attributes, i;
    for (i = 0; i < a.length; i++) if (a[i].name.indexOf('data-tp-prop-') === 0) r.push(f(a[i].name.slice(13).replace(/-/g, '_')), f(a[i].value));
    return r.join(US);
  }

  // CSS-only menus and tooltips: a rule that shows something when an element has the focus or
  // holds it (`.nav li:focus-within > ul`, `.tip:focus + .text`, Tailwind's `group-focus-within:`
  // and `peer-focus:`) makes the focus a press gives its own element an answer to that click,
  // although no DOM change or focus move elsewhere says so. Such a click is looked at when it is
  // still unanswered at the hand-over after it, with no request started either (`focusPress`:
  // the element its press focused and the one that had the focus before; `focusCands` once the
  // click came, with the place after its record in the queue and its time), and only then are
  // the page's style rules read: reading them costs ~6 ms of main thread per 1,000 rules the
  // first time (the browser makes an object for each), which a page without such a click never
  // pays, and only the first 4,000 rules are read (a 10,000-rule page took 57 ms). From each
  // selector with a
  // :focus or :focus-within compound that has something after it to show, the part up to that
  // compound is kept without the pseudo-class (`.nav li:focus-within > ul` gives `.nav li`, with
  // the rest `> ul`; `.tip:focus + .text` gives `.tip`): the element the press focused matched
  // it then, whatever the visitor did since (a menu item clicked within the 400 ms).
  // Read again when the number of sheets or of their rules changed (CSS-in-JS adds rules to a
  // sheet it has). Not answers: rules that only style the focused element (a focus ring), rules
  // that set no property showing or hiding something (colours, outlines), :focus-visible (a
  // mouse's focus on a button does not match it), :not(:focus), :has(:focus) (its part would
  // lose what holds it). Not seen: the rules of another origin's sheets without CORS (the
  // browser hides them), rules nested in another (CSS nesting) or in a shadow root.
  // A touch's tap leaves its element hovered (as long as nothing else is tapped): on a touch
  // screen a menu shown by :hover (`.nav li:hover > ul`) answers the tap that opened it; with a
  // mouse it was open before the click (hoverShow, looked at for touch presses only).
  // Each sheet's parts are kept with how far it was read (`memo`: its rule count then, the rules
  // read, the last rule): a sheet is read again only when it changed, and one that only grew at
  // its end (CSS-in-JS inserting each new component's rules: emotion, styled-components) only
  // from where it ended. Reading every sheet again at each change cost 8-15 ms per unanswered
  // click on such a page with 20,000 rules.
  var focusShow = [], hoverShow = [], memo = w.WeakMap && new WeakMap(), sheetsN = -1, focusPress = null, focusCands = [], pressTouch = 0, lastTap = null;
  function focusRules() {
    var ss = d.styleSheets, parts = [], hparts = [], i, seen = 0, was, m, rules, n, changed = ss.length !== sheetsN;
    // (The top-level index reached: a sheet over the 4,000 rules' budget is read no further.)
    function walk(rules, i) {
      for (var r; i < rules.length && seen < 4000; i++) {
        seen++;
        r = rules[i];
        if (r.selectorText) { focusParts(r, m.p); focusParts(r, m.h, 1); }
        else if (r.cssRules) walk(r.cssRules, 0); // @media, @supports, @layer, @container
      }
      return i;
    }
    sheetsN = ss.length;
    for (i = 0; i < ss.length; i++) {
      try { rules = ss[i].cssRules; n = rules.length; } catch (e) { continue; }
      m = memo && memo.get(ss[i]); // (without WeakMap: every sheet read each time, as before)
      // (Fewer rules, or rules inserted before the last one read, which moved it: read again.)
      if (!m || n < m.n || n > m.n && m.n && rules[m.n - 1] !== m.last) { m = { n: 0, c: 0, p: [], h: [] }; changed = 1; if (memo) memo.set(ss[i], m); }
      was = seen += m.c;
      if (n > m.n && seen < 4000) {
        m.n = walk(rules, m.n);
        m.c += seen - was;
        m.last = rules[m.n - 1];
        changed = 1;
      }
      parts.push.apply(parts, m.p);
      hparts.push.apply(hparts, m.h);
    }
    // (New lists only when something changed: each keeps its selector lists, see shownBy.)
    if (changed) {
      focusShow = parts;
      hoverShow = hparts;
    }
  }
  // Whether the focus that element `c` got from element `from` showed something (see
  // focusRules): a part of a rule matched it (:focus) or an element holding it (:focus-within),
  // that element did not hold `from` (the menu was not open already), and the rule has what it
  // shows inside it (`li:focus-within > ul`: a product card's `li` with no `ul` shows nothing) or
  // next to it (`+ .hint`, `~ .panel`: see after). A part the browser refuses throws: skipped.
  // (`touch`: 1, a tap that focused its element, whose :hover rules count too; 2, a tap that
  // focused nothing, whose :hover rules alone count.)
  function focusShown(c, from, touch) {
    return !(touch > 1) && shownBy(focusShow, c, from) || touch && shownBy(hoverShow, c, from);
  }
  // Most unanswered clicks match no part: asked first of all the parts at once, as two selector
  // lists the browser matches natively (`l.w`, the parts held like :focus-within, for closest();
  // `l.f`, the :focus ones, for matches()), instead of one call per part (1,600 parts from the
  // first 4,000 rules of a large theme: 3-5 ms a click). A part the browser refuses makes its
  // list throw: then each part is asked, as before.
  function shownBy(l, c, from) {
    function list(within) { return l.filter(function (p) { return !p[2] === !within; }).map(function (p) { return p[0]; }).join(); }
    if (l.w == null) { l.w = list(1); l.f = list(0); }
    try { if (!(l.w && c.closest(l.w)) && !(l.f && c.matches(l.f))) return; } catch (e) {}
    for (var i = 0, p, x; i < l.length; i++) {
      p = l[i];
      try {
        x = p[2] ? c.closest(p[0]) : c.matches(p[0]) && c;
        if (x && !x.contains(from) && (/^\s*[+~]/.test(p[1]) ? after(x, p[1]) : x.querySelector(':scope' + p[1]))) return 1;
      } catch (e) {}
    }
  }
  // Whether what a rule shows next to element `x` (its rest: `+ .hint`, `~ .panel`) is there:
  // asked with :has(), which older browsers refuse (then it is taken as there: a look-up's
  // error must not turn an answered click into a dead one).
  function after(x, rest) {
    try { return x.matches(':has(' + rest + ')'); } catch (e) { return 1; }
  }
  // At each hand-over: a click whose press focused its own element (see focusRules), not
  // followed by a response since, was answered by a menu or tooltip the focus showed: a
  // response record goes right after its click, with its time. (With data-dead-click-ms under
  // the hand-over's 400 ms, the verdict can come first.)
  function focusAnswer() {
    for (var l = focusCands, k = l.length; k--;) {
      // (A toggle taken from the page changed the DOM: that answer is in the queue. A request
      // started since is the page at work on it (an "Add to cart" answered after 600 ms): not
      // looked up, so the rules are not read for it. A style sheet of a kind not foreseen that
      // throws gives no answer, and Touchpoint stays on.)
      if (watching && !queue.slice(l[k][2]).some(function (x) { return /^[rq]/.test(x); })) {
        try { focusRules(); if (focusShown(l[k][0], l[k][1], l[k][4])) queue.splice(l[k][2], 0, rec('r', l[k][3], 'f')); } catch (e) {}
      }
    }
    focusCands = [];
  }

  // A disabled control gets no mousedown and no click, only pointer events: its press is
  // reported as its click (core::input::SENSED_DISABLED: rage, never dead, no click event), by
  // the pointerdown sensor. Its element or one of the two above it (a button's icon or label),
  // disabled by its own attribute or by a disabled fieldset around it (a form locked while it is
  // sent): a property read each, and a selector match for the form controls among them only
  // (el.closest(':disabled') at every press cost ~10 us more). The click sensor walks up again
  // only after a press found a disabled control (`pressDis`): ~10 us a click saved.
  var pressDis;
  // Also the label of a disabled control (a sold-out size: a disabled radio's label, which gets
  // its clicks and does nothing), itself the element pressed.
  function disabledOf(n) {
    for (var i = 0; n && i < 3; i++, n = n.assignedSlot || n.parentElement) if (n.disabled != null && n.matches(':disabled') && /^(BUTTON|INPUT|SELECT|TEXTAREA)$/.test(n.tagName) || n.control && n.control.disabled) return n;
  }
  // `dis`: the disabled control pressed (from the pointerdown sensor).
  function click(e, dis) {
    evAt = now();
    // The key handler of an Enter already taken as the focused custom control's click, clicking
    // it: that click is not made twice (another element it clicks, a hidden file input, answers).
    if (keyAct && keyEv === ctlEv && !e.isTrusted) return keyCtl && keyCtl.contains(e.composedPath ? e.composedPath()[0] : e.target) || respond('o');
    var t = e.target, r, el, special, link = '', dl = '', de, path = e.composedPath ? e.composedPath() : [], i,
      // A custom control's key handler clicking it (`el.click()` on Enter or Space, the usual
      // role=button pattern) makes an untrusted click: the visitor's all the same (`keyAct`, set
      // by the HTMLElement.click wrapper in observe while such a click runs).
      trusted = e.detail || !held ? e.isTrusted || !e.detail && keyAct && keyAct.contains(t) : false;
    // A click inside an open shadow root is retargeted to its host out here: the element
    // clicked is the first of its path (a Lit or Shoelace storefront's buttons, links and
    // declarative events are inside components).
    // (Its flat-tree path, for up(): when it crosses a shadow root.)
    for (flat = null, i = 0; i < path.length; i++) if (path[i] instanceof ShadowRoot) flat = path;
    if (flat) {
      t = path[0];
      if (!scanned) {
        scanned = true;
        findRoots(d);
        if (observing) observeRoots();
      }
    }
    t = t && elOf(t); // (a text node: its element)
    // Pressed in a text the page made editable inside what captured the pointer (a design's
    // text layer, dragged by its box): the click goes to the box, and placing the caret was a
    // rage_click on it (a print shop's QA). It is the text's.
    if (pressed && e.detail && pressEl !== t && t && t.contains(pressEl) && pressEl.isContentEditable) t = pressEl;
    // Its press was its click (a browser that dispatches one anyway): asked only after a press
    // on a disabled control (a keyboard's click once it is enabled is a click).
    if (!dis && pressDis && disabledOf(t)) return;
    // A label's click (on its text, a swatch drawn by it) is its control's: the browser then
    // clicks the control, and that second click is none of the visitor's. Judged as two, a
    // refused checkbox's label hammered 4 times was a rage_click of 8; and named after the
    // label, a swatch's friction was "div.swatches > label" while its click was "#c-sage"
    // (configurator and food ordering QA). Not a label's link ("I accept the terms"), nor a
    // disabled control's label, which gets no click of its control. Nor a label slotted in a web
    // component (`flat`): what is around it there (a data-tp-mask) is on the label's path only.
    var lab = !flat && t && t.closest && !up(t, CLICKABLE) && t.closest('label'), ctl = lab && lab.control, seen = t;
    if (ctl && !ctl.disabled && ctl !== t) { t = ctl; labelled = [ctl, evAt]; }
    else if (labelled && t === labelled[0] && evAt - labelled[1] < 99) { labelled = null; return; }
    special = t && t.closest && up(t, SPECIAL);
    if (t && t.closest && !(special && up(t, IGNORE))) {
      el = dis || up(t, CLICKABLE);
      if (el && el.tagName === 'A') { link = f(el.href); if (el.hasAttribute('download')) dl = '/' + attr(el, 'download'); }
      // No marked element above the target: none above el either (el is the target or above it).
      r = US + group(el || t, dis ? 17 : !!el, special ? undefined : null);
      if (clickedAs.push(seen, r.slice(1)) > 16) clickedAs.splice(0, 2);
      // (A radio or checkbox is no press of its form's buttons: see pressedIn. Nor a choice or a
      // toggle made of a button, which says its state, `aria-pressed`, `-checked`, `-selected`,
      // `-expanded`: a configurator's material tile pressed before the page was left was the
      // form's send, a form_submit: QA.)
      // Nor a link to another page, a press outside any form: a results grid with a "Compare"
      // box was a form, sent by every product opened from it (a marketplace's QA). Nor a
      // disabled control, which does nothing: pressed while its form's send runs, it took the
      // send back (a quiz's "See my results", busy, pressed twice: a form_abandon).
      if (el && trusted && !dis && !isField(el) && !el.matches('[aria-pressed],[aria-checked],[aria-selected],[aria-expanded]')) {
        pressedIn(link && link.split('#')[0] !== location.href.split('#')[0] ? null : el.form || boxFor(el), el);
      }
      de = special && up(t, '[data-tp-event]');
    }
    clickedEl = t; // (for `mo`: a change inside an ambient element it is in answers it)
    if (kept) kept();
    clickNo++;
    undone.length = 0;
    clickReqs = 0;
    // A keyboard's click (Enter, Space, a screen reader's activation: detail 0) is at 0, 0
    // wherever its element is: placed at the element's centre, or every keyboard click was near
    // every other for rage (three dead buttons pressed in turn were one rage_click on the first,
    // the others never told: an accessibility QA). (A layout read, for a keyboard's clicks only.)
    var x = e.clientX | 0, y = e.clientY | 0, box = !e.detail && t && t.getBoundingClientRect();
    // (Never negative: an element scrolled off the top, which the record's numbers cannot say.)
    if (box) x = Math.max(0, box.left + box.width / 2) | 0, y = Math.max(0, box.top + box.height / 2) | 0;
    r = rec('c', now(), x, y, e.button | 0,
      e.ctrlKey | e.metaKey << 1 | e.shiftKey << 2 | e.altKey << 3, e.detail | 0, trusted ? 1 : 0,
      link, dl) + (r || '');
    // Before the page's own handlers run: the DOM changes they make are the click's response.
    if (trusted) watch(true, !e.detail);
    // (Not for a keyboard's click, detail 0: the last press, maybe a touch that scrolled and
    // made no click, was not its press.)
    // A mouse's press that moved 20 px or more before its release is a drag (a seat map or a
    // slider panned from one of its items, which the browser then clicks): the movement was its
    // answer (a dead_click at every pan of a ticketing site's map: QA).
    // (A mouse's from 10 px: a 3-D viewer's hotspot layer nudged 12 px at a time to turn the
    // model was a rage_click at every fine turn, a configurator's QA. A finger's from 20.)
    var answered = e.detail && pressed && (pressAnswer || Math.abs(e.clientX - tapAt[0]) + Math.abs(e.clientY - tapAt[1]) > (pressTouch ? 19 : 9));
    pressed = keyAt = 0;
    pressing = releasing = false;
    // A click in a web component (retargeted to its host here) is often answered inside its
    // shadow DOM, which the document's observer does not see: its open shadow roots too, and
    // the closed ones the loader kept (a click on the page's own text slotted in a closed
    // component: its path has the host, never the root).
    // (Whatever the target: the page's own text slotted in an open component, a Shoelace
    // button's icon, is a target with no shadow root of its own, answered in the component's:
    // a dead and rage click, 10 of 10, on a page without a closed root: QA.)
    if (observing && t) {
      path.forEach(function (n) { if ((n = n instanceof ShadowRoot ? n : closedRoots && closedRoots.get(n))) { mo.observe(n, MO_OPTS); listenRoot(n); } });
    }
    responded = selected = false;
    push(r);
    if (trusted) firstUse();
    // (see focusAnswer; a tap's element, hovered from then on, also when it took no focus, the
    // element tapped before it being the one that was hovered)
    if (focusPress || pressTouch && e.isTrusted && e.detail) focusCands.push((focusPress || [t, lastTap]).concat(queue.length, now(), focusPress ? pressTouch : 2));
    if (pressTouch) lastTap = t;
    focusPress = null;
    // Answered at its press: that answers this click, not the clicks before it (see
    // core::input::Input::PressAnswer). (Not through respond: a response seen after it, before
    // the hand-over, still answers them.)
    if (answered && watching) push(rec('r', now(), 'P'));
    // Text selected by a double or triple click (a word, a paragraph) answers it; a caret
    // merely placed by a single click does not. Asked here, at the multi-click itself (the
    // selection is made at its mousedown), and not on every selectionchange: that event fires
    // on each caret move and each click, and reading the selection there forced a layout
    // (~100 us a call under the bench's workload). The selection must touch the clicked
    // element, so text selected earlier elsewhere does not count.
    if (e.detail > 1 && t && e.isTrusted) {
      var sel = w.getSelection && w.getSelection();
      if (sel && !sel.isCollapsed && sel.containsNode(t, true)) respond('l');
    }
    // (A form's fires on submit. Not a control disabled through ARIA or a class: a Checkout held
    // aria-disabled under the minimum order, its handler refusing, sent a begin_checkout at each
    // click, as the natively disabled one did not: a grocery shop's QA.)
    if (de && de.tagName !== 'FORM' && !dis && !(el && ariaOff(el))) declared(de);
  }
  // (Also as Radix and Headless UI mark it, data-disabled, and by a class of its own ending in
  // disabled or unavailable: a calendar's greyed days, `.cal__day--disabled`, clicked once were
  // dead clicks: a furniture store's QA. Not by its cursor, not-allowed: a style read at every
  // click cost the trusted bench ~25 ms, 8 %.)
  // Not an input's class: the browser still chooses it (Dawn marks a sold-out shade's radio
  // `class="disabled"`, and its label picks it, the page then saying "Sold out": those clicks
  // were none, a Shopify theme's QA); a button's handler is what refuses.
  function ariaOff(el) { return el.getAttribute('aria-disabled') === 'true' || /^(true|)$/.test(el.getAttribute('data-disabled')) || el.tagName !== 'INPUT' && /(^|[\s_-])(disabled|unavailable)(\s|$)/.test(attr(el, 'class')); }

  // legAt: when the leg under way began; navAt: when the view began (see the scroll sensor).
  var lastY = w.scrollY | 0, legStart = lastY, lastDir = 0, legAt = 0, navAt = -1e4, ro, roBody, roScroll = 0, sized = 0, resized = 0;
  // The visitor is active: at most one record per 5 s (engaged time only needs to know that
  // they did something within the last 30 s).
  var lastAct = 0, pointTimer = 0, pointOpts = { capture: true, passive: true, once: true, signal: signal || undefined };
  function act() {
    if (!sensing) return;
    var t = now();
    if (t - lastAct >= 5000) { lastAct = t; push('j' + US + t); }
  }
  // The focus in a frame of the page (a chat typed into, a video watched): the visitor's input
  // there never reaches the page, so while the window keeps the focus (asked every 10 s) they
  // are active; engaged time stopped 30 s after their last input on the page itself (QA). The
  // focus gone from the window from within the frame is its blur. For 5 minutes at most: a
  // click into a video, then lunch, was engaged time and one session for ever (a frames QA).
  var frameTimer = 0, frameTicks = 0;
  function framed(tick) {
    clearTimeout(frameTimer);
    if (!(d.activeElement && d.activeElement.tagName === 'IFRAME' && d.hasFocus())) return push(rec('f', now(), 0));
    frameTicks = tick ? frameTicks + 1 : 0;
    if (frameTicks < 30) act(), frameTimer = setTimeout(guard(framed), 10000, 1);
  }
  // Pointer events, the most frequent a page has, cannot make a record before lastAct + 5 s:
  // their listeners fire once (and remove themselves) and are added again at that time
  // (pointOpts is 0 once this host is done); not while nothing could be kept (host.sensing adds
  // them again).
  function arm(names, fn) {
    if (pointOpts && sensing) names.forEach(function (n) { w.addEventListener(n, fn, pointOpts); });
  }
  function point() {
    pointTimer = 0;
    arm(['pointermove', 'touchstart'], pointed);
  }
  // (Not through the sensors' guard: nothing here can throw.)
  function pointed() {
    if (pointOpts && sensing) { act(); pointTimer = pointTimer || setTimeout(point, lastAct + 5000 - now()); }
  }
  // The visitor's own input (wheel, touch, keys) tells their scrolling from a script's: a leg
  // that turns within 1.5 s of it is theirs. Like pointer activity, these listeners fire once
  // and are added again 500 ms later: a wheel turn or a typed word fires dozens of events, and
  // each dispatch to a listener costs the page ~20 us even when it does nothing.
  // The first of them in a view also tells the engine that the visitor used it (scrolled or
  // typed: going back from it is no quick back), once per view (`used`). Not a key with Alt,
  // Ctrl or Meta (Alt+Left is the back button), a modifier pressed alone (Shift before a
  // shift-click) nor a sideways wheel (a touchpad's swipe back). Nor Enter on a link or a
  // button: the click it makes is the use, or the visitor's Back when the page's own Back link
  // calls history.back() (see BackClick; by the keyboard it was a use, and no quick_back: QA).
  var userTimer = 0, used = 0, captured = false;
  // The first use of a view (its first click, scroll or key) is handed over in a task of its
  // own, not 400 ms later with the burst: the engine then writes at once that the view was used,
  // and a page the visitor goes back to from the bfcache reads it. (Chromium runs the page left's
  // pagehide after the restored page's pageshow: a click 300 ms before Back was not yet written,
  // and the return was taken for a quick_back.) One task more per view, not per click.
  var told = 0;
  function firstUse() {
    if (!told && planned >= 0) {
      told = 1;
      clearTimeout(planned);
      planned = setTimeout(drain, 0);
    }
  }
  function userOn() {
    userTimer = 0;
    arm(['wheel', 'touchmove', 'keydown'], user);
  }
  // The control a key handler is clicking (set by the HTMLElement.click wrapper, read by click),
  // and the key event whose handler does.
  var keyAct = null, keyEv = null;
  // A custom control (a div with role=button) whose page handles its clicks but not its keys: a
  // keyboard visitor's Enter on it does nothing, and there is no click event to judge (a broken
  // control for everyone who cannot use a mouse). While one has the focus, its Enter (not held,
  // not an IME's, no modifier) is taken as its click, judged before the page's handlers run, so
  // that what they change answers it. The page's own key handler clicking it then (the ARIA
  // practices' pattern, also when it clicks at a Space's keyup) makes no second click. Native
  // controls are left out (the browser clicks them on Enter). A custom checkbox or switch is
  // activated by Space only, as the ARIA practices say (its Space did nothing that was seen: no
  // click, no dead click, and a working one left no click in the journey: an accessibility QA);
  // options and radios are chosen by arrow keys, and are left out.
  // Space too, except on a link (Space scrolls the page there: links are activated by Enter
  // only). A Space the page did not cancel scrolls the page: that is the key's own default, no
  // answer (see the scroll sensor, `ctlAt`). Nor Space on a control a mouse's click focused: a
  // reader who clicked a theme toggle and then reads on with Space is scrolling, and each Space
  // was a click and a dead_click that never were (a content site's QA).
  // ctlKbd: keyCtl did not get the focus from a press of the pointer on it (the press sensor's:
  // the same in every browser, where :focus-visible of a script's focus is not).
  var keyCtl = null, ctlEv = null, ctlAt = 0, ctlKbd;
  var ctlKey = guard(function (e) {
    // (Not while the visitor is not observed: see host.sensing.)
    // (A control in a web component's shadow root: the key reaches the window retargeted to
    // its host; its path starts with the control.)
    var role = keyCtl && keyCtl.getAttribute('role');
    if ((e.target.shadowRoot ? e.composedPath()[0] : e.target) === keyCtl && sensing && (e.key === 'Enter' ? !/^(checkbox|switch)$/.test(role) : e.key === ' ' && role !== 'link' && ctlKbd) && e.isTrusted && !e.repeat && !e.isComposing && !(e.ctrlKey || e.metaKey || e.altKey || e.shiftKey)) {
      ctlEv = e;
      ctlAt = now();
      click({ target: keyCtl, isTrusted: true, detail: 0, button: 0 });
      // A web component that is the control (role=button on its host) answers in its shadow
      // root, as a click in it would be observed (see click); so does a control in one.
      var r = keyCtl.shadowRoot || closedRoots && closedRoots.get(keyCtl) || keyCtl.getRootNode();
      if (r && observing) mo.observe(r, MO_OPTS);
    }
  });
  var ctlOff = guard(function (e) { if (e.target === keyCtl) { keyCtl = null; w.removeEventListener('keydown', ctlKey, true); } });
  function customFocused(t) {
    if (t && t !== keyCtl && t.matches && t.matches('[role=button],[role=link],[role=menuitem],[role=tab],[role=checkbox],[role=switch],[role=menuitemcheckbox],[role=menuitemradio]') && !t.matches('button,input,select,textarea,summary,a[href]')) {
      keyCtl = t;
      ctlKbd = !(pressEl && t.contains(pressEl) && now() - pressed < 1000);
      w.addEventListener('keydown', ctlKey, keyOpts);
      t.addEventListener('focusout', ctlOff, fieldOpts);
    }
  }
  // (Tab moves the focus, and the page scrolls to it: a keyboard visitor looking around, as a
  // mouse's pointer moving, neither their own scrolling, scroll_thrash's legs, nor a use of the
  // view, which would hide a quick_back; a keyboard QA.)
  function user(e) {
    var tab = e.key === 'Tab';
    // Nor a finger dragging what holds its pointer (a layer list reordered by touch, which the
    // page scrolls at the screen's edges, was a scroll_thrash: a print shop's QA; its scrolling
    // is the page's). Every touch is captured by its element until the browser pans the page
    // (pointercancel, then lostpointercapture): the next move is heard, to tell. (Still a use
    // of the view: a map dragged is no quick back.)
    if (captured && e.type === 'touchmove') {
      if (!used) { used = 1; push('j' + US + now() + US + 1); firstUse(); }
      return arm([e.type], user);
    }
    if (!tab) lastUser = now();
    act();
    if (!used && !tab && !(e.altKey || e.ctrlKey || e.metaKey || e.key === 'Shift' || e.key === 'Enter' && e.target.closest && e.target.closest(CLICKABLE)) && !(Math.abs(e.deltaX) > Math.abs(e.deltaY))) { used = 1; push('j' + US + now() + US + 1); firstUse(); }
    userTimer = userTimer || setTimeout(userOn, 500);
  }
  // How much of the page has been in view (percent), against its length at that moment: on a
  // page that grows as the visitor scrolls (an infinite feed), its end reached before more was
  // added is 100 %. Read at each scroll event of the document (`peak`, the deepest since the
  // last hand-over; the scroll sensor reads scrollY there already, which needs the page laid
  // out as scrollHeight does) and at the hand-over: read only then, a feed's next stories
  // appended meanwhile made the end of an article 50 %.
  // lastPct: the last depth read (see routeDone).
  // viewScrolled: the document scrolled since the view began (see resizedDoc).
  var scrolled = false, maxDepth = 0, peak = 0, lastPct = 0, viewScrolled = 0;
  // A view begins (a route, a restore, a view the page reports): its depth and first use anew.
  // (And the clicks' targets kept for Event Timing (`clickedAs`) are the view's: the elements of
  // views replaced since kept their whole detached trees alive, 8 views of a single-page app's
  // DOM and listeners, consent pending too: a web-perf QA.)
  // (The view's end ends the watch for field errors: what a router's announcer says of the next
  // view, SvelteKit's #svelte-announcer, an aria-live=assertive region, was a field_error of the
  // form just sent: a SvelteKit storefront's QA.)
  function viewBegins() { maxDepth = used = told = peak = viewScrolled = clickedAs.length = born.length = foUntil = tallest = 0; navAt = now(); }
  // A view's first screen as its page ends up laid out: the content often arrives after the
  // view began (a client-rendered page, a route whose data is fetched), and read then, the
  // loading screen was 100 % of a product page the visitor never scrolled, and hid every
  // scroll_depth mark after it (QA). Until the document scrolls, each change of its size
  // reads it again (a ResizeObserver's report comes after the layout: none forced) and
  // replaces it. (Not while a route settles: its record reads it then.)
  function resizedDoc() {
    // (For scroll_thrash, only once the visitor scrolls, as when this observer was made at the
    // first scroll: a page's own setup just before it is no anchoring of a leg. From the start,
    // the reversals of a burst right after it were all skipped: the cross-browser scenario.)
    if (sized++ && roScroll) resized = now();
    var p;
    if (!viewScrolled && routeAt < 0 && (p = pct()) !== maxDepth) push(rec('d', now(), maxDepth = p, 1));
  }
  function watchSize() {
    if (!ro && w.ResizeObserver) (ro = new ResizeObserver(guard(resizedDoc))).observe(d.documentElement), observers.push(ro);
    if (ro && !roBody && d.body) ro.observe(roBody = d.body);
  }
  // Against the view's tallest length: a page shortened under the reader (a router's skeleton
  // put in place of the page while the next route loads, before its URL changes) pulls the
  // scroll back and read 100 %, a scroll_depth 75, 90 and 100 of an article read to 53 % (a
  // SvelteKit storefront's QA). (A page that grows, an infinite feed, is as before. Until the
  // view is scrolled, its length as it is: a route's first screen is read as it renders.)
  var tallest = 0;
  function pct() {
    var de = d.documentElement, h = Math.max(de.scrollHeight, d.body ? d.body.scrollHeight : 0) || 1;
    h = tallest = viewScrolled ? Math.max(tallest, h) : h;
    return lastPct = Math.min(100, Math.round(100 * ((w.scrollY || 0) + w.innerHeight) / h)) | 0;
  }
  function depth(report, at) {
    var p = Math.max(pct(), peak);
    peak = 0;
    scrolled = false;
    if (report && p > maxDepth) queue.push(rec('d', at || now(), p));
    if (p > maxDepth) maxDepth = p;
    return p;
  }
  // A route change's record is completed when the new view has settled, not at the change
  // itself: routers set the new view's title and render it after pushState, often in a later
  // task (and reading scrollHeight in pushState/popstate would force a layout of a DOM the
  // router is still changing). Settled means: the title changed, or 500 ms passed since a
  // scheduled task found it unsettled, or something must be handed over now (a lifecycle event,
  // a page's own touchpoint() call, the next route change). Then the title, the first screen's
  // depth and the view's data-tp-view elements are read. The record keeps its place in the
  // queue, its time and URL; the records after it wait with it.
  var ROUTE_SETTLE_MS = 500, settle = 0, routeAt = -1, routeRec = null, routeTitle = '';
  // `known`: the depth to take instead of reading it, for a view the next route change ends
  // before it settled: read in the page's pushState, in its click handler, scrollHeight forced a
  // layout of the DOM the router was changing (the web-perf QA's trace: one per quick route
  // click). The last depth read stands in for its first screen.
  function routeDone(force, known) {
    if (routeAt < 0) return true;
    if (!force && d.title === routeTitle) return false;
    queue[routeAt] = rec.apply(null, routeRec.concat(f(title()), known != null ? known : depth(0), keptForms()));
    routeAt = -1;
    // Its settle timer was the scheduled task: without it nothing is planned any more (the
    // caller plans the next one).
    if (settle) { clearTimeout(settle); settle = 0; planned = 0; }
    views();
    return true;
  }
  // The form a route goes on with (`wentOn`, see formOn), still in the page with a field shown
  // as the route settles (its key): a wizard in one form whose steps each have an address
  // (each step was a form_abandon and the next a form_start again, the buyers' too: an
  // insurance quote's QA). Its next input is no form_start again.
  var wentOn = [];
  function keptForms() {
    return (wentOn = wentOn.filter(function (fm) { return fm.isConnected && shownIn(fm).length; })).map(formKey).join();
  }
  // A jump within the page (an anchor link, a history entry that differs only in its fragment,
  // the popstate and hashchange of one jump) is no new view unless the site counts fragments as
  // views (data-spa="hash"): it answers a click, and nothing else is read or handed over. (It
  // used to be handed over as a route change, which reset the depth reached and read the
  // jump's own depth into a record the engine then ignored: the jump's scroll marks were lost.)
  // navType: the last navigate event's type, where the browser has the Navigation API (see observe).
  // routeFrom: the address the route still settling left.
  var lastHref = location.href, hashViews = false, navType, routeFrom;
  function named(h) {
    try { h = decodeURIComponent(h); } catch (e) {}
    return /^[!\/]/.test(h) || h && (d.getElementById(h) || d.getElementsByName(h).length);
  }
  // A view's address as the engine keys it (core::journey::url::hash_route): the path, and with
  // data-spa="hash" the fragment's route (`#/account`, up to its own `?`). (Compared by path
  // only, a hash-routed sign-in's replace to its account left the form it sent unsent: QA.)
  // (A hash router's root, `#/`, is the bare address's view: the router writes it over the
  // landing's at start, which was a second view of the landing: a Vue developer's QA.)
  function viewOf(u) {
    var h = u.split('#')[1] || '';
    return u.split(/[?#]/)[0] + (hashViews && /^!?\/[^?]/.test(h) ? h.split('?')[0] : '');
  }
  // was: the address before the page's pushState/replaceState.
  function route(kind, was) {
    var href = location.href, same = href.split('#')[0] === lastHref.split('#')[0], jump = href === lastHref || (!hashViews && same);
    // A replaceState that keeps the address the browser already moved to, before Touchpoint
    // heard of the move: a router's popstate listener, called before Touchpoint's, rewriting
    // the restored entry's state (Next.js's App Router on Back). The move is the popstate's,
    // which follows: taken here, the Back was a `replace` view and no quick_back (a Next.js
    // developer's QA).
    if (kind === 'r' && was === href) return;
    // (The same URL written again, a router or a store syncing its state: nothing changed.)
    // A fragment that names nothing (`#`, a placeholder link's) changes the address, not the
    // page: no answer by itself (a scroll to the top answers on its own). One that names an
    // element (an anchor, a CSS :target panel) or a hash route does. Taken as an answer, a dead
    // `href="#"` link was seen only from its second click (QA).
    if (href !== lastHref && (!same || named(location.hash.slice(1)))) respond('u');
    // A back or forward the app undid at once (an unsaved-changes guard: React Router's
    // useBlocker, a Vue Router navigation aborted, history.go(1) in a popstate handler; or a
    // redirect by push back to the page left: a sign-in route's loader, the visitor signed in
    // meanwhile), the view it began not settled yet: no view was left and none was seen.
    // (Taken, it ended the form in an abandon, and made an 11 ms view of the page before and a
    // quick_back.)
    if (routeAt >= 0 && routeRec[2] === 'b' && href === routeFrom) {
      queue.splice(routeAt, 1);
      routeAt = -1;
      if (settle) { clearTimeout(settle); settle = planned = 0; later(); }
      jump = 1;
    }
    var from = lastHref;
    lastHref = href;
    if (jump) return;
    routeFrom = from;
    // A replaceState while the new view has not settled is the route's redirect (a router's
    // guard: pushState('/old'), then replaceState('/new')): the view is the address it ends at.
    if (kind === 'r' && routeAt >= 0) { routeRec[3] = f(location.pathname); routeRec[4] = f(href); return; }
    // (Not a replaceState of the query or fragment: themes write the variant chosen in the URL
    // with it, in place. One to another path is a route, as the engine takes it: a sign-in
    // form sent by fetch, then the router's replace to the account.)
    // The route before, unsettled, is completed first, with the forms it went on with (taken
    // after this route's formOn, it had this one's).
    routeDone(true, lastPct);
    if (kind === 'r' && viewOf(from) === viewOf(href)) formGo = null; else formOn();
    // A replace to another path right after the visitor's input in a form they began (a
    // listings site writing its filters in the path as they are typed or tapped: Redfin's
    // /filter/min-price=400k/): the form goes on in the new view, as a wizard's step does. (A
    // form_abandon and a form_start again at every filter: a property portal's QA.)
    var fm = kind === 'r' && inputEl && now() - typedAt < 3000 && formOf(inputEl);
    if (fm && started && started.has(fm) && wentOn.indexOf(fm) < 0) wentOn.push(fm);
    // Only the fragment changed (data-spa="hash") and popstate saw it: a `hash` view. A fragment
    // navigation (a link, location.hash) fires popstate before hashchange, and the back button
    // between two fragments is told apart from it by no event every browser has: by the
    // Navigation API's (a traverse) where there is one, so that a hash-routed app's Back is a
    // back_forward view, and can be a quick_back.
    if (same && kind === 'b' && navType !== 'traverse') kind = 'h';
    relearn();
    viewBegins();
    routeRec = ['n', now(), kind, f(location.pathname), f(location.href)];
    routeTitle = d.title;
    routeAt = queue.length;
    push('');
  }
  // Elements marked data-tp-view: an IntersectionObserver at 50 % reports when each comes into
  // view and leaves it; the engine times the second. Looked for at start, at load and after
  // each route change; once the page has any, a MutationObserver (added nodes only) also finds
  // the ones rendered later, and the attribute changed, added or removed on an element already
  // there (a virtualized list's row reused for another product: see renamed), so a page that
  // does not use data-tp-view pays nothing for it.
  var io = null, vo = null, viewed = w.WeakSet ? new WeakSet() : null, inView = viewed && new WeakSet();
  // An element whose data-tp-view changed: a virtualized list (react-window, TanStack Virtual)
  // shows another product in the same row, a filtered grid keyed by index re-fills its cards in
  // place. Its view under the old name ends; observed anew, the IntersectionObserver reports its
  // state at once, under the new name. (The old name's view went on, timed from when the row
  // first came in, and products shown in place never had one: a large-catalogue QA.)
  function renamed(el) {
    if (viewed.has(el)) {
      viewed.delete(el);
      inView.delete(el);
      io.unobserve(el);
      if (sensing) push(rec('b', now(), key(el), ''));
    }
    if (el.hasAttribute('data-tp-view')) view(el);
  }
  function view(el) { if (!viewed.has(el)) { viewed.add(el); io.observe(el); } }
  function viewsIn(el) {
    var els = el.querySelectorAll('[data-tp-view]');
    for (var i = 0; i < els.length; i++) view(els[i]);
    return els.length;
  }
  // In view but not shown: transparent or hidden, itself or a parent (an A/B tool's anti-flicker
  // snippet hides the page until its variant is applied, or 3 s; its variant may remove the
  // element): looked at again every 300 ms for 10 s, in view from when it is shown. (Counted
  // before, at 1 s, banners the visitor never saw were: QA.)
  var unseen = [], unseenTimer = 0, reveal = guard(function (n) {
    unseen = unseen.filter(function (el) {
      if (!shown(el)) return n < 33;
      if (sensing) push(rec('b', now(), key(el), attr(el, 'data-tp-view')));
    });
    if (unseen.length) unseenTimer = setTimeout(reveal, 300, n + 1);
  });
  function shown(el) { return !el.checkVisibility || el.checkVisibility({ opacityProperty: true, visibilityProperty: true }); }
  function views() {
    if (!w.IntersectionObserver || !viewed) return;
    if (!io) {
      observers.push(io = new IntersectionObserver(guard(function (list) {
        for (var i = 0, e, on, k; i < list.length; i++) {
          e = list[i];
          // Half of it in view, or half of the viewport filled by it: a reviews section three
          // times the screen's height is never half in view, and had no element_view (a
          // furniture store's QA). Hence thresholds every 10 %, whose reports change nothing
          // for most (`inView`: told once). (Not one over ten screens tall.)
          on = e.isIntersecting && (e.intersectionRatio >= 0.5 || 2 * e.intersectionRect.height >= w.innerHeight);
          if (!on === !inView.has(e.target)) continue;
          on ? inView.add(e.target) : inView.delete(e.target);
          if ((k = unseen.indexOf(e.target)) >= 0) unseen.splice(k, 1);
          if (on && !shown(e.target)) { unseen.push(e.target); clearTimeout(unseenTimer); unseenTimer = setTimeout(reveal, 300, 0); on = 0; }
          if (sensing) push(rec('b', now(), key(e.target), on ? attr(e.target, 'data-tp-view') : ''));
        }
      }), { threshold: [.1, .2, .3, .4, .5] }));
    }
    if (viewsIn(d) && !vo && w.MutationObserver) {
      observers.push(vo = new MutationObserver(guard(function (list) {
        for (var i = 0, a, j, n; i < list.length; i++) {
          if (list[i].type === 'attributes') renamed(list[i].target);
          for (a = list[i].addedNodes, j = 0; j < a.length; j++) {
            n = a[j];
            if (n.nodeType !== 1) continue;
            if (n.hasAttribute('data-tp-view')) view(n);
            if (n.firstElementChild) viewsIn(n);
          }
        }
      })));
      vo.observe(d, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-tp-view'] });
    }
  }
  // field_error beyond the browser's own `invalid`: for a moment after a submit (any field, and
  // alert texts), after a click on a control (any field, and the error messages a form's fields
  // name) or after a changed value (that field only), a second MutationObserver looks for
  // aria-invalid="true" being set and for an alert text appearing (role=alert, an assertive
  // aria-live region, a field's aria-errormessage element). Connected only for that moment, so a page pays
  // nothing while nobody submits. A field the visitor is typing in is left alone (live
  // validation while typing is not an error yet).
  // Polite live regions (role=status) are left out: pages announce successes there too.
  // The click's moment is for a form "submitted" by a button's own handler, with no submit event
  // (a checkout step's "Continue", type=button, or a form without a <form> element): alert texts
  // do not count there, as an "Added to cart" toast may be a role=alert.
  var ALERT = '[role=alert],[aria-live=assertive]';
  var fo = null, foForm = null, foField = null, foClick = 0, foUntil = 0, foTimer = 0, foSeen = [], foErr = [], typedEl = null, typedAt = 0, inputEl;
  // (Its attributes, not its properties: a form's `id` property is its field named "id" when it has
  // one, as every Shopify product form does (the variant's select); that named "name" is a
  // contact form's. The same for the ids of the elements a click is described by.)
  // Its id or name; else its aria-label or its action's path, so that a page's forms without
  // either (a header's search, a newsletter's signup) are told apart (they were all "": a
  // publisher's QA). Only the id or name is its key (below).
  // (Named by its label or action; a form without a <form> element, else, by the id of the
  // nearest element around it that has one: a modal's fields in a div, `#dish-modal`, were
  // forms named "": a food ordering QA.)
  function formName(form, key) {
    var n = form ? attr(form, 'id') || attr(form, 'name') : '', a;
    try { return n || key || !form ? n : attr(form, 'aria-label') || (attr(form, 'action') && new URL(form.action).pathname) || form.tagName !== 'FORM' && (a = form.closest('[id]')) && a.id || ''; } catch (e) { return ''; }
  }
  // A form's key: by its id or name when it has one, so that a form drawn again (a Turbo or htmx
  // form answered 422 and rendered with its errors) is the form the visitor began: one
  // form_start, and its submit ends it. (By element, the form sent was abandoned and the new one
  // started again: a Turbo storefront's QA.)
  var formKeys = {};
  function formKey(form) {
    var n = formName(form, 1);
    return n ? formKeys['#' + n] || (formKeys['#' + n] = key(form)) : key(form);
  }
  function fieldCheck(form, field, ms, byClick) {
    var t = now();
    form = form || null;
    if (foUntil > t && !foField) {
      // A submit's window is wider than a click's, and a click's than a changed value's.
      if (field || byClick && !foClick) return;
      // Clicks come every few hundred ms on a busy page: one in the same form as the window
      // open only makes it longer (connecting the observer again cost ~13 us a click).
      if (byClick && foForm === form) { foUntil = t + ms; foSeen = []; return; }
    }
    if (!w.MutationObserver) return;
    foSeen = [];
    if (!fo) observers.push(fo = new MutationObserver(guard(fieldChanges)));
    fo.disconnect();
    foForm = form; foField = field; foClick = byClick; foUntil = t + ms; foErr = [];
    if (!field && form) {
      // The error elements the form's fields name (aria-errormessage), with their field; and
      // the descriptions of those still marked invalid: a page that leaves a field marked and
      // only changes its message ("Enter a postcode like 1234 AB", then "Sorry, we don't
      // deliver to 9999") showed a second error no attribute told, and the refused attempt was
      // a form_submit (a grocery shop's QA).
      // And any field's description named an error by its id or class (see errText): Next.js's
      // form with useActionState shows its errors in `<div id="email-error" aria-live=polite>`,
      // no field marked, and every refused send was a form_submit (a Next.js storefront's QA).
      var fs = form.querySelectorAll('[aria-errormessage],[aria-describedby]'), i, j, el, ids;
      for (i = 0; i < fs.length; i++) {
        for (ids = (attr(fs[i], 'aria-errormessage') || attr(fs[i], 'aria-describedby')).split(/\s+/), j = 0; j < ids.length; j++) {
          if (ids[j] && (el = d.getElementById(ids[j])) && (marked(fs[i]) || errNamed(el))) foErr.push(el, fs[i]);
        }
      }
    }
    var wide = !field && (!byClick || foErr.length);
    var o = { subtree: true, childList: wide, characterData: wide, attributes: true, attributeOldValue: true,
      attributeFilter: wide ? ['aria-invalid', 'hidden', 'style', 'class'] : ['aria-invalid'] }, r = (form || field || d).getRootNode();
    fo.observe(d, o);
    if (r.host) fo.observe(r, o); // (a form in a shadow root: see inShadow)
    // And the roots of its form-associated custom elements: such a field marks its own <input>.
    for (i = 0, fs = form && form.elements || []; i < fs.length; i++) if ((el = fs[i].shadowRoot)) fo.observe(el, o);
    clearTimeout(foTimer);
    foTimer = setTimeout(foEnd, ms);
  }
  function foEnd() {
    var left = foUntil - now();
    if (left > 0) foTimer = setTimeout(foEnd, left);
    else { fo.disconnect(); foUntil = 0; leftInPlace(); }
  }
  function typing(el) { return el === typedEl && now() - typedAt < 1000; }
  function marked(n) { return attr(n, 'aria-invalid') === 'true' || n.hasAttribute('aria-errormessage'); }
  function errNamed(e) { return /err|invalid/i.test(e.id + ' ' + attr(e, 'class')); }
  function fieldError(field, reason, message) {
    formGo = null; // (not accepted: see formOn)
    // (The field being typed in, marked by a check on submit: that error is told now, and still
    // marked when the visitor corrects it and leaves, it is no second one: a food ordering QA.)
    if (field === focusEl) focusBad = 1;
    // A radio group is one field, its first radio (a page that marks each radio aria-invalid
    // made one field_error per option of a cancellation survey's reasons: QA).
    // Without a <form> (a single-page app's modal, role=radiogroup): the group's box, a
    // radiogroup or fieldset, is the group (three field_errors for one size not chosen: QA).
    var g = field.type === 'radio' && (field.form ? field.form.elements.namedItem(field.name) : (g = field.closest('[role=radiogroup],fieldset')) && g.querySelectorAll('[type=radio]'));
    // (Named as the group, its radiogroup's name or its fieldset's legend, not its first option:
    // "Any claims in the last 5 years?" was "Yes" in the inspector: an insurance quote's QA.)
    if (g && g[0]) field = g[0], groupName = (g = field.closest('[role=radiogroup],fieldset')) && (attr(g, 'aria-label') || (g = d.getElementById(attr(g, 'aria-labelledby').split(' ')[0]) || g.querySelector('legend')) && textOf(g, ''));
    // One-character boxes (a sign-in code's six, each marked by a mistyped code) are one field,
    // the first: six field_errors for one mistake (an account area's QA).
    // (Looked for in its form, else two levels up, else its root: a box straight in a shadow
    // root has no grandparent, and reading one threw.)
    if (field.maxLength === 1 && (g = (field.form || (g = field.parentElement) && g.parentElement || field.getRootNode()).querySelector('input[maxlength="1"]'))) field = g;
    // A control outside the form whose moment is open is not that form's: the terms box next to
    // "Pay", pressed within 3 s of the contact step's submit. (An alert, no control, is.)
    var form = field.form || (foForm && (field.form === undefined || foForm.contains(field)) ? foForm : null);
    // (Not sent: see the submit sensor. Also when the form sent is no longer in the page: a
    // Turbo or htmx form answered 422 and drawn again with its errors is a form of its own, and
    // the one sent was taken as sent, its form_abandon lost: a Turbo storefront's QA.)
    if (pending && (form === pending || !pending.isConnected)) pending = null;
    if (field.form !== undefined) fieldErrAt = now();
    // Marked by the page: nothing of an ignored form or element; no text of a masked one (an
    // alert that echoes what the visitor typed: "Sorry Jane Doe, we cannot deliver to ...").
    if (up(field, IGNORE) || form && (up(form, IGNORE) || !fillable(form))) return;
    // (The alert's own text, its element's, with what was typed masked as in its message: a
    // store locator's "We couldn't find “SW1A 2AA”" went whole.)
    saying = 1;
    var g2 = group(field, false);
    saying = 0, groupName = '';
    push(rec('x', now(), formName(form), reason, up(field, '[data-tp-mask]') ? '' : unsaid(message || (reason ? reason === 'a' && errText(field) : why(field))), g2));
  }
  // The constraint a field failed in the browser's own validation, as the browser names it
  // (valueMissing, typeMismatch, tooShort...: the same in every language; its message is the
  // visitor's language and quotes what they typed), or the page's own (setCustomValidity). Each
  // such field_error said "false" (an htmx storefront's QA).
  function why(el) {
    var v = el.validity, k;
    for (k in v) if (v[k] && k !== 'valid') return k === 'customError' ? el.validationMessage : k;
  }
  // A text sent (an error's message) with what the visitor typed in the page's fields masked:
  // an alert quoting a mistyped email ("priya@gmailcom" doesn't look like an email: the
  // scrubbing knows no email without its dot), a script's error naming the postcode looked up,
  // in any case; V8's JSON.parse error quotes a value's first 10 characters ("For Granda"...: a
  // tribute's message restored from a draft). (A charity's QA. The values are compared here,
  // never kept; not a box's or a hidden field's, which the visitor did not type; nor one of 3
  // characters or fewer, which would mask words of every message.)
  // The names of the files the visitor chose or dropped (with and without their extension, and
  // as a URL writes them), masked wherever the page repeats them: in a click's text (a
  // thumbnail's caption), an error's message, a request's path (an upload's PUT to
  // /api/photos/<name>): photos are named after people, "Anna_and_Tom_wedding.jpg" (a print
  // shop's QA). (Kept in the page, the last 30, never sent.)
  var chosen = [], saying = 0, groupName = '';
  function chose(l) {
    [].forEach.call(l || [], function (x) {
      chosen.push(x.name, encodeURIComponent(x.name), x.name.replace(/\.[^.]*$/, ''));
    });
    chosen = chosen.slice(-30);
  }
  function hide(t) {
    // (The longest first: a name chosen later, `a.jpg`, is not left `***.jpg` by the name
    // without its extension of one chosen before, `a.heic`. Nothing to do, nothing made: each
    // click's text passes here.)
    if (chosen.length) chosen.slice().sort(function (a, b) { return b.length - a.length; }).forEach(function (v) { if (v.length > 3) t = t.split(v).join('***'); });
    return t;
  }
  function unsaid(t) {
    t = hide(f(t || '')); // (no text: "", not "false")
    if (t) typed().forEach(function (v) { t = starred(t, [v, v.slice(0, 10)]); });
    return t;
  }
  // What the visitor typed in the page's fields (not a box's or a hidden field's, which the
  // visitor did not type; nor 3 characters or fewer, which would mask words of every message).
  // (And a text the page made editable, line by line: a design's text layer, "For Maria
  // Rossi" quoted by the error of a font that cannot draw it: a print shop's QA.)
  function typed() {
    var v = [].map.call(d.querySelectorAll('input,textarea'), function (el) {
      return !/^(checkbox|radio|hidden|submit|button|reset|image|file|range|color)$/.test(el.type) && el.value.trim();
    });
    [].forEach.call(d.querySelectorAll('[contenteditable]'), function (el) {
      if (el.isContentEditable) v = v.concat(el.innerText.split('\n').map(function (l) { return l.trim(); }));
    });
    return v.filter(function (v) { return v && v.length > 3; });
  }
  // A field marked aria-invalid: the text of the error it names (aria-errormessage), else of its
  // description (aria-describedby, the usual way to tie an error text to a field), the first
  // shown with text. A minimum quantity and an unknown product code were one aria_invalid
  // (B2B QA).
  // (An alert among them first: a hint before the error, "We never share it", was the message.)
  // (Then one named an error by its id or class: GOV.UK's order is `aria-describedby="phone-hint
  // phone-error"`, and the hint was the message, "For example AB12 CDE" for a lookup down: an
  // insurance quote's QA.)
  function errText(n) {
    var l = (attr(n, 'aria-errormessage') || attr(n, 'aria-describedby')).split(/\s+/), i, e, t, first = '', named = '';
    for (i = 0; i < l.length; i++) {
      // (Not one marked data-tp-mask: a pharmacy's "Sildenafil must not be taken with
      // nitrates" was sent, its element masked.)
      if ((e = l[i] && n.getRootNode().getElementById(l[i])) && e.getClientRects().length && !up(e, '[data-tp-mask]') && (t = e.textContent.replace(/\s+/g, ' ').trim().slice(0, 300))) {
        if (e.matches(ALERT)) return t;
        if (errNamed(e)) named = named || t;
        first = first || t;
      }
    }
    return named || first;
  }
  var fieldErrAt = -3000;
  // A form sent to the server and drawn again with its errors at the same address (the GOV.UK
  // pattern; Rails, Django or PHP forms without scripts): no script changed the page, so no
  // observer saw them, and the visit read as a submit that went through (an accessibility QA).
  // On a page arrived at by navigation from the site (by its address: a form may post to the
  // next step's, which draws the form again with its errors, and a Referrer-Policy such as
  // strict-origin leaves only the origin: a legacy storefront's QA; a no-referrer policy
  // leaves nothing to go by): its fields marked aria-invalid, and the fields its error summary
  // (an alert) links to, each with the link's text.
  function drawnWithErrors() {
    var nav = w.performance && performance.getEntriesByType && performance.getEntriesByType('navigation')[0], r, l, i, el, first;
    try { r = new URL(d.referrer); } catch (e) { return; }
    if (r.origin !== location.origin || nav && nav.type !== 'navigate') return;
    for (l = d.querySelectorAll('form [aria-invalid=true]'), i = 0; i < l.length; i++) fieldError(first = l[i], 'a', '');
    for (l = d.querySelectorAll('[role=alert] a[href^="#"]'), i = 0; i < l.length; i++) {
      if ((el = d.getElementById(l[i].getAttribute('href').slice(1))) && el.matches(FIELDS)) fieldError(first = el, 't', textOf(l[i], '').trim());
    }
    // The visitor's form of the page before (of a field in error: the last found), begun there:
    // given up now, a form_abandon (every customer who left after the server's errors looked
    // like one who sent it: QA).
    if (first && (l = formOf(first)) && !up(l, IGNORE)) began(l, first, 1);
  }
  function alerted(a) {
    if (!a || foSeen.indexOf(a) >= 0) return;
    var text = (a.textContent || '').replace(/\s+/g, ' ').trim(), field = null, i;
    if (!text || !a.getClientRects().length) return; // empty or not shown (yet)
    // (One inside another form is that form's: a step gone back to, its summary still there.
    // Not the form sent drawn again with its errors, the one sent gone: a Turbo or htmx 422.)
    if ((i = a.closest('form')) && foForm && i !== foForm && foForm.isConnected) return;
    for (i = 0; i < foErr.length; i += 2) if (foErr[i] === a || foErr[i].contains(a)) field = foErr[i + 1];
    // Or the field that names it as its description (aria-describedby, the usual way to tie an
    // error text to its field): the same error as the field's aria-invalid, one field_error.
    try { if (!field && a.id) field = d.querySelector('[aria-describedby~="' + a.id.replace(/["\\]/g, '\\$&') + '"]'); } catch (e) {}
    if (field && typing(field)) return;
    // A summary of the form's errors ("Please fix the card number") right after a field was
    // found in error says it again.
    if (!field && now() - fieldErrAt < 2000) return;
    foSeen.push(a);
    fieldError(field || a, 't', text.slice(0, 300));
  }
  function fieldChanges(list) {
    if (now() > foUntil) return;
    // Fields marked invalid first, texts after: a summary alert a page writes before marking
    // its fields (in the same task) is then known as a summary (see alerted).
    for (var p = 2, i, m, t, j, n, k; p--;) for (i = 0; i < list.length; i++) {
      m = list[i];
      t = elOf(m.target);
      if (!t) continue;
      if (m.attributeName === 'aria-invalid') {
        n = faceOf(t); // (the field whose <input> it is)
        // (Not an element around a field, marked with it: a data grid's cell and its editor's
        // input, one refused edit, were two field_errors: an admin's QA.)
        // (Marked again, though it was, by the check of a value the visitor changed: refused
        // again. A phone field whose broken pattern refused five valid numbers was one
        // field_error: an insurance quote's QA. A mark the page only leaves is none.)
        if (p && t.getAttribute('aria-invalid') === 'true' && (m.oldValue !== 'true' || n === foField) && (!foField || n === foField) && !typing(n) && !(n.form === undefined && n.querySelector(FIELDS))) fieldError(n, 'a', '');
        continue;
      }
      if (foField) continue;
      // A form drawn again in place of the one sent, its fields marked as they come (Turbo's or
      // htmx's answer to a 422, the form's HTML with its errors): no attribute changed, and
      // each such send was a form_submit 3 s later (an htmx storefront's QA).
      if (p) {
        for (j = 0, n = m.addedNodes; j < n.length; j++) if (n[j].querySelectorAll) {
          [].forEach.call(n[j].querySelectorAll('[aria-invalid=true]'), function (x) { if (!typing(x = faceOf(x))) fieldError(x, 'a', ''); });
        }
        continue;
      }
      // A field's error message: changed, added or shown.
      // (A description only while its field is still marked: "Looks good!" there is none.)
      for (k = 0; k < foErr.length; k += 2) if ((foErr[k] === t || foErr[k].contains(t) || t.contains(foErr[k])) && (marked(foErr[k + 1]) || errNamed(foErr[k]))) alerted(foErr[k]);
      if (foClick) continue;
      // An alert: the changed node is in one, or one was added or shown.
      alerted(t.closest(ALERT));
      n = m.type === 'attributes' ? [t] : m.addedNodes;
      for (j = 0; j < n.length; j++) {
        if (n[j].nodeType !== 1) continue;
        if (n[j].matches(ALERT)) alerted(n[j]);
        var inner = n[j].querySelectorAll(ALERT);
        for (k = 0; k < inner.length && k < 8; k++) alerted(inner[k]);
      }
    }
  }

  // A field without a <form> element (a single-page app's checkout) belongs to the closest
  // element around it that holds a second field and a button, up to 6 levels up and never the
  // page's body, main, header, nav or footer: a lone search box or newsletter field, or fields
  // spread over the page, make no form. Looked up once per field; `boxes` also lists the ones
  // the visitor gave input in this view, to find the form of a button clicked in them.
  var FIELDS = 'input:not([type=hidden]):not([type=submit]):not([type=button]),select,textarea', TEXT = /^(text|email|tel|url|password|textarea)$/;
  var boxOf = w.WeakMap && new WeakMap(), boxes = [];
  function formOf(t) {
    var b = t.form, c = null, i = 0;
    if (b !== null) return b; // a form's control (undefined: no control at all)
    if (boxOf && boxOf.has(t)) return boxOf.get(t);
    for (b = t; !c && (b = b.parentElement) && i++ < 6 && !/^(BODY|MAIN|HEADER|NAV|FOOTER)$/.test(b.tagName);) {
      if (b.querySelectorAll(FIELDS).length > 1 && b.querySelector('button,[type=submit],[type=button],[role=button]')) c = b;
    }
    if (boxOf) boxOf.set(t, c);
    return c;
  }
  function boxFor(el) {
    for (var i = 0; i < boxes.length; i++) if (boxes[i].contains(el)) return boxes[i];
    return null;
  }

  // Focus time per form field (form_submit's field_ms), by field name; never a value.
  // (focusBad: the focused field was marked invalid when it got the focus; see sensors.change.)
  var focusEl = null, focusBad, focusForm = null, focusAt = 0, focusTimes = w.WeakMap ? new WeakMap() : null;
  var fieldOpts = { once: true, passive: true, signal: signal || undefined };
  var leave = guard(function (e) { if (e.target === focusEl) unfocus(); });
  function fieldName(t) { return f(t.getAttribute('name') || t.id || t.type || t.tagName).replace(/[,:]/g, '_'); }
  // Enter in a text box of a form without a <form> element sends no submit event: the page's own
  // key handler sends the form (a sign-in). Taken as a press of the form's button (see formOn).
  // (enterAt: when. A page whose Enter moves the focus to the form's next field, a quick-order
  // grid's or a sign-in's, sends nothing by it: see focused.)
  var enterAt = -1e4, enter = guard(function (e) {
    if (e.key === 'Enter' && e.isTrusted && !e.isComposing && focusForm) { enterAt = now(); pressedIn(focusForm, null); } // (not an IME's Enter)
  });
  function unfocus() {
    if (!focusEl || !focusTimes) return;
    focusEl.removeEventListener('keydown', enter, true);
    var m = focusTimes.get(focusForm) || dict(), n = fieldName(focusEl);
    m[n] = (m[n] || 0) + now() - focusAt;
    focusTimes.set(focusForm, m);
    focusEl = null;
  }

  // A touch's press on a disabled control, counted when lifted (see the pointerdown sensor).
  var lift = null;
  var lifted = guard(function () { if (lift) click(lift[0], lift[1]); lift = null; });
  var cancelled = guard(function () { pressing = false; pressed = 0; lift = null; });
  // A tap whose touchstart or touchend the page cancelled (a "fast tap" library, a carousel's
  // arrows, a menu that acts on touchend) makes no mousedown and no click: the page acted on the
  // touch itself. It is judged as the click it stands for (dead, rage, error, its touchpoints),
  // once its dispatch is over, when whether a handler cancelled it is known: in a task of its
  // own, or at the next press or pagehide if they come first (input goes before timers, and
  // quick taps come ~16 ms apart). (The browser's click, when there is one, comes after that
  // task.) A touch that moved is a swipe, not a tap.
  var tapStart, tapAt, tapEnd, tapSettles = guard(settleTap);
  var tapStarted = guard(function (e) { tapStart = e; });
  var tapEnded = guard(function (e) {
    var p = e.changedTouches[0];
    if (e.isTrusted && !e.touches.length && Math.abs(p.clientX - tapAt[0]) + Math.abs(p.clientY - tapAt[1]) < 20) {
      tapEnd = [e, e.composedPath(), pressEl, p];
      setTimeout(tapSettles);
    }
  });
  // (A tap has no modifier keys and no other button; its target and path are the touch's.)
  function settleTap() {
    var t = tapEnd;
    tapEnd = null;
    if (t && pressed && pressEl === t[2] && sensing && (t[0].defaultPrevented || tapStart && tapStart.defaultPrevented)) {
      click({ target: t[0].target, clientX: t[3].clientX, clientY: t[3].clientY, detail: 1, isTrusted: 1, composedPath: function () { return t[1]; } });
    }
  }
  // An uncaught error (an ErrorEvent): its message, file and line.
  // Thrown during a press (its pointerdown, touchstart or mousedown handler, before its
  // click): that click's error (see error_click).
  // (A script of another origin's error, thrown outside the visitor's own press or click (a
  // review widget's timer failing as the visitor clicked "Add to cart"): another's, no click's
  // error; still a js_error. A third-party widgets QA: the shop's working buttons were error
  // clicks.) `evAt`: when the last press or click was dispatched; its handlers' errors come
  // within 100 ms of it. (Not a timer to mark the dispatch's end: a task more at every press and
  // click.)
  var evAt = -1e3;
  // Where an error was thrown: its stack's first frame with a file (for a rejection, `own`, the
  // first outside Touchpoint's own script, else its first: a failed fetch's stack begins in
  // Touchpoint's wrapper of it; not for an error, whose first frame is where it was thrown:
  // bundled from npm, Touchpoint's file is the app's, and the app's callback throwing under a
  // payment provider's script was named by the provider's), as [, file, line, column]. The
  // error event's file and line are where it was last thrown: an error monitor that wraps
  // timers (Sentry's) catches the shop's error and throws it again, and the event names the
  // monitor's file (the shop's click error became another origin's, no error_click: a
  // tag-management QA); a JSON.parse of a bad answer names the page at 1:1 (a realtime
  // storefront's QA).
  var selfUrl;
  function at(err, own) {
    var re = /(?:@|\bat (?:.*?\()?)(https?:\/\/[^\s)]+):(\d+):(\d+)/g, m, first = null, s;
    try { s = err && err.stack; } catch (x) {}
    if (typeof s == 'string') while ((m = re.exec(s))) { if (!own || m[1] !== selfUrl) return m; first = first || m; }
    return first;
  }
  selfUrl = (at(new Error()) || [])[1];
  function failed(e) {
    var m = at(e.error), file = m ? m[1] : e.filename;
    report(e.message, file, m ? m[2] : e.lineno, m ? m[3] : e.colno, 0, 0);
  }
  // (A muted error, "Script error." with no file, is another origin's: a script loaded without
  // `crossorigin`, as Shopify injects its apps': every working button clicked as such a widget
  // failed was an error_click, a Shopify theme's QA. Not any error without a file: code a
  // debugger or a test driver evaluates has none.)
  // (foreign: another origin's, outside a click's or press's handlers: a js_error only; or a
  // third party's request that failed, a rejection: see the fetch wrapper. Not another origin's
  // rejection by its file: a shop's bundle on its CDN awaiting the click's request, then failing
  // on the answer, rejects long after the click, and that is the click's error.)
  function report(message, file, line, col, rejection, foreign) {
    push(rec('e', now(), unsaid(message), f(file), line | 0, rejection, inPress(), col | 0, foreign || !rejection && now() - evAt > 99 && (file ? file.indexOf(location.origin + '/') : message == 'Script error.') ? 1 : 0));
  }
  function inPress() { return pressed && now() - pressed < 1e3 || now() - keyAt < 1e3 ? 1 : 0; }
  // A keyboard's press of a native control (a button, a link) the focus came to by Tab: Enter
  // clicks it after its keydown handlers, Space after its keyup handlers; an error they throw is
  // that click's (as a mouse's mousedown handler's is), not a dead click's silence (a keyboard
  // QA). Listened for on the window, before the page's handlers, while such a control has the
  // focus it was tabbed to (not one a mouse's press focused: no cost to clicks).
  var keyAt = 0, keyNat = null;
  var natKey = guard(function (e) { if (e.target === keyNat && /^(Enter| )$/.test(e.key) && e.isTrusted && !e.repeat) keyAt = now(); });
  var natOff = guard(function () { keyNat = null; ['keydown', 'keyup'].forEach(function (n) { w.removeEventListener(n, natKey, true); }); });
  function natFocused(t) {
    if (t !== keyNat && t.matches && t.matches('button,a[href],[type=submit],[type=button]')) {
      keyNat = t;
      ['keydown', 'keyup'].forEach(function (n) { w.addEventListener(n, natKey, keyOpts); });
      t.addEventListener('focusout', natOff, fieldOpts);
    }
  }
  // A field in an open shadow root (a Lit or Lightning Web Components storefront's checkout):
  // its input and focus events reach the window retargeted to the component (and a focus move
  // between two of its fields not at all), and submit, invalid and change, which are not
  // composed, do not reach it either. From the first one in a root, the field itself (the
  // event's path starts with it), and those four listened for on the root. (A closed root's
  // path is hidden from the window: its fields stay unseen.)
  // (Browsers with shadow roots have WeakSet and composedPath.)
  var roots = w.WeakSet && new WeakSet();
  // The media whose play() (or the clipboard whose write) is on its way (see observe).
  var playing = new WeakSet();
  function inShadow(e) {
    var t = e.composedPath()[0], r = t.getRootNode();
    if (r.host) listenRoot(r);
    return faceOf(t);
  }
  // A form-associated custom element (a design system's text field) in a form: the host is the
  // form's control; the <input> in its root is no form's.
  function faceOf(t) {
    var h = t.getRootNode().host;
    return h && t.form === null && h.form ? h : t;
  }
  // A shadow root's own listeners: what reaches no further (a focus moved within it, a form's
  // events in it). Added when the visitor types in it or clicks in it.
  function listenRoot(r) {
    if (roots.has(r)) return;
    roots.add(r);
    ['submit', 'invalid', 'change', 'focusin'].forEach(function (n) {
      var fn = n == 'focusin' ? guard(function (e) {
        focused(e.target, e);
        // (A move within the root: the window hears none. Into it: both, alike.)
        if (!pressFocus(e.target) && now() - tabAt > 99) respond('f');
      }) : sensorOf(n);
      r.addEventListener(n, function (e) { if (sensing) fn(e); }, { capture: true, passive: true, signal: signal || undefined });
    });
  }
  // Whether a focus landing on `t` is the visitor's own press's: on the pressed element or one
  // holding it, at the press (see focusin): on the press's path, through web components too (a
  // component moving the focus from its button to its own field answers; the window hears
  // both retargeted to the host, which holds both: a dead click, 4 of 4: QA).
  // And the checkbox or radio of a label pressed: its activation focuses it (a refused fourth
  // topping's label hammered: the press moved the focus off it and the label put it back, an
  // answer to each click, and no rage_click: a food ordering QA). Not a text field a label
  // focuses, which is that label's answer.
  // (In the label's click, whose handler has ended the press: by the click's time.)
  function pressFocus(t) {
    return (pressPath ? pressPath.indexOf(t) >= 0 : t.contains && t.contains(pressEl)) && (releasing || now() - pressed < 1000) ||
      /^(checkbox|radio)$/.test(t.type) && now() - evAt < 99 && pressPath && pressPath.some(function (n) { return n.control === t; });
  }
  // (A form's control, with or without a form, that is no button: submit, button, reset, image.)
  function isField(t) { return t.form !== undefined && !/^(su|bu|res|im)/.test(t.type); }
  // A field's focus time (not a button's, focused by its own press). (Also told by a shadow
  // root's own listener, see inShadow: a move between two of its fields reaches no further.)
  function focused(t, e) {
    var form, b;
    if (t !== focusEl && isField(t) && e.isTrusted && (form = formOf(t)) && !up(t, IGNORE)) {
      // The Enter just pressed moved the focus on in its form: no send (a grid filled line by
      // line with Enter, left in 3 s, was a form_submit: B2B QA).
      if (form === formGo && now() - enterAt < 300) formGo = null;
      unfocus();
      focusEl = t;
      focusBad = attr(t, 'aria-invalid') === 'true';
      focusForm = form;
      focusAt = now();
      // Only the focused field's focusout matters: not a listener on the whole document,
      // dispatched at every focus move of the page.
      t.addEventListener('focusout', leave, fieldOpts);
      // Enter in a text box that sends nothing by itself (no form, or a form without a submit
      // button): the page's key handler may send or check it. Listened for in the capture
      // phase, so before that handler (added first), whose field errors then come after it.
      // (A submit button not shown is none: a one-form wizard's "Book" in its last step.)
      if (t.tagName === 'INPUT' && !((b = t.form && t.form.querySelector('[type=submit],[type=image],button:not([type])')) && b.getClientRects().length)) t.addEventListener('keydown', enter, keyOpts);
    }
  }
  function sensorOf(name) {
    var fn = sensors[name];
    return fn && function (e) {
      if (signal && signal.aborted) return;
      try { fn(e); } catch (x) { guard(function () { throw x; })(); }
    };
  }
  var sensors = {
    click: click,
    // A middle click opens a link in a new tab: the link's touchpoints (outbound_click,
    // file_download) count; friction looks at primary clicks only (the engine checks).
    auxclick: function (e) { if (e.button === 1) click(e); },
    // Watching starts at the press: a menu or select that opens at pointerdown (Radix UI) or
    // mousedown (react-select) has answered before its click. What answers while the press's
    // handlers run (from pointerdown until mousedown has reached the window) answers the click
    // that completes it (see respond), not the clicks before. What the press causes after them
    // (the field left: its blur, its change event, a check on blur) is no answer to it.
    // (No act() here: the press's click is activity to the engine, and a press that makes no
    // click moves the pointer or touches: the pointer activity listeners see it.)
    // A touch is a tap only once lifted: a swipe begun on a control (to scroll on) ends in
    // pointercancel, with no mousedown and no click. Then the press is over: what comes after
    // answers the clicks before it (it waited for this press's click, which never came, and a
    // tap the page answered late looked dead), and a disabled control's press is no press (a
    // swipe up on a disabled sticky "Add to bag" at the page's end counted as rage). Listened
    // for only after a touch's press, once.
    pointerdown: function (e) {
      if (tapEnd) settleTap();
      if (e.isTrusted && !e.button) {
        var touch = e.pointerType === 'touch' && pointOpts;
        pressTouch = touch ? 1 : 0;
        if (touch) { lift = null; w.addEventListener('pointercancel', cancelled, pointOpts); }
        // (From its path's first: a design system's <ds-button disabled> wraps the <button>.)
        if ((pressDis = disabledOf(e.composedPath ? e.composedPath()[0] : e.target))) {
          if (touch) { lift = [e, pressDis]; w.addEventListener('pointerup', lifted, pointOpts); } else click(e, pressDis);
        } else {
          pressed = now(); pressEl = e.target; pressing = true; pressAnswer = false; focusPress = null; watch(true); evAt = pressed;
          pressPath = e.composedPath && e.composedPath(); // (see pressFocus)
          tapAt = [e.clientX, e.clientY]; // (see tapEnded, and a mouse's drag in click)
          if (touch) {
            tapStart = null;
            w.addEventListener('touchstart', tapStarted, pointOpts);
            w.addEventListener('touchend', tapEnded, pointOpts);
          }
        }
      }
    },
    mousedown: function () { pressing = false; },
    // A touch the page captured (setPointerCapture: a drag of its own), see user().
    gotpointercapture: function (e) { captured = e.pointerType === 'touch'; },
    lostpointercapture: function () { captured = false; },
    // From a mouse's release until its click, the press's handlers run again (mouseup, pointerup:
    // a drag-aware "Add to bag", a slider handle whose label follows it): what they change
    // answers the click that completes the press. (The focus the press moved, and what the field
    // it left does on blur, came before: at mousedown.)
    // Only what those handlers do (window.event is their event, also in their microtasks): the
    // page still moving from the visitor's wheel, or a smooth scroll, between the release and
    // the click answers nothing.
    pointerup: function (e) { if (pressed && e.isTrusted) releasing = true; },
    // (With the tab's session as stored: the page shown again from the back/forward cache may
    // have written it already, see Input::PageHide.)
    pagehide: function () {
      if (tapEnd) settleTap();
      gone = 1;
      formOn();
      push('h' + US + now() + US + one('sessionStorage', 'tp:session'), 1);
    },
    pageshow: function (e) {
      gone = 0;
      // Restored from the back/forward cache: the pages the visitor saw meanwhile may have
      // changed the remembered decision, the anonymous id (a sign-out) and the tab's session.
      if (e.persisted && remember) queue.push(rec('R', now(), f(one('localStorage', 'tp_consent'))));
      // (Its view begins where it comes back scrolled to, as a route's at its first screen.)
      if (e.persisted) viewBegins();
      push('s' + US + now() + US + (e.persisted ? 1 + US + depth(0) + US + f(one('localStorage', 'tp:aid')) + US + one('sessionStorage', 'tp:session') : 0), 1);
      // A page restored from the back/forward cache paints nothing anew and the browser reports
      // no LCP for it: as web-vitals (and so CrUX) measures it, its LCP is the time from pageshow
      // to the second frame after it.
      if (e.persisted && lcpOn) requestAnimationFrame(function () {
        requestAnimationFrame(guard(function () { if (sensing) push(rec('w', now(), 'r', (performance.now() - e.timeStamp) | 0)); }));
      });
    },
    visibilitychange: function () { push('v' + US + now() + US + (d.visibilityState === 'hidden' ? 1 : 0), 1); },
    // Frozen in the background (a tab the browser may discard next, with no pagehide): what was
    // captured since it was hidden is written now, as at hiding (an error in a background
    // widget, still waiting for its hand-over on a throttled timer, was lost: QA).
    freeze: function () { if (!gone) push('v' + US + now() + US + 1, 1); },
    online: function () { push('o' + US + now() + US + 1, 1); },
    offline: function () { push('o' + US + now() + US + 0, 1); },
    // Signs of a response to a click.
    focusin: function (e) {
      var t = e.target;
      // The visitor's own next press (a button, a link, a field) moves the focus to what they
      // press, at its mousedown: that answers no earlier click. The focus then lands on the
      // pressed element or an element holding it; a focus moved by the page (a handler's
      // focus(), a label's field) lands elsewhere. (Not t.matches(':hover,:active'): ~10 us a
      // call more under the bench's workload than one contains().)
      // Nor does the visitor's own Tab (see `tabbed`). At the press, not later: a focus the page
      // moves seconds after to an element holding the last one pressed (a "Jump to results"
      // key focusing the list clicked in before) answers what moved it. (A touch's press
      // moves it at its release: releasing.)
      // (Nor a frame the visitor clicks into, which the press there gives no press here: see blur.)
      if (!pressFocus(t.shadowRoot && e.composedPath ? e.composedPath()[0] : t)) { if (now() - tabAt > 99 && t.tagName !== 'IFRAME') respond('f'); natFocused(t); }
      // (Not a field: its click places the caret and answers nothing.)
      else if (e.isTrusted && !isField(t)) focusPress = [t, e.relatedTarget]; // (see focusAnswer)
      focused(t.shadowRoot ? inShadow(e) : t, e);
      customFocused(t.shadowRoot ? e.composedPath()[0] : t);
    },
    // The window losing focus (another tab, another app) answers a click; a field's blur
    // is the other half of a focus move (focusin above), or of the visitor's next press.
    // (Not a blur to a frame of the page's own, a video or a post embedded in an article: the
    // visitor is still on the page, reading and scrolling it; its engaged time went on only
    // from their next click on the page itself: QA.)
    // (Not focus moved into one of the page's frames: the visitor re-checking the card number
    // in a payment provider's frame after a Pay that did nothing: a checkout QA.)
    blur: function (e) { if (e.target === w) { if ((d.activeElement || {}).tagName !== 'IFRAME') respond('h'); framed(); } },
    focus: function (e) { if (e.target === w) { clearTimeout(frameTimer); push(rec('f', now(), 1)); } },
    toggle: function () { respond('d'); },
    reset: function () { respond('c'); }, // (the fields cleared: no property set, no DOM change)
    close: function () { respond('d'); },
    play: function (e) { if (!moving(e.target, 10000) && !playing.has(e.target)) respond('p'); },
    hashchange: function () { route('h'); },
    // (Not a page's own popstate event: single-spa dispatches one inside pushState, before
    // Touchpoint's wrapper has seen the push, which made every route change a back_forward.)
    popstate: function (e) { if (e.isTrusted) route('b'); },
    scroll: function (e) {
      // (The page's own scrolling always answers: a "back to top" button clicked while the
      // visitor's wheel still moves it scrolls the same document.)
      // (`moving` is true while no click waits: the ambient lookup is for a waiting click only,
      // not for every frame a ticker scrolls.)
      var t = e.target, a;
      // (Not the page scrolled by a Space taken as a custom control's click, not cancelled:
      // smooth scrolling moves it for a few hundred ms.)
      // Nor the page scrolled by the visitor's own Tab, to the element it focused (a keyboard
      // QA: a dead "Apply filters", then Tab to a control further down, was answered).
      // Nor the browser's scroll anchoring, the page moved by as much as content grew above
      // the reader (an infinite feed's next cards above the footer read): within 500 ms of a
      // change of the document's size (see `resized`).
      if (!(ctlEv && ctlEv.key === ' ' && !ctlEv.defaultPrevented && now() - ctlAt < 500) && now() - tabAt > 500 && (t === d ? now() - resized > 500 : !moving(t, 150) && !((a = ambient(t, true)) && !a.contains(clickedEl)))) respond('s');
      if (t !== d) return;
      scrollAt = now();
      if (!scrolled) { scrolled = true; viewScrolled = 1; act(); later(); }
      // Only the turning points (and the first position) go to the engine: a leg's extremes are
      // all scroll_thrash needs, and a scroll fires once per frame.
      var y = w.scrollY | 0, dir = y > lastY ? 1 : y < lastY ? -1 : 0;
      peak = Math.max(peak, pct());
      // Scroll anchoring: content above the reader grew or shrank (photos without a size
      // loading, a feed dropping its oldest stories) and the browser moved the page by as much
      // to keep their place, the other way while they scroll one way. That jump is no leg of
      // theirs: the leg goes on from where it moved to. Told by the document's size changing
      // just before (its ResizeObserver reports after the layout that moved the page, before
      // the next frame's scroll event): the wheel's own direction is not known here, its
      // listener fires once per 500 ms. (A reversal of the visitor's within 500 ms of a
      // change of the document's size is missed.)
      // (Its first report, the sizes when it starts observing, is no change.)
      watchSize();
      roScroll = 1;
      if (dir && lastDir && dir !== lastDir && now() - resized < 500) { legStart += y - lastY; lastY = y; return; }
      // A leg begun as a view began (within 500 ms after it) is the page's own (a router's scroll
      // to the top, a restored position), whatever input came before: a reader going down,
      // following links whose routes jumped to the top, was a scroll_thrash (a web-perf QA). (A
      // leg begun before the view, ended by that jump, is the visitor's.)
      // (Not on a page marked data-tp-no-thrash, its <html> or <body>: scroll-jacked panels a
      // visitor flicks back and forth, whose every leg is a viewport: a brand site's QA.)
      if (dir && lastDir && dir !== lastDir && !(d.body && up(d.body, '[data-tp-no-thrash]'))) {
        push(rec('y', now(), lastY, w.innerHeight | 0, now() - lastUser < 1500 && (legAt < navAt || legAt - navAt > 500) ? 1 : 0, Math.abs(lastY - legStart)));
        legStart = lastY;
        legAt = now();
      }
      if (dir) { lastDir = dir; lastY = y; }
    },
    error: function (e) {
      if (e.target !== w && e.target !== d && e.target) return; // a resource that failed to load
      failed(e);
    },
    unhandledrejection: function (e) {
      var r = e.reason;
      // One error, one report: a view transition whose update throws rejects its three
      // promises (updateCallbackDone, ready, finished) with the same error object, three
      // rejections in a row (a QA of framework storefronts: three js_error for one error).
      if (r && r === lastReason) return;
      lastReason = r;
      // (No reason, `Promise.reject()`: "undefined", as Sentry says it, a js_error as the
      // error_click it makes; an empty message is noise, a cross-origin script's.)
      // (Its file, from its stack: Firefox alone has fileName. An unhandled rejection of another
      // origin's was the click's error: a click tracker's beacon blocked at every click made
      // every click an error_click, a tag-management QA.)
      var m = r && r.fileName ? [0, r.fileName, r.lineNumber, r.columnNumber] : at(r, 1);
      report(r && r.message || String(r), m && m[1], m && m[2], m && m[3], 1, r && typeof r == 'object' && thirdFailed && thirdFailed.has(r));
    },
    // The browser's own validation, on the visitor's action: within 1 s of a trusted click on a
    // control that is not a field (a submit button, also clicked by the browser when Enter
    // submits a form; a "Next" button whose handler calls reportValidity()). A page's script
    // calling checkValidity() on load or at each keystroke (to enable its button) fires
    // `invalid` too, on fields the visitor has not reached yet: that is not their error.
    // (Not a field that is not shown: a one-form wizard's later steps, checked by the browser
    // when Enter submits the whole form, are no error the visitor saw.)
    // After a press that sends nothing (a stepper or a date picker in the form, whose handler
    // checks the form to enable its Next: a booking wizard's QA), only a check that reports, as
    // reportValidity() does: it focuses the first invalid field (after the page's handler, when
    // the microtask runs); checkValidity() moves nothing, and its fields are no error yet.
    invalid: function (e) {
      var t = e.target;
      if (now() - pressAt >= 1000 || !t.getClientRects().length) return;
      if (pressSends) return fieldError(t, '', '');
      // (The focus asked of each field's own root: a field in a shadow root is heard there.)
      if (!checked) Promise.resolve().then(guard(function () {
        var l = checked;
        checked = null;
        if (l.some(function (t) { return t.getRootNode().activeElement === t; })) l.forEach(function (t) { fieldError(t, '', ''); });
      }));
      (checked = checked || []).push(t);
    },
    input: function (e) {
      var t = e.target, form;
      if (t && t.shadowRoot) t = inShadow(e);
      // One record per field the visitor moves to (a contenteditable's input is none), and none
      // for the change that Enter commits after the key's handler sent the form (and maybe
      // opened the next view).
      var fresh = e.isTrusted !== false && t && t.form !== undefined && t !== lastField && !(e.type === 'change' && t === doneField);
      // A control changed state (a checkbox a label toggled: no DOM change, no focus). Not a
      // text's change, its commit as the field is left: pressing a disabled Delete after typing
      // in its confirmation left the field, and that answered the press (an account area's QA:
      // no rage_click).
      if (!(e.type === 'change' && /^(text|email|tel|url|password|textarea|search|number)$/.test(t.type))) respond('c', pressed && e.target);
      // A step shown in place of the one just continued, after a request longer than the
      // click's moment (an address checked): the visitor's input in it says the other was done.
      // (Before typedEl is set: that submit ends the typing in the other form, not in this one.)
      if (fresh) leftInPlace();
      if (e.isTrusted) { typedEl = inputEl = t; typedAt = now(); } // (a field without a form too; inputEl: see route)
      if (!fresh) return;
      lastField = t;
      // (Not a field marked data-tp-ignore, nor one in such a box: a design tool's fields,
      // ignored, made its panel a form begun and abandoned, their names in it: QA.)
      if ((form = formOf(t)) && !up(t, IGNORE)) began(form, t);
    },
    // (Not by a button that closes the form: a <form method=dialog>'s Cancel submits it.)
    // The page's own handler may cancel the submission (preventDefault: a React form checking
    // its fields and sending them by fetch): the form was then sent unless the page finds a
    // field in error within 3 s (`pending`: its form_submit made then, or when the view ends
    // before). Taken as sent at once, a checkout whose card the page found invalid, then left,
    // was a form_submit and no form_abandon. One the browser carries out was sent: told after
    // the page's handlers, a task later (it leaves the page later still).
    submit: function (e) {
      var form = e.target;
      if (e.submitter && dismisses(e.submitter)) return;
      // Another form sent while one was pending (a promo code applied in place, then the order
      // placed within 3 s): that one was sent (its form_submit was lost: a grocery shop's QA).
      if (pending && pending !== form) sent(pending);
      fieldCheck(form, null, 3000);
      typedEl = null; // (a submit ends typing: the error the handler shows is the visitor's)
      pending = form;
      // Its declarative event as it is now, made when the form is known sent: its time and
      // props the submit's. (Made up to 3 s later, an AJAX cart's add_to_cart came after the
      // drawer's begin_checkout, and with the variant picked since: a theme developer's QA.)
      pendDecl = form.hasAttribute('data-tp-event') && decl(form);
      // A step of a wizard in one form (its Next a submit button the page's handler cancels,
      // the next step shown in place): fields shown since are the form going on, not sent
      // (each step was a form_submit, and one given up no form_abandon: a booking wizard's QA).
      // (Asked wherever a pending submit is concluded: its 3 s, the end of its request, the
      // view's end. At the view's end only, a step's Next followed by a link within 3 s was a
      // form_submit of a returns wizard given up: a help center's QA.)
      pendShown = shownIn(form);
      pendAt = now();
      pendQuiet = watching;
      pendReq = reqId;
      setTimeout(guard(function () { if (pending === form && !e.defaultPrevented) submitted(form); }));
      setTimeout(guard(function () { if (pending === form && !goReqs) sent(form); }), 3000);
    }
  };
  // The visitor's first input into a field of `form` (its form_start and what form_abandon
  // needs), or (`again`) a form the server drew again with its errors, found at load.
  function began(form, t, again) {
    if (started) started.add(form);
    if (!t.form && boxes.indexOf(form) < 0) boxes.push(form);
    var all = form.querySelectorAll(FIELDS), n = all.length, texts = 0, i, l = form.elements || [];
    for (i = 0; i < n; i++) if (TEXT.test(all[i].type)) texts++;
    // And its form-associated custom elements (in its elements, never in FIELDS).
    // (Not its buttons: Material's and Shoelace's are form-associated, `type` submit or button.)
    for (i = 0; i < l.length; i++) if (l[i].localName.indexOf('-') > 0 && !/^(submit|button|reset)$/.test(l[i].type) && ++n && TEXT.test(l[i].type)) texts++;
    // Typed into a form of data entry, one with two text fields or more: what makes leaving
    // it unsent a form_abandon. Choices only (a product's size and quantity, a filter's
    // boxes, a sort order) are browsing, which the page applies as it goes; a form with one
    // text field is a tool (a cart's shipping estimate by postcode, a store finder, a
    // coupon, a search), whose answer the visitor reads in place.
    var entry = (again || TEXT.test(t.type)) && texts > 1 &&
      form.getAttribute('role') !== 'search' && !form.querySelector('input[type=search]');
    push(rec('g', now(), formKey(form), formName(form), n, (entry ? 1 : 0) + (attr(form, 'id') || form.tagName !== 'FORM' && !attr(form, 'aria-label') ? 2 : 0) + (again ? 4 : 0) +
      // (A choice, which starts no form: core::input::Input::FormInput::choice.)
      (/^(checkbox|radio|range|select)/.test(t.type) ? 8 : 0) + (wentOn.indexOf(form) < 0 ? 0 : 16), group(t, false)));
  }
  // A form submitted (its submit event, or see formOn): form_submit with the time spent in each
  // field, and no form_abandon.
  // pendQuiet: the pending submit, made while a click was watched, has had no answer since (no
  // change in the page, no request: pendReq, the requests' count then).
  var pending = null, pendDecl, pendShown, pendAt = 0, pendQuiet = 0, pendReq;
  function shownIn(form) { return [].filter.call(form.elements || [], function (el) { return el.matches(FIELDS) && el.getClientRects().length; }); }
  // The pending submit concluded: sent, unless it was a step (fields shown since its submit;
  // nor is its press one, see formOn).
  function sent(form) {
    // A submit the page cancelled and answered in no way, no request either (a date refused
    // without a word: the press a dead_click): nothing was sent. Given up, a form_abandon (it
    // was a dead_click and a form_submit: a property portal's QA).
    if (form === pending && pendQuiet && reqId === pendReq) return pending = formGo = null;
    var step = shownIn(form).some(function (el) { return pendShown.indexOf(el) < 0; });
    step ? pending = formGo = null : submitted(form);
    return step;
  }
  function submitted(form) {
    var m, list = [], n, snap = form === pending && pendDecl;
    formGo = pending = null;
    doneField = lastField;
    lastField = null;
    if (focusEl && focusForm === form) unfocus();
    m = focusTimes && focusTimes.get(form);
    for (n in m) list.push(n + ':' + m[n]);
    // (Its next use, the form opened again, times its own fields: they were each use's sum.)
    if (m) focusTimes.delete(form);
    typedEl = null; // pressing Enter in a field ends typing
    if (up(form, IGNORE)) return;
    if (form.hasAttribute && form.hasAttribute('data-tp-event')) push(snap || decl(form));
    // (One the visitor began is theirs, whatever is in it now: a reservation whose thanks the
    // page drew in its place, fields gone, was a form_abandon: a store locator's QA.)
    if (started && started.has(form) || fillable(form)) push(rec('u', now(), formKey(form), formName(form), list.join(',')));
  }
  // A form the visitor fills in: one with a field. Hidden inputs and buttons alone (an add to
  // cart, a sign-out, a "remove" form) make a button, not a form: each card's add to cart was a
  // form_start and form_submit, and the alert of one that failed a field_error (a React Router
  // QA). (A box without a <form> has fields; a form-associated custom element is one.)
  function fillable(form) {
    return !form.elements || [].some.call(form.elements, function (e) { return !/^(hidden|submit|button|reset|image|fieldset|output)$/.test(e.type); });
  }
  // A form "submitted" by its button's own handler, with no submit event (a checkout step's
  // type=button "Continue", or a click handler that calls preventDefault()), and the visitor
  // moved on: the view ends (a router's route change, the page left) within 3 s of the click on
  // that button, or of the end of a request the page started within 3 s of it (a payment
  // answered after 6 s, then the thanks view; up to 30 s after the click), with no other click
  // and no field error between. Its form_submit is made then, before the view ends, so the form
  // the visitor completed is no form_abandon.
  // Only a form with the visitor's input (one form_abandon could be about): a product form's
  // "+" followed by a route change is no submit.
  // goReqs: the requests started within 3 s of a press in a form still on their way; a submit
  // whose handler sent the form by fetch is not taken as sent while they are (see request).
  var formGo = null, goBy = 0, goReqs = 0, doneField = null, started = w.WeakSet && new WeakSet();
  // A control pressed (`el`: a click; null: Enter in a formless form's text box) in `form`
  // (null: none): the step its last press may have completed in place asked about first, field
  // errors looked for, and the form the press may send (not by a reset button, nor by one that
  // closes it: see dismisses).
  function pressedIn(form, el) {
    var shut = form && el && (el.type === 'reset' || dismisses(el));
    // A confirmation the submit's handler asked for (a dialog: "Place a max bid of 2,000?")
    // cancelled, nothing sent since the submit: the form was not sent (a form_submit 3 s later:
    // an auction's QA). Given up, a form_abandon.
    if (pending && el && reqId === pendReq && dismisses(el)) pending = formGo = null;
    pressSends = !el || el.type === 'submit' || el.type === 'image';
    leftInPlace();
    // Closed right after its own send (no other press and no field error between): a thanks
    // shown next to the form, then the modal's close button.
    if (shut && form === formGo && el.type !== 'reset' && started && started.has(form)) submitted(form);
    pressAt = now();
    fieldCheck(form, null, 3000, 1);
    formGo = form && !shut ? form : null;
    // (A moment of truth is what a form used just before was for only when it was pressed: see
    // core::friction::form_abandon::FormAbandon::moment.)
    if (formGo && started && started.has(form)) push(rec('P', pressAt, formKey(form)));
    goBy = pressAt + 3000;
  }
  // A button that closes a form without sending it: a modal's Cancel or its close button (x,
  // aria-label="Close", Bootstrap's data-bs-dismiss), a step's Back, a <form method=dialog>'s
  // cancel. Its form leaves the view as a completed step does, but was abandoned. Told by its
  // label (the whole label, in English, French, German, Spanish, Italian or Dutch) or its value.
  // (Its whitespace collapsed, NFC: `No&nbsp;thanks`, a line break in the source, a decomposed
  // ü; a close icon before or after the word: `× Fermer`, a visually hidden word after a ×.)
  var DISMISS = /^[\u00d7\u2715\u2716]? ?(cancel|close|dismiss|back|no,? thanks|not now|x|\u00d7|\u2715|\u2716|annuler|fermer|retour|non merci|pas maintenant|abbrechen|abbruch|schlie(\u00df|\u1e9e|ss)en|zur\u00fcck|nein,? danke|nicht jetzt|cancelar|cerrar|volver|no,? gracias|ahora no|annulla(re)?|chiudi(re)?|indietro|no,? grazie|non ora|annuleer|annuleren|sluiten|terug|nee,? bedankt|niet nu|fechar|anuluj|zamknij|(i|\u0130)ptal|kapat|\u043e\u0442\u043c\u0435\u043d\u0430|\u0437\u0430\u043a\u0440\u044b\u0442\u044c|\u30ad\u30e3\u30f3\u30bb\u30eb|\u9589\u3058\u308b|\u53d6\u6d88|\u5173\u95ed|\u95dc\u9589|\u0625\u0644\u063a\u0627\u0621|\u0625\u063a\u0644\u0627\u0642|\u05d1\u05d9\u05d8\u05d5\u05dc|\u05e1\u05d2\u05d5\u05e8) ?[\u00d7\u2715\u2716]?$/i;
  function dismissive(t) {
    t = (t || '').replace(/\s+/g, ' ').trim();
    return DISMISS.test(t.normalize ? t.normalize() : t);
  }
  function dismisses(el) {
    return el.hasAttribute('data-dismiss') || el.hasAttribute('data-bs-dismiss') ||
      dismissive(el.getAttribute('aria-label') || el.textContent) || dismissive(el.value);
  }
  function formOn() {
    // A step shown by the Next whose submit made this route, no input since (the visitor's
    // input in it before a route says the route is another's): the form goes on in the new
    // view (see keptForms).
    var p = pending;
    wentOn = p && sent(p) && typedAt < pendAt && started && started.has(p) ? [p] : [];
    if (formGo && started && started.has(formGo) && now() < goBy) submitted(formGo);
    formGo = null;
    boxes = []; // (the view's)
  }
  // Or completed in place: the form whose button was pressed last (formGo: no other click, no
  // field error since) has left the view, removed or hidden (no box): a checkout's "Continue"
  // that shows the next step on the same page. Asked when the click's moment ends (3 s) and at
  // the visitor's next click on a control, input in another field, or Enter in a formless
  // form. (A modal closed by its Cancel looks the same: such a button sets no formGo, see
  // dismisses.)
  function leftInPlace() {
    if (formGo && started && started.has(formGo) && !formGo.getClientRects().length) submitted(formGo);
  }
  // A changed value (for a text field: on leaving it) may be validated by the page's script.
  // Files dropped (a drop zone's): their names as a chosen file's, and the form around the zone
  // watched for the errors the page finds in them, as for a changed value (a photo refused by
  // its type was no field_error when dropped: a print shop's QA).
  sensors.drop = function (e) {
    chose(e.dataTransfer && e.dataTransfer.files);
    if (e.isTrusted && e.target.closest) fieldCheck(e.target.closest('form'), null, 3000);
  };
  sensors.change = function (e) {
    sensors.input(e);
    var t = e.target;
    if (t && t.type === 'file') chose(t.files);
    if (e.isTrusted && t && t.form !== undefined) { typedEl = null; fieldCheck(formOf(t), t, 1000); } // (a form's or not)
    // A field the page checks as it is typed (validate on input: React Hook Form's and Formik's
    // "onChange" mode) was marked while the visitor typed, when no error is taken, and nothing
    // changed after: still marked as they leave it, it is their error (a quick-order grid's
    // minimum quantity never was one: B2B QA). Not one marked before they came to it (a form
    // drawn again with its errors: the page may clear them only when it is sent).
    if (t === focusEl && !focusBad && attr(t, 'aria-invalid') === 'true') { focusBad = 1; fieldError(t, 'a', ''); }
  };

  // The page's requests, its history and window.open, observed by wrapping them (always calling
  // the original and returning its result, so the page and other wrappers see no difference);
  // Event Timing, LCP and layout shifts by PerformanceObservers. Touchpoint's own requests use
  // the fetch saved before the wrapping and are not observed.
  var origFetch = w.fetch, observers = [];
  function unobserve() { observers.forEach(function (o) { o.disconnect(); }); observers = []; watch(false); pointOpts = 0; }
  // Disabled after an internal error (the loader aborts the signal): the observers go with the
  // listeners, the click-response observer too, which a waiting click had connected.
  // (An exception in an abort listener would reach the page's window.onerror.)
  if (signal) signal.addEventListener('abort', function () { try { unobserve(); } catch (e) {} });
  var gone = 0; // (pagehide seen, pageshow not since)
  // clickReqs: the requests the last click started (see request) still on their way; its
  // number, clickNo, tells a request of an earlier click (see mo).
  // busy: the visitor's requests still on their way: first-party ones their action's handlers
  // started (window.event is its event, also in their microtasks, where React, Vue and Svelte
  // render), and each started within 100 ms of the end of one (a bulk add posting its lines one
  // after another), for 60 s after the action at most (a long poll restarted at once is no
  // action's); busyEnd: when the last ended. What changes meanwhile (a progress bar) is the
  // action's answer, no motion of its own (see learn). (Not any request started soon after
  // the action: the page's own poll every 300 ms, one of which began right after a click, was
  // a chain of the visitor's requests from then on.)
  var clickNo = 0, clickReqs = 0, busy = 0, busyEnd = -1e4, kept = null;
  // A lookup: a GET the form being sent makes with what the visitor typed in it (an order's
  // number, a postcode) in its address: its 4xx is the answer, "not found", which the page shows,
  // not the site failing (a help center's order lookup was a failed_request at each typo: QA).
  // Compared without case, spaces or dashes: the page may ask for the postcode typed as "zz9 9zz"
  // at /postcode/ZZ99ZZ.json (a charity's QA: every unknown postcode was a failed_request).
  // (The values are compared here, never kept.)
  // (A form, the fields around a button outside any, or the field typed in last, 30 s ago at
  // most: a product page's stock check by postcode is rarely a <form>, and each unknown
  // postcode was a failed_request: a fashion retailer's QA.)
  function bare(v) { return v.toLowerCase().replace(/[\s-]/g, ''); }
  function lookup(method, u, form) {
    var h;
    try { h = /^(GET)?$/i.test(method || '') && bare(decodeURIComponent(u.href.replace(/\+/g, ' '))); } catch (e) {}
    return h && [now() - typedAt < 3e4 && lastField].concat([].slice.call(form ? form.elements || form.querySelectorAll(FIELDS) : [])).some(function (el) {
      var v = el && /^(text|search|number|email|tel)$/.test(el.type) && bare(el.value);
      return v && v.length > 1 && h.indexOf(v) >= 0;
    });
  }
  // A failed request's path with each segment that holds what the visitor typed in a field
  // masked, compared as a lookup's (its extension kept): a postcode lookup down, a 503 at
  // /postcode/M11AE.json, sent the customer's postcode, and made one leaderboard row per
  // customer of one outage (an electronics store's QA). (The values are compared, never kept.)
  function untyped(p) {
    var vs = typed().map(bare);
    return vs.length ? p.split('/').map(function (s) {
      var b = s;
      try { b = decodeURIComponent(s); } catch (e) {}
      b = bare(b);
      return vs.some(function (v) { return b.indexOf(v) >= 0; }) ? s.replace(/^[^.]*/, '***') : s;
    }).join('/') : p;
  }
  function request(method, url) {
    if (!sensing) return null;
    var id = ++reqId, t0 = now(), u, go = formGo && t0 - pressAt < 3000 && pressAt, k, a = t0 - Math.max(evAt, lastUser), own, ev = w.event, mine;
    if (go) goReqs++;
    try { u = new URL(url, location.href); } catch (e) { u = location; }
    own = u.origin === location.origin;
    // (The click's own: first-party, started in its handler or right after. Not a third party's
    // hit, nor a chat's long poll that happens to begin a second later: either would keep the
    // clicked control's own change from answering it.)
    if (own && t0 - evAt < 300 && (k = clickNo)) clickReqs++, asked = k;
    if ((mine = own && a < 6e4 && (ev && ev.isTrusted && a < 1e3 || busy || t0 - busyEnd < 100))) busy++;
    // Not a response ('r'): the engine takes a request start as rage's answer, while a waiting
    // dead click waits for the request and then for the page to show something. Only one to the
    // page's own origin answers a rage burst (id 0: see Friction::request_start): a third party's
    // hit at every click, a chat's poll, made every rage_click of such a shop a dead_click (QA).
    // And only the visitor's: the page's own poll of its server every second, whose answers
    // changed nothing, answered every rage burst on a seat map's sold seats (a ticketing QA).
    // (Its end keeps its id: a failure of the page's own is a failed_request, not its click's.)
    if (!own) id = 0;
    // (A lookup's start is sent as no click's, id 0: its 4xx is then none of the click's failures.)
    push(rec('q', t0, mine && !lookup(method, u, go ? formGo : pending) ? id : 0, 's'));
    // A request cut off because the page is being left (a link followed while a slow widget's
    // request was on its way: the browser rejects its fetch after pagehide) did not fail at the
    // network: cancelled (1), as one the page aborts.
    // `later`: the answer's Retry-After. A 5xx with one to a request no action of the visitor's
    // started is the server asking the page to come back later (a waiting room's queue poll
    // answered 503: the page waits as told), no failure the visitor met: cancelled (1). (It
    // was the inspector's top friction on a sneaker drop's waiting room: its QA.)
    return function (status, later) {
      var chk;
      if (gone && !status || later && !mine) status = 1;
      if (go) goReqs--;
      // The click's last request answered, its control's own change kept (an optimistic heart,
      // aria-pressed set at the click and left so: a pending state is taken off, or stays as
      // disabled or busy): that was its answer. Every working save was a dead_click (a
      // marketplace's QA). (`undone`: the values before, see watch.)
      // (Asked 300 ms later: the page's own handlers of the answer, which take a pending state
      // off, run after this one, a fetch's `then` and an XHR's `onload` alike, and after the
      // answer's body is read, `r.json()`, tasks later: a delivery slot's refused booking, its
      // state taken off then, was answered by it: a furniture store's QA.)
      // (Or at the next click, if it comes first: the answer is the earlier click's.)
      if (k && k === clickNo && !--clickReqs) setTimeout(kept = chk = guard(function () {
        if (kept !== chk) return;
        kept = null;
        // (Told as it is: respond() in the next click's handler takes it for that press's own.)
        if (watching && undone.some(function (u) { return !/^(disabled|aria-(busy|disabled))$/.test(u[1]) && u[0].getAttribute(u[1]) !== u[2]; })) push(rec('r', now(), 'm'));
      }), 300);
      if (mine) { busy--; busyEnd = now(); }
      // A send that failed (the network, or a 5xx: a payment service down) sent nothing: the
      // view left then is the form's abandon, not its submit (Back 2 s after a payment's 500 was
      // a form_submit: a zone.js QA).
      if (go === pressAt && (!status || status > 499)) {
        goBy = 0;
        if (pending === formGo) pending = null;
      } else if (go === pressAt) {
        goBy = Math.max(goBy, Math.min(now(), pressAt + 27000) + 3000); // (see formOn)
        // The form's answer came (a server's check of a postcode, 4 s on a slow network): its
        // fields are watched for 3 s more, and a submit still pending is sent only after them.
        var p = pending;
        if (p || formGo) fieldCheck(p || formGo, null, 3000, !p);
        if (p) setTimeout(guard(function () { if (pending === p && !goReqs) sent(p); }), 3000);
      }
      push(rec('q', now(), id, 'e', f(method || 'GET').toUpperCase(), hide(status > 199 && status < 400 ? f(u.pathname) : untyped(f(u.pathname))), status | 0, now() - t0, own ? 1 : 0));
    };
  }
  // (`before` and `after` run through `guard`: called by the page's code, they run outside an
  // Angular app's zone, as everything they register does.)
  // `after` may return a promise for the page in place of the original's, settling as it does
  // once Touchpoint has looked: Touchpoint's handler on the page's own promise marks that one
  // handled, and a failed fetch the page did not catch was then no unhandled rejection for the
  // page's error tracker (nor a js_error).
  function thenable(p) { return p && typeof p.then == 'function'; }
  function wrap(obj, name, before) {
    var orig = obj && obj[name];
    if (typeof orig !== 'function') return;
    before = guard(before);
    obj[name] = function () {
      var after;
      try { if (signal ? !signal.aborted : true) after = before.apply(this, arguments); } catch (e) {}
      var r;
      // The original may throw (an XHR sent twice, a fetch polyfill's bad argument): `after` is
      // told so (its second argument), as a request that never started must not stay in flight
      // (every later dead click waited 7 s for it); the exception is the caller's, as it was.
      try { r = orig.apply(this, arguments); } catch (x) {
        try { if (after) guard(after)(r, 1); } catch (e) {}
        throw x;
      }
      try { if (after) r = guard(after)(r) || r; } catch (e) {}
      return r;
    };
  }
  // slowMs: the slow_interaction threshold; Event Timing only reports entries at least this long.
  // hash: a change of the URL's fragment is a new page view (data-spa="hash").
  function observe(slowMs, hash) {
    hashViews = !!hash;
    wrap(w, 'fetch', function (input, init) {
      // A router's prefetch (Next.js's Link: Next-Router-Prefetch; a Purpose: prefetch header)
      // is no request of the visitor's: it neither answers a click nor
      // fails one (a prefetch of a link to a missing page was a failed_request 404 at every
      // route change: a Next.js developer's QA).
      var h = (init && init.headers) || (input && input.headers);
      try { h = h && new Headers(h); } catch (e) { h = 0; }
      if (h && (h.has('next-router-prefetch') || /prefetch/i.test(h.get('purpose')))) return;
      var end = request((init && init.method) || (input && input.method), input && input.url || input);
      // Status 1 (no HTTP status is below 100): cancelled by the page (AbortController), which
      // is no failure: search-as-you-type cancels the request of every previous keystroke.
      // (The rejection passed on from here is "muted" when this script came from another
      // origin without `crossorigin`: Chromium then fires no unhandledrejection for it, nor
      // for the page's chains on it. Hence the attribute in the README's cross-domain tag.)
      var abs;
      try { abs = new URL(input && input.url || input, location.href).href.split('#')[0]; } catch (e) {}
      return end && function (p, threw) {
        // (A page's own fetch wrapper may return what is no promise: no outcome to wait for.)
        if (threw || !thenable(p)) end(1); else return p.then(function (r) {
          // (Guarded: a page's own fetch wrapper may answer with what is no Response, and an
          // exception here would reject the page's promise.)
          var s, later;
          try {
            s = r.body && /x-component|event-stream/.test(r.headers.get('content-type')) && r.headers.get('content-length') == null;
            later = r.status > 499 && r.headers.get('Retry-After');
          } catch (e) {}
          if (s) streamed([abs, r.url], function () { end(r.status); }); else end(r && r.status, later);
          return r;
        }, function (e) {
          end(e && e.name === 'AbortError' ? 1 : 0);
          // (A third party's request: its failure unhandled is no error of the shop's clicks.)
          if (thirdFailed && e && typeof e == 'object' && (abs || '').indexOf(location.origin + '/')) thirdFailed.add(e);
          throw e;
        });
      };
    });
    // An answer streamed (a React Server Components payload, text/x-component, or server-sent
    // events, without a Content-Length: its headers sent at once and its body as the server
    // renders it) ends when its body has come, by its Resource Timing entry (7 s at most), not
    // at its headers: the router shows the route once the body is in, and every slow App Router
    // link was a dead_click (a Next.js storefront's QA). (Not any answer without a length: its
    // entry comes a task after the page's own handler of it, whose change on the clicked
    // control, "We will tell you", was then taken for the control's pending state. The
    // observer only while one is on its way.)
    var streams = [], streamObs;
    function streamed(urls, done) {
      var s = [urls, done];
      streams.push(s);
      try {
        if (!streamObs) observers.push(streamObs = new PerformanceObserver(guard(function (list) {
          list.getEntries().forEach(function (e) { streams.some(function (s) { return s[0].indexOf(e.name) >= 0 && !ended(s); }); });
        })));
        if (streams.length === 1) streamObs.observe({ type: 'resource' });
      } catch (e) { ended(s); }
      setTimeout(guard(function () { ended(s); }), 7000);
    }
    function ended(s) {
      var i = streams.indexOf(s);
      if (i >= 0) streams.splice(i, 1), s[1]();
      if (!streams.length && streamObs) streamObs.disconnect();
    }
    // (Not observed where the browser has no WeakMap: see xs.)
    var X = w.WeakMap && w.XMLHttpRequest && XMLHttpRequest.prototype;
    // An XHR's state is kept beside it (xs), not as properties of the page's object, which its
    // Object.keys() and for-in would show.
    var xs = X && new WeakMap();
    function xst(x) { var st = xs.get(x); if (!st) xs.set(x, st = {}); return st; }
    wrap(X, 'open', function (method, url, async) { xst(this).a = [method, url, async]; });
    // One listener per XHR object, which a page may reuse for several requests; the request
    // under way is st.e. Aborted (xhr.abort(), st.b): status 1, as for fetch.
    // Ended at its readystatechange to done, which the browser fires before load and loadend:
    // what the page's onload shows on the clicked control ("We will tell you") came while the
    // request was still on its way, taken for the control's pending state, and the click was a
    // dead_click (an htmx storefront's QA). (A page's own onreadystatechange, set before, still
    // runs first: jQuery 1's.)
    wrap(X, 'abort', function () { xst(this).b = 1; });
    wrap(X, 'send', function () {
      var x = this, st = xst(x), a = st.a || [], was = st.e, end = request(a[0], a[1]);
      st.e = end;
      st.b = 0;
      if (end && !st.l) {
        st.l = 1;
        x.addEventListener('readystatechange', function () { var end = st.e; if (end && x.readyState > 3) st.e = null, end(st.b ? 1 : x.status, x.status > 499 && x.getResponseHeader('Retry-After')); });
      }
      // (Sent again while in flight, or before open: send throws, and the request under way, if
      // any, is still the one its loadend ends.) A synchronous request that failed at the
      // network throws too, done, with no loadend: a failure (status 0), not a cancel (a legacy
      // shop's $.ajax({async: false}) to a server that dropped it was a dead click: QA).
      return end && function (r, threw) { if (threw) { st.e = was; end(a[2] === false && x.readyState === 4 ? 0 : 1); } };
    });
    // On History.prototype, where the browser has them: an agent wrapping the prototype after
    // Touchpoint (New Relic's) still sees every route change, which Touchpoint's own member on
    // the `history` object hid. On the object itself when a script before it wrapped them there
    // (Sentry): the prototype's would never be called.
    var H = w.history, HP = w.History && History.prototype;
    [['pushState', 'p'], ['replaceState', 'r']].forEach(function (m) {
      wrap(H.hasOwnProperty(m[0]) || !HP ? H : HP, m[0], function () { var was = location.href; return function () { route(m[1], was); }; });
    });
    // The page's own Back (its "« Back" link or button: history.back() in the click's handler, or
    // a `javascript:history.back()` link, run a moment after the click): that click was the
    // visitor's Back, not a use of the view (core::input::Input::BackClick; such a shop's quick
    // backs were never told: a legacy storefront's QA).
    ['back', 'go'].forEach(function (m) {
      wrap(H.hasOwnProperty(m) || !HP ? H : HP, m, function (n) { if ((m === 'go' ? n < 0 : 1) && now() - evAt < 300 && clickNo) push(rec('B', now())); });
    });
    // An answer the DOM does not show: a number input stepped (see the setters below), a new window, or the browser's own UI (a native dialog,
    // the share sheet, a permission prompt for notifications or the location, full screen, a
    // native date or colour picker, the payment sheet of an express checkout button (Google
    // Pay, Apple Pay), a passkey sign-in), a text copied to the clipboard ("Copy code" next to a
    // coupon: some pages show nothing), a video or sound played or paused (an Audio never put
    // in the page has no events the document sees; a click on a custom player pauses it), or a
    // script's click: a file picker opened through a hidden file input ("Upload a photo"), a
    // file saved through a link it made ("Download invoice": often a link never put in the
    // page, whose click no listener sees).
    var nav = w.navigator, P = function (c) { return w[c] && w[c].prototype; };
    // A message the visitor's action sends over the page's WebSocket (a slot booked, a bid, whose
    // confirmation the server sends back over it): a request of theirs, answered by the
    // socket's next message, ended by its close. The click waits for it as for a fetch (a
    // confirmation after 1.5 s was a dead_click, and a Book stuck in its pending state none: a
    // realtime storefront's QA). Only in the handler of the visitor's input: not a heartbeat,
    // nor a reply the page's own socket handler sends (a ticker's acks: its message event is
    // trusted too).
    // Ended after 10 s unanswered (a chat's message, answered when someone writes back): a click
    // waits 7 s at most, and a request of the visitor's left on its way would keep their later
    // requests theirs and stop learning what moves on its own for the rest of the page.
    // So is a message to a Web Worker, answered by the worker's next message (a size advisor
    // or a search index computed off the main thread: the answer after 1.5 s was a dead_click
    // on a slow phone: a low-end device QA).
    function answered(s, method, url) {
      var e = w.event, end = visitors(e) && request(method, url), k, ev = ['message', 'close', 'error'];
      function replied(m) { clearTimeout(k); ev.forEach(function (n) { s.removeEventListener(n, replied); }); end(m.type === 'message' ? 200 : 1); }
      if (end) ev.forEach(function (n) { s.addEventListener(n, replied); }), k = setTimeout(guard(replied), 1e4, {});
    }
    wrap(P('WebSocket'), 'send', function () { answered(this, 'WS', this.url.replace(/^ws/, 'http')); });
    wrap(P('Worker'), 'postMessage', function () { answered(this, 'WORKER', location.href); });
    // A form sent by script (form.submit(): a link's `javascript:` or onclick, a legacy
    // shop's "Continue »"), which fires no submit event: sent, as one the browser sends (a
    // completed checkout step was a form_abandon: a legacy storefront's QA). (requestSubmit
    // fires one.)
    wrap(P('HTMLFormElement'), 'submit', function () { submitted(this); });
    [[w, 'open'], [w, 'alert'], [w, 'confirm'], [w, 'prompt'], [w, 'print'], [nav, 'share'], [w.Notification, 'requestPermission'],
      [nav.geolocation, 'getCurrentPosition'], [P('Element'), 'requestFullscreen'], [P('HTMLInputElement'), 'showPicker'],
      [P('PaymentRequest'), 'show'], [P('ApplePaySession'), 'begin'], [nav.credentials, 'get'], [nav.clipboard, 'writeText'], [nav.clipboard, 'write'], [d, 'execCommand'],
      [P('HTMLMediaElement'), 'play'], [P('HTMLMediaElement'), 'pause'], [P('HTMLElement'), 'click'],
      [P('HTMLInputElement'), 'stepUp'], [P('HTMLInputElement'), 'stepDown']].forEach(function (a) {
      var media = a[0] === P('HTMLMediaElement'), o = a[0];
      // Where the method is: an object's own (window's alert, a page's polyfill of
      // navigator.share), else its prototype's, so that the page's navigator, clipboard and
      // document get no property of ours.
      if (o && typeof o == 'object' && !Object.prototype.hasOwnProperty.call(o, a[1])) o = Object.getPrototypeOf(o);
      wrap(o, a[1], function () {
        // (window.event is undefined while a handler in a shadow tree runs: a custom control's
        // key, just taken as its click, stands in for it there.)
        var e = w.event || now() - ctlAt < 50 && ctlEv, el = this;
        // A key handler clicking on Enter or Space (a custom role=button, as the ARIA practices
        // show; a field's Enter clicking its search button): the visitor's own click, judged
        // (see click), no answer to the one before.
        // The ARIA practices' button clicks at Space's keyup: the press its keydown was, which
        // ctlKey took as the click already (it was a second click, and its answer: an
        // accessibility QA).
        if (a[1] === 'click' && e && e.isTrusted && /^key(down|up)$/.test(e.type) && /^(Enter| )$/.test(e.key)) {
          if (e.repeat) return; // (the key held down: its first press's click again, see tabbed)
          keyAct = el;
          keyEv = e.type === 'keyup' && ctlEv && ctlEv.key === ' ' && now() - ctlAt < 3000 && keyCtl && keyCtl.contains(el) ? ctlEv : e;
          return function () { keyAct = keyEv = null; };
        }
        if (media && moving(el, 10000)) return;
        // A video played, a text copied: answered when its promise keeps it, as a request the
        // click started (the click waits for it, up to the dead click's longest wait). A Play
        // whose video cannot play (its file a 404) or a copy the browser refuses shows nothing:
        // answered at the call, such a button was never a dead click. The answer is dated at
        // the call, so it answers the clicks before it only, not one the visitor made while it
        // was on its way. (`playing`: the video's own play event, which comes first either way,
        // is no answer then.)
        // The browser's payment sheet: answered unless refused at once (a wallet the browser
        // does not have: no sheet, the Pay button dead; answered at the call it never was).
        // (Dated at the call, as a play's: it answers the clicks before it only.)
        var t0 = now();
        if (a[1] === 'show') return function (p) {
          var k = setTimeout(guard(function () { if (watching) push(rec('r', t0, 'o')); }), 500);
          return thenable(p) ? p.then(function (v) { return v; }, function (x) { clearTimeout(k); throw x; }) : respond('o');
        };
        if (!/^(play|write)/.test(a[1])) return respond('o');
        var end = request('', location.href);
        if (end) return function (p, threw) {
          function done(ok) { playing.delete(el); if (ok && watching) push(rec('r', t0, 'o')); end(1); }
          if (threw || !thenable(p)) return done(!threw);
          playing.add(el);
          return p.then(function (v) { done(1); return v; }, function (x) { done(); throw x; });
        };
      });
    });
    // A stylesheet the click's own handler rewrites (a theme switched by adoptedStyleSheets or
    // insertRule changes no element): only then, since CSS-in-JS libraries insert rules at any
    // render, a timer's too.
    ['replaceSync', 'replace', 'insertRule', 'deleteRule'].forEach(function (m) {
      wrap(P('CSSStyleSheet'), m, function () {
        var e = w.event;
        if (e && e.isTrusted && /^(click|key)/.test(e.type)) respond('o');
      });
    });
    // A control changed by the page's script through a property, which changes no attribute and
    // fires no event: a quantity box whose + sets input.value or calls stepUp() (as many shop
    // themes do), a "Use my points" filling a field, an "Accept all" ticking checkboxes. Only a
    // value that changes answers (a handler trimming a field shows nothing); the native getter
    // stays as it is, and the setter is only compared while a click waits.
    // Likewise an option chosen by its selected property, a video's sound turned on or off
    // or its time moved by a player's own buttons ("Sound on", "Skip 10 s"), and a style sheet
    // switched on or off (a dark mode's: `sheet.disabled`, which is no attribute).
    [['HTMLInputElement', 'value'], ['HTMLInputElement', 'checked'], ['HTMLTextAreaElement', 'value'], ['HTMLSelectElement', 'value'],
      ['HTMLSelectElement', 'selectedIndex'], ['HTMLOptionElement', 'selected'], ['HTMLMediaElement', 'muted'], ['HTMLMediaElement', 'volume'],
      ['HTMLMediaElement', 'currentTime'], ['StyleSheet', 'disabled']].forEach(function (a) {
      var o = P(a[0]), p = o && Object.getOwnPropertyDescriptor(o, a[1]), get = p && p.get, set = p && p.set, media = a[0] === 'HTMLMediaElement';
      if (set && get && p.configurable) {
        p.set = function (v) {
          var was, w0 = watching;
          try { if (media && moving(this, 10000)) w0 = false; if (w0) was = get.call(this); } catch (e) { w0 = false; }
          set.call(this, v); // (its errors are the page's)
          try { if (w0 && get.call(this) !== was) respond('c'); } catch (e) {}
        };
        Object.defineProperty(o, a[1], p);
      }
    });
    // An animation the visitor's click starts in another element (the size picker shaking at
    // "Buy now" without a size: el.animate() changes nothing in the DOM). Not one a timer or a
    // hover starts (a carousel's slide, a hover effect), nor the pressed element's own feedback
    // (a button that shrinks while pressed, as Framer Motion's whileTap does at pointerdown and
    // pointerup): that answers nothing the visitor asked for.
    wrap(P('Element'), 'animate', function () {
      var e = w.event;
      if (e && e.isTrusted && e.type === 'click' && !this.contains(clickedEl)) respond('o');
    });
    views();
    if (d.readyState == 'loading') d.addEventListener('DOMContentLoaded', guard(drawnWithErrors), { once: true }); else drawnWithErrors();
    watchSize();
    point();
    userOn();
    if (w.navigation) {
      var navOpts = signal ? { signal: signal } : false;
      // (Not the same URL written again in place: a router or a store syncing its state.)
      w.navigation.addEventListener('navigate', function (e) {
        var to = e.destination, at = to.url.split('#');
        // (Not a replaceState of the address as it is: a router's popstate listener writing the
        // restored entry's state hid the traverse it answers; see route.)
        if (e.navigationType !== 'replace' || to.url !== location.href) navType = e.navigationType;
        // (Nor a jump to a fragment that names nothing: see `named`.)
        if (!(to.sameDocument && (to.url === location.href || at[0] === location.href.split('#')[0] && !named(at[1] || '')))) leaving();
      }, navOpts);
      // A single-page app routed by the Navigation API (its navigate events intercepted) changes
      // the URL without pushState: its route change is taken when the navigation has succeeded,
      // its view rendered, so the record is completed at once (see routeDone). A pushState has
      // taken its own by then (the URL is the last one seen); a back or forward (traverse) and a
      // jump within the page are left to popstate and hashchange, which may come after it.
      // A navigation whose handler failed (navigateerror: the view's data did not load) has
      // changed the URL all the same, and its error reaches no window error or rejection
      // listener: the route change is taken, then the error as a js_error of the new view.
      ['navigatesuccess', 'navigateerror'].forEach(function (n) {
        w.navigation.addEventListener(n, guard(function (e) {
          if (navType !== 'traverse' && location.href.split('#')[0] !== lastHref.split('#')[0]) { route(navType === 'replace' ? 'r' : 'p'); routeDone(true); }
          // (An ErrorEvent: navigateerror. Not an AbortError: a navigation replaced by the next
          // one before it finished, a router's redirect, pushState then replaceState in one
          // task; no error of the page's.)
          if (e.message != null && !(e.error && e.error.name === 'AbortError')) failed(e);
        }), navOpts);
      });
    }
    if (changes && w.MutationObserver) {
      observers.push(lo = new MutationObserver(guard(learn)));
      relearn();
    }
    w.addEventListener('load', guard(views), signal ? { signal: signal } : false);
    var supported = w.PerformanceObserver && PerformanceObserver.supportedEntryTypes;
    // Whether the browser observes `type` (a page_leave carries only the vitals it measures).
    function po(type, fn, opts) {
      // An entry type the engine lacks would only print a console warning: not asked for.
      if (supported && supported.indexOf(type) < 0) return 0;
      try {
        var o = new PerformanceObserver(guard(function (list) { if (sensing) fn(list.getEntries()); }));
        opts.type = type;
        opts.buffered = true;
        o.observe(opts);
        return observers.push(o);
      } catch (e) { return 0; } // not in this browser: a documented gap
    }
    // Entries of one interaction (pointerdown, pointerup, click) may come in separate callbacks:
    // they are merged by interactionId until the next scheduled task hands them over.
    // Interactions measured: Event Timing with interactionId (Firefox had entries without it).
    var measured = w.PerformanceEventTiming && 'interactionId' in PerformanceEventTiming.prototype && po('event', function (list) {
      for (var i = 0, e, b; i < list.length; i++) {
        e = list[i];
        if (!e.interactionId) continue;
        // Keep a target from any entry of the interaction: the longest one may have none
        // (Chromium gives none on some pointer entries).
        if (e.target) slowTargets[e.interactionId] = e.target;
        b = slowEntries[e.interactionId];
        if (b) b.push(e); else slowEntries[e.interactionId] = [e];
        later();
      }
      // At most 200 ms, INP's "good" bound, whatever slow_interaction's threshold: a longer
      // interaction rates the view's INP (page_leave) even when it is not a slow_interaction.
    }, { durationThreshold: Math.max(16, Math.min(slowMs || 200, 200)) }) ? 2 : 0;
    // The page's long tasks while a click waits (Chromium): that time is no silence of the page's
    // own (a slow phone drawing an answer in several tasks after its request was a dead click).
    po('longtask', function (list) {
      for (var i = 0; watching && i < list.length; i++) push(rec('w', now(), 'b', list[i].duration | 0));
    }, {});
    // (Not in a frame: the Core Web Vitals are the top-level page's. A frame shown late, in a
    // checkout's payment step, had the time the visitor took to get there as its "LCP".)
    if (w.top === w) lcpOn = po('largest-contentful-paint', lcp, {});
    if (w.top === w && po('layout-shift', function (list) {
      for (var i = 0; i < list.length; i++) push(rec('w', now(), 's', (list[i].value * 1000) | 0, list[i].hadRecentInput ? 1 : 0));
    }, {})) measured |= 1;
    push(rec('w', now(), 'u', measured | 0));
  }

  // A page the browser prerendered (Speculation Rules) counts from when it was shown, as
  // web-vitals (and CrUX) measure it: its LCP from the prerender's start was seconds long, a
  // poor_vital for a shop's fastest pages (an Astro storefront's QA).
  function lcp(list) {
    var e = list[list.length - 1], n = performance.getEntriesByType('navigation')[0];
    push(rec('w', now(), 'l', Math.max(0, e.startTime - (n && n.activationStart || 0)) | 0, 0, e.element ? group(e.element, false) : ''));
  }

  // One visit across the shop's own domains (data-cross-domain): a shop whose checkout runs on
  // checkout.shop.example, or a second brand's site, is another origin, whose storage holds
  // nothing of the visit (peers that keep their ids in cookies on the parent domain get the
  // subdomains for free; Touchpoint keeps nothing in cookies). A link or form to a listed domain
  // carries the visit's session, as the visit's tabs keep it (tp:session: written only while
  // analytics consent allows it, so nothing is carried otherwise), in one query parameter added
  // as the visitor follows it: `_tp=<ms>~<id>~<began>~<last event>~<channel>~<campaign>~<path>`
  // (the stored session's first five fields and its campaign, the JSON members the engine made,
  // with `~` escaped as \u007e: no customer id). The page it opens hands
  // it to the engine as the tab's session (see facts) when it is fresh (2 minutes, as GA4's
  // linker) and that page was opened from a listed domain, and the engine restores it by its
  // usual rules (core::journey::session). Done here rather than in the engine: the domain checks
  // and URL work cost ~1 KB of wasm there, and the session string is the one the tabs share.
  // (Not a redirect made by the page's script: nothing is followed there.)
  // (Each as the browser writes a host name: a domain in another script, bäckerei.example, is
  // xn--bckerei-5wa.example in a link's hostname; as written it never matched, silently: QA.)
  var crossDomains = crossDomain ? String(crossDomain).split(',').map(function (s) { try { return s.trim() && new URL('http://' + s.trim()).hostname; } catch (e) { return ''; } }).filter(String) : [];
  function one(s, k) { try { return w[s].getItem(k) || ''; } catch (e) { return ''; } } // (reading storage may throw: blocked, sandboxed)
  // A listed domain or one below it (checkout.shop.example under shop.example; never evilshop.example).
  function listed(h) {
    return crossDomains.some(function (c) { return h === c || h.slice(-c.length - 1) === '.' + c; });
  }
  function visit() { return one('sessionStorage', 'tp:session') || one('localStorage', 'tp:session'); }
  function decorate(el) {
    var form = el.tagName === 'FORM', u, s = visit(), v;
    try { u = new URL(form ? el.getAttribute('action') || '' : el.href, location.href); } catch (e) { return; }
    if (!s || u.hostname === location.hostname || !listed(u.hostname)) return;
    // The visit carried is the one this click is in: the engine is handed the activity now and
    // writes the visit before it is read again. A visit idle for 30 minutes (or a day long) has
    // ended, and the click that leaves begins the next (the ended one was carried, and the
    // checkout began a third session: a marketer's QA). The engine's rules, not a copy here.
    push('j' + US + now(), 1);
    s = (visit() || s).split(US);
    v = [now()].concat(s.slice(0, 4), (s[9] || '').replace(/~/g, '\\u007e'), s[4]).join('~');
    // A form sent by GET replaces its action's query with its fields: the parameter goes as one.
    if (form && !/^post$/i.test(el.getAttribute('method') || '')) {
      var i = el.querySelector('input[name=_tp]') || el.appendChild(d.createElement('input'));
      i.type = 'hidden';
      i.name = '_tp';
      i.value = v;
    } else {
      u.searchParams.set('_tp', v);
      el.setAttribute(form ? 'action' : 'href', u.href);
    }
  }
  // Listeners of their own, not the click and submit sensors': those are off while no event
  // could be kept (a session out of the sample too), and the visit must still be carried on
  // (the next domain would decide the sample again). Also a right click's link (opened in a new
  // tab from the context menu) and a middle click's.
  if (crossDomains.length) {
    ['click', 'auxclick', 'contextmenu', 'submit'].forEach(function (n) {
      w.addEventListener(n, guard(function (e) {
        var t = e.target;
        t = t && (t.tagName === 'FORM' ? t : (t = elOf(t)) && t.closest('a[href]'));
        if (t) decorate(t);
      }), { capture: true, passive: true, signal: signal || undefined });
    });
  }
  // This page's `_tp`, taken out of the address bar at once, so that a copied or bookmarked URL
  // does not carry it on (by hand, not URLSearchParams: the page's other parameters stay as they
  // were written); the session it carries if fresh and from a listed domain, else ''.
  // A link is text anyone can write: no control character is kept (a separator in its path
  // would add fields to the session, a customer id among them), and the campaign only as the
  // members the engine writes, made again here (its text goes into every event's JSON as it is).
  // A link from before the campaign was carried (its sixth field a path, '/...') is read too.
  function linked() {
    var m = crossDomains.length && location.search.match(/[?&]_tp=([^&#]*)/), v, t, c = [], o, k;
    if (!m) return '';
    try { history.replaceState(history.state, '', location.href.replace(/([?&])_tp=[^&#]*(&|(?=#)|$)/, function (x, a, b) { return b ? a : ''; })); } catch (e) {}
    try {
      v = decodeURIComponent(m[1].replace(/\+/g, ' ')).replace(/[\x00-\x1f\x7f]/g, '').split('~');
      t = now() - v[0];
      if (v.length > 6 && v[5][0] != '/') {
        try { o = JSON.parse('{' + v.splice(5, 1)[0] + '}'); } catch (e) {} // (the visit goes on without it)
        for (k in o) if (/^(source|medium|campaign)$/.test(k) && typeof o[k] == 'string') c.push('"' + k + '":' + JSON.stringify(o[k]));
      }
      // (A path may hold '~': it is the rest. The campaign is the session's tenth field. The
      // value is form-encoded, a space as '+', by URLSearchParams and by a form sent by GET.)
      return listed(new URL(d.referrer).hostname) && t <= 120000 && t > -60000
        ? v.slice(1, 5).concat(v.slice(5).join('~'), c.length ? ['', 0, 0, 0, c.join()] : []).join(US) : '';
    } catch (e) { return ''; }
  }

  // The page's beforeSend hook (touchpoint('beforeSend', fn)): each event of a batch, as it is
  // about to leave (also each retry of it), goes through it. Applied here, to the body the
  // engine made, not in the engine: the core calls no page code, and a page without a hook pays
  // nothing. The hook gets a copy; from what it returns only `properties` and `context` are
  // taken (context.library stays ours, context.page's four strings may be changed: a path with
  // an order number made generic), so the collector still gets a valid event with its own
  // messageId (exactly once) and time; null or false drops the event (it leaves the queue with
  // its batch), undefined keeps the copy as the hook changed it. A hook that throws, or returns
  // something that cannot be sent (not JSON, over the collector's 32 KiB), sends the event as it
  // was, with one warning per page.
  // JSON of `v` (undefined where it cannot be: a cycle, a BigInt), as if the page had left the
  // built-ins alone: Prototype.js (1.5.1-1.6, still in Magento 1 shops) gives arrays a toJSON
  // that returns a string of JSON, so `tags: ['a']` would arrive as the string "[\"a\"]" (and a
  // batch's events as one string, which the collector refuses). It is taken away for the call
  // and put back exactly as it was.
  function json(v) {
    var A = Array.prototype, t = Object.getOwnPropertyDescriptor(A, 'toJSON');
    if (t && !t.configurable) t = null; // (cannot be taken away: left as it is)
    try {
      if (t) delete A.toJSON;
      return JSON.stringify(v);
    } catch (e) {
    } finally {
      if (t) Object.defineProperty(A, 'toJSON', t);
    }
  }
  // Every hook given, in order (a second bundle's, a widget's init: each narrows what is sent;
  // before, the later one replaced the app's, and an event its privacy hook dropped was sent).
  var hooks = [], hookWarned = false, csp;
  function plain(v) { return v && typeof v === 'object' && !Array.isArray(v); }
  function hooked(body) {
    if (!hooks.length) return body;
    var b = JSON.parse(body), theirs = JSON.parse(body).batch, out = [];
    b.batch.forEach(function (e, i) {
      var s = json(e), r = theirs[i], c, p, j; // (s: the event as it was, sent if anything fails)
      try {
        // (Each hook gets what the one before returned; null or false from any drops it.)
        for (j = 0; j < hooks.length && r; j++) r = (c = hooks[j](r)) === null || c === false ? null : plain(c) ? c : r;
        // (The debug overlay, when it is on, says what the hook did: its list shows the events
        // as the engine made them.)
        if (!r) return dbg && debug('d' + e.messageId);
        if (plain(r.properties)) e.properties = r.properties;
        if (plain(c = r.context)) {
          p = e.context.page;
          Object.keys(p).forEach(function (k) { if (c.page && typeof c.page[k] === 'string') p[k] = c.page[k]; });
          c.page = p;
          c.library = e.context.library;
          e.context = c;
        }
        if ((c = json(e)).length > 32768) throw 'over 32 KiB';
        if (dbg && c != s) debug('h' + e.messageId);
      } catch (x) {
        e = JSON.parse(s);
        hookWarn(x);
      }
      out.push(e);
    });
    b.batch = out;
    if (!out.length) return '';
    // A batch the hook made larger than a request may carry (keepalive fetches and beacons take
    // 64 KiB, the engine makes batches of at most 60 KiB) would fail at every retry: sent as it was.
    b = json(b);
    return b.length > 20480 && new Blob([b]).size > 61440 ? (hookWarn('a batch over 60 KiB'), body) : b;
  }
  function hookWarn(why) {
    if (!hookWarned) { hookWarned = true; try { console.warn('touchpoint: beforeSend failed (sent as it was):', why); } catch (y) {} }
  }

  // localStorage, every call guarded: it throws when disabled, full or blocked.
  function ls() { return w.localStorage; }
  function store(op, key, value) {
    try {
      if (op === 'S') { w.sessionStorage.setItem(key, value); return true; }
      var s = ls(), out = [], k, i;
      if (op === 's' || op === 'k') { s.setItem(key, value); return true; }
      if (op === 'r') { s.removeItem(key); return true; }
      // purge: only what is there (a needless removeItem is still a write). All of it: only
      // Touchpoint's own keys (OURS), not a page's own that happen to start with tp: (a
      // `tp:wishlist`).
      if (op === 'p') {
        var purge = function (s) {
          for (var i = s.length - 1; i >= 0; i--) {
            var k = s.key(i);
            if (k && (key ? k.indexOf(key) === 0 : OURS.test(k))) s.removeItem(k);
          }
        };
        purge(s);
        try { purge(w.sessionStorage); } catch (e) {}
        return true;
      }
      for (i = 0; i < s.length; i++) { // 'g': every tp: key and value, one string
        k = s.key(i);
        // (Not the visit's session, whose fields are joined by US too: it is read at start.)
        if (k && k.indexOf('tp:') === 0 && k !== 'tp:session') out.push(k, s.getItem(k));
      }
      return out.join(US);
    } catch (e) { return op === 'g' ? '' : false; }
  }

  // What the page is at start (core::input::Boot::parse): one crossing, no web-sys imports.
  // `remembered`: read the remembered consent (only with data-remember-consent).
  function facts(remembered) {
    var tz = '';
    // What another tab of the shop writes applies here at once (a storage event: only other
    // pages' writes fire it): with data-remember-consent, the decision (also read again at a
    // restore); and the visit's session and the anonymous id, as stored now rather than as the
    // event carries them (two tabs writing at once then both end on the last write): a sign-in
    // or a sign-out there (core::engine::other_tab_session), handed over at once, before a call
    // the page makes next.
    remember = remembered;
    w.addEventListener('storage', guard(function (e) {
      var k = e.key;
      if (k === 'tp_consent' && remember) push(rec('R', now(), f(e.newValue)), 1);
      if (k === 'tp:session' || k === 'tp:aid') push(rec('T', now(), f(one('localStorage', 'tp:aid')), one('localStorage', 'tp:session')), 2);
      // Another tab left (its heartbeat removed at its pagehide): this one adopts what it could
      // not send, as the next page loaded would (a shopper who closed a tab offline and kept
      // using another waited for a page load that never came: QA).
      if (/^tp:tab:/.test(k) && e.newValue == null) push('G' + US + now(), 2);
    }), signal ? { signal: signal } : false);
    // The tab's session: the one a link from another of the shop's domains carries (see
    // linked); the tab's own; in a new tab opened from this site (none), the visit's, last
    // written by any tab (core::input::Boot::session).
    var session = linked() || one('sessionStorage', 'tp:session') || (d.referrer.indexOf(location.origin + '/') ? '' : one('localStorage', 'tp:session'));
    try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) {}
    var nav = w.performance && performance.getEntriesByType && performance.getEntriesByType('navigation')[0];
    // The address the visitor landed on, the document's own (its navigation entry's): an app may
    // have routed on, or taken the campaign's parameters out of the address (a "clean URL"
    // script), before the SDK started, and the first page view lost its attribution and landing
    // page (QA). The first view is the landing's; a route taken meanwhile to another path follows
    // it (see the end). (Not with the shop's own domains' linker parameter, which linked() took
    // out of the address: the visit's session is no page address.)
    // (Nor for a page shown after a prerender: the browser may show one prerendered without a
    // query for a link whose query differs only in what No-Vary-Search names, the campaign's
    // utm_* among them; its address is then the link's, its navigation entry's the prerender's,
    // and the campaign was lost: a web performance QA.)
    var href = nav && nav.name || location.href, path;
    if (/[?&]_tp=/.test(href) || nav && nav.activationStart > 0) href = location.href;
    path = new URL(href).pathname;
    // (The title is the route's when the app routed on: the landing's own is not known.)
    var r = [href, path, path !== location.pathname ? '' : title(), d.referrer, w.innerWidth | 0, w.innerHeight | 0,
      (w.navigator.language || ''), tz, d.visibilityState === 'hidden' ? 0 : 1, !d.hasFocus || d.hasFocus() ? 1 : 0, maxDepth = depth(0),
      nav && nav.type === 'back_forward' ? 1 : 0,
      remembered ? one('localStorage', 'tp_consent') : '',
      // A browser a program drives (WebDriver, Playwright, Puppeteer: a site's own tests and
      // monitoring) or a crawler or headless browser by its name (Googlebot runs scripts; not
      // just 'bot': a CUBOT phone): context.automated, to be told from customers.
      // And in a frame (2): the page around it owns the tab's last page view (core::input::Boot::framed).
      (w.navigator.webdriver || /bot\/|crawl|spider|headless|lighthouse/i.test(w.navigator.userAgent) ? 1 : 0) | (w.top !== w ? 2 : 0)].map(f).join(US) + US + session; // the session's own fields come last
    landed = href;
    return r;
  }
  // After the landing's page view (boot: before the stub's queued calls but set, identify and
  // consent): a route the app took before the SDK started (a late tag, the app routing at
  // DOMContentLoaded) is the next view, handed over now. Taken in facts(), its record was handed
  // over after the landing's view but stamped before it: the inspector's journey left the
  // landing before arriving on it, and the landing's page_leave had no LCP (QA). The LCP the
  // browser buffered goes first, for the landing's. With data-spa="hash", a hash route the app
  // took is one too.
  var landed;
  function routed() {
    var u = location.href, o = observers[lcpOn - 1], l;
    if (viewOf(landed) !== viewOf(u)) {
      lastHref = landed;
      l = o && o.takeRecords();
      if (l && l.length && sensing) lcp(l);
      route(landed.split(/[?#]/)[0] === u.split(/[?#]/)[0] ? 'h' : 'p');
      drain(true);
    }
  }

  // The debug overlay (data-debug or ?touchpoint_debug=1): loaded on the first message, so a page
  // without it pays nothing but this function. Messages wait in window.__tpDebug, an array the
  // overlay replaces with its own receiver when it starts.
  // A page that enforces Trusted Types (CSP `require-trusted-types-for 'script'`) refuses the
  // overlay's script URL: no overlay there (one warning), and Touchpoint goes on (it was disabled
  // at its first message). A Trusted Types policy of its own would load it, for 47 B more on
  // every page, for a debugging aid: not made.
  var dbg = null;
  function debug(msg) {
    if (!dbg) {
      dbg = w.__tpDebug = w.__tpDebug || [];
      var s = d.createElement('script'), u = String(overlayUrl || 'touchpoint-overlay.js');
      try {
        s.src = u;
        s.async = true;
        (d.head || d.documentElement).appendChild(s);
      } catch (e) {
        try { console.warn('touchpoint: the debug overlay could not be loaded:', e); } catch (x) {}
      }
    }
    w.__tpDebug.push(msg);
  }

  return {
    debug: debug,
    facts: facts,
    routed: routed,
    guard: guard,
    signal: signal,
    later: later,
    now: function () { return heldAt || now(); },
    drain: function () { drain(true); }, // (everything, now: for tests)
    // Before a touchpoint() call: the records captured before it go first, so the engine sees
    // page calls and sensor records in the order they happened.
    // Before each of the page's calls (`args`: its arguments, an array; the first the command):
    // what was sensed goes first. A view the page reports itself (touchpoint('page')) begins
    // then: its first screen's depth is read after it (a record handed over in the next task,
    // after the call).
    // Returns true when the call is held: made while a route change settles (a view's own
    // effect reporting view_item before the head manager sets the title, as React apps do), it
    // waits in the queue after the route's record and is made when the view has settled, so
    // that the view and the event carry the view's title (settling it at once kept the title of
    // the page left). Its time is when it was called (see drain). Not a view the
    // page reports itself, nor a consent (the sensors it turns on would miss the next click),
    // nor a question (getIds, getConsent): answered now, after the calls held before it that
    // change the ids (identify, reset) settled the route.
    sync: function (args) {
      var name = typeof args[0] == 'string' ? args[0] : '';
      // A back or forward whose popstate the page heard first (its own listener, added before
      // the loader's, calling touchpoint()): the route goes first, or the call was stamped with
      // the view left and came before its page_leave.
      if (location.href !== lastHref) route('b');
      // A `set` held so goes before the route's record, stamped with its time: tags the route's
      // own render sets are the new view's, on its page_view, as when set before pushState.
      // (After it, each view carried the route's before: an SPA developer's QA.)
      if (routeAt >= 0 && !/^(page|get|consent)/.test(name)) {
        if (name === 'set') queue.splice(routeAt++, 0, { c: args, t: routeRec[1] });
        else queue.push({ c: args, t: now() });
        return true;
      }
      // (The view the page ends: the depth scrolled to since the last hand-over, first; reset
      // below, it was lost when nothing else waited to be handed over.)
      if (name === 'page' && scrolled) depth(1);
      // A sign-out form's submit (reset in its handler): the customer's, in their session. (Made
      // a task later, it was the next person's first event: a SaaS developer's QA.)
      if (name === 'reset' && pending) submitted(pending);
      // A denial goes before what was sensed and not yet handed over: a withdrawal's own click
      // ("Reject all") and the scroll before it, handed over first under the grant, were sent
      // with the anonymousId ahead of the withdrawal (a DPO's QA). (A grant keeps the order:
      // what was sensed while pending goes to the buffer first, within its limit.)
      var denies = 0;
      try { denies = name === 'consent' && Object.keys(args[1]).some(function (k) { return args[1][k] === false || args[1][k] === 'denied'; }); } catch (e) {}
      if (denies) { input('', args); if (queue.length) drain(true); return true; }
      if (queue.length) drain(name[0] !== 'g' || queue.some(function (x) { return x.c && /^[ir]/.test(x.c[0]); }));
      if (name === 'page') { viewBegins(); queue.push(rec('d', now(), depth(0), 1)); later(); }
    },
    store: store,
    watch: watch,
    // Off while the engine could keep no event (analytics denied, or pending with its buffer
    // full): the driver removes every listener but lifecycle, route changes and window focus,
    // and here activity, requests, observers' entries and element views are not recorded. On
    // again, the depth reached is read at the next hand-over, and reported even if a route's
    // view settled meanwhile at that depth (its page view, and the depth in it, were dropped).
    // Learning what changes on its own stops too (with consent denied, its callbacks were
    // nearly all that Touchpoint cost the bench's page), and starts again for LEARN_MS.
    sensing: function (on) {
      var was = sensing;
      sensing = on;
      // (A custom control that got the focus meanwhile, unseen: its keys are taken from now.)
      // (Read as scrolled to only if the page is: a short page's 100 % was 25 to 100 % of
      // scroll_depth at each "Accept" after a "Reject", never scrolled: a React developer's QA.)
      if (on && !was) { scrolled = w.scrollY > 0; maxDepth = 0; later(); point(); userOn(); relearn(); customFocused(d.activeElement); }
      if (!on && lo) { lo.disconnect(); clearTimeout(loTimer); }
      if (!on) clickedAs.length = born.length = 0; // (no click judged meanwhile: see viewBegins)
    },
    // Starts the observers and wrappers (once); unobserve() disconnects the observers.
    observe: observe,
    unobserve: unobserve,
    // A listener function for a DOM event (the driver registers it, RAII): see `sensors`.
    // (Listeners get one argument: a one-argument guard, cheaper per event than `apply`.)
    sensor: sensorOf,
    // The engine's one timer: re-armed by the driver only when its deadline changes; ms < 0 clears.
    timer: function (ms) {
      clearTimeout(timer);
      timer = ms < 0 ? 0 : setTimeout(guard(function () { push('t' + US + now(), 2); }), ms);
    },
    // A fetch whose answer comes back as an 'a' record (status 0: no answer). text/plain keeps it
    // a CORS "simple request". With gzip, the body is compressed where CompressionStream exists;
    // the collector recognises gzip by its magic bytes (beacons cannot carry Content-Encoding).
    post: function (url, body, id, keepalive, gzip, timeout) {
      // `missing`: the answer's list of the probes asked about that the collector does not hold
      // (core::outbox::is_probe), as '[' and the quoted ids; '' when it had none.
      function answer(status, retry, missing) { push('a' + US + now() + US + id + US + status + US + f(retry) + US + f(missing), 2); }
      // A Content-Security-Policy whose connect-src leaves the collector out refuses every
      // batch as a network error would (retried, never sent): said once, at the first refusal.
      // (csp: 1 listening, 2 said.)
      if (!csp) {
        csp = 1;
        d.addEventListener('securitypolicyviolation', guard(function (e) {
          if (csp < 2 && e.effectiveDirective === 'connect-src' && e.blockedURI && new URL(url, location.href).href.indexOf(e.blockedURI) === 0) {
            csp = 2;
            try { console.warn('touchpoint: the CSP (connect-src) blocks the collector:', e.blockedURI); } catch (x) {}
          }
        }), { signal: signal || undefined });
      }
      // (Every event dropped by the page's hook: delivered, as far as the queue is concerned.)
      // (Answered in a microtask, as a request would be: not inside the driver's own call.)
      // No keepalive request (a beacon's fallback, from a page hidden or leaving) while
      // offline: it cannot arrive either, and it spends the 64 KiB the browser lets beacons and
      // keepalive requests have in flight (the flaky-network QA saw two per pagehide). Its
      // events stay queued, as after a request that failed.
      if (!(body = hooked(body)) || keepalive && w.navigator.onLine === false) return void Promise.resolve().then(function () { answer(body ? 0 : 200); });
      // (Referer: the page's origin only. The whole address, its query's secrets unmasked, went
      // into a first-party collector's proxy logs with every batch: a security review. Not
      // no-referrer: a same-origin POST would then say `Origin: null`, which the collector refuses.)
      // A request with no answer after `timeout` ms (data-request-timeout) is aborted: failed,
      // retried with backoff. (Waited for, one that hung, a proxy that never answers or a
      // phone's connection gone dead, held every later send of the tab until it was left.)
      function send(payload) {
        var c = w.AbortController && new AbortController();
        if (c) setTimeout(function () { c.abort(); }, timeout);
        origFetch.call(w, url, {
          method: 'POST', body: payload, keepalive: keepalive, credentials: 'omit', referrerPolicy: 'origin', signal: c && c.signal,
          headers: { 'Content-Type': 'text/plain;charset=UTF-8' }
        }).then(function (r) {
          var retry = r.headers.get('Retry-After'), done = function (t) {
            var m = /"missing":\[([^\]]*)\]/.exec(t);
            answer(r.status, retry, m ? '[' + m[1] : '');
          };
          // A web page is never the collector's answer: a service worker's offline fallback
          // (`caches.match('/offline.html')` for any request that fails), a captive portal's
          // login, a static host's 404 page. Its 200 took the batch as delivered and its 404 as
          // refused for good: both lost it (a PWA developer's QA). It is a request that failed.
          /html/i.test(r.headers.get('Content-Type')) ? answer(0) : r.ok ? r.text().then(done, function () { done(''); }) : done('');
        }, function () { answer(0); });
      }
      try {
        if (gzip && w.CompressionStream) {
          new Response(new Blob([body]).stream().pipeThrough(new CompressionStream('gzip')))
            .arrayBuffer().then(send, function () { send(body); });
        } else send(body);
      } catch (e) { answer(0); }
    },
    // A command's properties as JSON (see json()).
    json: json,
    // The page's tags (touchpoint('set', {...})), merged here by key: a null or undefined value
    // removes its key. The engine cleans the JSON of all of them (core Engine::set_tags).
    // Undefined (a warning, nothing changed) unless a plain object of strings, numbers and
    // booleans. The merge is kept only if the engine will take it (2 KB at most, its check): a
    // refused call must not stay in the tags and get every later call refused with it.
    // (An object that throws when read, a Proxy's trap or a getter: refused the same way.)
    tags: function (v) {
      var n = dict(), k, t, s;
      try {
        if (!v || typeof v !== 'object' || Array.isArray(v)) return;
        for (k in tags) n[k] = tags[k];
        for (k in v) if (Object.prototype.hasOwnProperty.call(v, k)) {
          if ((s = v[k]) == null) delete n[k];
          else if ((t = typeof s) == 'string' || t == 'number' || t == 'boolean') n[k] = s;
          else return;
        }
      } catch (e) { return; }
      if ((s = json(n)) && s.length <= 2048) tags = n;
      return s;
    },
    // Not while offline (navigator.onLine false): the browser takes the beacon and it cannot
    // arrive, and a beacon taken is the events delivered to the engine. Refused, its events go
    // by the keepalive fetch that fails and stay queued (for this tab once online, or adopted).
    beacon: function (url, body) {
      try { return !(body = hooked(body)) || w.navigator.onLine !== false && !!(w.navigator.sendBeacon && w.navigator.sendBeacon(url, body)); } catch (e) { return false; }
    },
    // touchpoint('beforeSend', fn): false unless fn is a function, or null to remove every hook.
    // The same function again is not added twice (a component mounted again).
    beforeSend: function (fn) {
      if (fn !== null && typeof fn !== 'function') return false;
      if (!fn) hooks = [];
      else if (hooks.indexOf(fn) < 0) hooks.push(fn);
      return true;
    },
    // Web Locks, for work one tab of the site at a time may do (adopting closed tabs' events):
    // the answer record is handled inside the callback, while the lock is held, and the lock is
    // released when it returns (a page holding a lock cannot enter the back/forward cache).
    // Returns false where the browser has no navigator.locks.
    lock: function (name) {
      var l = w.navigator.locks;
      if (!l) return false;
      l.request(name, { ifAvailable: true }, function (held) { push('l' + US + now() + US + (held ? 1 : 0), 1); })
        .then(null, function () { push('l' + US + now() + US, 1); });
      return true;
    },
    // Tells the page the consent state: the `touchpoint:consent` window event.
    consent: function (analytics, marketing) {
      try {
        w.dispatchEvent(new CustomEvent('touchpoint:consent', { detail: { analytics: analytics, marketing: marketing } }));
      } catch (e) {}
    },
    state: function (a, b, c, ids) { return ids ? { sessionId: a || null, anonymousId: b || null, userId: c || null } : { analytics: a, marketing: b }; },
    // IAB TCF v2.2: follows the CMP through __tcfapi('addEventListener', 2, cb). Only a loaded or
    // just-confirmed choice counts ('cmpuishown' means the visitor is still deciding). The record
    // carries gdprApplies (undefined counts as applying: the strict reading) and the consents for
    // purposes 1, 2, 7 and 8; core::consent::from_tcf maps them to categories.
    // Returns false where the page has no __tcfapi yet: a CMP whose script (and stub) comes
    // after Touchpoint's is looked for again every second for 30 s (it was never followed, and
    // consent stayed pending on every page), then a console warning says consent stays pending.
    tcf: function (again) {
      var api = w.__tcfapi, n = 0, t, me = this;
      if (typeof api !== 'function') {
        if (!again) t = setInterval(guard(function () {
          if (signal && signal.aborted || me.tcf(1)) clearInterval(t);
          else if (++n >= 30) {
            clearInterval(t);
            try { console.warn('touchpoint: data-consent="tcf" but window.__tcfapi is missing; consent stays pending'); } catch (e) {}
          }
        }), 1000);
        return false;
      }
      api('addEventListener', 2, guard(function (data, ok) {
        var c, st;
        try {
          st = data && data.eventStatus;
          if (!ok || (st !== 'tcloaded' && st !== 'useractioncomplete')) return;
          c = (data.purpose && data.purpose.consents) || {};
          c = [data.gdprApplies === false ? 0 : 1, c[1] ? 1 : 0, c[2] ? 1 : 0, c[7] ? 1 : 0, c[8] ? 1 : 0];
        } catch (e) { return; } // a hostile CMP object: ignore this call
        push('p' + US + now() + US + c.join(US), 1);
      }));
      return true;
    },
    // IAB GPP v1.1 (US state privacy laws): follows the consent platform through
    // __gpp('addEventListener', cb), on every page that has one, whatever data-consent says. Once
    // its signals are ready, the record says whether a US section (usnat, usca, usva, ...)
    // says the visitor opted out of sale, sharing or targeted advertising (or carries the GPC
    // the platform saw); core::consent::Signals::us_opt_out denies marketing while it does. It
    // never grants anything. A platform whose stub comes after Touchpoint's is looked for again
    // every second for 10 s, without a warning: most pages have none.
    gpp: function (again) {
      var api = w.__gpp, n = 0, t, me = this;
      if (typeof api !== 'function') {
        if (!again) t = setInterval(guard(function () {
          if (signal && signal.aborted || me.gpp(1) || ++n >= 10) clearInterval(t);
        }), 1000);
        return false;
      }
      api('addEventListener', guard(function (data, ok) {
        var out = 0, p, s, k, i;
        try {
          p = data && data.pingData;
          if (!ok || !p || p.signalStatus !== 'ready') return;
          s = p.parsedSections || {};
          for (k in s) if (/^us/.test(k)) for (i = 0, p = [].concat(s[k]); i < p.length; i++) {
            if (p[i] && (p[i].SaleOptOut === 1 || p[i].SharingOptOut === 1 || p[i].TargetedAdvertisingOptOut === 1 || p[i].Gpc === true)) out = 1;
          }
        } catch (e) { return; } // a hostile CMP object: ignore this call
        push('U' + US + now() + US + out, 1);
      }));
      return true;
    },
    // Google Consent Mode: most consent platforms (and sites' own banners) give the visitor's
    // choice to Google as gtag('consent', 'default' | 'update', {...}) on window.dataLayer.
    // Followed here: the entries already there, then each push (the page's push, GTM's or the
    // array's own, called first and its result returned; a pass-through once Touchpoint stops).
    // analytics_storage is analytics, ad_storage marketing (an id kept across visits is ad
    // storage). A 'default' is the site's setting before the visitor chose: its grants count, a
    // denial by default is no decision (consent stays pending, so what is captured meanwhile is
    // kept in memory until the visitor chooses); nor does a default after an update, or one for
    // some regions only (the visitor's region is not known here). But a category some regions
    // deny by default (`region: ['DE', 'FR', ...]`, the EEA's) is not granted by a default for
    // everyone else: this visitor may be in one of them (it granted EU visitors before they
    // chose). Those regional denials are looked for among the entries already there first, so
    // their order does not matter. Returns false where the page's dataLayer is not an array.
    // Defaults pushed after the start (a consent platform loaded after Touchpoint) are applied at
    // the end of the script that pushed them, so a regional denial after the global grant, in
    // the same script, is seen first too; an update pushed meanwhile applies them first.
    consentMode: function () {
      var dl = w.dataLayer, orig, updated = false, i, seen, denied = {}, later = [];
      function flush() { var l = later; later = []; if (!(signal && signal.aborted)) l.forEach(function (a) { see(a, 0, 1); }); }
      function wrapped() {
        var r = orig.apply(this, arguments), i;
        if (!(signal && signal.aborted)) for (i = 0; i < arguments.length; i++) seen(arguments[i]);
        return r;
      }
      // (Own members only: a page whose Object.prototype was polluted, `analytics_storage:
      // 'granted'` left there by a query-string parser, would have every entry grant.)
      function own(c, k) { return Object.prototype.hasOwnProperty.call(c, k) ? c[k] : undefined; }
      function state(c, k, def) { return own(c, k) === 'granted' && !(def && denied[k]) ? 1 : own(c, k) === 'denied' && !def ? 0 : ''; }
      function see(a, first, flushing) {
        var c, def;
        try {
          if (!a || a[0] !== 'consent' || !(c = a[2]) || typeof c !== 'object') return;
          def = a[1] === 'default';
          if (def && own(c, 'region')) ['analytics_storage', 'ad_storage'].forEach(function (k) { if (own(c, k) === 'denied') denied[k] = 1; });
          if (first || (def ? updated || own(c, 'region') : a[1] !== 'update')) return;
          if (def && first === undefined && !flushing) return later.push(a) > 1 || Promise.resolve().then(seen.f);
          if (!def) flush();
          updated = updated || !def;
          c = [state(c, 'analytics_storage', def), state(c, 'ad_storage', def)];
        } catch (e) { return; } // a hostile object: ignore this entry
        // (A default marked: the engine does not let it change what the visitor decided.)
        if (c.join('')) push('z' + US + now() + US + c.join(US) + (def ? US + 'd' : ''), 1);
      }
      // (A dataLayer that cannot be created or wrapped, a frozen one: not followed at all.)
      try {
        if (!dl) dl = w.dataLayer = [];
        orig = dl.push;
        if (!Array.isArray(dl) || typeof orig !== 'function') return false;
        seen = guard(see); // (never throws into the page's gtag call)
        seen.f = guard(flush);
        dl.push = wrapped;
        // (Outside strict mode a frozen array ignores the assignment without throwing.)
        if (dl.push !== wrapped) return false;
      } catch (e) { return false; }
      for (i = 0; i < dl.length; i++) see(dl[i], 1);
      for (i = 0; i < dl.length; i++) see(dl[i], 0);
      return true;
    }
  };
}
