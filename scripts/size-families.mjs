// What each friction detector family costs in the wasm a page downloads (gzip -9), measured,
// not estimated: the SDK is built once per family with that detector compiled out
// (TP_SIZE_PROBE_OFF, see core::friction::SIZE_PROBE_OFF), and once with all of them out; the
// difference from the full build is the family's cost. Probe builds go to target/size-probe/
// (scripts/build.mjs with TP_BUILD_DIR; one cargo target dir shared by the probes, so each
// rebuilds only the two Touchpoint crates), never to dist/.
//
//   node scripts/size-families.mjs      (13 builds; the first builds std, the others ~1 min each)
//
// What it cannot see: the JS sensors (www/host.js) are shared by families and stay in every
// build, so their bytes are in the loader, reported once (the loader's gzip size).
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { env, root } from './lib.mjs';
import { gzipSizes } from './sizes.mjs';

// core::friction::Signal, in declaration order (bit i = 1 << i).
const FAMILIES = ['rage_click', 'dead_click', 'error_click', 'slow_interaction', 'quick_back', 'scroll_thrash',
  'field_error', 'form_abandon', 'js_error', 'failed_request', 'poor_vital'];
const only = process.env.FAMILIES ? process.env.FAMILIES.split(',') : FAMILIES;

function build(name, mask) {
  const dir = path.join(root, 'target/size-probe', name);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], {
    cwd: root, encoding: 'utf8', env: { ...env, TP_BUILD_DIR: dir, TP_BUILD_TARGET: path.join(root, 'target/size-probe/target'), TP_SIZE_PROBE_OFF: String(mask) }, maxBuffer: 1 << 26,
  });
  if (r.status !== 0) {
    console.error(r.stdout, r.stderr);
    process.exit(1);
  }
  const s = gzipSizes(path.join(dir, 'dist'));
  const wasm = s.files.find((f) => f.file === 'touchpoint_bg.wasm');
  console.error(`  built ${name} (mask ${mask}) in ${((Date.now() - t0) / 1000).toFixed(0)} s: wasm ${wasm.gzip} B gzip -9`);
  return { wasm: wasm.gzip, raw: wasm.raw, loader: s.files.find((f) => f.file === 'touchpoint.js').gzip };
}

const full = build('full', 0);
const rows = [];
for (const fam of only) {
  const i = FAMILIES.indexOf(fam);
  if (i < 0) throw new Error(`unknown family ${fam}`);
  const b = build(fam, 1 << i);
  rows.push([fam, full.raw - b.raw, full.wasm - b.wasm]);
}
const none = build('no-friction', (1 << FAMILIES.length) - 1);
const sum = rows.reduce((n, r) => n + r[2], 0);

console.log(`\n== friction detectors in the wasm: bytes saved by compiling each family out (full wasm ${full.raw} B raw, ${full.wasm} B gzip -9)`);
console.log(`  ${'family'.padEnd(18)} ${'raw B'.padStart(7)} ${'gzip -9 B'.padStart(9)}`);
for (const [fam, raw, gz] of rows.sort((a, b) => b[2] - a[2])) console.log(`  ${fam.padEnd(18)} ${String(raw).padStart(7)} ${String(gz).padStart(9)}`);
console.log(`  ${'sum of the above'.padEnd(18)} ${''.padStart(7)} ${String(sum).padStart(9)}`);
console.log(`  ${'all eleven out'.padEnd(18)} ${String(full.raw - none.raw).padStart(7)} ${String(full.wasm - none.wasm).padStart(9)}  (more than the sum: code shared by several families)`);
console.log(`  loader (JS sensors of every family, shared, not separable this way): ${full.loader} B gzip -9 in total`);
