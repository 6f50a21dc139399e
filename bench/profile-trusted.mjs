// Where Touchpoint's main-thread time goes under the trusted-input workload of bench/trusted.mjs:
// one page (Touchpoint, consent granted or pending), the same plan, a CDP CPU profile
// (Profiler.start/stop) from the end of settling to the end of the workload plus the drain.
// Prints the self time per function (the SDK's, the page's, the browser's pseudo-nodes), grouped
// into JS sensors, wasm, glue and the rest, and writes the .cpuprofile for DevTools.
//
//   node scripts/build.mjs && node bench/profile-trusted.mjs
//   PROFILE_CONSENT=pending PROFILE_TOP=40 PROFILE_OUT=/tmp/tp.cpuprofile node bench/profile-trusted.mjs
//   PROFILE_DIST=<dir> node bench/profile-trusted.mjs   (a dist/ as built instead of the names-kept one)
//
// By default the profiled SDK is a names-kept variant of the current build (bench/names-kept.mjs).
// The ScriptDuration it prints is for this one page and run: compare variants with bench/trusted.mjs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { namesKeptDist } from './names-kept.mjs';
import { launchChromium, openTrustedPage, scriptMs } from './trusted-page.mjs';
import { defineTrackers } from './trusted-trackers.mjs';
import { makePlan, runPlan } from './trusted-workload.mjs';

const CONSENT = process.env.PROFILE_CONSENT === 'pending' ? 'touchpoint-pending' : 'touchpoint';
const TOP = Number(process.env.PROFILE_TOP || 30);
const OUT = process.env.PROFILE_OUT || path.join(os.tmpdir(), `touchpoint-${CONSENT}.cpuprofile`);
const INTERVAL_US = Number(process.env.PROFILE_INTERVAL_US || 100);
const SEED = Number(process.env.TRUSTED_SEED || 20261128);

const dir = process.env.PROFILE_DIST ? path.resolve(process.env.PROFILE_DIST) : namesKeptDist();
const t = defineTrackers({ touchpointDir: dir, snowplowBundle: null }).find((x) => x.id === CONSENT);
const browser = await launchChromium();
const { pg, cdp, errors, uploads, close } = await openTrustedPage(browser, t);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: INTERVAL_US });
const script = () => scriptMs(cdp);
const s0 = await script();
await cdp.send('Profiler.start');
const wl = await runPlan(pg, makePlan({ seed: SEED }));
await pg.waitForTimeout(1500);
const { profile } = await cdp.send('Profiler.stop');
const s1 = await script();
await close();
await browser.close();

// Per sample: its leaf (self time) and its stack. A sample counts for the SDK when any frame of
// its stack is the SDK's (touchpoint.js or the wasm): the browser work it asked for (a style
// recalc in getComputedStyle, a layout in scrollHeight, setTimeout) is its cost too.
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
const kind = (cf) => {
  const u = cf.url || '';
  if (/\.wasm(\?|$)/.test(u) || u.startsWith('wasm://')) return 'wasm';
  if (u.includes('/touchpoint/')) return 'sdk js';
  if (u) return 'page js';
  return cf.functionName.startsWith('(') ? cf.functionName : 'native';
};
const label = (cf) => {
  const k = kind(cf);
  const fn = cf.functionName || '(anonymous)';
  if (k === 'wasm') return `wasm ${fn.replace(/\[[0-9a-f]+\]/g, '').slice(0, 150)}`;
  if (k === 'sdk js' || k === 'page js') return `${k} ${fn}:${cf.lineNumber + 1}`;
  return `${k} ${fn}`;
};
const add = (m, k, v) => m.set(k, (m.get(k) || 0) + v);
const kinds = new Map(); const leaves = new Map(); const sdkLeaves = new Map(); const incl = new Map(); const byEntry = new Map();
let sdkTotal = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000; // until the next sample
  const leaf = byId.get(profile.samples[i]).callFrame;
  add(kinds, kind(leaf), ms);
  add(leaves, label(leaf), ms);
  const stack = [];
  for (let n = profile.samples[i]; n != null; n = parent.get(n)) stack.push(byId.get(n).callFrame);
  const sdk = stack.filter((cf) => kind(cf) === 'sdk js' || kind(cf) === 'wasm');
  if (!sdk.length) continue;
  sdkTotal += ms;
  // The leaf, named with the innermost SDK frame when the leaf is the browser's.
  add(sdkLeaves, kind(leaf) === 'sdk js' || kind(leaf) === 'wasm' ? label(leaf) : `${label(leaf)} <- ${label(sdk[0])}`, ms);
  // The outermost SDK JS frame: the entry point (a sensor, the drain, a timer).
  const outer = sdk.filter((cf) => kind(cf) === 'sdk js');
  add(byEntry, outer.length ? label(outer[outer.length - 1]) : '(wasm only)', ms);
  for (const name of new Set(sdk.map(label))) add(incl, name, ms);
}
fs.writeFileSync(OUT, JSON.stringify(profile));
const fmt = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP).map(([k, v]) => `${v.toFixed(1).padStart(8)} ms  ${k}`).join('\n');
console.log(`${t.name}: ScriptDuration during workload + drain ${(s1 - s0).toFixed(1)} ms (this page alone, with the profiler on); `
  + `${wl.clicks} clicks, ${wl.wheels} wheels, ${wl.keys} keys; ${uploads()} uploads; profile ${OUT}`);
if (errors.length) console.log(`page errors: ${errors.slice(0, 3).join(' | ')}`);
console.log(`\nsamples with an SDK frame on the stack: ${sdkTotal.toFixed(1)} ms`);
console.log('\nself time by kind (whole page):\n' + fmt(kinds));
console.log(`\nSDK samples by entry point (outermost SDK JS frame):\n` + fmt(byEntry));
console.log(`\nSDK samples by leaf (top ${TOP}; a browser leaf names the SDK frame that called it):\n` + fmt(sdkLeaves));
console.log(`\ninclusive time of SDK frames (top ${TOP}):\n` + fmt(incl));
