// QA (insp): opens the inspector with given query strings, screenshots, dumps the visible tables.
// usage: node bench/_qa_insp_shots.mjs http://127.0.0.1:18431 name '?query' [timezone] [width]
import fs from 'node:fs';
import { launch } from '../tests/e2e/harness.mjs';

const [U, name, query = '', tz = 'UTC', width = '1400'] = process.argv.slice(2);
const browser = await launch();
try {
  const ctx = await browser.newContext({ viewport: { width: Number(width), height: 1000 }, timezoneId: tz, acceptDownloads: true });
  const page = await ctx.newPage();
  const errs = [];
  page.on('pageerror', (e) => errs.push('pageerror ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errs.push('console ' + m.text()); });
  page.on('response', (r) => { if (r.status() >= 400) errs.push(`HTTP ${r.status()} ${r.url()}`); });
  await page.goto(U + '/inspector' + query);
  // wait for the first refresh to finish
  await page.waitForFunction(() => document.getElementById('updated') && document.getElementById('updated').textContent.trim() !== '', null, { timeout: 60_000 }).catch(() => errs.push('no #updated text'));
  await page.waitForTimeout(1500);
  await page.screenshot({ path: `/tmp/qa_insp/${name}.png`, fullPage: true });
  if (await page.locator('#session').isVisible()) await page.locator('#session').screenshot({ path: `/tmp/qa_insp/${name}-session.png` });
  const dump = await page.evaluate(() => {
    const t = (sel) => Array.from(document.querySelectorAll(sel)).map((r) => Array.from(r.children).map((c) => c.textContent.trim() + (c.title ? ` [title:${c.title}]` : '')).join(' | '));
    return {
      status: document.getElementById('status-line').textContent.trim(),
      scope: document.getElementById('overview-scope').textContent,
      sampled: document.getElementById('sampled').hidden ? '' : document.getElementById('sampled').textContent,
      cards: Array.from(document.querySelectorAll('.card')).map((c) => c.textContent.replace(/\s+/g, ' ').trim()),
      funnel: t('#funnel tbody tr'),
      channels: t('#channel-list tbody tr'),
      pagesVitals: document.getElementById('pages-vitals').textContent,
      pagesNote: document.getElementById('pages-note').textContent,
      pages: t('#page-list tbody tr'),
      board: t('#leaderboard tbody tr'),
      sessionsFilter: document.getElementById('sessions-filter').textContent,
      sessions: t('#session-list tbody tr'),
      session: document.getElementById('session').hidden ? null : {
        id: document.getElementById('session-id').textContent, score: document.getElementById('session-score').textContent,
        summary: document.getElementById('session-summary').textContent,
        timeline: Array.from(document.querySelectorAll('#timeline li')).map((l) => l.textContent.replace(/\s+/g, ' ').trim()),
      },
      url: location.href,
    };
  });
  dump.errors = errs;
  fs.writeFileSync(`/tmp/qa_insp/${name}.json`, JSON.stringify(dump, null, 1));
  console.log(JSON.stringify(dump, null, 1));
} finally {
  await browser.close();
}
