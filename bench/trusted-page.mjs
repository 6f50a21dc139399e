// One Touchpoint page of the trusted-input bench, opened the way bench/trusted.mjs opens it, for
// the tools that look inside one page (bench/profile-trusted.mjs, bench/entry-points.mjs): the
// same Chromium flags and viewport, every request to another host aborted, the shop page served
// with the tracker's head, and the page ready and settled for 1 s before the caller starts.
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';
import { productImages, shopPage } from './trusted-trackers.mjs';

export const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-quic', '--no-first-run',
  // A wheel step scrolls at once instead of animating, so the runner can wait for the exact position.
  '--disable-smooth-scrolling',
  // V8 flags for an experiment (e.g. TRUSTED_JS_FLAGS=--no-wasm-lazy-compilation): none by default.
  ...(process.env.TRUSTED_JS_FLAGS ? [`--js-flags=${process.env.TRUSTED_JS_FLAGS}`] : [])];
export const VIEWPORT = { width: 1280, height: 800 };
/** The fixture's deliberate bug on the "sale" route. */
export const EXPECTED_ERROR = /endsAt/;

export function launchChromium() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: LAUNCH_ARGS });
}

/** Main-thread script time so far (CDP ScriptDuration, thread ticks), in ms. */
export async function scriptMs(cdp) {
  return (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ScriptDuration').value * 1000;
}

/**
 * Opens tracker `t` (bench/trusted-trackers.mjs) in a fresh context of `browser`. `isolate`:
 * serve the page cross-origin isolated (COOP/COEP), for 5 us performance.now() resolution.
 * Returns { ctx, pg, cdp, origin, uploads() (requests to the tracker's endpoint so far),
 * errors (unexpected page errors), close() }.
 */
export async function openTrustedPage(browser, t, { isolate = false } = {}) {
  const server = await startServer({ statics: t.statics, pages: productImages() });
  server.setPage(`/shop-${t.id}.html`, shopPage(t.head));
  const ctx = await browser.newContext({ serviceWorkers: 'block', viewport: VIEWPORT });
  let uploads = 0;
  await ctx.route('**/*', async (route) => {
    const u = new URL(route.request().url());
    if (u.hostname !== '127.0.0.1') return route.abort('blockedbyclient');
    if (t.endpoint(u.pathname, route.request().method())) uploads++;
    if (isolate && /\/shop-.*\.html$/.test(u.pathname)) {
      const resp = await route.fetch();
      return route.fulfill({ response: resp, headers: { ...resp.headers(),
        'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } });
    }
    return route.continue();
  });
  const pg = await ctx.newPage();
  const errors = [];
  pg.on('pageerror', (e) => { if (!EXPECTED_ERROR.test(e.message)) errors.push(e.message); });
  const cdp = await ctx.newCDPSession(pg);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  await pg.goto(`${server.origin}/shop-${t.id}.html`, { waitUntil: 'load' });
  // (The baseline has no readiness check of its own: its load event, __ready(), is its readiness.)
  await pg.waitForFunction(t.readyCheck || 'window.__b.ready !== null', null, { timeout: 20_000, polling: 50 });
  await pg.waitForTimeout(1000);
  return {
    ctx, pg, cdp, origin: server.origin, errors, uploads: () => uploads,
    close: async () => { await ctx.close(); await server.close(); },
  };
}
