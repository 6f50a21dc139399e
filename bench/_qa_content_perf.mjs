// Scenario C: page's own cost of infinite-scroll DOM growth, with vs without Touchpoint.
// node bench/_qa_content_perf.mjs [sdk|nosdk] [early|late]
import { BASE, launch, sleep, ready } from './_qa_content_lib.mjs';
const [mode = 'sdk', phase = 'early', rounds = '300'] = process.argv.slice(2);
const browser = await launch();
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await ctx.newPage();
const cdp = await ctx.newCDPSession(page);
await cdp.send('Performance.enable');
await page.goto(`${BASE}/${mode === 'sdk' ? 'article.html' : 'article_nosdk.html'}?noinf`);
if (mode === 'sdk') await ready(page);
await page.evaluate(() => { window.__lt = []; new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__lt.push(Math.round(e.duration)))).observe({ type: 'longtask' }); });
await sleep(phase === 'late' ? 40000 : 2000);
const m = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
const before = await m();
const r = await page.evaluate(async (rounds) => {
  const times = [];
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    const a = performance.now();
    more();
    await new Promise((res) => { const ch = new MessageChannel(); ch.port1.onmessage = res; ch.port2.postMessage(0); });
    times.push(performance.now() - a);
  }
  times.sort((x, y) => x - y);
  return { total: Math.round(performance.now() - t0), median: times[times.length >> 1].toFixed(2), p95: times[Math.floor(times.length * 0.95)].toFixed(2), max: times.at(-1).toFixed(1), nodes: document.getElementsByTagName('*').length };
}, +rounds);
await sleep(1500);
const after = await m();
const d = (k) => ((after[k] - before[k]) * 1000).toFixed(0);
console.log(mode, phase, JSON.stringify(r), 'ScriptDuration ms', d('ScriptDuration'), 'TaskDuration ms', d('TaskDuration'), 'LayoutDuration ms', d('LayoutDuration'), 'JSHeapUsed MB', (after.JSHeapUsedSize / 1e6).toFixed(1), 'longtasks', JSON.stringify(await page.evaluate(() => window.__lt)));
// now scroll through the grown page
const b2 = await m();
const s0 = Date.now();
for (let i = 0; i < 40; i++) { await page.mouse.wheel(0, 2000); await sleep(100); }
const a2 = await m();
console.log(mode, 'scroll 40 wheels over grown page: ScriptDuration ms', ((a2.ScriptDuration - b2.ScriptDuration) * 1000).toFixed(0), 'TaskDuration ms', ((a2.TaskDuration - b2.TaskDuration) * 1000).toFixed(0), 'wall', Date.now() - s0);
await browser.close();
