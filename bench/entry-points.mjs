// Where Touchpoint's main-thread time goes, by entry point, under the trusted-input workload of
// bench/trusted.mjs: every sensor (DOM listener), observer callback, the scheduled hand-over, the
// wasm call and each host method the wasm calls back are timed with performance.now() in the
// page and summed over the workload. Unlike a sampling profile, nothing is attributed by guess:
// each line is the time spent inside that function (calls nest: `drain` includes the wasm call it
// makes, `input(wasm)` includes the host methods it calls). The page is served cross-origin
// isolated (COOP/COEP), so performance.now() has 5 us resolution instead of 100 us.
//
//   node scripts/build.mjs && node bench/entry-points.mjs
//   ENTRY_IDS=touchpoint-pending node bench/entry-points.mjs   (pages: touchpoint, touchpoint-pending)
//   ENTRY_FNS=group,disabledOf,watch node bench/entry-points.mjs   (also these functions of host.js, by name:
//                              a sensor's own line then includes them)
//
// The SDK is the names-kept variant of the current build (bench/names-kept.mjs) with host.js
// instrumented. Read the per-call costs and the shares; in-handler time is not all extra cost to
// the page (a handler that runs first pays for the first DOM access that the page's own handler
// would otherwise pay): compare builds with bench/trusted.mjs before keeping a change.
import path from 'node:path';
import os from 'node:os';
import { namesKeptDist } from './names-kept.mjs';
import { launchChromium, openTrustedPage, scriptMs } from './trusted-page.mjs';
import { defineTrackers } from './trusted-trackers.mjs';
import { makePlan, runPlan } from './trusted-workload.mjs';

const IDS = (process.env.ENTRY_IDS || 'touchpoint-pending,touchpoint').split(',');
const SEED = Number(process.env.TRUSTED_SEED || 20261128);
const FNS = (process.env.ENTRY_FNS || '').split(',').filter(Boolean);

// The instrumentation: `__w(name, fn)` wraps a function so that its calls add to __tpT[name].
function instrument(host) {
  const rep = (a, b) => {
    if (!host.includes(a)) throw new Error(`entry-points: host.js no longer has ${JSON.stringify(a)}; update the instrumentation`);
    host = host.split(a).join(b);
  };
  rep('var w = window, d = document,', 'var __T = window.__tpT = window.__tpT || {}; '
    + 'function __w(n, fn) { return function () { var t = performance.now(); try { return fn.apply(this, arguments); } '
    + 'finally { var o = __T[n] || (__T[n] = [0, 0]); o[0] += performance.now() - t; o[1]++; } }; }\n'
    + "  input = __w('input(wasm)', input);\n  var w = window, d = document,");
  // Functions by name: a function declaration is a variable of makeHost, reassigned before the
  // sensors object takes its functions.
  for (const fn of FNS) {
    if (!host.includes(`function ${fn}(`)) throw new Error(`entry-points: host.js has no function ${fn}`);
  }
  if (FNS.length) rep('  var sensors = {', FNS.map((fn) => `  ${fn} = __w('fn ${fn}', ${fn});\n`).join('') + '  var sensors = {');
  rep('var fn = sensors[name];', "var fn = sensors[name] && __w('sensor ' + name, sensors[name]);");
  rep('function pointed() {', "var pointed = __w('pointer activity', function () {");
  rep('if (pointOpts && sensing) { act(); pointTimer = pointTimer || setTimeout(point, lastAct + 5000 - now()); }\n  }',
    'if (pointOpts && sensing) { act(); pointTimer = pointTimer || setTimeout(point, lastAct + 5000 - now()); }\n  });');
  rep('new MutationObserver(function (records) {', "new MutationObserver(__w('click response observer', function (records) {");
  rep('      });\n      mo.observe(d, MO_OPTS);', '      }));\n      mo.observe(d, MO_OPTS);');
  rep('new ResizeObserver(guard(resizedDoc))', "new ResizeObserver(guard(__w('size observer', resizedDoc)))");
  rep('new MutationObserver(guard(learn))', "new MutationObserver(guard(__w('learning observer', learn)))");
  rep('new PerformanceObserver(guard(function (list) { if (sensing) fn(list.getEntries()); }))',
    "new PerformanceObserver(guard(__w('observer ' + type, function (list) { if (sensing) fn(list.getEntries()); })))");
  rep('planned = setTimeout(drain, 400)', "planned = setTimeout(__w('scheduled hand-over', drain), 400)");
  rep('  return {\n    debug: debug,', '  var __host = {\n    debug: debug,');
  const tail = /\n  };\n}\s*$/;
  if (!tail.test(host)) throw new Error('entry-points: host.js no longer ends with its returned object');
  return host.replace(tail, "\n  };\n  for (var __k in __host) if (typeof __host[__k] === 'function' && __k !== 'sensor' && __k !== 'guard') "
    + "__host[__k] = __w('host.' + __k, __host[__k]);\n  return __host;\n}\n");
}

const dir = namesKeptDist({ dir: path.join(os.tmpdir(), 'touchpoint-entry-points-dist'), hostTransform: instrument });
const browser = await launchChromium();
try {
  for (const id of IDS) {
    const t = defineTrackers({ touchpointDir: dir, snowplowBundle: null }).find((x) => x.id === id);
    if (!t) throw new Error(`entry-points: no page ${id}`);
    const { pg, cdp, uploads, close } = await openTrustedPage(browser, t, { isolate: true });
    const isolated = await pg.evaluate(() => crossOriginIsolated);
    await pg.evaluate(() => { for (const k in window.__tpT) delete window.__tpT[k]; });
    const script = () => scriptMs(cdp);
    const s0 = await script();
    const wl = await runPlan(pg, makePlan({ seed: SEED }));
    await pg.waitForTimeout(1500);
    const s1 = await script();
    const T = await pg.evaluate(() => window.__tpT);
    console.log(`\n${t.name}: page ScriptDuration ${(s1 - s0).toFixed(1)} ms during workload + drain (with the page's own, `
      + `no baseline subtracted); ${wl.clicks} clicks, ${wl.wheels} wheels, ${wl.keys} keys; ${uploads()} uploads; `
      + `timer resolution ${isolated ? '5 us (isolated)' : '100 us (NOT isolated)'}`);
    console.log('   total ms    calls   us/call  entry point');
    for (const [k, [ms, n]] of Object.entries(T).sort((a, b) => b[1][0] - a[1][0])) {
      console.log(`${ms.toFixed(1).padStart(10)} ${String(n).padStart(8)} ${(1000 * ms / n).toFixed(0).padStart(9)}  ${k}`);
    }
    await close();
  }
} finally {
  await browser.close();
}
