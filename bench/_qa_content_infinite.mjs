// Scenario B: infinite scroll reader. node bench/_qa_content_infinite.mjs [noinf]
import { BASE, launch, sleep, ready, sid, events, act, summarize, waitFor } from './_qa_content_lib.mjs';
const noinf = process.argv[2] === 'noinf';
const browser = await launch();
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await ctx.newPage();
await page.goto(`${BASE}/article.html?gt${noinf ? '&noinf' : ''}`);
await ready(page);
const S = await sid(page); console.log('session', S);
await page.mouse.move(640, 400);
await sleep(6500); await page.click('#modal-close'); await sleep(500);
const depthNow = () => page.evaluate(() => ({ pct: Math.round(100 * (scrollY + innerHeight) / document.documentElement.scrollHeight), h: document.documentElement.scrollHeight, y: scrollY, appended: window.__appended }));
if (noinf) {
  act('End'); await page.keyboard.press('End'); await sleep(3000); console.log(await depthNow());
} else {
  act('wheel down 400px every 700ms for 40 s');
  const end = Date.now() + 40000; let i = 0;
  while (Date.now() < end) { await page.mouse.wheel(0, 400); await sleep(700); if (++i % 10 === 0) console.log(await depthNow()); }
  console.log('stop', await depthNow());
  act('reading pause, no input, 45 s'); await sleep(45000);
}
const seen = await page.evaluate(() => Object.keys(window.__seen));
console.log('ground truth 50%/1s seen:', seen.length, seen.join(','));
act('leave'); await page.goto(`${BASE}/next.html`); await ready(page); await page.evaluate(() => touchpoint('flush'));
const evs = await waitFor('page_leave', async () => { const e = await events(S); return e.some((x) => x.event === 'page_leave') && e; });
const ev = evs.filter((e) => e.event === 'element_view').map((e) => e.properties.name);
console.log('element_view:', ev.length, ev.join(','));
console.log('missed:', seen.filter((x) => !ev.includes(x)).join(','), 'extra:', ev.filter((x) => !seen.includes(x)).join(','));
summarize(evs.filter((e) => !['click', 'element_view'].includes(e.event)));
await browser.close();
