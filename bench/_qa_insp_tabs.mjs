// QA (insp): N inspector tabs opened at once on a collector with the default read rate (50/s).
// usage: node bench/_qa_insp_tabs.mjs URL N [query]
import { launch } from '../tests/e2e/harness.mjs';
const [U, N = '6', query = ''] = process.argv.slice(2);
const browser = await launch();
try {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const pages = await Promise.all(Array.from({ length: Number(N) }, () => ctx.newPage()));
  let r429 = 0; const errs = [];
  for (const p of pages) p.on('response', (r) => { if (r.status() === 429) r429++; else if (r.status() >= 400) errs.push(r.status() + ' ' + r.url()); });
  await Promise.all(pages.map((p) => p.goto(U + '/inspector' + query)));
  await new Promise((r) => setTimeout(r, Number(process.env.WAIT || 20000)));
  for (const p of pages) console.log(await p.evaluate(() => document.visibilityState + ' ' + document.getElementById('status-line').textContent.trim() + ' | sessions card ' + document.querySelector('[data-k=sessions]').textContent + ' | greyed=' + (document.body.className || document.querySelector('main').className)));
  console.log('429s', r429, 'other errors', errs.slice(0, 5));
} finally { await browser.close(); }
