// A names-kept variant of the current build, for the tools that look inside Touchpoint under the
// trusted workload (bench/profile-trusted.mjs, bench/entry-points.mjs): wasm-bindgen's glue
// without the renaming and not minified, host.js and the loader as written, and the wasm
// optimised with the same wasm-opt flags but keeping its name section (-g), so wasm functions
// show under their Rust names. Made from target/wasm-bindgen (what scripts/build.mjs left there).
// It is close to, not the same as, dist/ (import/export names are not minified): compare builds
// with bench/trusted.mjs.
//
// `hostTransform`: rewrites www/host.js's text before it is bundled (instrumentation).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { root } from './sdks.mjs';

export function namesKeptDist({ dir = path.join(os.tmpdir(), 'touchpoint-profile-dist'), hostTransform = (s) => s } = {}) {
  const bg = path.join(root, 'target/wasm-bindgen');
  fs.mkdirSync(dir, { recursive: true });
  const opt = spawnSync(path.join(root, 'node_modules/.bin/wasm-opt'), [
    '-Os', '-g', '--strip-producers', '--enable-bulk-memory', '--enable-sign-ext',
    '--enable-nontrapping-float-to-int', '--enable-mutable-globals', '--enable-multivalue',
    '--enable-reference-types', '--strip-target-features',
    path.join(bg, 'touchpoint_bg.wasm'), '-o', path.join(dir, 'touchpoint_bg.wasm'),
  ], { encoding: 'utf8' });
  if (opt.status !== 0) throw new Error(`wasm-opt: ${opt.stderr}`);
  const wasm = fs.readFileSync(path.join(dir, 'touchpoint_bg.wasm'));
  const sri = 'sha384-' + crypto.createHash('sha384').update(wasm).digest('base64');
  const glue = fs.readFileSync(path.join(bg, 'touchpoint.js'), 'utf8');
  const host = hostTransform(fs.readFileSync(path.join(root, 'www/host.js'), 'utf8').replace(/^export function /gm, 'function '));
  const loader = fs.readFileSync(path.join(root, 'www/touchpoint.js'), 'utf8')
    .split('__TP_WASM_FILE__').join('touchpoint_bg.wasm').split('__TP_WASM_SRI__').join(sri);
  fs.writeFileSync(path.join(dir, 'touchpoint.js'), `(function(){\n${glue}\n${host}\n${loader}\n})();\n`);
  return dir;
}
