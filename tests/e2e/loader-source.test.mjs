// The loader's sources, read as text. host.js is one long closure of small functions: a second
// `function name(` in the same scope silently replaces the first for every caller (JavaScript
// hoists both; no error, no warning from esbuild). It happened once: a new `moved()` for forms
// replaced the click-response observer's `moved(r)`, and only the build's size, 60 B smaller
// for added code, gave it away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';

for (const file of ['host.js', 'touchpoint.js']) {
  test(`www/${file} declares no function name twice`, () => {
    const src = fs.readFileSync(new URL(`../../www/${file}`, import.meta.url), 'utf8');
    const names = [...src.matchAll(/\bfunction\s+([A-Za-z_$][\w$]*)\s*\(/g)].map((m) => m[1]);
    assert.ok(names.length > 2, `${file}: its functions were found (${names.length})`);
    const twice = names.filter((n, i) => names.indexOf(n) !== i);
    assert.deepEqual(twice, [], `${file}: declared more than once`);
  });
}
