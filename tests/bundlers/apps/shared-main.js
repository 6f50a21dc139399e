// The tiny app both bundlers build (copied to apps/vite/main.js and apps/webpack/src/index.js by
// the test): Touchpoint from the installed npm package, nothing else.
import { init } from 'touchpoint';

const site = new URLSearchParams(location.search).get('site') || 'bundled-app';
const tp = init({ collector: '/v1/batch', site, consent: 'pending', flushInterval: 500, friction: 'off' });
tp.consent({ analytics: true });
tp.track('add_to_cart', { currency: 'EUR', value: 12, items: [{ item_id: 'mug', item_name: 'Stoneware Mug', price: 12, quantity: 1 }] });
document.getElementById('buy').addEventListener('click', () => {
  tp.track('purchase', { transaction_id: 'T-1', currency: 'EUR', value: 12, items: [{ item_id: 'mug', price: 12, quantity: 1 }] });
  tp.flush();
});
tp.onConsent((state) => { document.getElementById('consent').textContent = state.analytics; });
