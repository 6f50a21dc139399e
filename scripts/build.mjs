// Builds what a page downloads: dist/touchpoint.js (loader + wasm-bindgen glue, minified) and
// dist/touchpoint_bg.wasm (size-optimised), then prints their gzip -9 sizes.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { env, root, run } from './lib.mjs';

const wasmTarget = path.join(root, 'target/sdk/wasm32-unknown-unknown/wasm/touchpoint.wasm');
const bindgenOut = path.join(root, 'target/wasm-bindgen');
const dist = path.join(root, 'dist');

// std is rebuilt with panics that abort immediately: no panic messages, no core::fmt, no
// Unicode tables behind them. Measured: 43.2 KB -> 33.6 KB gzip for the wasm. That needs
// -Zbuild-std, which stable rustc allows with RUSTC_BOOTSTRAP=1 (rust-src comes from setup).
// Its own target dir, so these flags never invalidate the test builds.
run('cargo', ['build', '--profile', 'wasm', '--lib', '-p', 'touchpoint', '--target', 'wasm32-unknown-unknown',
  '--target-dir', 'target/sdk', '-Zbuild-std=std,panic_abort'], {
  RUSTC_BOOTSTRAP: '1',
  // A 128 KiB stack instead of rustc's 1 MiB default: the SDK never recurses deeply, and the
  // stack is part of the wasm memory every page pays for.
  // -Zlocation-detail=none: no source paths of panic locations in the binary (nothing prints them).
  // -reference-types: JS values then live in the glue's array slab instead of a wasm externref
  // table, which drops wasm-bindgen's externref shims: measured -0.76 KB gzip (wasm -0.93 KB,
  // glue +0.17 KB). std is rebuilt with the same flags, so the whole module agrees.
  RUSTFLAGS: '-Ctarget-feature=-reference-types -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Clink-arg=-zstack-size=131072',
});
run('wasm-bindgen', ['--target', 'no-modules', '--no-typescript', '--out-dir', bindgenOut, wasmTarget]);
fs.mkdirSync(dist, { recursive: true });

// Debian's binaryen is too old for what current rustc emits; the npm package's is not.
// Import and export names are minified too: wasm-bindgen's are like
// `__wbg_addEventListener_f2d27251d333a631`, ~100 of them, stored in both the wasm and the glue,
// and random hex does not compress. wasm-opt prints the renaming, which is applied to the glue.
// -Os rather than -Oz: -Oz gives fewer raw bytes but more after gzip, which is what a page pays
// (measured -79 B gzip, +103 B raw).
const opt = spawnSync(path.join(root, 'node_modules/.bin/wasm-opt'), [
  '-Os', '--strip-debug', '--strip-producers', '--enable-bulk-memory', '--enable-sign-ext',
  '--enable-nontrapping-float-to-int', '--enable-mutable-globals', '--enable-multivalue',
  '--enable-reference-types', '--minify-imports-and-exports-and-modules', '--strip-target-features',
  path.join(bindgenOut, 'touchpoint_bg.wasm'), '-o', path.join(dist, 'touchpoint_bg.wasm'),
], { encoding: 'utf8', env });
if (opt.status !== 0) {
  console.error(opt.stderr);
  process.exit(1);
}
const renames = JSON.parse(opt.stdout.slice(opt.stdout.indexOf('{')));

// One closure around glue + loader: the glue's `wasm_bindgen` stays private to it, and the
// page gets a single script.
let glue = fs.readFileSync(path.join(bindgenOut, 'touchpoint.js'), 'utf8');
const escape = (x) => x.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
// The mapping does not list module names; read the new one off the optimised module.
const wasmImports = WebAssembly.Module.imports(new WebAssembly.Module(fs.readFileSync(path.join(dist, 'touchpoint_bg.wasm'))));
const modules = new Set(wasmImports.map((i) => i.module));
if (modules.size !== 1) throw new Error(`expected one import module, got ${[...modules]}`);
for (const [module, name, short] of renames.imports) {
  glue = glue.replace(new RegExp(`\\b${escape(name)}\\b`, 'g'), short);
  glue = glue.split(JSON.stringify(module)).join(JSON.stringify([...modules][0]));
}
for (const [name, short] of renames.exports) {
  glue = glue.replace(new RegExp(`\\bwasm\\.${escape(name)}\\b`, 'g'), `wasm.${short}`);
}
const loader = fs.readFileSync(path.join(root, 'www/touchpoint.js'), 'utf8');
// host.js is an ES module for the browser tests; in the bundle its one export is a plain function.
const hostJs = fs.readFileSync(path.join(root, 'www/host.js'), 'utf8').replace(/^export function makeHost/m, 'function makeHost');
const bundle = `(function(){\n${glue}\n${hostJs}\n${loader}\n})();\n`;
fs.writeFileSync(path.join(bindgenOut, 'bundle.js'), bundle);
run(path.join(root, 'node_modules/.bin/esbuild'), [
  path.join(bindgenOut, 'bundle.js'), '--minify', '--target=es2019', '--log-level=warning',
  `--outfile=${path.join(dist, 'touchpoint.js')}`,
]);

// The debug overlay: its own file, loaded by the SDK only when asked for (data-debug or
// ?touchpoint_debug=1), so it is not part of what every page downloads.
run(path.join(root, 'node_modules/.bin/esbuild'), [
  path.join(root, 'www/overlay.js'), '--minify', '--target=es2019', '--log-level=warning',
  `--outfile=${path.join(dist, 'touchpoint-overlay.js')}`,
]);

export function sizes() {
  const files = ['touchpoint.js', 'touchpoint_bg.wasm'].map((f) => {
    const buf = fs.readFileSync(path.join(dist, f));
    return { file: f, raw: buf.length, gzip: zlib.gzipSync(buf, { level: 9 }).length };
  });
  return { files, total: files.reduce((n, f) => n + f.gzip, 0) };
}

const s = sizes();
for (const f of s.files) console.log(`size: ${f.file.padEnd(20)} ${String(f.raw).padStart(7)} B raw  ${String(f.gzip).padStart(6)} B gzip -9`);
console.log(`size: total a page downloads (loader + glue + wasm): ${s.total} B gzip -9 (${(s.total / 1024).toFixed(1)} KiB; budget 20 KiB)`);
const overlay = fs.readFileSync(path.join(dist, 'touchpoint-overlay.js'));
console.log(`size: touchpoint-overlay.js ${String(overlay.length).padStart(7)} B raw  ${String(zlib.gzipSync(overlay, { level: 9 }).length).padStart(6)} B gzip -9 (debug overlay, loaded only when asked for; not in the total)`);
