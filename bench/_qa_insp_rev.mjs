// QA (insp): the custom range with the end before the start, as a person picks it in the date fields.
import { launch } from '../tests/e2e/harness.mjs';
const [U] = process.argv.slice(2);
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(U + '/inspector?range=custom&from=2026-12-01&to=2026-12-03');
  await page.waitForFunction(() => document.getElementById('updated').textContent.trim() !== '');
  const show = async (l) => console.log(l, await page.evaluate(() => [location.search, document.getElementById('f-from').value, document.getElementById('f-to').value, document.querySelector('[data-k=sessions]').textContent].join(' | ')));
  await show('start');
  await page.fill('#f-to', '2026-11-20'); // the person sets the end before the start
  await page.dispatchEvent('#f-to', 'change');
  await page.waitForTimeout(2500);
  await show('to<from');
} finally { await browser.close(); }
