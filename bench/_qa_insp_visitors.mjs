// QA (insp): scripted visitor sessions through the demo shop with known ground truth.
// usage: node bench/_qa_insp_visitors.mjs http://127.0.0.1:18431 [only-id,...]
import fs from 'node:fs';
import { launch, waitFor } from '../tests/e2e/harness.mjs';

const U = process.argv[2];
const only = process.argv[3] ? process.argv[3].split(',') : null;
const OUT = '/tmp/qa_insp/ground_truth.json';
const DESK = { width: 1280, height: 900 };
const MOB = { width: 390, height: 844 };
const EMAIL = '/?utm_source=newsletter&utm_medium=email&utm_campaign=spring_sale';
const SOCIAL = '/?utm_source=instagram&utm_medium=social&utm_campaign=latte_art';
const AD = '/catalog.html?utm_source=google&utm_medium=cpc&utm_campaign=grinders&gclid=demo';

// plan: id, landing, viewport, steps; expected fields for the table
const V = [
  { id: 's01', land: '/', vp: DESK, ch: 'direct', camp: '', flow: 'browse' },
  { id: 's02', land: EMAIL, vp: DESK, ch: 'email', camp: 'spring_sale', flow: 'browse' },
  { id: 's03', land: '/', vp: MOB, ch: 'direct', camp: '', flow: 'browse' },
  { id: 's04', land: SOCIAL, vp: DESK, ch: 'social', camp: 'latte_art', flow: 'browse' },
  { id: 's05', land: '/', vp: DESK, ch: 'direct', camp: '', flow: 'cart', coupon: 'dead' },
  { id: 's06', land: '/', vp: DESK, ch: 'direct', camp: '', flow: 'cart', coupon: 'rage' },
  { id: 's07', land: '/', vp: MOB, ch: 'direct', camp: '', flow: 'cart', coupon: 'dead' },
  { id: 's08', land: EMAIL, vp: DESK, ch: 'email', camp: 'spring_sale', flow: 'cart' },
  { id: 's09', land: '/', vp: DESK, ch: 'direct', camp: '', flow: 'cart', via: 'product-broken' },
  { id: 's10', land: AD, vp: DESK, ch: 'paid_search', camp: 'grinders', flow: 'cart', via: 'catalog' },
  { id: 's11', land: '/', vp: DESK, ch: 'direct', camp: '', flow: 'checkout' },
  { id: 's12', land: '/', vp: MOB, ch: 'direct', camp: '', flow: 'checkout' },
  { id: 's13', land: AD, vp: DESK, ch: 'paid_search', camp: 'grinders', flow: 'checkout', via: 'catalog' },
  { id: 's14', land: EMAIL, vp: DESK, ch: 'email', camp: 'spring_sale', flow: 'checkout' },
  { id: 's15', land: '/', vp: DESK, ch: 'direct', camp: '', flow: 'abandon' },
  { id: 's16', land: '/', vp: MOB, ch: 'direct', camp: '', flow: 'abandon' },
  { id: 's17', land: EMAIL, vp: DESK, ch: 'email', camp: 'spring_sale', flow: 'abandon' },
  { id: 's18', land: '/', vp: DESK, ch: 'direct', camp: '', flow: 'purchase' },
  { id: 's19', land: '/', vp: MOB, ch: 'direct', camp: '', flow: 'purchase' },
  { id: 's20', land: EMAIL, vp: DESK, ch: 'email', camp: 'spring_sale', flow: 'purchase' },
  { id: 's21', land: AD, vp: DESK, ch: 'paid_search', camp: 'grinders', flow: 'purchase', via: 'catalog' },
  { id: 's22', land: '/', vp: DESK, ch: 'direct', camp: '', flow: 'purchase', coupon: 'rage' },
  { id: 's23', land: '/', vp: DESK, ch: 'direct', camp: '', flow: 'purchase', reject: true },
  { id: 's24', land: '/', vp: DESK, ch: 'direct', camp: '', flow: 'browse', promo: true },
  // a buyer who first tries "Buy now", goes back, adds to cart, then checks out and buys:
  // begin_checkout, add_to_cart, begin_checkout, purchase (all three steps, in order)
  { id: 's25', land: '/', vp: DESK, ch: 'direct', camp: '', flow: 'buynow' },
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function clickEl(page, sel) {
  const el = page.locator(sel).first();
  await el.waitFor({ state: 'visible', timeout: 30_000 });
  await el.scrollIntoViewIfNeeded();
  const b = await el.boundingBox();
  await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2);
  return b;
}
async function typeInto(page, sel, text) {
  await clickEl(page, sel);
  await page.keyboard.type(text, { delay: 20 });
}

const browser = await launch();
const results = fs.existsSync(OUT) ? JSON.parse(fs.readFileSync(OUT, 'utf8')) : [];
try {
  for (const v of V) {
    if (only && !only.includes(v.id)) continue;
    const t0 = Date.now();
    const ctx = await browser.newContext({ viewport: v.vp });
    const page = await ctx.newPage();
    const log = [];
    page.on('pageerror', (e) => log.push('pageerror: ' + e.message));
    await page.goto(U + v.land);
    await page.locator('#consent-banner').waitFor({ state: 'visible', timeout: 60_000 });
    await clickEl(page, v.reject ? '#consent-reject' : '#consent-accept');
    await sleep(300);
    const ids = await page.evaluate(() => new Promise((r) => window.touchpoint('getIds', r)));
    const did = [];
    const fromCatalog = v.via === 'catalog';
    if (v.flow === 'buynow') {
      await clickEl(page, '.product-card[data-sku="mug"] a.product-link');
      await page.waitForURL(/product\.html/);
      await page.locator('#product-name', { hasText: 'Mug' }).waitFor();
      await sleep(500);
      await clickEl(page, '#buy-now');
      await page.waitForURL(/checkout\.html/);
      await page.locator('#summary-lines li').first().waitFor();
      await sleep(1000);
      did.push('product mug: Buy now -> checkout (begin_checkout)');
      await clickEl(page, '#logo');
      await page.waitForURL((u) => new URL(u).pathname === '/');
      await sleep(500);
      await clickEl(page, 'button.add-to-cart[data-sku="grinder"]');
      await waitFor('cart has grinder', () => page.url().includes('grinder'), { timeout: 30_000 });
      await sleep(400);
      did.push('home: Add to cart grinder');
      await clickEl(page, '#nav-cart');
      await page.waitForURL(/cart\.html/);
      await sleep(500);
      await clickEl(page, '#checkout-link');
      await page.waitForURL(/checkout\.html/);
      await page.locator('#summary-lines li').first().waitFor();
      await sleep(700);
      await typeInto(page, '#email', 'buyer@example.com');
      await typeInto(page, '#name', 'Bea Buyer');
      await typeInto(page, '#address', '1 High Street');
      await typeInto(page, '#card-number', '4242424242424242');
      await typeInto(page, '#card-exp', '12/30');
      await typeInto(page, '#card-cvc', '123');
      await clickEl(page, '#place-order');
      await page.waitForURL(/thanks\.html/, { timeout: 60_000 });
      await sleep(800);
      did.push('cart -> checkout (begin_checkout) -> placed order (purchase)');
    } else if (v.flow === 'browse') {
      if (v.promo) { await clickEl(page, '#promo-banner'); did.push('clicked #promo-banner (fake link)'); await sleep(2500); }
      await clickEl(page, '.product-card[data-sku="kettle"] a.product-link');
      await page.waitForURL(/product\.html/);
      await sleep(800);
      did.push('viewed product kettle');
    } else {
      // add to cart
      if (fromCatalog) {
        await clickEl(page, '#catalog-grid a[data-sku="grinder"]');
        await page.waitForURL(/sku=grinder/);
        await sleep(500);
        await clickEl(page, '#catalog-add');
        did.push('catalog SPA: grinder, Add to cart (declarative)');
      } else if (v.via === 'product-broken') {
        await clickEl(page, '.product-card[data-sku="grinder"] a.product-link');
        await page.waitForURL(/product\.html/);
        await page.locator('#product-name', { hasText: 'Grinder' }).waitFor();
        await clickEl(page, '#broken-button');
        await sleep(2000);
        await clickEl(page, '#add-to-cart');
        did.push('product grinder: clicked broken "Check stock" (error), then Add to cart');
      } else {
        await clickEl(page, 'button.add-to-cart[data-sku="mug"]');
        did.push('home: Add to cart mug');
      }
      await waitFor('cart in url', () => page.url().includes('cart='), { timeout: 30_000 });
      await sleep(400);
      // to cart page
      await clickEl(page, fromCatalog ? 'a#nav-cart' : '#nav-cart');
      await page.waitForURL(/cart\.html/);
      await page.locator('#cart-lines li').first().waitFor();
      await sleep(500);
      if (v.coupon === 'dead') {
        await clickEl(page, '#apply-coupon');
        await sleep(2500);
        did.push('cart: 1 click on dead "Apply" coupon');
      } else if (v.coupon === 'rage') {
        const b = await clickEl(page, '#apply-coupon');
        for (let i = 0; i < 4; i++) { await sleep(150); await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2); }
        await sleep(2500);
        did.push('cart: 5 fast clicks on dead "Apply" coupon');
      }
      if (v.flow !== 'cart') {
        await clickEl(page, '#checkout-link');
        await page.waitForURL(/checkout\.html/);
        await page.locator('#summary-lines li').first().waitFor();
        await sleep(700);
        did.push('checkout page');
        if (v.flow === 'abandon') {
          await typeInto(page, '#email', 'someone@example.com');
          await typeInto(page, '#name', 'Sam Someone');
          await sleep(400);
          await clickEl(page, '#logo');
          await page.waitForURL((u) => new URL(u).pathname === '/');
          await sleep(800);
          did.push('typed email+name, left via logo (form abandon)');
        } else if (v.flow === 'purchase') {
          await typeInto(page, '#email', 'buyer@example.com');
          await typeInto(page, '#name', 'Bea Buyer');
          await typeInto(page, '#address', '1 High Street');
          await typeInto(page, '#card-number', '4242424242424242');
          await typeInto(page, '#card-exp', '12/30');
          await typeInto(page, '#card-cvc', '123');
          await clickEl(page, '#place-order');
          await page.waitForURL(/thanks\.html/, { timeout: 60_000 });
          await sleep(800);
          did.push('filled form, placed order, thanks page');
        }
      }
    }
    // leave the site: pagehide
    await page.goto('about:blank');
    await sleep(1500);
    await ctx.close();
    const rec = { ...v, vp: v.vp === MOB ? 'mobile' : 'desktop', sessionId: ids && ids.sessionId, did, log, startedAt: new Date(t0).toISOString(), endedAt: new Date().toISOString() };
    results.push(rec);
    fs.writeFileSync(OUT, JSON.stringify(results, null, 1));
    console.log(v.id, rec.sessionId, v.flow, v.ch, rec.vp, did.join('; '), log.join('|'));
  }
} finally {
  await browser.close();
}
