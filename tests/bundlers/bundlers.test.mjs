// The npm package as a user gets it: `npm pack` of dist/npm/, installed from the tarball (offline)
// into a tiny Vite app and a tiny webpack app, each built with no configuration at all, served on
// 127.0.0.1 (the shop's server, which forwards /v1/batch to the real collector) and loaded in
// headless Chromium: the events must arrive. Also `tsc --noEmit` on a typed example, and the
// package imported outside a browser (server-side rendering).
// Tools (vite, webpack, webpack-cli, typescript) are tests/bundlers/package.json's, installed by
// scripts/setup.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import { closeTab, launch, root, startCollector, waitFor } from '../e2e/harness.mjs';
import { serve } from './serve.mjs';

const here = path.join(root, 'tests/bundlers');
const work = path.join(here, '.work'); // inside tests/bundlers, so the apps resolve its node_modules
const tools = path.join(here, 'node_modules');
let collector, browser, tarball;

function sh(cmd, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out }));
  });
}
async function ok(cmd, args, cwd) {
  const r = await sh(cmd, args, cwd);
  assert.equal(r.code, 0, `${cmd} ${args.join(' ')} failed in ${cwd}:\n${r.out}`);
  return r.out;
}

/** Copies tests/bundlers/<from> to .work/<name> and installs the packed tarball into it, offline. */
async function app(name, from, extra = {}) {
  const dir = path.join(work, name);
  fs.cpSync(path.join(here, from), dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: `${name}-app`, private: true, type: 'module', dependencies: { touchpoint: `file:../${path.basename(tarball)}` },
  }));
  for (const [file, src] of Object.entries(extra)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true }); // (git keeps no empty src/)
    fs.copyFileSync(path.join(here, src), path.join(dir, file));
  }
  await ok('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], dir);
  assert.ok(fs.existsSync(path.join(dir, 'node_modules/touchpoint/touchpoint_bg.wasm')), 'the wasm is in the installed package');
  return dir;
}

const gzip = (file) => zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
const list = (dir) => fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(dir, f)).isFile());

before(async () => {
  assert.ok(fs.existsSync(path.join(root, 'dist/npm/package.json')), 'run `node scripts/build.mjs` first');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const out = await ok('npm', ['pack', './dist/npm', '--pack-destination', work, '--loglevel=error'], root);
  tarball = path.join(work, out.trim().split('\n').pop());
  [collector, browser] = await Promise.all([startCollector(), launch()]);
});
after(async () => { await browser?.close(); await collector?.stop(); });

test('the tarball holds the package and nothing else', async () => {
  const out = await ok('tar', ['-tzf', tarball], work);
  assert.deepEqual(out.trim().split('\n').sort(),
    ['package/README.md', 'package/index.d.ts', 'package/index.js', 'package/package.json', 'package/touchpoint-overlay.js', 'package/touchpoint_bg.wasm']);
});

/** Loads a built app from `server`, clicks Buy, and waits for its five events at the collector. */
async function loadAndCheck(server, pagePath, site) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text()); });
  await page.goto(`${server.url}${pagePath}?site=${site}`);
  await page.waitForFunction(() => document.getElementById('consent').textContent === 'granted', null, { timeout: 60_000 });
  await page.click('#buy');
  // (The journey's own touchpoints, such as page_leave, are not counted here.)
  const events = await waitFor(`${site}: 5 events`, async () => {
    const ev = (await collector.events(`&site=${site}`))
      .filter((e) => e.properties?.category !== 'touchpoint' || e.event === 'page_view');
    return ev.length >= 5 && ev;
  });
  assert.deepEqual(events.map((e) => e.event).sort(), ['add_to_cart', 'click', 'consent_change', 'page_view', 'purchase']);
  assert.deepEqual(events.find((e) => e.event === 'purchase').properties,
    { transaction_id: 'T-1', currency: 'EUR', value: 12, items: [{ item_id: 'mug', price: 12, quantity: 1 }], moment: true });
  const wasm = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.wasm')));
  assert.equal(wasm.length, 1, 'one wasm fetched');
  assert.ok(wasm[0].startsWith(server.url), `the wasm is the app's own asset: ${wasm[0]}`);
  assert.deepEqual(errors, []);
  await closeTab(page);
  // The debug overlay (?touchpoint_debug=1) is the app's own asset too (the bundler may rename
  // it: webpack names assets by hash), fetched only then.
  const debug = await browser.newPage();
  const scripts = [];
  debug.on('response', (r) => { if (r.request().resourceType() === 'script') scripts.push(`${r.status()} ${r.url()}`); });
  await debug.goto(`${server.url}${pagePath}?site=${site}-debug&touchpoint_debug=1`);
  await waitFor('the debug overlay', () => debug.evaluate(() => !!document.querySelector('[data-touchpoint-overlay]')));
  assert.ok(scripts.length >= 2 && scripts.every((r) => r.startsWith(`200 ${server.url}`)), scripts.join());
  await closeTab(debug);
  return wasm[0];
}

// The overlay's asset (whatever the bundler named it) is not counted: a page fetches it only when
// debugging. It is the one file with the overlay's own text (not its attribute: the SDK names that
// attribute too, to tell the overlay's rendering from a page's response to a click).
const isOverlay = (file) => fs.readFileSync(file, 'utf8').includes('Hide the Touchpoint debug overlay');
const jsGzip = (dir) => list(dir).filter((f) => f.endsWith('.js') && !isOverlay(path.join(dir, f))).reduce((n, f) => n + gzip(path.join(dir, f)), 0);

/** Prints what Touchpoint adds to the built app: its JS against a control build of the same app
 * with a no-op `init` in place of the package (gzip -9), and the wasm asset. */
async function report(name, dir, distDir, buildControl) {
  const files = list(distDir);
  const wasm = files.filter((f) => f.endsWith('.wasm'));
  const scripts = files.filter((f) => f.endsWith('.js'));
  assert.equal(scripts.filter((f) => isOverlay(path.join(distDir, f))).length, 1, `${name}: the overlay is a file of its own, not inlined (${scripts})`);
  assert.equal(wasm.length, 1, `${name}: one wasm asset in the build (${files})`);
  const control = path.join(work, `${name}-control`);
  fs.cpSync(dir, control, { recursive: true, filter: (f) => !/node_modules|dist$/.test(f) });
  const main = ['main.js', 'src/index.js'].find((f) => fs.existsSync(path.join(control, f)));
  const noop = "const f = () => {};\nexport function init() { return { consent: f, track: f, page: f, flush: f, onConsent: f }; }\n";
  fs.writeFileSync(path.join(control, path.dirname(main), 'noop.js'), noop);
  fs.writeFileSync(path.join(control, main), fs.readFileSync(path.join(control, main), 'utf8').replace("from 'touchpoint'", "from './noop.js'"));
  const controlDist = await buildControl(control);
  const js = jsGzip(distDir), base = jsGzip(controlDist), w = gzip(path.join(distDir, wasm[0]));
  console.log(`bundlers: ${name}: app JS ${js} B gzip -9, the same app without Touchpoint ${base} B: Touchpoint adds ${js - base} B of JS ` +
    `+ ${w} B wasm (${wasm[0]}) = ${js - base + w} B gzip -9`);
}

test('Vite: `vite build` with no config bundles the package and its wasm; events arrive', { timeout: 180_000 }, async () => {
  const dir = await app('vite', 'apps/vite', { 'main.js': 'apps/shared-main.js' });
  const viteBuild = async (d) => {
    await ok(process.execPath, [path.join(tools, 'vite/bin/vite.js'), 'build', '--logLevel', 'warn'], d);
    return path.join(d, 'dist');
  };
  await viteBuild(dir);
  await report('vite', dir, path.join(dir, 'dist'), viteBuild);
  const server = await serve(path.join(dir, 'dist'), { upstream: collector.url, forward: ['/v1/'] });
  try {
    const wasm = await loadAndCheck(server, '/', 'vite-app');
    assert.match(wasm, /\/assets\/touchpoint_bg-[\w-]+\.wasm$/);
  } finally { await server.close(); }
});

test('Vite dev server (`vite`, no config): the wasm of the package is served and the SDK starts', { timeout: 120_000 }, async () => {
  const dir = path.join(work, 'vite'); // installed by the build test above
  assert.ok(fs.existsSync(path.join(dir, 'node_modules/touchpoint')), 'the Vite app is installed');
  const child = spawn(process.execPath, [path.join(tools, 'vite/bin/vite.js'), '--host', '127.0.0.1', '--port', '0', '--strictPort'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const url = await waitFor('the dev server', () => /(http:\/\/127\.0\.0\.1:\d+)\//.exec(out.replace(/\x1b\[[0-9;]*m/g, ''))?.[1]);
    const page = await browser.newPage();
    const wasm = [];
    page.on('response', (r) => { if (r.url().endsWith('.wasm')) wasm.push(`${r.status()} ${r.headers()['content-type']}`); });
    await page.goto(`${url}/?site=vite-dev`);
    await page.waitForFunction(() => window.touchpoint && window.touchpoint.ready === true, null, { timeout: 60_000 });
    assert.deepEqual(wasm, ['200 application/wasm']);
    await closeTab(page);
  } finally {
    child.kill('SIGTERM');
  }
});

test('webpack 5: `webpack --mode production` with no config file bundles the package and its wasm; events arrive', { timeout: 180_000 }, async () => {
  const dir = await app('webpack', 'apps/webpack', { 'src/index.js': 'apps/shared-main.js' });
  assert.ok(!fs.readdirSync(dir).some((f) => f.startsWith('webpack.config')), 'no webpack config');
  const webpackBuild = async (d) => {
    await ok(process.execPath, [path.join(tools, 'webpack-cli/bin/cli.js'), '--mode', 'production', '--no-stats'], d);
    return path.join(d, 'dist');
  };
  await webpackBuild(dir);
  await report('webpack', dir, path.join(dir, 'dist'), webpackBuild);
  const server = await serve(dir, { upstream: collector.url, forward: ['/v1/'] });
  try {
    const wasm = await loadAndCheck(server, '/', 'webpack-app');
    assert.match(wasm, /\/dist\/[\w-]+\.wasm$/);
  } finally { await server.close(); }
});

test('tsc --noEmit: the typed example compiles, and each @ts-expect-error line really is an error', { timeout: 120_000 }, async () => {
  const dir = await app('types', 'types');
  const tsc = path.join(tools, 'typescript/bin/tsc');
  await ok(process.execPath, [tsc, '-p', '.'], dir); // moduleResolution: bundler
  fs.writeFileSync(path.join(dir, 'tsconfig.node.json'), JSON.stringify({
    extends: './tsconfig.json', compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' },
  }));
  await ok(process.execPath, [tsc, '-p', 'tsconfig.node.json'], dir); // Node's resolution through `exports`
  // Without the directives, exactly the marked lines fail.
  const src = fs.readFileSync(path.join(dir, 'example.ts'), 'utf8').split('\n');
  const marked = src.flatMap((l, i) => (l.startsWith('// @ts-expect-error') ? [i + 2] : []));
  assert.ok(marked.length >= 10, 'the example has its must-fail lines');
  fs.writeFileSync(path.join(dir, 'bad.ts'), src.map((l) => (l.startsWith('// @ts-expect-error') ? '' : l)).join('\n'));
  fs.writeFileSync(path.join(dir, 'tsconfig.bad.json'), JSON.stringify({ extends: './tsconfig.json', files: ['bad.ts'] }));
  const r = await sh(process.execPath, [tsc, '-p', 'tsconfig.bad.json'], dir);
  assert.notEqual(r.code, 0);
  const failing = [...new Set([...r.out.matchAll(/^bad\.ts\((\d+),\d+\): error/gm)].map((m) => Number(m[1])))];
  assert.deepEqual(failing, marked, r.out);
});

test('importing the package outside a browser runs nothing; init() gives a client whose calls do nothing', async () => {
  const m = await import(pathToFileURL(path.join(root, 'dist/npm/index.js')).href);
  const tp = m.init({ site: 'ssr' });
  assert.deepEqual(Object.keys(tp).sort(),
    ['beforeSend', 'consent', 'consentState', 'flush', 'friction', 'getConsent', 'getIds', 'identify', 'onConsent', 'page', 'reset', 'set', 'track']);
  tp.track('add_to_cart', { currency: 'EUR', value: 1, items: [] });
  tp.consent({ analytics: true });
  tp.identify('c-1042', { plan: 'gold' });
  tp.friction('payment_declined');
  tp.reset();
  tp.set({ variant: 'B' });
  tp.beforeSend((e) => e);
  for (const name of ['identify', 'reset', 'friction', 'set', 'beforeSend', 'getIds']) assert.equal(m[name], tp[name], `the named export ${name}`);
  assert.deepEqual(await tp.getConsent(), { analytics: 'pending', marketing: 'pending' });
  assert.deepEqual(await tp.getIds(), { sessionId: null, anonymousId: null, userId: null });
  assert.equal(tp.consentState(), null);
  assert.equal(typeof tp.onConsent(() => {}), 'function');
  assert.equal(m.default, tp);
});
