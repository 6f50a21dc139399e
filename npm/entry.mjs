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
export const track = (name, properties) => call('track', name, properties);
export const page = (properties) => call('page', properties);
export const flush = () => call('flush');
export const identify = (userId, traits) => call('identify', userId, traits);
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
export const consentState = () => last && { ...last };
/** Calls `listener({analytics, marketing})` now if the state is known, then on every change;
 * returns a function that unsubscribes. */
export function onConsent(listener) {
  if (!browser) return () => {};
  const f = (e) => { try { listener({ ...e.detail }); } catch (err) { setTimeout(() => { throw err; }); } };
  window.addEventListener('touchpoint:consent', f);
  if (last) f({ detail: last });
  return () => window.removeEventListener('touchpoint:consent', f);
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
    if (!window.__touchpoint_listening) {
      window.__touchpoint_listening = true;
      window.addEventListener('touchpoint:consent', (e) => { last = { ...e.detail }; });
    }
    if (window.__touchpoint_loaded) return client;
    stub();
    const { wasmUrl, overlayUrl, beforeSend: hook, ...rest } = options || {};
    if (hook) beforeSend(hook); // (queued by the stub: in place before anything can be sent)
    const attrs = {};
    for (const [k, v] of Object.entries(rest)) {
      if (v !== undefined && v !== null) attrs[kebab(k)] = Array.isArray(v) ? v.join(',') : String(v);
    }
    // Both files are the bundler's assets (`new URL(..., import.meta.url)`); the overlay is
    // fetched only when debug is on. (Not a dynamic import: the bundlers' chunk-loading code
    // would cost every page of the app 650-750 B gzip, measured with Vite and webpack.)
    sdk()(attrs, wasmUrl ? String(wasmUrl) : new URL('./touchpoint_bg.wasm', import.meta.url), undefined,
      overlayUrl ? String(overlayUrl) : new URL('./touchpoint-overlay.js', import.meta.url));
  } catch (e) {
    try { console.warn('touchpoint: could not start', e); } catch (_) { /* ignore */ }
  }
  return client;
}

export default client;
