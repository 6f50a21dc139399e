import { chromium } from 'playwright-core';
import fs from 'node:fs';
const URL0 = 'http://127.0.0.1:8094';
const { scenarios } = await import('./_qa_fr_scen.mjs?' + Date.now());
const names = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function events(site) {
  const r = await fetch(`${URL0}/api/events?limit=1000&site=${site}`);
  return (await r.json()).reverse();
}
async function waitFor(fn, ms = 20000) { const t0 = Date.now(); for (;;) { const v = await fn(); if (v) return v; if (Date.now() - t0 > ms) return null; await sleep(150); } }
for (const name of names) {
  const s = scenarios[name];
  if (!s) { console.log('no scenario', name); continue; }
  const site = `qa-${name}-${Date.now() % 1e7}`.replace(/[^A-Za-z0-9._-]/g, '');
  const attrs = { site, consent: 'granted', 'flush-interval': '300', 'slow-interaction-ms': '10000', 'friction-off': 'vital', ...(s.attrs || {}) };
  const a = Object.entries(attrs).map(([k, v]) => ` data-${k}="${v}"`).join('');
  let html = fs.readFileSync(`/tmp/qa-fr/www/${s.file}`, 'utf8');
  const snippet = `<script>window.touchpoint=window.touchpoint||function(){(touchpoint.q=touchpoint.q||[]).push(arguments)};</script><script async src="/touchpoint/touchpoint.js" data-collector="/v1/batch"${a}></script>`;
  html = html.replace('__SNIPPET__', snippet).replace('</body>', '<div id="sentinel" style="cursor:pointer;position:fixed;left:0;bottom:0;width:40px;height:40px;background:#ccc;z-index:99999">s</div></body>');
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 }, ...(s.device || {}) });
  await context.route(/\/qa\/.*$/, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }));
  if (s.routes) await s.routes(context);
  const page = await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(m.type() + ': ' + m.text()));
  page.on('pageerror', (e) => logs.push('pageerror: ' + e.message));
  await page.goto(`${URL0}/qa/${s.file}`);
  await page.waitForFunction(() => window.touchpoint && window.touchpoint.ready === true, null, { timeout: 60000 });
  if (s.pre) await s.pre(page);
  await s.act(page);
  await sleep(s.settle ?? 100);
  // sentinel
  if (s.sentinel !== false) {
    const box = await page.locator('#sentinel').boundingBox();
    if (s.device?.hasTouch) await page.touchscreen.tap(box.x + 20, box.y + 20); else await page.mouse.click(box.x + 20, box.y + 20);
  } else await sleep(2500);
  const ok = await waitFor(async () => {
    await page.evaluate(() => touchpoint('flush')).catch(() => {});
    const ev = await events(site);
    return s.sentinel === false || ev.some((e) => e.properties?.category === 'friction' && (e.properties.element?.selector ?? '').endsWith('#sentinel')) ? ev : null;
  });
  const ev = ok || await events(site);
  const fr = ev.filter((e) => e.properties?.category === 'friction' && !(e.properties.element?.selector ?? '').endsWith('#sentinel'));
  console.log(`== ${name} (${site}) sentinel=${!!ok}`);
  for (const e of fr) { const { element, ...p } = e.properties; console.log('  ', e.event, element?.selector ?? '', JSON.stringify(p)); }
  if (!fr.length) console.log('   (no friction)');
  if (process.env.V) { for (const e of ev) console.log('    ev', e.event, JSON.stringify(e.properties).slice(0, 200)); console.log(logs.join('\n')); }
  await context.close();
}
await browser.close();
