// `npm run size` (after the build): where the bytes a page downloads go.
//   1. the gzip -9 sizes of dist/, as the build prints them, against size-budget.json;
//   2. `twiggy top` by retained size: the 40 items of the wasm that keep the most bytes alive;
//   3. the wasm's bytes summed by Rust module path, so each feature's cost is visible.
// twiggy needs function names, which the shipped wasm does not have (wasm-opt drops the name
// section and minifies imports and exports). So the wasm-bindgen output is optimised again here
// with the build's wasm-opt flags plus -g (keep the name section): the copy is then the shipped
// wasm byte for byte plus names, which is checked below, so every figure here is a shipped one.
// twiggy is installed on first use (not by setup: `npm test` does not need it).
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { env, root, run } from './lib.mjs';
import { formatSizes, gzipSizes } from './sizes.mjs';

const dist = path.join(root, 'dist');
const shippedWasm = path.join(dist, 'touchpoint_bg.wasm');
const bindgenWasm = path.join(root, 'target/wasm-bindgen/touchpoint_bg.wasm');
const outDir = path.join(root, 'target/size');
const namedWasm = path.join(outDir, 'touchpoint_bg.named.wasm');
const TOP = 40;

// 1. gzip sizes and the budget.
const s = gzipSizes(dist);
const budget = JSON.parse(fs.readFileSync(path.join(root, 'size-budget.json'), 'utf8')).total_gzip_bytes;
console.log('== gzip -9, what a page downloads (dist/)');
for (const line of formatSizes(s)) console.log(`  ${line}`);
console.log(`  budget (size-budget.json) ${budget} B: ${s.total > budget ? `OVER by ${s.total - budget} B` : `${budget - s.total} B to spare`}`);

// 2. A copy of the shipped wasm with names. Same flags as scripts/build.mjs, minus
// --strip-debug, plus -g; keep them in step (the byte comparison below says when they are not).
fs.mkdirSync(outDir, { recursive: true });
const opt = spawnSync(path.join(root, 'node_modules/.bin/wasm-opt'), [
  '-ocimfs=20', '--low-memory-unused', '-Oz', '-Oz', '-g', '--strip-producers', '--enable-bulk-memory', '--enable-sign-ext',
  '--enable-nontrapping-float-to-int', '--enable-mutable-globals', '--enable-multivalue',
  '--enable-reference-types', '--minify-imports-and-exports-and-modules', '--strip-target-features',
  bindgenWasm, '-o', namedWasm,
], { encoding: 'utf8', env });
if (opt.status !== 0) {
  console.error(opt.stderr);
  process.exit(1);
}

/** The module without its custom "name" section (what --strip-debug leaves). */
function withoutNames(buf) {
  const parts = [buf.subarray(0, 8)];
  let p = 8;
  const leb = () => {
    let r = 0, shift = 0, b;
    do { b = buf[p++]; r += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
    return r;
  };
  while (p < buf.length) {
    const start = p;
    const id = buf[p++];
    const len = leb();
    const body = p;
    let isName = false;
    if (id === 0) {
      const n = leb();
      isName = buf.subarray(p, p + n).toString() === 'name';
    }
    p = body + len;
    if (!isName) parts.push(buf.subarray(start, p));
  }
  return Buffer.concat(parts);
}
const shippedBytes = fs.readFileSync(shippedWasm);
const same = withoutNames(fs.readFileSync(namedWasm)).equals(shippedBytes);
if (!same) {
  console.log('\nWARNING: the named copy differs from dist/touchpoint_bg.wasm beyond its names: the wasm-opt');
  console.log('flags in scripts/size.mjs no longer match scripts/build.mjs. The figures below are approximate.');
}

// twiggy, installed on first use.
const hasTwiggy = () => spawnSync('twiggy', ['--version'], { env }).status === 0;
if (!hasTwiggy()) {
  console.log('\ntwiggy not found: installing it once with cargo (a few minutes)');
  // --force: also when cargo lists it as installed but the binary is gone.
  const r = spawnSync('cargo', ['install', 'twiggy', '--locked', '--force'], { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) run('cargo', ['install', 'twiggy', '--force']);
}
const twiggy = (...args) => {
  const r = spawnSync('twiggy', ['top', ...args, '-f', 'json', namedWasm], { encoding: 'utf8', env, maxBuffer: 1 << 28 });
  if (r.status !== 0) {
    console.error(r.stderr);
    process.exit(1);
  }
  return JSON.parse(r.stdout);
};

// Names as twiggy demangles them, without crate disambiguators (`core[1b80778acbf7b3a4]`) or
// legacy hashes (`::h0123456789abcdef`). The name section's own bytes are not shipped: left out.
const clean = (name) => name.replace(/\[[0-9a-f]{6,}\]/g, '').replace(/::h[0-9a-f]{16}$/, '');
const isNames = (item) => /^"[a-z ]+names?" subsection$|^custom section 'name' headers$/.test(item.name);
const pct = (n) => `${((100 * n) / shippedBytes.length).toFixed(1).padStart(5)}%`;
const num = (n, w = 6) => String(n).padStart(w);
const cut = (x, w) => (x.length > w ? `${x.slice(0, w - 1)}…` : x);

console.log(`\n== twiggy top -n ${TOP} --retained (raw bytes of the ${shippedBytes.length} B shipped wasm, names excluded)`);
console.log(`  ${'retained'.padStart(8)} ${'%'.padStart(6)} ${'shallow'.padStart(7)}  item`);
for (const item of twiggy('--retained').filter((i) => !isNames(i)).slice(0, TOP)) {
  console.log(`  ${num(item.retained_size, 8)} ${pct(item.retained_size)} ${num(item.shallow_size, 7)}  ${cut(clean(item.name), 130)}`);
}

// 3. Shallow bytes summed by module. A project crate (touchpoint, touchpoint_core, ...) counts
// by its full module path (touchpoint::web::storage, touchpoint_core::scrub); other crates by
// their first two path segments (alloc::vec, wasm_bindgen::convert). Generic std/wasm-bindgen
// code instantiated for a project type or closure (drop glue, Vec<Event>, LocalKey::with, a
// closure's shim) counts toward that project module: it is there because of it. Column
// "generic" says how much of a module's bytes came that way.
const projectCrate = /(?<![A-Za-z0-9_])touchpoint\w*::/;
/** Module path of the path starting at name[i]: its segments before the item (fn or type). */
function modulePath(name, i) {
  const segs = [];
  const ident = /^[A-Za-z_][A-Za-z0-9_]*/;
  for (;;) {
    const m = ident.exec(name.slice(i));
    if (!m) break;
    const seg = m[0];
    const more = /^::[A-Za-z_]/.test(name.slice(i + seg.length));
    // The crate always counts; after it, a lower-case segment followed by `::name` is a module.
    // The item itself (followed by `<`, `{`, `>` or the end) and types (`Tracker`) are not.
    if (segs.length > 0 && !(more && /^[a-z_]/.test(seg))) break;
    segs.push(seg);
    if (!more) break;
    i += seg.length + 2;
  }
  return segs;
}
// Exported #[wasm_bindgen] functions keep their bare names (`boot`), with what was inlined into them.
const entryPoints = 'touchpoint (#[wasm_bindgen] exported fns, with what is inlined into them)';
function moduleOf(item) {
  const name = clean(item.name);
  if (/^import /.test(name)) return ['(imports from the JS glue)', false];
  if (/^export /.test(name)) return ['(export entries)', false];
  if (/^data segment /.test(name)) return ['(data: string literals, tables, statics)', false];
  if (/^__wbindgen_/.test(name)) return ['wasm_bindgen (runtime exports)', false];
  const proj = projectCrate.exec(name);
  if (proj) {
    const key = modulePath(name, proj.index).join('::');
    const generic = !/^<?touchpoint\w*::/.test(name);
    return [key, generic];
  }
  const any = /[A-Za-z_][A-Za-z0-9_]*::[A-Za-z_]/.exec(name);
  if (any) return [modulePath(name, any.index).slice(0, 2).join('::'), false];
  if (/^[a-z_][a-z0-9_]*$/.test(name)) return [entryPoints, false];
  return ['(wasm structure: types, table, globals, headers)', false];
}
/** The crate (or group of crates) a module key belongs to, for the summary. */
function crateOf(key) {
  if (key === entryPoints) return 'touchpoint';
  if (/^(std|core|alloc|compiler_builtins|__rustc)\b/.test(key)) return 'std, core, alloc (Rust standard library)';
  if (/^(wasm_bindgen|js_sys|web_sys)\b/.test(key)) return 'wasm-bindgen, js-sys, web-sys';
  if (/^\((imports|export|wasm structure)/.test(key)) return '(wasm structure: types, imports, exports, headers)';
  return key.split('::')[0];
}
const modules = new Map();
const crates = new Map();
let counted = 0;
for (const item of twiggy().filter((i) => !isNames(i))) {
  const [key, generic] = moduleOf(item);
  const m = modules.get(key) ?? { bytes: 0, generic: 0, items: 0 };
  m.bytes += item.shallow_size;
  if (generic) m.generic += item.shallow_size;
  m.items += 1;
  modules.set(key, m);
  crates.set(crateOf(key), (crates.get(crateOf(key)) ?? 0) + item.shallow_size);
  counted += item.shallow_size;
}
console.log(`\n== by crate (shallow raw bytes; they sum to ${counted} B, the shipped wasm is ${shippedBytes.length} B)`);
for (const [key, bytes] of [...crates].sort((a, b) => b[1] - a[1])) console.log(`  ${num(bytes)} ${pct(bytes)}  ${key}`);
console.log('\n== by module (shallow raw bytes; "generic": std or wasm-bindgen code instantiated for the module)');
console.log(`  ${'bytes'.padStart(6)} ${'%'.padStart(6)} ${'generic'.padStart(7)} ${'items'.padStart(5)}  module`);
for (const [key, m] of [...modules].sort((a, b) => b[1].bytes - a[1].bytes)) {
  console.log(`  ${num(m.bytes)} ${pct(m.bytes)} ${num(m.generic || '', 7)} ${num(m.items, 5)}  ${key}`);
}
console.log('\nRaw bytes, before gzip: a module\'s share of the gzip total is roughly proportional.');
console.log(`Full list: twiggy top ${path.relative(root, namedWasm)} (also twiggy paths / dominators / garbage).`);
