import { chromium } from 'playwright-core';
export const BASE = process.env.BASE || 'http://127.0.0.1:18471';
export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
}
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export async function ready(page) { await page.waitForFunction(() => window.touchpoint && window.touchpoint.ready === true, null, { timeout: 60000 }); }
export async function sid(page) { return page.evaluate(() => new Promise((r) => touchpoint('getIds', (x) => r(x.sessionId)))); }
export async function events(sessionId) {
  let after = 0; const all = [];
  for (;;) {
    const r = await fetch(`${BASE}/api/export?after=${after}&limit=10000`);
    const t = await r.text(); if (!t.trim()) break;
    for (const l of t.trim().split('\n')) all.push(JSON.parse(l));
    after = r.headers.get('x-last-id');
  }
  return all.filter((e) => e.sessionId === sessionId);
}
const T = Date.now();
export const log = [];
export function act(what) { const t = new Date().toISOString(); log.push(`${t} +${((Date.now() - T) / 1000).toFixed(1)}s ${what}`); console.log(log.at(-1)); }
export async function waitFor(what, fn, timeout = 60000) {
  const end = Date.now() + timeout; let last;
  for (;;) { try { last = await fn(); if (last) return last; } catch (e) { last = e; } if (Date.now() > end) throw new Error('timeout ' + what + ' ' + last); await sleep(250); }
}
export function summarize(evs) {
  for (const e of evs) {
    const p = e.properties || {};
    if (e.event === 'click') { console.log(e.timestamp, 'click', p.element && p.element.selector); continue; }
    const { category, element, ...rest } = p;
    console.log(e.timestamp, e.event, element ? element.selector + (element.text ? ` "${element.text}"` : '') : '', JSON.stringify(rest).slice(0, 300));
  }
}
