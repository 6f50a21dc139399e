// The npm package's API (scripts/build.mjs appends this to the SDK, which it wraps in `sdk()`,
// into dist/npm/index.js). It drives the same SDK as the script tag, through the same
// `window.touchpoint` command function: calls made before the wasm has loaded are queued by the
// stub and replayed in order, and no call ever throws into the app.
//
//   import { init } from 'touchpoint';
//   const tp = init({ collector: '/v1/batch', site: 'shop', consent: 'pending' });
//   tp.consent({ analytics: true });
//   tp.track('add_to_cart', { currency: 'EUR', value: 12, items: [{ item_id: 'mug', price: 12 }] });

const browser = typeof window !== 'undefined' && typeof document !== 'undefined';
let last = null; // the consent state the SDK last reported (touchpoint:consent)
let started = false; // this copy's init() ran
let first; // its options, as JSON (see init)
const listeners = new Set(); // onConsent's, of this copy
// Each copy of this module keeps its own `last` (two copies in one app: micro-frontends, a
// library bundling its own), so each listens, from its evaluation (nothing is started by it).
if (browser) window.addEventListener('touchpoint:consent', (e) => { last = { ...e.detail }; });

// An SDK started before this copy listened (a script tag, a tag manager's, another copy) told
// its consent state then: asked for (answered at once by a running SDK, or when it starts) and
// told to this copy's onConsent listeners.
let asking = false;
function known() {
  if (last || asking || !browser || !window.__touchpoint_loaded) return;
  asking = true;
  call('getConsent', (c) => {
    asking = false;
    if (last) return;
    last = { ...c };
    listeners.forEach((f) => f({ detail: last }));
  });
}

function stub() {
  const w = window;
  w.touchpoint = w.touchpoint || function () { (w.touchpoint.q = w.touchpoint.q || []).push(arguments); };
  return w.touchpoint;
}

function call(...args) {
  if (!browser) return;
  while (args.length > 1 && args[args.length - 1] === undefined) args.pop();
  try { stub()(...args); } catch (e) { /* never break the app */ }
}

const kebab = (k) => k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

export const consent = (categories) => call('consent', categories);
// (Every argument forwarded: the Segment call shapes the command function takes, a callback last
// and `page(category, name, properties)`, lost their callback and properties here: a QA.)
export const track = (...args) => call('track', ...args);
export const page = (...args) => call('page', ...args);
export const flush = () => call('flush');
export const identify = (...args) => call('identify', ...args);
export const reset = () => call('reset');
export const friction = (name, properties) => call('friction', name, properties);
export const set = (tags) => call('set', tags);
export const beforeSend = (hook) => call('beforeSend', hook);
/** Resolves with `{analytics, marketing}` once the SDK has answered (`pending` outside a browser). */
export const getConsent = () => browser
  ? new Promise((resolve) => call('getConsent', resolve))
  : Promise.resolve({ analytics: 'pending', marketing: 'pending' });
/** Resolves with `{sessionId, anonymousId, userId}`, the ids the next event carries, for your own
 * server (null for none: all null while analytics is not granted, and outside a browser). */
export const getIds = () => browser
  ? new Promise((resolve) => call('getIds', resolve))
  : Promise.resolve({ sessionId: null, anonymousId: null, userId: null });
/** The consent state last reported by the SDK, or null before it has started. */
export const consentState = () => { known(); return last && { ...last }; };
/** Calls `listener({analytics, marketing})` now if the state is known, then on every change;
 * returns a function that unsubscribes. */
export function onConsent(listener) {
  if (!browser) return () => {};
  if (typeof listener !== 'function') {
    try { console.warn('touchpoint: onConsent expects a function'); } catch (_) { /* ignore */ }
    return () => {};
  }
  const f = (e) => { try { listener({ ...e.detail }); } catch (err) { setTimeout(() => { throw err; }); } };
  window.addEventListener('touchpoint:consent', f);
  listeners.add(f);
  if (last) f({ detail: last }); else known();
  return () => { window.removeEventListener('touchpoint:consent', f); listeners.delete(f); };
}

const client = Object.freeze({ consent, track, page, flush, identify, reset, friction, set, beforeSend, getConsent, getIds, consentState, onConsent });

/**
 * Starts Touchpoint once (later calls, and a script tag on the same page, are no-ops) and returns
 * the client. Options are the script tag's data-* names in camelCase (kebab-case works too), plus
 * `wasmUrl` to load touchpoint_bg.wasm from somewhere other than where the bundler put it (and
 * `overlayUrl` for touchpoint-overlay.js, the debug overlay).
 * Outside a browser (server-side rendering) nothing starts and the client's calls do nothing.
 */
export function init(options = {}) {
  if (!browser) return client;
  try {
    const { wasmUrl, overlayUrl, beforeSend: hook, ...rest } = options || {};
    const again = started;
    let opts;
    try { opts = JSON.stringify(rest); } catch (e) { /* (a cycle: compared as different) */ }
    if (!again) first = opts;
    started = true;
    if (window.__touchpoint_loaded) {
      // Already started, by a script tag (a tag manager's) or another copy: its configuration
      // stands, and its consent state is asked for (see known).
      known();
      // A privacy hook is installed all the same (it only narrows what is sent); other options
      // are said to be ignored, unless this is the same init again with the same options
      // (React's StrictMode, HMR): a second init with a site of its own was ignored silently (a
      // React developer's QA).
      if (hook) beforeSend(hook);
      if ((!again || opts !== first || opts === undefined) && Object.keys(rest).length) {
        console.warn('touchpoint: already started (by a script tag or another init): these options are ignored:', Object.keys(rest).join(', '));
      }
      return client;
    }
    stub();
    if (hook) beforeSend(hook); // (queued by the stub: in place before anything can be sent)
    const attrs = {};
    for (const [k, v] of Object.entries(rest)) {
      if (v !== undefined && v !== null) attrs[kebab(k)] = Array.isArray(v) ? v.join(',') : String(v);
    }
    // Both files are the bundler's assets (`new URL(..., import.meta.url)`); the overlay is
    // fetched only when debug is on. (Not a dynamic import: the bundlers' chunk-loading code
    // would cost every page of the app 650-750 B gzip, measured with Vite and webpack.)
    // A bundle without `import.meta.url` (esbuild's default format, an IIFE, makes `import.meta`
    // an empty object, silently) knows neither: the wasm must then be named, and the overlay
    // is looked for next to it.
    const wasm = wasmUrl ? String(wasmUrl) : here(() => new URL('./touchpoint_bg.wasm', import.meta.url));
    if (!wasm) {
      try { console.warn('touchpoint: could not start: this bundle has no import.meta.url (esbuild: --format=esm), so the wasm\'s address is unknown: pass wasmUrl to init()'); } catch (_) { /* ignore */ }
      return stop();
    }
    sdk()(attrs, wasm, undefined, overlayUrl ? String(overlayUrl) : (wasmUrl ? undefined : here(() => new URL('./touchpoint-overlay.js', import.meta.url))));
  } catch (e) {
    try { console.warn('touchpoint: could not start', e); } catch (_) { /* ignore */ }
    stop();
  }
  return client;
}

// A file next to this module, as the bundler emitted it; undefined where the bundle cannot say.
// (`url` is a function holding the literal `new URL('./file', import.meta.url)`: bundlers find
// their assets by that pattern, written out, never with a variable.)
function here(url) {
  try { return url(); } catch (_) { return undefined; }
}

// Touchpoint could not start (no wasm address; a DOM without what the SDK needs, a unit test's
// jsdom): calls are answered as when the wasm cannot load (the loader's off()), so an app
// awaiting getIds() or getConsent() in its checkout is not stuck (it waited for ever), and a
// callback last is called. Nothing is captured.
function stop() {
  const w = window, q = (w.touchpoint && w.touchpoint.q) || [];
  w.touchpoint = function (name, ...rest) {
    const f = rest[rest.length - 1];
    if (typeof f !== 'function') return;
    if (name === 'getIds') f({ sessionId: null, anonymousId: null, userId: null });
    else if (name === 'getConsent') f({ analytics: 'pending', marketing: 'pending' });
    else if (name === 'track' || name === 'page' || name === 'identify') setTimeout(f);
  };
  for (const a of q) {
    try { w.touchpoint(...a); } catch (e) { setTimeout(() => { throw e; }); } // (the app's own error)
  }
  return client;
}

export default client;
