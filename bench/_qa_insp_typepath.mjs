// QA (insp): types into the Page filter like a person, then reads the leaderboard.
import { launch } from '../tests/e2e/harness.mjs';
const [U, text] = process.argv.slice(2);
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(U + '/inspector?site=demo-shop');
  await page.waitForFunction(() => document.getElementById('updated').textContent.trim() !== '');
  await page.click('#f-path');
  await page.keyboard.type(text, { delay: 10 });
  await page.keyboard.press('Enter');
  await page.waitForTimeout(2500);
  console.log(await page.evaluate(() => [location.search, document.getElementById('f-path').value, document.getElementById('overview-scope').textContent,
    ...Array.from(document.querySelectorAll('#leaderboard tbody tr')).map((r) => r.textContent.replace(/\s+/g, ' '))].join('\n')));
} finally { await browser.close(); }
