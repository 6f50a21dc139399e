// `npm test`: every layer, in order of cost.
//   0. cargo fmt --check and clippy -D warnings (host and wasm32);
//   1. host: the pure core and the collector (`cargo test`, property tests included);
//   2. browser: wasm-bindgen-test in headless Chromium (the web layer against a real DOM);
//   3. end to end: the built SDK on the demo shop, driven by Playwright, against the real
//      collector and its SQLite;
//   4. the npm package: packed, installed into a Vite app and a webpack app, built, loaded in
//      Chromium; its types checked with tsc;
//   5-6. other engines: the browser tests in Firefox; the cross-browser layer in Firefox, WebKit
//      and Chromium (WebDriver).
import fs from 'node:fs';
import path from 'node:path';
import { root, run } from './lib.mjs';
import { geckodriverPath } from '../tests/xbrowser/drivers.mjs';

// Style and lints first: they are the cheapest to fail (host and wasm32, warnings are errors).
run('cargo', ['fmt', '--all', '--check']);
run('cargo', ['clippy', '--workspace', '--all-targets', '--', '-D', 'warnings']);
run('cargo', ['clippy', '-p', 'touchpoint', '--target', 'wasm32-unknown-unknown', '--lib', '--tests', '--', '-D', 'warnings']);
run('cargo', ['test', '--workspace']);
run('cargo', ['test', '--target', 'wasm32-unknown-unknown', '--test', 'browser'], {
  CHROMEDRIVER: '/usr/bin/chromedriver',
  WASM_BINDGEN_TEST_TIMEOUT: '120',
});
run('node', ['scripts/build.mjs']);
// The gzip -9 total must stay within size-budget.json (scripts/size-check.mjs says the rule).
run('node', ['scripts/size-check.mjs']);
run('cargo', ['build', '-p', 'touchpoint-collector']);
const e2e = fs.readdirSync(path.join(root, 'tests/e2e')).filter((f) => f.endsWith('.test.mjs')).sort()
  .map((f) => path.join('tests/e2e', f));
// Two files at a time (node runs them in name order): each starts its own browser and collector
// on ports of their own, and most of a test's time is waiting (a dead click's second, a retry's
// back-off, a poll). 1,327 s one at a time in the last CI, 922 s two at a time on this machine,
// the same tests passing; the suite's tests wait for conditions with generous deadlines.
run('node', ['--test', '--test-concurrency=2', '--test-reporter=spec', ...e2e]);
// The npm package as users install it (tests/bundlers/bundlers.test.mjs).
run('node', ['--test', '--test-concurrency=1', '--test-reporter=spec', 'tests/bundlers/bundlers.test.mjs']);
// Other engines. 5. The wasm-bindgen-test browser tests again, in headless Firefox (the runner
// takes GECKODRIVER before CHROMEDRIVER). 6. The cross-browser layer: the scenarios that matter
// most (consent, delivery, unload, adoption, gzip, TCF, fallbacks) in Firefox, WebKit and
// Chromium over WebDriver (tests/xbrowser; the README's "Browser support" matrix names them).
run('cargo', ['test', '--target', 'wasm32-unknown-unknown', '--test', 'browser'], {
  GECKODRIVER: geckodriverPath() || 'geckodriver (not found: run scripts/setup)',
  WASM_BINDGEN_TEST_TIMEOUT: '120',
});
// Two engines at a time: each file drives one browser over WebDriver against its own collector
// and proxies on ports of their own, and most of a scenario's time is waiting (for a beacon, an
// adoption, a timer); webkit's file alone lasts as long as the other two together, so the two
// lanes are webkit and firefox then chromium (8.6 min one at a time on the CI machine, 6.4 min
// two at a time on this busier one, the same 150 tests passing).
const xbrowser = ['webkit', 'firefox', 'chromium'].map((b) => `tests/xbrowser/${b}.test.mjs`);
run('node', ['--test', '--test-concurrency=2', '--test-reporter=spec', ...xbrowser]);
