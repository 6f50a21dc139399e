// Touchpoint benchmark: Touchpoint against peer SDKs from npm, in the same headless Chromium, in the
// same run. Prints tables to stdout and writes bench/results.json. See BENCHMARKS.md for what each
// number means.
//
//   node bench/run.mjs                  (npm run bench builds dist/ first)
//   BENCH_RUNS=7 BENCH_EVENTS=1000 BENCH_ONLY=touchpoint,posthog BENCH_OUT=/tmp/r.json node bench/run.mjs
//   (also BENCH_SETTLE_MS, BENCH_DRAIN_MS, BENCH_BUDGET_S: see below)
//
// Everything is served from one node server on 127.0.0.1 (random port); every request the pages
// make to another host is aborted by page routing and reported, so nothing leaves the machine.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { cacheDir, defineSdks, page, pkgVersion, root } from './sdks.mjs';
import { gzipSize, startServer } from './server.mjs';

const RUNS = intEnv('BENCH_RUNS', 7);
const EVENTS = intEnv('BENCH_EVENTS', 1000);
const SETTLE_MS = intEnv('BENCH_SETTLE_MS', 750); // after ready, before the "after init" reading
const DRAIN_MS = intEnv('BENCH_DRAIN_MS', 1000); // after the track loop, before the "after events" reading
const BUDGET_S = intEnv('BENCH_BUDGET_S', 270); // stop adding rounds (at least 3) past this
const READY_TIMEOUT_MS = 20_000;
const ONLY = process.env.BENCH_ONLY ? new Set(['blank', ...process.env.BENCH_ONLY.split(',')]) : null;
const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-quic', '--no-first-run'];

function intEnv(name, dflt) {
  const v = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(v) && v > 0 ? v : dflt;
}
const spread = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x));
  return v.length ? { min: Math.min(...v), max: Math.max(...v) } : null;
};
const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const log = (...a) => console.error(...a); // progress on stderr, results on stdout

// ---------------------------------------------------------------------------------------------
// Setup: the SDK files, sizes, the server.

const started = Date.now();
// dist/ is snapshotted first, so a rebuild during the run changes nothing: sizes and pages use the
// same two files.
const snapshotDir = path.join(cacheDir, 'dist-snapshot');
fs.mkdirSync(snapshotDir, { recursive: true });
const touchpointBuild = {};
for (const f of ['touchpoint.js', 'touchpoint_bg.wasm']) {
  const src = path.join(root, 'dist', f);
  if (!fs.existsSync(src)) {
    console.error(`bench: dist/${f} is missing; build it first (npm run bench does: node scripts/build.mjs)`);
    process.exit(1);
  }
  const buf = fs.readFileSync(src);
  fs.writeFileSync(path.join(snapshotDir, f), buf);
  touchpointBuild[f] = { bytes: buf.length, sha256: crypto.createHash('sha256').update(buf).digest('hex').slice(0, 16), mtime: fs.statSync(src).mtime.toISOString() };
}
const sdks = defineSdks({ touchpointDir: snapshotDir }).filter((s) => !ONLY || ONLY.has(s.id));

const status = new Map(); // id -> null (ok) or 'failed: reason'
for (const s of sdks) {
  s.version = s.pkg ? pkgVersion(s.pkg) : s.version;
  status.set(s.id, null);
  if (s.pkg && !s.version) status.set(s.id, `failed: npm package ${s.pkg} is not installed (npm ci)`);
}

// Bundles the npm package ships unminified are minified once with esbuild (a devDependency).
fs.mkdirSync(cacheDir, { recursive: true });
for (const s of sdks) {
  if (!s.minify || status.get(s.id)) continue;
  try {
    const esbuild = await import('esbuild');
    const src = fs.readFileSync(s.minify.from, 'utf8');
    const out = await esbuild.transform(src, { minify: true, target: 'es2019', legalComments: 'none' });
    fs.writeFileSync(s.minify.to, out.code);
  } catch (e) {
    status.set(s.id, `failed: could not minify ${path.relative(root, s.minify.from)}: ${e.message.split('\n')[0]}`);
  }
}

const sizes = {};
for (const s of sdks) {
  if (s.baseline || status.get(s.id)) continue;
  const missing = s.bundle.find((b) => !fs.existsSync(b.file));
  if (missing) {
    status.set(s.id, `failed: ${path.relative(root, missing.file)} not found (is ${s.pkg ?? 'dist/'} installed/built?)`);
    continue;
  }
  const files = s.bundle.map((b) => {
    const raw = fs.statSync(b.file).size;
    const r = { file: b.label, raw, gzip: gzipSize(b.file) };
    if (b.source) r.shippedUnminified = { raw: fs.statSync(b.source).size, gzip: gzipSize(b.source) };
    return r;
  });
  sizes[s.id] = { files, gzip: files.reduce((n, f) => n + f.gzip, 0), raw: files.reduce((n, f) => n + f.raw, 0) };
}

const server = await startServer({
  statics: sdks.flatMap((s) => s.statics),
  json: Object.assign({}, ...sdks.map((s) => s.json || {})),
  postJson: Object.assign({}, ...sdks.map((s) => s.postJson || {})),
  pages: Object.assign({}, ...sdks.map((s) => s.text || {})),
});
for (const s of sdks) {
  server.setPage(`/${s.id}.html`, page(s.head));
  if (s.settings) for (const [k, v] of Object.entries(s.settings(server.origin))) server.setJson(k, v);
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: LAUNCH_ARGS });
const chromiumVersion = browser.version();
const userAgent = await (async () => {
  const ctx = await browser.newContext();
  const ua = await (await ctx.newPage()).evaluate(() => navigator.userAgent);
  await ctx.close();
  return ua;
})();
log(`bench: Chromium ${chromiumVersion}, server ${server.origin}, ${RUNS} runs x ${sdks.length} pages, ${EVENTS} events`);

// ---------------------------------------------------------------------------------------------
// One measurement: a fresh browser context, load the SDK's page, wait until ready, read metrics,
// make EVENTS track calls, read metrics again.

async function metrics(cdp) {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(list.map((x) => [x.name, x.value]));
  return { script: m.ScriptDuration * 1000, task: m.TaskDuration * 1000, heap: m.JSHeapUsedSize };
}

/** Byte sizes of every WebAssembly.Memory in the page (Touchpoint's loader keeps its module private). */
async function wasmMemories(cdp) {
  const { result: proto } = await cdp.send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' });
  const { objects } = await cdp.send('Runtime.queryObjects', { prototypeObjectId: proto.objectId });
  const { result } = await cdp.send('Runtime.callFunctionOn', {
    objectId: objects.objectId, returnByValue: true,
    functionDeclaration: 'function(){return this.map(function(m){return m.buffer.byteLength})}',
  });
  await cdp.send('Runtime.releaseObject', { objectId: objects.objectId }).catch(() => {});
  await cdp.send('Runtime.releaseObject', { objectId: proto.objectId }).catch(() => {});
  return result.value;
}

async function measureOnce(sdk, { withEvents = true } = {}) {
  const r = { ok: false, error: null, blocked: [], pageErrors: [], disabled: null };
  const ctx = await browser.newContext({ serviceWorkers: 'block' });
  try {
    // Counts storage writes (one extra JS call per write, for every page alike): some SDKs persist
    // their whole queue on every event, which explains much of their per-event cost.
    await ctx.addInitScript(() => {
      const st = window.__storage = { setItem: 0, setItemChars: 0, cookieWrites: 0 };
      const setItem = Storage.prototype.setItem;
      Storage.prototype.setItem = function (k, v) { st.setItem++; st.setItemChars += String(v).length; return setItem.call(this, k, v); };
      const c = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
      Object.defineProperty(Document.prototype, 'cookie', {
        configurable: true, enumerable: c.enumerable, get() { return c.get.call(this); },
        set(v) { st.cookieWrites++; c.set.call(this, v); },
      });
    });
    await ctx.route('**/*', (route) => {
      const url = route.request().url();
      let host = null;
      try { host = new URL(url).hostname; } catch { /* not a URL we can route */ }
      if (host === '127.0.0.1') return route.continue();
      r.blocked.push(url.slice(0, 120));
      return route.abort('blockedbyclient');
    });
    const pg = await ctx.newPage();
    pg.on('pageerror', (e) => r.pageErrors.push(String(e.message).slice(0, 200)));
    pg.on('console', (m) => {
      const t = m.text();
      if (m.type() === 'error') r.pageErrors.push(`console.error: ${t.slice(0, 200)}`);
      if (t.startsWith('touchpoint: disabled')) r.disabled = t.split('\n')[0];
    });
    const cdp = await ctx.newCDPSession(pg);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    server.drainFetched();
    server.drainPosts();

    // Load + init.
    const m0 = await metrics(cdp);
    await pg.goto(`${server.origin}/${sdk.id}.html`, { waitUntil: 'commit', timeout: READY_TIMEOUT_MS });
    try {
      await pg.waitForFunction(() => window.__b && window.__b.ready !== null, null, { timeout: READY_TIMEOUT_MS, polling: 20 });
      if (sdk.readyCheck) await pg.waitForFunction(sdk.readyCheck, null, { timeout: 5_000, polling: 20 });
    } catch {
      const why = r.pageErrors[0] || r.disabled || (r.blocked.length ? `blocked request to ${r.blocked[0]}` : 'no ready callback');
      throw new Error(`not ready within ${READY_TIMEOUT_MS / 1000} s (${why})`);
    }
    r.readyMs = await pg.evaluate(() => window.__b.ready);
    await pg.waitForTimeout(SETTLE_MS);
    const m1 = await metrics(cdp);
    await cdp.send('HeapProfiler.collectGarbage');
    r.heapInit = (await metrics(cdp)).heap;
    r.wasmInit = (await wasmMemories(cdp)).reduce((a, b) => a + b, 0);
    const lt = await pg.evaluate(() => ({ ms: window.__b.lt, n: window.__b.ltn }));
    r.m0 = m0;
    const st0 = await pg.evaluate(() => ({ ...window.__storage }));
    r.storageLoad = st0;
    r.scriptLoad = m1.script - m0.script;
    r.taskLoad = m1.task - m0.task;
    r.longTaskLoad = lt.ms;
    r.fetched = server.drainFetched();
    r.postsLoad = server.drainPosts().count;
    r.disabledAtLoad = r.disabled;
    r.ok = true;
    if (!withEvents) return r;

    // EVENTS track calls, timed in the page, in a task of the page's own (setTimeout), not in the
    // CDP evaluation, so that ScriptDuration counts them; then DRAIN_MS for the asynchronous part.
    const m2 = await metrics(cdp);
    try {
      r.callMs = await pg.evaluate((n) => new Promise((resolve, reject) => setTimeout(() => {
        try {
          const t0 = performance.now();
          for (let i = 0; i < n; i++) window.__track(i);
          resolve(performance.now() - t0);
        } catch (e) { reject(e); }
      }, 0)), EVENTS);
    } catch (e) {
      r.eventsError = `track() threw: ${String(e.message).split('\n')[0].slice(0, 160)}`;
    }
    await pg.waitForTimeout(DRAIN_MS);
    const m3 = await metrics(cdp);
    await cdp.send('HeapProfiler.collectGarbage');
    r.heapEvents = (await metrics(cdp)).heap;
    r.wasmEvents = (await wasmMemories(cdp)).reduce((a, b) => a + b, 0);
    const st1 = await pg.evaluate(() => ({ ...window.__storage }));
    r.storageEvents = { setItem: st1.setItem - st0.setItem, setItemChars: st1.setItemChars - st0.setItemChars, cookieWrites: st1.cookieWrites - st0.cookieWrites };
    r.scriptEvents = m3.script - m2.script;
    r.taskEvents = m3.task - m2.task;
    r.fetched.push(...server.drainFetched());
    r.postsEvents = server.drainPosts().count;
    if (r.disabled && !r.disabledAtLoad) r.eventsError = `SDK disabled itself: ${r.disabled}`;
    return r;
  } catch (e) {
    r.error = String(e.message || e).split('\n')[0].slice(0, 240);
    return r;
  } finally {
    await ctx.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// Warm-up (load only; also finds SDKs that cannot start), then RUNS rounds, the SDK order rotated
// each round so that slow phases of the shared machine spread over all of them.

const samples = Object.fromEntries(sdks.map((s) => [s.id, []]));
const runtimeFiles = {};
for (const s of sdks) {
  if (status.get(s.id)) continue;
  const r = await measureOnce(s, { withEvents: false });
  if (!r.ok) status.set(s.id, `failed: ${r.error}`);
  log(`bench: warm-up ${s.id}: ${r.ok ? `ready at ${r.readyMs.toFixed(0)} ms` : status.get(s.id)}`);
}
const active = sdks.filter((s) => !status.get(s.id));
let rounds = 0;
for (let run = 0; run < RUNS; run++) {
  const roundStart = Date.now();
  const order = active.map((_, i) => active[(i + run) % active.length]);
  for (const s of order) {
    const r = await measureOnce(s);
    samples[s.id].push(r);
    if (r.ok && !runtimeFiles[s.id]) {
      const seen = new Map();
      for (const f of r.fetched) seen.set(f.file, f);
      runtimeFiles[s.id] = [...seen.values()].map((f) => ({ path: f.path, raw: f.bytes, gzip: gzipSize(f.file) }));
    }
  }
  rounds++;
  const now = Date.now();
  log(`bench: round ${run + 1}/${RUNS} done (${((now - started) / 1000).toFixed(0)} s)`);
  if (run + 1 >= 3 && run + 1 < RUNS && now - started + (now - roundStart) > BUDGET_S * 1000) {
    log(`bench: stopping after ${rounds} rounds to stay within BENCH_BUDGET_S=${BUDGET_S}`);
    break;
  }
}
await browser.close();
await server.close();

// ---------------------------------------------------------------------------------------------
// Aggregate.

const base = samples.blank?.filter((r) => r.ok) ?? [];
const baseMed = (k) => median(base.map((r) => r[k])) ?? 0;
const results = [];
for (const s of sdks) {
  const ok = samples[s.id].filter((r) => r.ok);
  const failedRuns = samples[s.id].filter((r) => !r.ok);
  let st = status.get(s.id);
  if (!st && ok.length === 0) st = `failed: ${failedRuns[0]?.error ?? 'no successful run'}`;
  const med = (k) => median(ok.map((r) => r[k]));
  const evOk = ok.filter((r) => !r.eventsError);
  const eventsErrors = [...new Set(ok.map((r) => r.eventsError).filter(Boolean))];
  const out = {
    id: s.id, name: s.name, package: s.pkg, version: s.version ?? null, status: st ?? 'ok', notes: s.notes,
    size: sizes[s.id] ?? null,
    runtimeFiles: runtimeFiles[s.id] ?? null,
    runtimeGzip: runtimeFiles[s.id] ? runtimeFiles[s.id].reduce((n, f) => n + f.gzip, 0) : null,
    runs: { ok: ok.length, failed: failedRuns.length, failures: [...new Set(failedRuns.map((r) => r.error))] },
    load: ok.length ? {
      readyMs: med('readyMs'), readyMsRange: spread(ok.map((r) => r.readyMs)),
      scriptMs: med('scriptLoad'), taskMs: med('taskLoad'), longTaskMs: med('longTaskLoad'),
      scriptMsOverBlank: s.baseline ? null : med('scriptLoad') - baseMed('scriptLoad'),
      taskMsOverBlank: s.baseline ? null : med('taskLoad') - baseMed('taskLoad'),
      heapBytes: med('heapInit'), heapBytesOverBlank: s.baseline ? null : med('heapInit') - baseMed('heapInit'),
      wasmMemoryBytes: med('wasmInit'),
      postsDuringLoad: med('postsLoad'),
    } : null,
    events: ok.length ? {
      count: EVENTS,
      errors: eventsErrors,
      runsWithoutError: evOk.length,
      callMs: med('callMs'), callMsRange: spread(ok.map((r) => r.callMs)),
      scriptMs: med('scriptEvents'), taskMs: med('taskEvents'),
      taskMsOverBlank: s.baseline ? null : med('taskEvents') - baseMed('taskEvents'),
      heapBytes: med('heapEvents'), heapBytesOverBlank: s.baseline ? null : med('heapEvents') - baseMed('heapEvents'),
      wasmMemoryBytes: med('wasmEvents'),
      postsDuringEventsAndDrain: med('postsEvents'),
      storageSetItem: median(ok.map((r) => r.storageEvents?.setItem)),
      storageSetItemChars: median(ok.map((r) => r.storageEvents?.setItemChars)),
      cookieWrites: median(ok.map((r) => r.storageEvents?.cookieWrites)),
    } : null,
    blockedRequests: [...new Set(samples[s.id].flatMap((r) => r.blocked))],
    pageErrors: [...new Set(samples[s.id].flatMap((r) => r.pageErrors))].slice(0, 5),
    samples: samples[s.id].map(({ fetched, ...rest }) => rest),
  };
  results.push(out);
}

// ---------------------------------------------------------------------------------------------
// Report.

const kb = (b) => (b == null ? '-' : (b / 1024).toFixed(1));
const ms = (x, d = 0) => (x == null ? '-' : x.toFixed(d));
function table(headers, rows) {
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join(' | ')} |`;
  return [line(headers), `|${w.map((n, i) => (i === 0 ? ':' : '-') + '-'.repeat(n) + (i === 0 ? '-' : ':')).join('|')}|`, ...rows.map(line)].join('\n');
}

const peers = results.filter((r) => r.id !== 'blank');
const sizeRows = peers.map((r) => {
  if (!r.size) return [r.name, r.version ?? '-', '-', '-', '-', 'failed (see notes)'];
  const extra = r.runtimeFiles ? r.runtimeFiles.length : null;
  return [r.name, r.version ?? '-', r.size.raw.toLocaleString('en-US'), r.size.gzip.toLocaleString('en-US'),
    r.runtimeGzip == null ? '-' : `${r.runtimeGzip.toLocaleString('en-US')} (${extra} file${extra === 1 ? '' : 's'})`,
    r.status === 'ok' ? 'ok' : 'failed (see notes)'];
});
const rng = (x) => (x ? ` (${ms(x.min)}-${ms(x.max)})` : '');
const blankOr = (r, own, over, f) => (r.id === 'blank' ? `(${f(own)})` : f(over));
const loadRows = results.map((r) => {
  if (!r.load) return [r.name, 'failed (see notes)', '', '', '', '', '', ''];
  const l = r.load;
  return [r.name, ms(l.readyMs) + rng(l.readyMsRange),
    blankOr(r, l.scriptMs, l.scriptMsOverBlank, ms), blankOr(r, l.taskMs, l.taskMsOverBlank, ms), ms(l.longTaskMs),
    blankOr(r, l.heapBytes, l.heapBytesOverBlank, kb), l.wasmMemoryBytes ? kb(l.wasmMemoryBytes) : '-', ms(l.postsDuringLoad)];
});
const eventRows = results.map((r) => {
  if (!r.events) return [r.name, 'failed (see notes)', '', '', '', '', '', ''];
  const e = r.events;
  return [r.name + (e.errors.length ? ' !' : ''), ms(e.callMs, 1) + rng(e.callMsRange),
    blankOr(r, e.taskMs, e.taskMsOverBlank, ms), blankOr(r, e.heapBytes, e.heapBytesOverBlank, kb),
    e.wasmMemoryBytes ? kb(e.wasmMemoryBytes) : '-', ms(e.postsDuringEventsAndDrain),
    ms(e.storageSetItem), e.storageSetItemChars == null ? '-' : (e.storageSetItemChars / 1e6).toFixed(1)];
});

const when = new Date().toISOString();
const out = [];
out.push(`Touchpoint benchmark, ${when}`);
out.push(`Headless Chromium ${chromiumVersion} (Debian /usr/bin/chromium), ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), node ${process.version}`);
out.push(`Touchpoint build: dist/touchpoint.js sha256 ${touchpointBuild['touchpoint.js'].sha256}..., dist/touchpoint_bg.wasm sha256 ${touchpointBuild['touchpoint_bg.wasm'].sha256}... (built ${touchpointBuild['touchpoint_bg.wasm'].mtime})`);
out.push(`Median of ${rounds} runs, each in a fresh browser context; ${EVENTS} track calls per run.`);
out.push('');
out.push('Size: what a page downloads for the SDK, in bytes (gzip -9 computed here, not as served)');
out.push(table(['SDK', 'version', 'main bundle raw B', 'main bundle gzip -9 B', 'fetched at run time, gzip -9 B', 'status'], sizeRows));
out.push('');
out.push('Load + init, in the browser (medians; "over blank" = minus the blank page\'s median, whose own values are in parentheses)');
out.push(table(['SDK', 'ready ms (min-max)', 'script ms over blank', 'main-thread ms over blank', 'long tasks ms',
  'JS heap KiB over blank', 'wasm memory KiB', 'POSTs'], loadRows));
out.push('');
out.push(`${EVENTS} track calls, then ${DRAIN_MS} ms for asynchronous work (medians)`);
out.push(table(['SDK', `${EVENTS} calls ms (min-max)`, 'main-thread ms over blank', 'JS heap KiB over blank',
  'wasm memory KiB', 'POSTs', 'localStorage writes', 'M chars written'], eventRows));
out.push('');
out.push('ready ms and calls ms: median (min-max over the runs).');
out.push('ready ms: navigation start -> SDK ready (Touchpoint: stub replaced; peers: their ready callback), performance.now() in the page.');
out.push(`script / main-thread ms: CDP Performance.getMetrics ScriptDuration / TaskDuration (thread CPU time) from before navigation to ${SETTLE_MS} ms after ready.`);
out.push(`long tasks ms: sum of PerformanceObserver 'longtask' entries (>50 ms) until ${SETTLE_MS} ms after ready (blank page included, not subtracted).`);
out.push(`JS heap: CDP JSHeapUsedSize after a forced GC. ${EVENTS} calls ms: synchronous time of the track loop (performance.now()).`);
out.push(`main-thread ms for events: TaskDuration from before the loop to ${DRAIN_MS} ms after it (async work: queues, serialisation, uploads), minus blank;`);
out.push('  CDP answers only once the main thread of the page is free, so an SDK that keeps it busy longer is measured until it lets go.');
out.push('POSTs: requests to the dummy endpoints during load (until the init reading), and during the events phase. localStorage: setItem calls and characters written during the events phase.');
for (const r of peers) {
  if (r.events?.errors.length) out.push(`! ${r.name}: ${r.events.errors.join('; ')} (${r.events.runsWithoutError}/${r.runs.ok} runs without error)`);
  if (r.blockedRequests.length) out.push(`note ${r.name}: blocked ${r.blockedRequests.length} request(s) to other hosts, e.g. ${r.blockedRequests[0]}`);
  if (r.runs.failed) out.push(`note ${r.name}: ${r.runs.failed} run(s) failed: ${r.runs.failures.join('; ')}`);
  if (r.status !== 'ok') out.push(`note ${r.name}: ${r.status}`);
}
out.push('How each SDK is installed (see bench/sdks.mjs):');
for (const r of peers) for (const n of r.notes) out.push(`  ${r.name}: ${n}`);
out.push('Touchpoint keeps its state in wasm linear memory, outside the JS heap: add the wasm column to its JS heap to compare memory.');
out.push('Microsoft Clarity: its tag (clarity.ms/tag/<project id>) has no npm package; the row measures clarity-js, the open-source library that tag loads.');
out.push(`Total bench time ${((Date.now() - started) / 1000).toFixed(0)} s.`);
console.log(out.join('\n'));

const json = {
  date: when, command: 'npm run bench', chromium: chromiumVersion, userAgent, node: process.version, touchpointBuild,
  machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? null, memGiB: +(os.totalmem() / 2 ** 30).toFixed(1) },
  settings: { runs: rounds, runsRequested: RUNS, budgetS: BUDGET_S, events: EVENTS, settleMs: SETTLE_MS, drainMs: DRAIN_MS, launchArgs: LAUNCH_ARGS },
  units: {
    size: 'bytes; gzip -9 of each file, summed', readyMs: 'ms since navigation start (performance.now())',
    scriptMs: 'ms of thread CPU time, CDP ScriptDuration delta', taskMs: 'ms of thread CPU time, CDP TaskDuration delta',
    heapBytes: 'bytes, CDP JSHeapUsedSize after forced GC', wasmMemoryBytes: 'bytes, sum of WebAssembly.Memory buffers (CDP Runtime.queryObjects)',
    callMs: `ms, wall time of ${EVENTS} synchronous track calls in the page`,
  },
  tables: { size: sizeRows, load: loadRows, events: eventRows },
  results,
  textReport: out.join('\n'),
};
const outFile = path.resolve(root, process.env.BENCH_OUT || 'bench/results.json');
fs.writeFileSync(outFile, `${JSON.stringify(json, null, 2)}\n`);
log(`bench: wrote ${path.relative(root, outFile)}`);

const tp = results.find((r) => r.id === 'touchpoint');
if (!tp && ONLY) process.exit(0); // BENCH_ONLY left Touchpoint out
if (!tp || tp.status !== 'ok') {
  console.error(`bench: Touchpoint did not work: ${tp ? tp.status : 'not run'}`);
  process.exit(1);
}
if (tp.events?.errors.length) {
  console.error(`bench: Touchpoint failed during the ${EVENTS}-event phase: ${tp.events.errors.join('; ')}`);
  process.exit(1);
}
