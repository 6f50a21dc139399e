// QA (insp): downloads each CSV of the inspector. usage: node bench/_qa_insp_csv.mjs URL '?query' [tz]
import fs from 'node:fs';
import { launch } from '../tests/e2e/harness.mjs';
const [U, query = '', tz = 'UTC'] = process.argv.slice(2);
const browser = await launch();
try {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: tz, acceptDownloads: true });
  const page = await ctx.newPage();
  await page.goto(U + '/inspector' + query);
  await page.waitForFunction(() => document.getElementById('updated').textContent.trim() !== '', null, { timeout: 60_000 });
  await page.waitForTimeout(1500);
  for (const t of ['channel-list', 'page-list', 'leaderboard', 'session-list']) {
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.click(`button.csv[data-table="${t}"]`)]);
    const p = `/tmp/qa_insp/csv-${t}.csv`;
    await dl.saveAs(p);
    console.log('==', t, dl.suggestedFilename());
    console.log(fs.readFileSync(p, 'utf8').split('\n').slice(0, 8).join('\n'));
  }
} finally { await browser.close(); }
