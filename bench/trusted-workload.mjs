// The trusted-input workload of bench/trusted.mjs: a seeded, deterministic plan of clicks, wheel
// scrolls, typed searches and SPA route changes on bench/fixtures/shop.html, and its execution with
// Playwright's page.mouse / page.keyboard only (trusted events: isTrusted === true), never
// element.click() or a tracker call from script.
//
// The plan is the same list of actions for every tracker. Where a click target is off screen (or
// under the sticky header), the runner scrolls it into view with extra wheel steps whose size it
// computes from the layout, which is identical on every page, so those steps are the same too
// (they are counted, and the bench checks that they match across trackers).

/** mulberry32: a small seeded PRNG, so the plan depends on the seed only. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CARDS = 12;
const SEARCH_TERMS = ['teapot', 'stonew', 'glazed', 'espres', 'bottle', 'nestin', 'celado', 'cereal', 'latte ', 'speckl', 'serving', 'plate'];
const ROUTES = ['all', 'mugs', 'teapots', 'sale'];
const PLAIN_TEXT = ['header.site h1', '#banner p', '#reviews h2', '#shipping h2', 'footer p'];

/**
 * The plan: `clicks` clicks on mixed elements (some stepper clicks come in quick bursts of 3-4, as a
 * hesitant shopper or an impatient one clicks, which are rage clicks for the trackers that detect
 * them), `wheels` wheel steps, `searches` typed searches and `routes` route changes, shuffled.
 * Each action: {kind: 'click', sel, repeat, label} | {kind: 'wheel', dy} | {kind: 'search', text}
 * | {kind: 'route', route}.
 */
export function makePlan({ seed, clicks = 300, wheels = 60, searches = 20, routes = 10 }) {
  const r = rng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const card = () => `#p-${1 + Math.floor(r() * CARDS)}`;
  const weighted = [
    [22, () => ({ sel: `${card()} button.add`, label: 'add to cart' })],
    [20, () => {
      const u = r();
      return { sel: `${card()} button.step[data-d="${r() < 0.7 ? 1 : -1}"]`, label: 'stepper', repeat: u < 0.55 ? 1 : u < 0.75 ? 2 : u < 0.9 ? 3 : 4 };
    }],
    [14, () => ({ sel: `${card()} img`, label: 'product photo' })],
    // A "save for later" heart that is not wired up yet: a dead click, as real shops have some.
    [5, () => ({ sel: `${card()} button.save`, label: 'dead button' })],
    [10, () => ({ sel: `${card()} h3 a`, label: 'title link (#anchor)' })],
    [5, () => ({ sel: `nav.main a[href="${pick(['#reviews', '#shipping'])}"]`, label: 'nav #anchor' })],
    [2, () => ({ sel: 'footer a[href="#top"]', label: 'back to top (#anchor)' })],
    [20, () => {
      const u = r();
      const sel = u < 0.45 ? `${card()} p.desc` : u < 0.65 ? `${card()} p.price`
        : u < 0.85 ? `#reviews p:nth-of-type(${1 + Math.floor(r() * 5)})` : pick(PLAIN_TEXT);
      return { sel, label: 'plain text' };
    }],
  ];
  const total = weighted.reduce((n, [w]) => n + w, 0);
  const actions = [];
  let n = 0;
  while (n < clicks) {
    let u = r() * total;
    const make = weighted.find(([w]) => (u -= w) < 0)[1];
    const a = { kind: 'click', repeat: 1, ...make() };
    a.repeat = Math.min(a.repeat, clicks - n);
    n += a.repeat;
    actions.push(a);
  }
  for (let i = 0; i < wheels; i++) {
    // Mostly down the page, sometimes back up; 100-600 px per step.
    actions.push({ kind: 'wheel', dy: (r() < 0.62 ? 1 : -1) * (100 + 50 * Math.floor(r() * 11)) });
  }
  for (let i = 0; i < searches; i++) actions.push({ kind: 'search', text: pick(SEARCH_TERMS) });
  // Route changes: a sequence in which each route differs from the one before, assigned to the
  // route slots in the order they appear after the shuffle, so each click really changes route.
  const routeSeq = [];
  let current = 'all';
  for (let i = 0; i < routes; i++) {
    current = pick(ROUTES.filter((x) => x !== current));
    routeSeq.push(current);
    actions.push({ kind: 'route', route: null });
  }
  for (let i = actions.length - 1; i > 0; i--) { // Fisher-Yates
    const j = Math.floor(r() * (i + 1));
    [actions[i], actions[j]] = [actions[j], actions[i]];
  }
  let k = 0;
  for (const a of actions) if (a.kind === 'route') a.route = routeSeq[k++];
  return actions;
}

/** Summary of a plan: how many clicks (all kinds), wheel steps, keys, searches, routes, actions. */
export function planStats(plan) {
  const s = { actions: plan.length, clicks: 0, mixedClicks: 0, wheels: 0, searches: 0, routes: 0, keys: 0, byLabel: {} };
  for (const a of plan) {
    if (a.kind === 'click') {
      s.clicks += a.repeat; s.mixedClicks += a.repeat;
      s.byLabel[a.label] = (s.byLabel[a.label] || 0) + a.repeat;
    } else if (a.kind === 'wheel') s.wheels++;
    else if (a.kind === 'search') { s.searches++; s.clicks++; s.keys += a.text.length + 2; } // Ctrl+A, text, Enter
    else if (a.kind === 'route') { s.routes++; s.clicks++; }
  }
  // The interactions the per-interaction figure divides by: each mixed click, wheel step, search and
  // route change counts once (a search's click on the input and its keystrokes are one interaction).
  s.interactions = s.mixedClicks + s.wheels + s.searches + s.routes;
  return s;
}

// In-page: where to click `sel`. {ok, x, y, dy, scrollY, maxY}: ok when the point is inside the
// viewport, clear of the sticky header, and the element (or a child) is what the point hits;
// otherwise dy is the scroll that brings the element to the middle of the free area. With a
// `waitY`, it first waits (frame by frame, ~2 s at most) until scrollY is within 1 px of it, so a
// wheel step and the next look-up cost one round trip.
const LOCATE = ([sel, waitY]) => new Promise((resolve) => {
  const locate = () => {
    const el = sel && document.querySelector(sel);
    const state = { scrollY: Math.round(scrollY), maxY: Math.max(0, document.documentElement.scrollHeight - innerHeight) };
    if (!sel) return state;
    if (!el) return { missing: true, ...state };
    const rects = el.getClientRects();
    const r = rects.length ? rects[0] : el.getBoundingClientRect();
    const header = document.querySelector('header.site');
    const top = (header.contains(el) ? 0 : header.getBoundingClientRect().bottom) + 4;
    const bottom = innerHeight - 4;
    const x = Math.round(r.left + Math.min(r.width / 2, 120));
    const y = Math.round(r.top + r.height / 2);
    let ok = y >= top && y <= bottom && x >= 0 && x < innerWidth;
    if (ok) { const hit = document.elementFromPoint(x, y); ok = !!hit && (hit === el || el.contains(hit)); }
    return { ok, x, y, dy: ok ? 0 : Math.round(y - (top + bottom) / 2), ...state };
  };
  if (waitY == null) { resolve(locate()); return; }
  let n = 0;
  const f = () => { if (Math.abs(scrollY - waitY) <= 1 || ++n > 120) resolve(locate()); else requestAnimationFrame(f); };
  f();
});

/** One wheel step of dy at the mouse's position; waits for the page to get there, then locates `sel`. */
async function wheelStep(pg, dy, from, sel, st) {
  const target = Math.min(from.maxY, Math.max(0, from.scrollY + dy));
  await pg.mouse.wheel(0, dy);
  const loc = await pg.evaluate(LOCATE, [sel, target]);
  if (Math.abs(loc.scrollY - target) > 1) st.scrollMisses++;
  return loc;
}

/** Clicks `sel` with the mouse (count times at the same point), scrolling it into view first. */
async function clickSel(pg, sel, count, st) {
  let loc = await pg.evaluate(LOCATE, [sel, null]);
  if (loc.missing) throw new Error(`workload: no element ${sel}`);
  for (let tries = 0; !loc.ok && tries < 3; tries++) {
    st.positionWheels++;
    st.positionWheelPx += Math.abs(loc.dy);
    loc = await wheelStep(pg, loc.dy, loc, sel, st);
  }
  if (!loc.ok) {
    // Should not happen on this layout; counted so that it shows if it does.
    st.scrollIntoViewFallbacks++;
    await pg.evaluate((s) => document.querySelector(s).scrollIntoView({ block: 'center' }), sel);
    loc = await pg.evaluate(LOCATE, [sel, null]);
  }
  for (let i = 0; i < count; i++) {
    await pg.mouse.click(loc.x, loc.y); // move (steps: 1), down, up: trusted events
    st.clicks++;
  }
}

/**
 * Runs the plan on a loaded page. Returns counters that must be equal for every tracker (the same
 * plan on the same layout), plus the wall time.
 */
export async function runPlan(pg, plan) {
  const st = { clicks: 0, wheels: 0, keys: 0, searches: 0, routes: 0, positionWheels: 0, positionWheelPx: 0, scrollMisses: 0, scrollIntoViewFallbacks: 0, wallMs: 0 };
  const t0 = Date.now();
  for (const a of plan) {
    if (a.kind === 'click') await clickSel(pg, a.sel, a.repeat, st);
    else if (a.kind === 'wheel') {
      const from = await pg.evaluate(LOCATE, [null, null]);
      await wheelStep(pg, a.dy, from, null, st);
      st.wheels++;
    } else if (a.kind === 'search') {
      await clickSel(pg, '#q', 1, st);
      await pg.keyboard.press('Control+A');
      await pg.keyboard.type(a.text);
      await pg.keyboard.press('Enter'); // the form's submit handler calls preventDefault
      st.keys += a.text.length + 2;
      st.searches++;
    } else if (a.kind === 'route') {
      await clickSel(pg, `nav.main a[data-route="${a.route}"]`, 1, st);
      st.routes++;
    }
  }
  st.wallMs = Date.now() - t0;
  return st;
}
