// Touchpoint for bundlers: the same SDK as the script tag, driven from code.
//
//   import { init, consent, track } from 'touchpoint/npm/touchpoint.mjs';
//   init({ src: '/touchpoint/touchpoint.js', collector: '/v1/batch', site: 'shop', consent: 'pending' });
//   consent({ analytics: true });
//
// `init` takes the script tag's data-* names as options (camelCase or kebab-case), installs the
// queueing stub and loads the SDK once. Every other function queues through the stub until the
// SDK is up, so it can be called right away and never throws.

const stub = () => {
  const w = window;
  w.touchpoint = w.touchpoint || function () { (w.touchpoint.q = w.touchpoint.q || []).push(arguments); };
  return w.touchpoint;
};

const call = (...args) => {
  try { stub()(...args); } catch (e) { /* never break the caller */ }
};

const kebab = (k) => k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

export function init(options = {}) {
  if (typeof window === 'undefined' || document.querySelector('script[data-touchpoint-npm]')) return;
  stub();
  const { src = '/touchpoint/touchpoint.js', ...attrs } = options;
  const s = document.createElement('script');
  s.async = true;
  s.src = src;
  s.setAttribute('data-touchpoint-npm', '');
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null) s.setAttribute('data-' + kebab(k), String(v));
  }
  document.head.appendChild(s);
}

export const consent = (categories) => call('consent', categories);
export const track = (name, properties) => call('track', name, properties);
export const page = (properties) => call('page', properties);
export const flush = () => call('flush');
/** Resolves with `{analytics, marketing}` once the SDK has answered. */
export const getConsent = () => new Promise((resolve) => call('getConsent', resolve));
