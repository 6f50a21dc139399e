// Touchpoint loader. The build wraps this file and wasm-bindgen's glue in one closure and
// minifies them into dist/touchpoint.js, so a page downloads exactly two files: this script
// and touchpoint_bg.wasm. `wasm_bindgen` below is the glue's entry point.
//
// Its one job besides loading: keep the host page safe. Every call from the page and every
// callback from the browser goes through `guard`, so an internal error (a Rust panic traps as
// a JS exception) disables Touchpoint once, removes its listeners and logs one line; it never
// reaches the shop's own code or its window.onerror.
var w = window, d = document, s = d.currentScript, dead = false;
var ac = w.AbortController ? new AbortController() : null;

function die(err) {
  if (dead) return;
  dead = true;
  try { if (ac) ac.abort(); } catch (_) {}
  try { console.warn('touchpoint: disabled after an internal error:', err); } catch (_) {}
}

function guard(f) {
  return function (a, b, c) {
    if (dead) return;
    try { return f(a, b, c); } catch (e) { die(e); }
  };
}

// fetch wrapper: the answer always arrives as done(id, status, retryAfter), never as a throw
// or a rejected promise (status 0 = no answer). text/plain keeps it a CORS "simple request".
// With gzip, the body is compressed where CompressionStream exists; the collector recognises
// gzip by its magic bytes, since beacons cannot carry a Content-Encoding header.
function post(url, body, id, keepalive, done, gzip) {
  function answer(status, retry) { done(id, status, retry); }
  function send(payload) {
    fetch(url, {
      method: 'POST', body: payload, keepalive: keepalive, credentials: 'omit',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' }
    }).then(function (r) { answer(r.status, r.headers.get('Retry-After')); },
            function () { answer(0, null); });
  }
  try {
    if (gzip && w.CompressionStream) {
      new Response(new Blob([body]).stream().pipeThrough(new CompressionStream('gzip')))
        .arrayBuffer().then(send, function () { send(body); });
    } else {
      send(body);
    }
  } catch (e) { answer(0, null); }
}

// Web Locks, for work that one tab of the site at a time may do (adopting the unsent events
// of closed tabs): fn(true) runs while the lock is held and no other tab can take it,
// fn(false) means another tab holds it, fn() that the request failed. The lock is held only
// for that call: a page holding a lock cannot enter the back/forward cache.
function lock(name, fn) {
  var l = w.navigator.locks;
  if (!l) return false;
  l.request(name, { ifAvailable: true }, function (held) { fn(!!held); }).then(null, function () { fn(); });
  return true;
}

(function () {
  if (!s || w.__touchpoint_loaded) return; // a second copy of the snippet is a no-op
  w.__touchpoint_loaded = true;
  var attrs = {}, list = s.attributes;
  for (var i = 0; i < list.length; i++) {
    if (list[i].name.indexOf('data-') === 0) attrs[list[i].name.slice(5)] = list[i].value;
  }
  var base = s.src.replace(/[^\/]*$/, '');
  var start = guard(function () {
    var stub = w.touchpoint, queue = (stub && stub.q) || [];
    wasm_bindgen.boot(attrs, queue, { guard: guard, post: post, lock: lock, signal: ac && ac.signal });
    var api = function () {
      if (dead) return;
      try { wasm_bindgen.command(Array.prototype.slice.call(arguments)); } catch (e) { die(e); }
    };
    api.ready = true; // documented: the stub has been replaced by the running SDK
    w.touchpoint = api;
  });
  try {
    wasm_bindgen({ module_or_path: base + 'touchpoint_bg.wasm' }).then(start, function (e) {
      try { console.warn('touchpoint: could not load', e); } catch (_) {}
    });
  } catch (e) { die(e); }
})();
