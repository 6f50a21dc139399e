// Trusted-input workload: what each tracker costs the page's main thread while a visitor actually
// uses a shop page (clicks, wheel scrolling, typed searches, SPA route changes), driven with
// Playwright's page.mouse / page.keyboard (trusted events), against a page without a tracker.
// Prints a markdown table to stdout and writes every sample to bench/trusted-results.json. See
// BENCHMARKS.md, "Trusted-input workload".
//
//   node bench/trusted.mjs                (npm run bench runs it after bench/run.mjs)
//   TRUSTED_RUNS=9 TRUSTED_BUDGET_S=300 TRUSTED_ONLY=touchpoint,posthog TRUSTED_OUT=/tmp/t.json node bench/trusted.mjs
//   (also TRUSTED_SETTLE_MS, TRUSTED_DRAIN_MS, TRUSTED_SEED; TRUSTED_DIST=<dir> measures the
//   touchpoint.js + touchpoint_bg.wasm in <dir> instead of dist/, and TRUSTED_DIST_COMMIT names the
//   commit they were built from, for the report; TRUSTED_COMPARE=<dir>[,<dir>...] adds other
//   Touchpoint builds, pages touchpoint-cmp, touchpoint-pending-cmp and touchpoint-denied-cmp (then -cmp2, ...), measured
//   in the same rounds: name them in TRUSTED_ONLY too)
//
// One Chromium for the whole run; each measurement in a fresh browser context. Everything is served
// from one node server on 127.0.0.1; every request to another host is aborted by page routing and
// reported, so nothing leaves the machine.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cacheDir, root } from './sdks.mjs';
import { startServer } from './server.mjs';
import { bundleSnowplow, countEvents, defineTrackers, depsDir, productImages, shopPage } from './trusted-trackers.mjs';
import { makePlan, planStats, runPlan } from './trusted-workload.mjs';
import { EXPECTED_ERROR, LAUNCH_ARGS, VIEWPORT, launchChromium } from './trusted-page.mjs';

const RUNS = intEnv('TRUSTED_RUNS', 9);
const BUDGET_S = intEnv('TRUSTED_BUDGET_S', 300); // stop adding rounds (at least MIN_ROUNDS) past this
const MIN_ROUNDS = 3;
const SETTLE_MS = intEnv('TRUSTED_SETTLE_MS', 1000); // after ready and started, before the "after init" reading
const DRAIN_MS = intEnv('TRUSTED_DRAIN_MS', 1500); // after the workload, before the final reading
const SEED = intEnv('TRUSTED_SEED', 20261128);
const READY_TIMEOUT_MS = 20_000;
const STARTED_TIMEOUT_MS = 15_000;
const RUN_DEADLINE_MS = 180_000; // one measurement (load + workload + drain), generous
const ONLY = process.env.TRUSTED_ONLY ? new Set(['baseline', ...process.env.TRUSTED_ONLY.split(',')]) : null;

function intEnv(name, dflt) {
  const v = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(v) && v > 0 ? v : dflt;
}
const nums = (xs) => xs.filter((x) => typeof x === 'number' && Number.isFinite(x));
const median = (xs) => {
  const v = nums(xs).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const spread = (xs) => { const v = nums(xs); return v.length ? { min: Math.min(...v), max: Math.max(...v) } : null; };
const log = (...a) => console.error(...a); // progress on stderr, results on stdout
const git = (...args) => { try { return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim(); } catch { return null; } };

// ---------------------------------------------------------------------------------------------
// Setup: dist/ snapshot, the Snowplow bundle, the server, the plan.

const started = Date.now();
const snapshotDir = path.join(cacheDir, 'dist-snapshot-trusted');
fs.mkdirSync(snapshotDir, { recursive: true });
const distDir = process.env.TRUSTED_DIST ? path.resolve(process.env.TRUSTED_DIST) : path.join(root, 'dist');
const touchpointBuild = { dir: distDir };
if (process.env.TRUSTED_DIST) {
  touchpointBuild.commit = process.env.TRUSTED_DIST_COMMIT || 'unknown';
} else {
  touchpointBuild.commit = git('rev-parse', '--short', 'HEAD');
  // dist/ is built from the work tree, which may hold uncommitted changes to the SDK's sources.
  const dirty = git('status', '--porcelain', '--', 'src', 'www', 'crates', 'Cargo.toml', 'Cargo.lock', 'scripts/build.mjs');
  touchpointBuild.uncommittedSourceChanges = dirty == null ? null : dirty.split('\n').filter(Boolean).length;
}
for (const f of ['touchpoint.js', 'touchpoint_bg.wasm']) {
  const src = path.join(distDir, f);
  if (!fs.existsSync(src)) {
    console.error(`trusted: ${src} is missing; build it first (npm run bench does: node scripts/build.mjs)`);
    process.exit(1);
  }
  const buf = fs.readFileSync(src);
  fs.writeFileSync(path.join(snapshotDir, f), buf);
  touchpointBuild[f] = { bytes: buf.length, sha256: crypto.createHash('sha256').update(buf).digest('hex').slice(0, 16), mtime: fs.statSync(src).mtime.toISOString() };
}

const status = new Map(); // id -> null (ok) or 'failed: reason'
let snowplowBundle = null;
let snowplowError = null;
try {
  if (!ONLY || ONLY.has('snowplow')) {
    ensureDeps();
    snowplowBundle = await bundleSnowplow();
  }
} catch (e) {
  snowplowError = `failed: ${String(e.message || e).split('\n')[0].slice(0, 200)}`;
}
// The compared build is copied too: rebuilding dist/ during the run must not change what is measured.
// TRUSTED_COMPARE=<dir>[,<dir>...]: each one is a page pair of its own (touchpoint-cmp, -cmp2, ...).
let compareDirs = [];
if (process.env.TRUSTED_COMPARE) {
  compareDirs = process.env.TRUSTED_COMPARE.split(',').map((src, i) => {
    const dir = path.join(cacheDir, `dist-snapshot-trusted-cmp${i ? i + 1 : ''}`);
    fs.mkdirSync(dir, { recursive: true });
    for (const f of ['touchpoint.js', 'touchpoint_bg.wasm']) fs.copyFileSync(path.join(path.resolve(src), f), path.join(dir, f));
    return dir;
  });
}
const trackers = defineTrackers({ touchpointDir: snapshotDir, snowplowBundle: snowplowBundle?.file, compareDirs })
  .filter((t) => !ONLY || ONLY.has(t.id));
for (const t of trackers) status.set(t.id, null);
if (snowplowError && status.has('snowplow')) status.set('snowplow', snowplowError);
if (status.has('posthog') && !fs.existsSync(path.join(root, 'node_modules/posthog-js/dist/array.js'))) status.set('posthog', 'failed: posthog-js is not installed (npm ci)');

/**
 * bench/trusted-deps holds the Snowplow plugins (its own package.json and lockfile; see there why).
 * Installed with `npm ci` there when missing or when its lockfile changed, like scripts/setup does
 * for the root.
 */
function ensureDeps() {
  const lock = path.join(depsDir, 'package-lock.json');
  const marker = path.join(depsDir, 'node_modules', '.trusted-lock');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === fs.readFileSync(lock, 'utf8')) return;
  log('trusted: installing bench/trusted-deps (npm ci)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: depsDir, stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  fs.copyFileSync(lock, marker);
}

const server = await startServer({
  statics: trackers.flatMap((t) => t.statics),
  pages: Object.assign(productImages(), ...trackers.map((t) => t.pages || {})),
  json: Object.assign({}, ...trackers.map((t) => t.json || {})),
  postJson: Object.assign({}, ...trackers.map((t) => t.postJson || {})),
});
for (const t of trackers) server.setPage(`/shop-${t.id}.html`, shopPage(t.head));

const plan = makePlan({ seed: SEED });
const stats = planStats(plan);

const browser = await launchChromium();
const chromiumVersion = browser.version();
log(`trusted: Chromium ${chromiumVersion}, server ${server.origin}, up to ${RUNS} rounds x ${trackers.length} pages, budget ${BUDGET_S} s; `
  + `plan: ${stats.mixedClicks} clicks + ${stats.wheels} wheel steps + ${stats.searches} searches + ${stats.routes} route changes (seed ${SEED})`);

// ---------------------------------------------------------------------------------------------
// One measurement.

async function metrics(cdp) {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(list.map((x) => [x.name, x.value]));
  return { script: m.ScriptDuration * 1000, task: m.TaskDuration * 1000 };
}

function withDeadline(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms); })])
    .finally(() => clearTimeout(timer));
}


async function measureOnce(t, { workload = true } = {}, holder = {}) {
  const r = { id: t.id, ok: false, error: null, blocked: [], pageErrors: [], expectedPageErrors: 0, uploads: 0, events: 0, eventNames: {}, uploadsLoad: 0, uploadsWork: 0 };
  const ctx = await browser.newContext({ serviceWorkers: 'block', viewport: VIEWPORT });
  holder.ctx = ctx;
  let phase = 'load';
  try {
    await ctx.route('**/*', (route) => {
      const req = route.request();
      const url = req.url();
      let u = null;
      try { u = new URL(url); } catch { /* not a URL we can route */ }
      if (!u || u.hostname !== '127.0.0.1') {
        r.blocked.push(url.slice(0, 120));
        return route.abort('blockedbyclient');
      }
      if (t.endpoint(u.pathname, req.method())) {
        r.uploads++;
        if (phase === 'load') r.uploadsLoad++; else if (phase === 'work') r.uploadsWork++;
        const c = countEvents(req.postDataBuffer(), t.id.startsWith('touchpoint') ? 'touchpoint' : t.id);
        r.events += c.events;
        for (const n of c.names) r.eventNames[n] = (r.eventNames[n] || 0) + 1;
      }
      return route.continue();
    });
    const pg = await ctx.newPage();
    pg.on('pageerror', (e) => {
      const msg = String(e.message);
      if (EXPECTED_ERROR.test(msg)) r.expectedPageErrors++;
      else r.pageErrors.push(msg.slice(0, 200));
    });
    pg.on('console', (m) => {
      if (m.type() === 'error' && !EXPECTED_ERROR.test(m.text())) r.pageErrors.push(`console.error: ${m.text().slice(0, 200)}`);
      // A tracker that stopped itself costs nothing from then on: its round measures nothing.
      // (A Touchpoint build whose hash changes disabled it was measured at a fraction of its
      // cost, the error only a note under the table.)
      if (/^touchpoint: disabled/.test(m.text())) r.disabled = m.text().split('\n')[0].slice(0, 200);
    });
    const cdp = await ctx.newCDPSession(pg);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });

    // Load, ready, every feature loaded, settle.
    const m0 = await metrics(cdp);
    await pg.goto(`${server.origin}/shop-${t.id}.html`, { waitUntil: 'load', timeout: READY_TIMEOUT_MS });
    try {
      await pg.waitForFunction(() => window.__b && window.__b.ready !== null, null, { timeout: READY_TIMEOUT_MS, polling: 50 });
    } catch {
      const why = r.pageErrors[0] || (r.blocked.length ? `blocked request to ${r.blocked[0]}` : 'no ready callback');
      throw new Error(`not ready within ${READY_TIMEOUT_MS / 1000} s (${why})`);
    }
    if (t.readyCheck) {
      try {
        await pg.waitForFunction(t.readyCheck, null, { timeout: 5_000, polling: 50 });
      } catch {
        throw new Error(`ready callback fired, but ${t.readyCheck} stayed false for 5 s`);
      }
    }
    r.readyMs = await pg.evaluate(() => window.__b.ready);
    if (t.startedCheck) {
      try {
        await pg.waitForFunction(t.startedCheck, null, { timeout: STARTED_TIMEOUT_MS, polling: 50 });
      } catch {
        throw new Error(`ready, but its lazily loaded features were not in after ${STARTED_TIMEOUT_MS / 1000} s`);
      }
    }
    await pg.waitForTimeout(SETTLE_MS);
    const m1 = await metrics(cdp);
    const lt1 = await pg.evaluate(() => ({ n: window.__b.ltn, ms: window.__b.lt }));
    r.scriptInit = m1.script - m0.script;
    r.taskInit = m1.task - m0.task;
    r.longTasksInit = lt1.n;
    if (!workload) { r.ok = true; return r; }

    // The workload, then DRAIN_MS for deferred work (timers, batching, uploads).
    phase = 'work';
    try {
      r.workload = await runPlan(pg, plan);
    } catch (e) {
      throw new Error(`workload failed: ${String(e.message || e).split('\n')[0].slice(0, 200)}`);
    }
    await pg.waitForTimeout(DRAIN_MS);
    const m2 = await metrics(cdp);
    phase = 'after';
    const lt2 = await pg.evaluate(() => ({ n: window.__b.ltn, ms: window.__b.lt }));
    r.scriptWork = m2.script - m1.script;
    r.taskWork = m2.task - m1.task;
    r.longTasksWork = lt2.n - lt1.n;
    r.longTaskMsWork = lt2.ms - lt1.ms;
    if (r.disabled) throw new Error(`it disabled itself: ${r.disabled}`);
    r.ok = true;
    return r;
  } catch (e) {
    r.error = String(e.message || e).split('\n')[0].slice(0, 240);
    return r;
  } finally {
    phase = 'closed';
    await ctx.close().catch(() => {});
  }
}

async function measure(t, opts) {
  const holder = {};
  const run = measureOnce(t, opts, holder);
  try {
    return await withDeadline(run, RUN_DEADLINE_MS, `${t.id} run`);
  } catch (e) {
    // Closing the context makes the run's pending Playwright calls fail, so it ends too.
    await holder.ctx?.close().catch(() => {});
    await withDeadline(run, 30_000, 'abandoned run').catch(() => {});
    return { id: t.id, ok: false, error: String(e.message || e).slice(0, 240), blocked: [], pageErrors: [] };
  }
}

// ---------------------------------------------------------------------------------------------
// Warm-up (load only; finds trackers that cannot start), then rounds, trackers interleaved
// round-robin with the order rotated each round, and reversed every other round: rotation alone
// puts a page right before the next one in the list in all but one round of every N, so a
// paired comparison (touchpoint, touchpoint-cmp) always ran in the same order (an A/A run, the
// same build twice, gave a paired median of +17 ms at 5 rounds).

const samples = Object.fromEntries(trackers.map((t) => [t.id, []]));
for (const t of trackers) {
  if (status.get(t.id)) { log(`trusted: ${t.id}: ${status.get(t.id)}`); continue; }
  const r = await measure(t, { workload: false });
  if (!r.ok) status.set(t.id, `failed: ${r.error}`);
  log(`trusted: warm-up ${t.id}: ${r.ok ? `ready at ${r.readyMs.toFixed(0)} ms` : status.get(t.id)}`);
}
const active = trackers.filter((t) => !status.get(t.id));
let rounds = 0;
for (let run = 0; run < RUNS && active.length; run++) {
  const roundStart = Date.now();
  const order = active.map((_, i) => active[(i + run) % active.length]);
  if (run % 2) order.reverse();
  for (const t of order) {
    const r = await measure(t);
    r.round = run;
    samples[t.id].push(r);
    log(`trusted:   ${t.id}: ${r.ok ? `init ${r.scriptInit.toFixed(0)} ms, workload ${r.scriptWork.toFixed(0)} ms script, ${r.uploads} uploads, ${(r.workload.wallMs / 1000).toFixed(1)} s` : `FAILED ${r.error}`}`);
  }
  rounds++;
  const now = Date.now();
  log(`trusted: round ${run + 1}/${RUNS} done (${((now - started) / 1000).toFixed(0)} s)`);
  if (run + 1 >= MIN_ROUNDS && run + 1 < RUNS && now - started + (now - roundStart) > BUDGET_S * 1000) {
    log(`trusted: stopping after ${rounds} rounds to stay within TRUSTED_BUDGET_S=${BUDGET_S}`);
    break;
  }
}
await browser.close();
await server.close();

// ---------------------------------------------------------------------------------------------
// Aggregate: medians; "over baseline" = the tracker's median minus the baseline's median. The
// per-round differences (tracker minus the baseline of the same round) are kept in the JSON too.

const baseOk = samples.baseline?.filter((r) => r.ok) ?? [];
const baseMed = (k) => median(baseOk.map((r) => r[k]));
const workloadKeys = ['clicks', 'wheels', 'keys', 'searches', 'routes', 'positionWheels', 'positionWheelPx', 'scrollIntoViewFallbacks'];
const refWorkload = baseOk[0]?.workload ?? samples.touchpoint?.find((r) => r.ok)?.workload ?? null;
const results = [];
for (const t of trackers) {
  const ok = samples[t.id].filter((r) => r.ok);
  const failed = samples[t.id].filter((r) => !r.ok);
  let st = status.get(t.id);
  if (!st && !ok.length) st = `failed: ${failed[0]?.error ?? 'no successful run'}`;
  const med = (k) => median(ok.map((r) => r[k]));
  const over = (k) => (t.baseline || med(k) == null || baseMed(k) == null ? null : med(k) - baseMed(k));
  const paired = (k) => ok.map((r) => {
    const b = baseOk.find((x) => x.round === r.round);
    return b ? r[k] - b[k] : null;
  });
  // The workload must have been the same everywhere: same clicks, keys, wheel steps.
  const divergent = refWorkload ? ok.filter((r) => workloadKeys.some((k) => r.workload[k] !== refWorkload[k])).length : 0;
  const warnings = [];
  if (st) warnings.push(st);
  if (ok.length) {
    const posts = med('uploadsWork');
    if (t.expect === 'posts' && !(med('uploads') > 0)) warnings.push('captured nothing: no request reached its endpoint');
    if (t.expect === 'none' && ok.some((r) => r.uploads > 0)) warnings.push(`sent ${Math.max(...ok.map((r) => r.uploads))} request(s) although it must send none`);
    if (t.expect === 'posts' && posts === 0) warnings.push('no upload during the workload and drain');
  }
  if (divergent) warnings.push(`${divergent} run(s) executed a different workload (clicks/keys/scroll steps differ)`);
  const pageErrors = [...new Set(samples[t.id].flatMap((r) => r.pageErrors))];
  const eventNames = {};
  for (const r of ok) for (const [n, c] of Object.entries(r.eventNames)) (eventNames[n] ||= []).push(c);
  results.push({
    id: t.id, name: t.name, package: t.pkg, version: t.version ?? null, pluginVersions: t.pluginVersions ?? null,
    status: st ?? 'ok', warnings, notes: t.notes,
    runs: { ok: ok.length, failed: failed.length, failures: [...new Set(failed.map((r) => r.error))] },
    init: ok.length ? {
      readyMs: med('readyMs'), readyMsRange: spread(ok.map((r) => r.readyMs)),
      scriptMs: med('scriptInit'), scriptMsOverBaseline: over('scriptInit'),
      taskMs: med('taskInit'), taskMsOverBaseline: over('taskInit'),
      scriptMsOverBaselinePerRound: paired('scriptInit'),
      longTasks: med('longTasksInit'),
    } : null,
    workload: ok.length ? {
      scriptMs: med('scriptWork'), scriptMsOverBaseline: over('scriptWork'),
      scriptMsOverBaselinePerRound: paired('scriptWork'),
      scriptUsPerInteractionOverBaseline: over('scriptWork') == null ? null : (over('scriptWork') * 1000) / stats.interactions,
      taskMs: med('taskWork'), taskMsOverBaseline: over('taskWork'),
      longTasks: med('longTasksWork'), longTasksRange: spread(ok.map((r) => r.longTasksWork)), longTaskMs: med('longTaskMsWork'),
      wallMs: median(ok.map((r) => r.workload.wallMs)),
      uploads: med('uploads'), uploadsDuringLoad: med('uploadsLoad'), uploadsDuringWorkload: med('uploadsWork'), events: med('events'),
      eventNames: Object.fromEntries(Object.entries(eventNames).map(([n, cs]) => [n, median(cs.concat(Array(ok.length - cs.length).fill(0)))])),
      expectedPageErrors: med('expectedPageErrors'),
    } : null,
    blockedRequests: [...new Set(samples[t.id].flatMap((r) => r.blocked))],
    pageErrors: pageErrors.slice(0, 5),
    samples: samples[t.id],
  });
}
const tp = results.find((r) => r.id === 'touchpoint');
const ratio = (a, b) => (a == null || b == null || b <= 0.5 ? null : a / b);
for (const r of results) {
  if (r.id === 'baseline' || !r.workload) continue;
  r.touchpointOverThis = {
    workloadScript: ratio(tp?.workload?.scriptMsOverBaseline, r.workload.scriptMsOverBaseline),
    initScript: ratio(tp?.init?.scriptMsOverBaseline, r.init.scriptMsOverBaseline),
  };
}

// ---------------------------------------------------------------------------------------------
// Report.

const f0 = (x) => (x == null ? '-' : x.toFixed(0));
const f1 = (x) => (x == null ? '-' : x.toFixed(1));
const fx = (x) => (x == null ? '-' : `${x < 0.095 ? x.toFixed(3) : x.toFixed(2)}x`);
function table(headers, rows) {
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join(' | ')} |`;
  return [line(headers), `|${w.map((n, i) => (i === 0 ? ':' : '-') + '-'.repeat(n) + (i === 0 ? '-' : ':')).join('|')}|`, ...rows.map(line)].join('\n');
}
const ranked = [...results].sort((a, b) => {
  if (a.id === 'baseline') return -1;
  if (b.id === 'baseline') return 1;
  return (a.workload?.scriptMsOverBaseline ?? Infinity) - (b.workload?.scriptMsOverBaseline ?? Infinity);
});
const rows = ranked.map((r) => {
  if (!r.workload) return [`! ${r.name}`, `${r.status}`.slice(0, 60), '', '', '', '', '', '', ''];
  const w = r.workload;
  const own = r.id === 'baseline';
  const mark = r.warnings.length ? ' !' : '';
  return [
    r.name + mark,
    own ? `(${f0(r.init.scriptMs)})` : f1(r.init.scriptMsOverBaseline),
    own ? `(${f0(w.scriptMs)})` : f1(w.scriptMsOverBaseline),
    own ? '-' : f0(w.scriptUsPerInteractionOverBaseline),
    own ? `(${f0(w.taskMs)})` : f1(w.taskMsOverBaseline),
    `${f0(w.longTasks)}${w.longTasksRange && w.longTasksRange.max !== w.longTasksRange.min ? ` (${w.longTasksRange.min}-${w.longTasksRange.max})` : ''}`,
    `${f0(w.uploads)} / ${f0(w.events)}`,
    own ? '-' : fx(r.touchpointOverThis?.workloadScript),
    own ? '-' : fx(r.touchpointOverThis?.initScript),
  ];
});
const when = new Date().toISOString();
const out = [];
out.push(`Trusted-input workload, ${when}`);
out.push(`Headless Chromium ${chromiumVersion} (Debian /usr/bin/chromium), ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), node ${process.version}, viewport ${VIEWPORT.width}x${VIEWPORT.height}`);
out.push(`Touchpoint build: ${process.env.TRUSTED_DIST ? distDir : 'dist/'} at commit ${touchpointBuild.commit}${touchpointBuild.uncommittedSourceChanges ? ` (work tree with ${touchpointBuild.uncommittedSourceChanges} uncommitted source change(s))` : ''}, `
  + `touchpoint.js ${touchpointBuild['touchpoint.js'].sha256}..., touchpoint_bg.wasm ${touchpointBuild['touchpoint_bg.wasm'].sha256}... (built ${touchpointBuild['touchpoint_bg.wasm'].mtime})`);
out.push(`Workload per run (seed ${SEED}): ${stats.mixedClicks} clicks on mixed elements, ${stats.wheels} wheel steps, ${stats.searches} typed searches, ${stats.routes} SPA route changes = ${stats.interactions} interactions`
  + ` (${stats.clicks} mouse clicks and ${stats.keys} key presses in all${refWorkload ? `; plus ${refWorkload.positionWheels} wheel steps that bring off-screen targets into view` : ''}).`);
out.push(`Clicks: ${Object.entries(stats.byLabel).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v} ${k}`).join(', ')}; plus a click on the search input per search and on a nav item per route change.`);
out.push(`Medians of ${rounds} rounds; each round runs every page once in a fresh browser context, order rotated. Ranked by workload script time over the baseline.`);
out.push('');
out.push(table(['tracker', 'init script ms over baseline', 'workload script ms over baseline', 'us per interaction', 'workload task ms over baseline',
  'long tasks in workload', 'requests / events', 'Touchpoint / this, workload', 'Touchpoint / this, init'], rows));
out.push('');
out.push('script / task ms: CDP Performance.getMetrics ScriptDuration / TaskDuration (renderer main-thread CPU time, timeDomain threadTicks).');
out.push(`  init = before navigation -> ready + features loaded + ${SETTLE_MS} ms; workload = from there -> end of the workload + ${DRAIN_MS} ms drain. The baseline's own values in parentheses.`);
out.push(`us per interaction: workload script ms over baseline / ${stats.interactions} interactions. long tasks: PerformanceObserver 'longtask' entries (>50 ms) during workload + drain (min-max over rounds when they differ).`);
out.push('requests / events: uploads to the tracker\'s local endpoint during the whole run, and the events in them. Touchpoint / this: ratio of the "over baseline" medians (below 1: Touchpoint costs less).');
for (const r of results) {
  if (r.workload && Object.keys(r.workload.eventNames).length) {
    out.push(`events ${r.name}: ${Object.entries(r.workload.eventNames).sort((a, b) => b[1] - a[1]).map(([n, c]) => `${n} ${c}`).join(', ')}`);
  }
}
// A build compared in the same rounds (TRUSTED_COMPARE: touchpoint-cmp*, touchpoint-pending-cmp)
// against its counterpart, round by round: the medians of two runs of one build move by ~10 ms,
// a pair of rounds by up to ~60 ms, so a change of a few percent shows, if at all, as one build
// lower in most rounds.
for (const r of results) {
  const base = results.find((x) => r.id !== x.id && x.id === r.id.replace(/-cmp\d*$/, ''));
  if (!base) continue;
  const diffs = [];
  for (const s of base.samples.filter((x) => x.ok)) {
    const o = r.samples.find((x) => x.ok && x.round === s.round);
    if (o) diffs.push(s.scriptWork - o.scriptWork);
  }
  if (!diffs.length) continue;
  r.pairedWith = { id: base.id, workloadScriptDiffPerRound: diffs, median: median(diffs), lowerRounds: diffs.filter((x) => x < 0).length };
  out.push(`paired, ${base.name} minus ${r.name}, workload script ms per round: ${diffs.map(f1).join(', ')}; `
    + `median ${f1(r.pairedWith.median)}; ${base.name} lower in ${r.pairedWith.lowerRounds} of ${diffs.length} rounds`);
}
for (const r of results) {
  for (const w of r.warnings) out.push(`! ${r.name}: ${w}`);
  if (r.runs.failed) out.push(`note ${r.name}: ${r.runs.failed} run(s) failed: ${r.runs.failures.join('; ')}`);
  if (r.blockedRequests.length) out.push(`note ${r.name}: blocked ${r.blockedRequests.length} request(s) to other hosts, e.g. ${r.blockedRequests[0]}`);
  if (r.pageErrors.length) out.push(`note ${r.name}: page errors: ${r.pageErrors.join(' | ')}`);
}
out.push('How each tracker is installed:');
for (const r of results) for (const n of r.notes) out.push(`  ${r.name}: ${n}`);
if (snowplowBundle) out.push(`  Snowplow bundle: ${snowplowBundle.versions.join(', ')}`);
out.push(`Total time ${((Date.now() - started) / 1000).toFixed(0)} s.`);
console.log(out.join('\n'));

const json = {
  date: when, command: 'node bench/trusted.mjs', chromium: chromiumVersion, node: process.version, touchpointBuild,
  machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? null, memGiB: +(os.totalmem() / 2 ** 30).toFixed(1), loadavg: os.loadavg() },
  settings: { rounds, roundsRequested: RUNS, budgetS: BUDGET_S, settleMs: SETTLE_MS, drainMs: DRAIN_MS, seed: SEED, viewport: VIEWPORT, launchArgs: LAUNCH_ARGS },
  plan: { stats, actions: plan },
  snowplowBundle: snowplowBundle ? { versions: snowplowBundle.versions, bytes: fs.statSync(snowplowBundle.file).size } : null,
  units: {
    scriptMs: 'ms of renderer main-thread CPU time, CDP ScriptDuration delta (threadTicks)', taskMs: 'same, TaskDuration',
    readyMs: 'ms since navigation start (performance.now())', scriptUsPerInteractionOverBaseline: 'microseconds',
  },
  results,
  textReport: out.join('\n'),
};
const outFile = path.resolve(root, process.env.TRUSTED_OUT || 'bench/trusted-results.json');
fs.writeFileSync(outFile, `${JSON.stringify(json, null, 2)}\n`);
log(`trusted: wrote ${path.relative(root, outFile)}`);

// Exit 0 when both Touchpoint variants loaded and completed the workload (or were left out by TRUSTED_ONLY).
let code = 0;
for (const id of ['touchpoint', 'touchpoint-pending']) {
  const r = results.find((x) => x.id === id);
  if (!r) continue;
  if (r.status !== 'ok' || !r.runs.ok) { console.error(`trusted: ${r.name} did not complete the workload: ${r.status}`); code = 1; }
}
process.exit(code);
