// Touchpoint loader. The build wraps wasm-bindgen's glue, host.js and this file in one closure and
// minifies them into dist/touchpoint.js, so a page downloads exactly two files: this script and
// touchpoint_bg.wasm. `wasm_bindgen` below is the glue's entry point; `makeHost` is host.js.
// The npm package (npm/, built into dist/npm/) wraps the same three in a function and calls
// `load` itself; its bundler resolves the wasm.
//
// Its one job besides loading: keep the host page safe. Every call from the page and every
// callback from the browser goes through `guard`, so an internal error (a Rust panic traps as
// a JS exception) disables Touchpoint once, removes its listeners and logs one line; it never
// reaches the shop's own code or its window.onerror.
//
// The contract with the wasm (src/web/host.rs): boot(attrs, queue, host), command(args) for
// `touchpoint(...)` calls, input(records) for everything the browser reports (host.js).
// The script tag, through Document's own getter: an element named "currentScript" in the page
// (an <img name> in a review's markup) is a property of `document` that hides it, and its data-*
// attributes would configure Touchpoint (another collector, consent granted).
var w = window, d = document, dead = false, s = Object.getOwnPropertyDescriptor(Document.prototype, 'currentScript');
s = s && s.get ? s.get.call(d) : d.currentScript;
var ac = w.AbortController ? new AbortController() : null;

function die(err) {
  if (dead) return;
  dead = true;
  try { if (ac) ac.abort(); } catch (_) {}
  try { console.warn('touchpoint: disabled after an internal error:', err); } catch (_) {}
  off();
}

// Touchpoint is off (the wasm could not load: a 404, a CSP without 'wasm-unsafe-eval', no
// WebAssembly; or an internal error disabled it): `touchpoint()` does nothing from now on, but
// a page awaiting getIds or getConsent (a checkout's submit handler) is answered all the same,
// as outside a browser: no ids, consent pending. So are the calls the stub queued, unless the
// engine took them (`started`).
// A withdrawal is still obeyed: Touchpoint's keys and the remembered choice are removed, so the
// next page does not start with the consent given before (nor the ids kept with it).
var started = false;
function off() {
  var q = !started && w.touchpoint && w.touchpoint.q || [], i;
  w.touchpoint = function (c, cb) {
    try {
      shaped([].slice.call(arguments)); // (a callback a page waits for is called all the same)
      if (c === 'consent' && /(false|denied)/.test([cb.analytics, cb.marketing, cb.analytics_storage, cb.ad_storage])) {
        ['localStorage', 'sessionStorage'].forEach(function (n) {
          try { for (var st = w[n], k, j = st.length; j--;) if (OURS.test(k = st.key(j)) || k === 'tp_consent') st.removeItem(k); } catch (_) {} // (blocked; OURS: host.js)
        });
      }
    } catch (_) {} // (a hostile argument)
    if (typeof cb === 'function' && (c === 'getIds' || c === 'getConsent')) {
      try {
        cb(c === 'getIds' ? { sessionId: null, anonymousId: null, userId: null } : { analytics: 'pending', marketing: 'pending' });
      } catch (e) { setTimeout(function () { throw e; }); } // (the page's own error, as uncaught)
    }
  };
  for (i = 0; i < q.length; i++) w.touchpoint.apply(w, q[i]);
}

// Forwards any number of arguments.
// In an Angular app, zone.js runs each callback in the zone it was registered in, and Angular
// checks the whole app after every task of its own zone: a listener, timer or observer of ours
// registered from the app's code (init() in a component, a touchpoint() call, a pushState by its
// router) made a check of the whole app at every scroll, wheel, pointer and key event. So every
// entry runs in zone.js's root zone (as NgZone.runOutsideAngular does; Datadog's SDK reaches past
// zone.js's patches too), and what it registers stays there. (A `Zone` global that is not
// zone.js has no `root.run`.)
function guard(f) {
  return function () {
    if (dead) return;
    var t = this, a = arguments, Z = w.Zone, root = Z && Z.root;
    try {
      return root && root.run && Z.current !== root ? root.run(function () { return f.apply(t, a); }) : f.apply(t, a);
    } catch (e) { die(e); }
  };
}

// The call shapes of Segment's and PostHog's APIs, as a port by search and replace writes them
// (migration QA): a callback last (`track(name, props, options, fn)`, which the page may wait
// for to navigate on) is called in a task of its own once the call is made: it was never called,
// and a checkout button that navigated in it did nothing. `page(category, name, props)` is a
// page view with `properties.name`: it was refused, and queued before the start it also took the
// automatic view's place. A number as the user id is its digits; spaces and line breaks around
// an id are dropped (one customer for an export or an erasure by id, which match ids exactly).
// (Segment's options are ignored.)
// (Never throws: a page's junk argument, a getter that throws, leaves the call as it was. An
// error the callback throws is the page's own, reported as uncaught.)
function shaped(a) {
  var c = a[0], f = a[a.length - 1], n;
  try {
    if ((c === 'track' || c === 'page' || c === 'identify') && typeof f == 'function') {
      a.pop();
      setTimeout(function () { try { f(); } catch (e) { w.reportError(e); } });
    }
    if (c === 'page' && typeof a[1] == 'string') { n = a.splice(1, typeof a[2] == 'string' ? 2 : 1).pop(); a[1] = Object.assign({}, a[1], { name: n }); }
    if (c === 'identify' && (typeof a[1] == 'number' || typeof a[1] == 'string')) a[1] = String(a[1]).trim();
  } catch (_) {}
  return a;
}

// `attrs`: the data-* configuration without the `data-` prefix; `url`: the wasm's; `sri`: its
// expected hash, given to fetch as `integrity` (the browser then refuses any other bytes);
// `overlay`: the debug overlay's URL (by default next to the wasm), fetched only when asked for.
function load(attrs, url, sri, overlay) {
  // A second copy of the snippet is a no-op; one configured otherwise (a tag manager's tag
  // beside the template's, with another data-site or consent mode) is said to be ignored.
  // (Keys sorted: the same attributes in another order are the same configuration.)
  var conf = JSON.stringify(attrs, Object.keys(attrs).sort()), first = w.__touchpoint_loaded;
  if (first) {
    if (first !== conf) try { console.warn('touchpoint: a second copy with another configuration is ignored:', conf); } catch (_) {}
    return;
  }
  w.__touchpoint_loaded = conf;
  // A page of no origin (a frame sandboxed without allow-same-origin, a file:// page) says
  // `Origin: null`, which the collector refuses: off at once, said once (it retried for ever,
  // an error in the console at each try: a frames QA).
  if (w.origin === 'null') {
    try { console.warn('touchpoint: off in a page of no origin (a sandboxed frame, a file: page): the collector refuses its requests'); } catch (_) {}
    return off();
  }
  // In a frame of the same origin (a shop's own card form in an iframe, its template running
  // the tag too): the page around it sends that form (postMessage), so leaving it unsent is no
  // form_abandon; and its LCP and layout shifts are not the page's Core Web Vitals (host.js).
  // Not in another site's frame (a marketplace showing the shop's checkout: its abandonment was
  // never told, a frames QA): reading its address throws.
  try { if (w.top !== w && w.top.location.href) attrs['friction-off'] = (attrs['friction-off'] ? attrs['friction-off'] + ',' : '') + 'abandon'; } catch (_) {}
  // The page's errors while the wasm loads (its load handlers, a draft restored at
  // DOMContentLoaded: four of a donation page's five errors were never told, a charity's QA)
  // are kept, 20 at most, and told once started, as if thrown then. (Not those thrown before
  // this script ran: the tag is best early in <head>. Its listeners go at an internal error too.)
  // (Not one thrown while the browser prerenders the page: no visitor met it, and it was told
  // at the activation, seconds later, as the view's: a web performance QA.)
  var early = [], keep = function (e) { if (early.length < 20 && d.prerendering !== true) early.push(e); };
  function hold(on) { ['error', 'unhandledrejection'].forEach(function (n) { w[on ? 'addEventListener' : 'removeEventListener'](n, keep, ac ? { signal: ac.signal } : false); }); }
  hold(1);
  var start = guard(function () {
    started = true;
    var stub = w.touchpoint, queue = [].map.call((stub && stub.q) || [], function (a) { return shaped([].slice.call(a || [])); }), t;
    // Shown after a prerender: the banner's consent calls queued then repeat what it read as
    // the prerender began. A decision data-remember-consent stored since (a withdrawal on the
    // page the visitor was still on) is newer, and wins: the page's stale "granted" overwrote a
    // withdrawal (a web performance QA).
    if (pre && attrs['remember-consent'] != null && attrs['remember-consent'] !== 'false') {
      try { t = +localStorage.getItem('tp_consent').split('|')[2]; } catch (_) {}
      if (t > performance.timeOrigin) queue = queue.filter(function (a) { return a[0] !== 'consent'; });
    }
    var host = makeHost(function (records, call) { if (call) wasm_bindgen.command(call); else wasm_bindgen.input(records); }, guard, ac && ac.signal,
      overlay || String(url).replace(/[^\/]*$/, '') + 'touchpoint-overlay.js', attrs.ambient, attrs['cross-domain'], attrs.ignore, attrs['mask-params']);
    var booting = [], api = guard(function () {
      var args = shaped(Array.prototype.slice.call(arguments));
      if (booting) booting.push(args); else if (!host.sync(args)) wasm_bindgen.command(args);
    });
    api.ready = true; // documented: the stub has been replaced by the running SDK
    // A call through the stub after this (a reference to it kept by the page, the npm package's
    // or a tag's) sets `touchpoint.q` to a new array and pushes to it: that array's push makes
    // the call, which was lost in an array nobody read (QA). (An accessor: `touchpoint.q` stays
    // undefined, as a page's check for the running SDK may expect.)
    Object.defineProperty(api, 'q', { set: function (a) { try { a.push = function (x) { api.apply(w, x); }; } catch (_) {} } });
    // Before the queue is replayed: a call the page makes meanwhile (its touchpoint:consent
    // listener, when a queued consent is applied) was queued in the stub's array after boot had
    // read it, and lost. It is made after the queued ones.
    w.touchpoint = api;
    wasm_bindgen.boot(attrs, queue, host);
    queue = booting;
    booting = 0;
    queue.forEach(function (a) { api.apply(w, a); });
    hold(0);
    early.forEach(function (e) { host.sensor(e.type)(e); });
  });
  // A page the browser prerenders (Speculation Rules) may never be shown: nothing is captured
  // until it is (prerenderingchange), so its page view is the visitor's, at the time they arrive.
  // The wasm is fetched and compiled meanwhile; the stub keeps the page's calls.
  var pre;
  function go() {
    if ((pre = d.prerendering === true)) d.addEventListener('prerenderingchange', start, { once: true }); else start();
  }
  try {
    // Before the wasm is fetched: the page's web components attach their roots meanwhile.
    keepClosedRoots(ac && ac.signal);
    wasm_bindgen({ module_or_path: fetch(url, { integrity: sri }) }).then(go, function (e) {
      // (Its address and what went wrong, without a stack: a 404 answer fails the integrity
      // check first, and "Failed to fetch" alone left a shop owner reading of tampering.)
      try { console.warn('touchpoint: could not load ' + url + ' (missing, blocked, or another build than this loader pins): ' + (e && e.message || e)); } catch (_) {}
      hold(0);
      off();
    });
  } catch (e) { die(e); }
}

// The script tag. The build writes the wasm's file name and its SHA-384 in place of the two
// placeholders, so a script tag pinned with SRI pins the whole SDK.
// A tag manager that can only insert a script by its URL (Google Tag Manager's sandboxed
// templates: injectScript) configures it in the URL's fragment, `touchpoint.js#site=shop&
// consent=pending`, as URL parameters; a data-* attribute of the same name wins. The fragment,
// not the query: it is never sent, so every site shares one cached copy, and a cache-busting
// `?v=2` is not read as a setting.
if (s && s.src) {
  var attrs = {}, list = s.attributes, src = s.src.split('#');
  for (var i = 0; i < list.length; i++) {
    if (list[i].name.indexOf('data-') === 0) attrs[list[i].name.slice(5)] = list[i].value;
  }
  new URLSearchParams(src[1]).forEach(function (v, k) { if (!(k in attrs)) attrs[k] = v; });
  // A tag pinned by SRI: no link's `?touchpoint_debug=1` loads the overlay, a script no hash
  // pins (a security review: a PCI DSS script inventory lists none such); data-debug still does.
  if (s.integrity && !('debug' in attrs)) attrs.debug = 'false';
  load(attrs, src[0].replace(/[^\/]*$/, '') + '__TP_WASM_FILE__', '__TP_WASM_SRI__');
} else {
  // Run with no script element of its own to read: inline or by eval (a tag manager that
  // copies the file's code into the page), or as a module (no currentScript). Said, not silent
  // (the stub kept queueing and nothing was sent: a tag manager specialist's QA).
  try { console.warn('touchpoint: not started: no <script src> element to read its data-* from (inline, eval or type=module)'); } catch (_) {}
}
