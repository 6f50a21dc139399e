import { launch, startCollector, sdkReady, root } from '../tests/e2e/harness.mjs';
import fs from 'node:fs';
const browser = await launch();
const FIX = fs.readFileSync(root + '/tests/e2e/fixtures/friction.html', 'utf8');
const ctx = await browser.newContext({ viewport: { width: 1000, height: 700 } });
const page = await ctx.newPage();
await page.setContent(FIX.replace('__SNIPPET__', ''));
for (const id of ['#pay-next','#card-no','#card-name','#ship-next','#city','#ship-saved','#gift-code','#gift-pin','#gift-go','#gift-clear','#qty-inc','#qty-dec','#use-points','#agree-all','#check-code','#fastest','#sound','#sentinel','#card-add','#help-dead']) {
  const b = await page.locator(id).boundingBox(); console.log(id, b && Math.round(b.x), b && Math.round(b.y), b && Math.round(b.width));
}
await browser.close();
