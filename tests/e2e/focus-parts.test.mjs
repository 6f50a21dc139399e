// CSS-only menus: which parts of a style rule's selector make the focus a click gives its own
// element an answer to that click (www/host.js focusParts, a pure function, tested here on the
// selectors as browsers write them; the e2e and cross-browser scenarios test it in pages).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';

const src = fs.readFileSync(new URL('../../www/host.js', import.meta.url), 'utf8');
const { focusParts } = await import(`data:text/javascript,${encodeURIComponent(src)}`);

/** The [part, rest, 'within' or ''] of a rule's selector. */
const parts = (selectorText, cssText = 'display: block;') => {
  const out = [];
  focusParts({ selectorText, style: { cssText } }, out);
  return out.map(([part, rest, within]) => [part, rest, within ? 'within' : '']);
};

test('a menu or tooltip shown by the focus: the part up to the focus without it, and the rest', () => {
  assert.deepEqual(parts('.dropdown:focus-within .menu'), [['.dropdown', ' .menu', 'within']]);
  assert.deepEqual(parts('.nav li:focus-within > ul, .nav li:hover > ul'), [['.nav li', ' > ul', 'within']]);
  assert.deepEqual(parts('.tip:focus + .text'), [['.tip', ' + .text', '']]);
  assert.deepEqual(parts('.a:focus-within:not(.b) > .c'), [['.a:not(.b)', ' > .c', 'within']]);
  assert.deepEqual(parts('.a:focus, .b:focus-within .c'), [['.b', ' .c', 'within']]);
});

test('Tailwind: variants in :is(:where(...)), and escaped colons in class names', () => {
  assert.deepEqual(parts('.group-focus-within\\:block:is(:where(.group):focus-within *)'), [[':where(.group)', ' *', 'within']]);
  assert.deepEqual(parts('.peer-focus\\:block:is(:where(.peer):focus ~ *)'), [[':where(.peer)', ' ~ *', '']]);
  assert.deepEqual(parts('.group-focus\\:block .x:focus .y'), [['.group-focus\\:block .x', ' .y', '']]);
  // hover:focus:underline, stacked variants: the escaped ":focus" in the class is not a focus.
  assert.deepEqual(parts('.hover\\:focus\\:x:hover:focus .y'), [['.hover\\:focus\\:x:hover', ' .y', '']]);
});

test('what shows nothing new is no answer', () => {
  assert.deepEqual(parts('button:focus'), [], 'a focus ring: the focused element itself');
  assert.deepEqual(parts('.card:focus-within'), []);
  assert.deepEqual(parts('.a:focus::after'), [], 'a pseudo-element of the focused element');
  assert.deepEqual(parts('.a:is(.b:focus) .x'), [], 'the focused element itself, inside :is()');
  assert.deepEqual(parts('.a:focus-within .b', 'color: red; outline: 1px solid blue;'), [], 'colours and outlines');
  assert.deepEqual(parts('.a:focus-within .b', 'line-height: 2;'), []);
  assert.deepEqual(parts('a:focus-visible .x'), [], 'a mouse focus does not match :focus-visible');
  assert.deepEqual(parts('.x:not(:focus) .y'), []);
  assert.deepEqual(parts('.nav:has(button:focus) .menu'), [], 'its part would lose what holds it');
  assert.deepEqual(parts(':focus-within > ul'), [], 'no part left to match');
  assert.deepEqual(parts('.a:hover .b'), []);
});

test('the properties that show or hide', () => {
  for (const css of ['display: block;', 'visibility: visible;', 'opacity: 1;', 'transform: none;', 'translate: 0px;',
    'scale: 1;', 'max-height: 40rem;', 'height: auto;', 'clip-path: none;', 'left: 0px;', 'color: red; display: flex;']) {
    assert.deepEqual(parts('.m:focus-within .l', css), [['.m', ' .l', 'within']], css);
  }
});

test('touch screens: the :hover compounds, asked for apart, hold like :focus-within', () => {
  const hover = (selectorText, cssText = 'display: block;') => {
    const out = [];
    focusParts({ selectorText, style: { cssText } }, out, 1);
    return out;
  };
  assert.deepEqual(hover('.nav li:hover > ul'), [['.nav li', ' > ul', 1]]);
  assert.deepEqual(hover('.nav li:focus-within > ul, .nav li:hover > ul'), [['.nav li', ' > ul', 1]]);
  assert.deepEqual(hover('.btn:hover'), [], 'the hovered element itself');
  assert.deepEqual(hover('.btn:hover .icon', 'color: red;'), [], 'colours');
  assert.deepEqual(hover('.hover\\:block:is(:where(.group):focus .x)'), [], 'an escaped colon is no hover');
});
