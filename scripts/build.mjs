// Builds what a page downloads: dist/touchpoint.js (loader + wasm-bindgen glue, minified) and
// dist/touchpoint_bg.wasm (size-optimised), their immutable content-hashed copies with
// dist/manifest.json (SRI values), and the npm package in dist/npm/; then prints the gzip -9 sizes.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { env, root, run } from './lib.mjs';

// TP_BUILD_DIR builds elsewhere (wasm-bindgen output and dist/ under it, cargo's target dir in
// TP_BUILD_TARGET): used by scripts/size-families.mjs for its probe builds, so they never touch
// dist/ or the usual targets.
const probeDir = process.env.TP_BUILD_DIR && path.resolve(process.env.TP_BUILD_DIR);
const sdkTarget = probeDir ? path.resolve(process.env.TP_BUILD_TARGET || path.join(probeDir, 'target')) : path.join(root, 'target/sdk');
const wasmTarget = path.join(sdkTarget, 'wasm32-unknown-unknown/wasm/touchpoint.wasm');
const bindgenOut = probeDir ? path.join(probeDir, 'wasm-bindgen') : path.join(root, 'target/wasm-bindgen');
const dist = probeDir ? path.join(probeDir, 'dist') : path.join(root, 'dist');

// std is rebuilt with panics that abort immediately: no panic messages, no core::fmt, no
// Unicode tables behind them. Measured: 43.2 KB -> 33.6 KB gzip for the wasm. That needs
// -Zbuild-std, which stable rustc allows with RUSTC_BOOTSTRAP=1 (rust-src comes from setup).
// Its own target dir, so these flags never invalidate the test builds.
run('cargo', ['build', '--profile', 'wasm', '--lib', '-p', 'touchpoint', '--target', 'wasm32-unknown-unknown',
  '--target-dir', sdkTarget, '-Zbuild-std=std,panic_abort'], {
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
// What is measured is gzip, which is what a page pays: raw bytes mislead (see -ocimfs).
// --low-memory-unused lets wasm-opt fold `p + C` (C < 1024) into a load's or store's offset:
// measured -451 B gzip (54,493 -> 54,042 B with a second -Os). It assumes no access below
// address 1024; the stack comes first (0..128 KiB, growing down from 128 KiB), so that is only
// its last 1 KiB, which the SDK never reaches (it never recurses deeply).
// -ocimfs=20 (--one-caller-inline-max-function-size): wasm-opt inlines a function with one
// caller only if it is at most 20 bytes, instead of always. Measured 54,042 -> 52,218 B gzip
// (-1,824 B) although the raw wasm grows by 3.1 KB: big functions made of inlined ones have
// many locals (two-byte indices, each function numbering them differently), and small
// functions repeat the same short local indices, which gzip finds. 10 and 30 measured worse,
// 0 (never) 52,572 B. With that, a second pass and -Oz instead of -Os each gain a little:
// -Oz -Oz 52,192 B, -Os -Os 52,218 B, -Os 52,266 B. --reorder-functions and
// --reorder-functions-by-name cost +1,000 and +590 B gzip (the compiler's order groups related code).
const opt = spawnSync(path.join(root, 'node_modules/.bin/wasm-opt'), [
  '-ocimfs=20', '--low-memory-unused', '-Oz', '-Oz', '--strip-debug', '--strip-producers', '--enable-bulk-memory', '--enable-sign-ext',
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
const hostJs = fs.readFileSync(path.join(root, 'www/host.js'), 'utf8').replace(/^export function /gm, 'function ');
// Two functions of one name in makeHost's scope, or one also declared as a `var` there (any of
// a statement's declarators, in any block of it): the later silently replaces the other. A
// file-name masker called `named` replaced the fragment check of that name, and every hash
// change disabled Touchpoint (caught by the e2e run, not the build); a second declarator
// `named` in `var chosen = [], saying = 0, named` did it again, unseen by the line-start check
// this was (caught by the bench: the sensors stopped at its first popstate). Parsed with acorn
// (terser's own parser, installed with it), walking makeHost's body but not the functions in it.
{
  const { parse } = await import('acorn');
  const ast = parse(hostJs, { ecmaVersion: 2022, sourceType: 'script' });
  const makeHost = ast.body.find((n) => n.type === 'FunctionDeclaration' && n.id.name === 'makeHost');
  if (!makeHost) throw new Error('www/host.js has no makeHost');
  const seen = new Map();
  const declare = (name, kind) => {
    const was = seen.get(name);
    if (was && (kind === 'function' || was === 'function')) throw new Error(`www/host.js declares ${name} twice in makeHost's scope (${was} and ${kind})`);
    seen.set(name, was === 'function' ? was : kind);
  };
  for (const p of makeHost.params) declare(p.name, 'parameter');
  const walk = (n) => {
    if (!n || typeof n.type !== 'string') return;
    if (n.type === 'FunctionDeclaration') return declare(n.id.name, 'function');
    if (n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression') return;
    if (n.type === 'VariableDeclaration' && n.kind === 'var') {
      for (const v of n.declarations) if (v.id.type === 'Identifier') declare(v.id.name, 'var');
    }
    for (const k in n) {
      const c = n[k];
      if (Array.isArray(c)) c.forEach(walk); else if (c && typeof c === 'object' && k !== 'loc') walk(c);
    }
  };
  makeHost.body.body.forEach(walk);
}
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;

// Pinning. The loader fetches the wasm with `integrity` set to the wasm's SHA-384, written here in
// place of a placeholder, so a loader pinned by SRI in a script tag pins the wasm too. Besides the
// stable names (dist/touchpoint.js, dist/touchpoint_bg.wasm: what tests and the size check use),
// each build writes immutable copies named by a hash of their content: the hashed loader loads
// the hashed wasm. dist/manifest.json lists every file with its integrity value.
const sri = (buf) => 'sha384-' + crypto.createHash('sha384').update(buf).digest('base64');
const tag = (buf) => crypto.createHash('sha384').update(buf).digest('hex').slice(0, 12);
const wasmBytes = fs.readFileSync(path.join(dist, 'touchpoint_bg.wasm'));
const wasmSri = sri(wasmBytes);
const wasmHashed = `touchpoint_bg.${tag(wasmBytes)}.wasm`;
const fill = (src, placeholder, value) => {
  if (!src.includes(placeholder)) throw new Error(`www/touchpoint.js has no ${placeholder}`);
  return src.split(placeholder).join(value);
};
const scriptLoader = (wasmFile) => fill(fill(loader, '__TP_WASM_FILE__', wasmFile), '__TP_WASM_SRI__', wasmSri);
// terser rather than esbuild for what every page downloads: its compressor (three passes) makes
// the loader 615 B gzip -9 smaller (13,835 -> 13,220 B, measured on this bundle; esbuild then
// terser 20 B less again, not worth a second tool). Only safe transforms: no `unsafe*`, no
// booleans_as_integers (it would break a `=== true` comparison).
const minify = (name, source) => {
  fs.writeFileSync(path.join(bindgenOut, `${name}.src.js`), source);
  run(path.join(root, 'node_modules/.bin/terser'), [
    path.join(bindgenOut, `${name}.src.js`), '--compress', 'passes=3', '--mangle', '--ecma', '2019',
    '--output', path.join(bindgenOut, `${name}.min.js`),
  ]);
  return fs.readFileSync(path.join(bindgenOut, `${name}.min.js`));
};
// One closure around glue + loader: the glue's `wasm_bindgen` stays private to it, and the
// page gets a single script.
// The stable loader asks for its wasm with the build's hash as a query (`?v=`, which every static
// host ignores): a cache that keys by URL (a PWA's service worker revalidating `/touchpoint/`
// in the background, a CDN's) can then never pair a new loader with the old wasm. It did: the
// new loader's integrity check refused the cached wasm, and that page ran without Touchpoint
// (or every page, behind a cache-first rule for .wasm: a PWA developer's QA).
const stableJs = minify('bundle', `(function(){\n${glue}\n${hostJs}\n${scriptLoader(`touchpoint_bg.wasm?v=${tag(wasmBytes)}`)}\n})();\n`);
const hashedJs = minify('bundle-hashed', `(function(){\n${glue}\n${hostJs}\n${scriptLoader(wasmHashed)}\n})();\n`);
const jsHashed = `touchpoint.${tag(hashedJs)}.js`;
for (const f of fs.readdirSync(dist)) {
  if (/^touchpoint(_bg)?\.[0-9a-f]{12}\.(js|wasm)(\.gz|\.br)?$/.test(f)) fs.rmSync(path.join(dist, f)); // earlier builds'
}
fs.writeFileSync(path.join(dist, 'touchpoint.js'), stableJs);
fs.writeFileSync(path.join(dist, jsHashed), hashedJs);
fs.writeFileSync(path.join(dist, wasmHashed), wasmBytes);
const entry = (file, buf, extra = {}) => ({ file, bytes: buf.length, gzip9: zlib.gzipSync(buf, { level: 9 }).length, integrity: sri(buf), ...extra });
const manifest = {
  name: 'touchpoint',
  version,
  note: 'Serve the hashed files with Cache-Control: public, max-age=31536000, immutable. The loader fetches ' +
    'the wasm with fetch(..., {integrity}) set to the wasm\'s SHA-384, so pinning the loader pins the SDK.',
  loader: entry(jsHashed, hashedJs, { loads: wasmHashed }),
  wasm: entry(wasmHashed, wasmBytes),
  stable: {
    loader: entry('touchpoint.js', stableJs, { loads: 'touchpoint_bg.wasm' }),
    wasm: entry('touchpoint_bg.wasm', wasmBytes),
  },
  scriptTag: `<script async src="/touchpoint/${jsHashed}" integrity="${sri(hashedJs)}" crossorigin="anonymous" ` +
    'data-collector="/v1/batch" data-site="your-site" data-consent="pending"></script>',
};
fs.writeFileSync(path.join(dist, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`integrity: ${jsHashed.padEnd(34)} ${manifest.loader.integrity}`);
console.log(`integrity: ${wasmHashed.padEnd(34)} ${manifest.wasm.integrity} (pinned inside the loader)`);
console.log(`integrity: ${'touchpoint.js'.padEnd(34)} ${manifest.stable.loader.integrity}`);
console.log(`integrity: written to dist/manifest.json; script tag: ${manifest.scriptTag}`);

// The npm package (dist/npm/, `npm pack ./dist/npm`): the same glue, host.js and loader as an ES
// module, the wasm beside it, found by bundlers through `new URL('./touchpoint_bg.wasm',
// import.meta.url)`. The loader's script-tag part is cut off: a bundle can run as a classic script
// whose currentScript is the app's own. Nothing runs at import (SSR-safe); init() calls sdk() once.
const npmDir = path.join(dist, 'npm');
fs.rmSync(npmDir, { recursive: true, force: true });
fs.mkdirSync(npmDir, { recursive: true });
const cut = loader.indexOf('// The script tag.');
if (cut < 0) throw new Error('www/touchpoint.js: the "// The script tag." part not found');
const npmLoader = loader.slice(0, cut).replace('s = d.currentScript,', 's = null,');
const api = fs.readFileSync(path.join(root, 'npm/entry.mjs'), 'utf8');
fs.writeFileSync(path.join(npmDir, 'index.js'), [
  `// Touchpoint ${version}: built by scripts/build.mjs from wasm-bindgen's glue, www/host.js, www/touchpoint.js and npm/entry.mjs.`,
  'function sdk() {', glue, hostJs, npmLoader, 'return load;', '}', api].join('\n'));
fs.copyFileSync(path.join(dist, 'touchpoint_bg.wasm'), path.join(npmDir, 'touchpoint_bg.wasm'));
fs.copyFileSync(path.join(root, 'npm/index.d.ts'), path.join(npmDir, 'index.d.ts'));
fs.copyFileSync(path.join(root, 'npm/README.md'), path.join(npmDir, 'README.md'));
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'npm/package.json'), 'utf8'));
pkg.version = version;
fs.writeFileSync(path.join(npmDir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
console.log(`npm: package in dist/npm (npm pack ./dist/npm); index.js ${fs.statSync(path.join(npmDir, 'index.js')).size} B raw`);

// The debug overlay: its own file, loaded by the SDK only when asked for (data-debug or
// ?touchpoint_debug=1), so it is not part of what every page downloads.
run(path.join(root, 'node_modules/.bin/esbuild'), [
  path.join(root, 'www/overlay.js'), '--minify', '--target=es2019', '--log-level=warning',
  `--outfile=${path.join(dist, 'touchpoint-overlay.js')}`,
]);
// The package's copy is the source, not minified (5.4 KB): Vite inlines a `new URL()` asset under
// 4 KB into the app's bundle as a data: URL, which every page of the app would then download.
fs.copyFileSync(path.join(root, 'www/overlay.js'), path.join(npmDir, 'touchpoint-overlay.js'));

// Each file a page downloads, compressed once here (gzip -9, brotli 11) beside it: the collector
// serves the SDK at /touchpoint/ with these (tower-http's ServeDir, precompressed), so that a
// page gets 61 KB rather than 159 KB without the collector compressing anything per request.
// (A proxy in front can serve them as well: nginx's gzip_static / brotli_static.)
const brotli = (buf) => zlib.brotliCompressSync(buf, {
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
});
for (const f of ['touchpoint.js', jsHashed, 'touchpoint_bg.wasm', wasmHashed, 'touchpoint-overlay.js']) {
  const buf = fs.readFileSync(path.join(dist, f));
  fs.writeFileSync(path.join(dist, `${f}.gz`), zlib.gzipSync(buf, { level: 9 }));
  fs.writeFileSync(path.join(dist, `${f}.br`), brotli(buf));
}

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
const br = ['touchpoint.js', 'touchpoint_bg.wasm'].reduce((n, f) => n + fs.statSync(path.join(dist, `${f}.br`)).size, 0);
console.log(`size: the same served with brotli (the collector's /touchpoint/, dist/*.br): ${br} B (${(br / 1024).toFixed(1)} KiB)`);
const overlay = fs.readFileSync(path.join(dist, 'touchpoint-overlay.js'));
console.log(`size: touchpoint-overlay.js ${String(overlay.length).padStart(7)} B raw  ${String(zlib.gzipSync(overlay, { level: 9 }).length).padStart(6)} B gzip -9 (debug overlay, loaded only when asked for; not in the total)`);
