// The loader's half of the contract with the wasm driver (src/web/host.rs documents the other).
// scripts/build.mjs strips the `export` below and bundles this file between wasm-bindgen's glue
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
// code, Date.now(), fields... See that function's table.
export function makeHost(input, guard, signal) {
  var w = window, d = document, US = '\x1f', RS = '\x1e', queue = [], planned = false, timer = 0;
  var CLICKABLE = 'a,button,input[type=button],input[type=submit],input[type=reset],input[type=image],' +
    '[role=button],[role=link],[role=menuitem],[role=tab],[role=checkbox],[role=switch],[role=option]';

  // Everything queued, then the tick that ends the burst, in one crossing.
  var drain = guard(function () {
    planned = false;
    queue.push('k' + US + Date.now());
    var batch = queue.join(RS);
    queue = [];
    input(batch);
  });

  // One task per burst, after the input handlers: when the page is idle, within 1 s at worst.
  function later() {
    if (planned) return;
    planned = true;
    if (w.requestIdleCallback) w.requestIdleCallback(drain, { timeout: 1000 });
    else setTimeout(drain, 20);
  }

  function push(record, urgent) {
    queue.push(record);
    if (urgent) drain(); else later();
  }

  // A field of a record: never contains the separators.
  function f(v) { return v == null ? '' : String(v).replace(/[\x1e\x1f]/g, ' '); }
  function attr(e, n) { return f(e.getAttribute(n)); }

  function click(e) {
    var t = e.target, r, el, tag, type, i;
    if (t && t.nodeType !== 1) t = t.parentElement; // a text node
    r = ['c', Date.now(), e.clientX | 0, e.clientY | 0, e.button | 0,
      (e.ctrlKey ? 1 : 0) | (e.metaKey ? 2 : 0) | (e.shiftKey ? 4 : 0) | (e.altKey ? 8 : 0), e.detail | 0,
      e.isTrusted ? 1 : 0];
    if (t && t.closest && !t.closest('[data-tp-ignore]') && (el = t.closest(CLICKABLE))) {
      tag = el.tagName.toLowerCase();
      type = attr(el, 'type').toLowerCase();
      // Never a field's value: only a button-like input's value attribute, its printed label.
      r.push(tag, f(el.id), type, attr(el, 'autocomplete'), attr(el, 'name'), el.closest('[data-tp-mask]') ? 1 : 0,
        attr(el, 'aria-label'), tag === 'input' && /^(submit|button|reset)$/.test(type) ? attr(el, 'value') : '',
        tag === 'input' ? '' : f((el.textContent || '').slice(0, 400)));
      for (i = 0; el && i < 4; i++, el = el.parentElement) r.push(el.tagName.toLowerCase(), f(el.id), attr(el, 'class'));
    }
    push(r.join(US));
  }

  var sensors = {
    click: click,
    pagehide: function () { push('h' + US + Date.now(), 1); },
    pageshow: function (e) { push('s' + US + Date.now() + US + (e.persisted ? 1 : 0), 1); },
    visibilitychange: function () { push('v' + US + Date.now() + US + (d.visibilityState === 'hidden' ? 1 : 0), 1); },
    online: function () { push('o' + US + Date.now() + US + 1, 1); },
    offline: function () { push('o' + US + Date.now() + US + 0, 1); }
  };

  // localStorage, every call guarded: it throws when disabled, full or blocked.
  function ls() { return w.localStorage; }
  function store(op, key, value) {
    try {
      var s = ls(), out = [], k, i;
      if (op === 's') { s.setItem(key, value); return true; }
      if (op === 'r') { s.removeItem(key); return true; }
      if (op === 'p') { // purge: only what is there (a needless removeItem is still a write)
        for (i = s.length - 1; i >= 0; i--) {
          k = s.key(i);
          if (k && (key ? k === key : k.indexOf('tp:') === 0)) s.removeItem(k);
        }
        return true;
      }
      for (i = 0; i < s.length; i++) { // 'g': every tp: key and value, one string
        k = s.key(i);
        if (k && k.indexOf('tp:') === 0) out.push(k, s.getItem(k));
      }
      return out.join(US);
    } catch (e) { return op === 'g' ? '' : false; }
  }

  return {
    guard: guard,
    signal: signal,
    later: later,
    drain: drain,
    // Before a touchpoint() call: the records captured before it go first, so the engine sees
    // page calls and sensor records in the order they happened.
    sync: function () { if (queue.length) drain(); },
    store: store,
    // A listener function for a DOM event (the driver registers it, RAII): see `sensors`.
    sensor: function (name) { return sensors[name] && guard(sensors[name]); },
    // The engine's one timer: re-armed by the driver only when its deadline changes; ms < 0 clears.
    timer: function (ms) {
      clearTimeout(timer);
      timer = ms < 0 ? 0 : setTimeout(guard(function () { push('t' + US + Date.now(), 1); }), ms);
    },
    // A fetch whose answer comes back as an 'a' record (status 0: no answer). text/plain keeps it
    // a CORS "simple request". With gzip, the body is compressed where CompressionStream exists;
    // the collector recognises gzip by its magic bytes (beacons cannot carry Content-Encoding).
    post: function (url, body, id, keepalive, gzip) {
      function answer(status, retry) { push('a' + US + Date.now() + US + id + US + status + US + f(retry), 1); }
      function send(payload) {
        fetch(url, {
          method: 'POST', body: payload, keepalive: keepalive, credentials: 'omit',
          headers: { 'Content-Type': 'text/plain;charset=UTF-8' }
        }).then(function (r) { answer(r.status, r.headers.get('Retry-After')); }, function () { answer(0); });
      }
      try {
        if (gzip && w.CompressionStream) {
          new Response(new Blob([body]).stream().pipeThrough(new CompressionStream('gzip')))
            .arrayBuffer().then(send, function () { send(body); });
        } else send(body);
      } catch (e) { answer(0); }
    },
    beacon: function (url, body) {
      try { return !!(w.navigator.sendBeacon && w.navigator.sendBeacon(url, body)); } catch (e) { return false; }
    },
    // Web Locks, for work one tab of the site at a time may do (adopting closed tabs' events):
    // the answer record is handled inside the callback, while the lock is held, and the lock is
    // released when it returns (a page holding a lock cannot enter the back/forward cache).
    // Returns false where the browser has no navigator.locks.
    lock: function (name) {
      var l = w.navigator.locks;
      if (!l) return false;
      l.request(name, { ifAvailable: true }, function (held) { push('l' + US + Date.now() + US + (held ? 1 : 0), 1); })
        .then(null, function () { push('l' + US + Date.now() + US, 1); });
      return true;
    },
    // Tells the page the consent state: the `touchpoint:consent` window event.
    consent: function (analytics, marketing) {
      try {
        w.dispatchEvent(new CustomEvent('touchpoint:consent', { detail: { analytics: analytics, marketing: marketing } }));
      } catch (e) {}
    },
    state: function (analytics, marketing) { return { analytics: analytics, marketing: marketing }; },
    // IAB TCF v2.2: follows the CMP through __tcfapi('addEventListener', 2, cb). Only a loaded or
    // just-confirmed choice counts ('cmpuishown' means the visitor is still deciding). The record
    // carries gdprApplies (undefined counts as applying: the strict reading) and the consents for
    // purposes 1, 2, 7 and 8; core::consent::from_tcf maps them to categories.
    // Returns false where the page has no __tcfapi.
    tcf: function () {
      var api = w.__tcfapi;
      if (typeof api !== 'function') return false;
      api('addEventListener', 2, guard(function (data, ok) {
        var c, st;
        try {
          st = data && data.eventStatus;
          if (!ok || (st !== 'tcloaded' && st !== 'useractioncomplete')) return;
          c = (data.purpose && data.purpose.consents) || {};
          c = [data.gdprApplies === false ? 0 : 1, c[1] ? 1 : 0, c[2] ? 1 : 0, c[7] ? 1 : 0, c[8] ? 1 : 0];
        } catch (e) { return; } // a hostile CMP object: ignore this call
        push('p' + US + Date.now() + US + c.join(US), 1);
      }));
      return true;
    }
  };
}
