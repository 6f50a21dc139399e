// A typed app using the npm package: `tsc --noEmit` must accept every line, and each line under
// an expect-error directive (at the end) must be an error: tsc reports an unused directive otherwise.
import { init, track, type BuiltInEvent, type ConsentSnapshot, type FrictionEvent, type Item, type JourneyEvent, type TouchpointEvent } from 'touchpoint';
import touchpoint from 'touchpoint';

const tp = init({ collector: '/v1/batch', site: 'shop', consent: 'pending', batchSize: 10, frictionOff: ['rage', 'dead'] });
tp.consent({ analytics: true, marketing: false });
tp.consent({ analytics_storage: 'granted', ad_storage: 'denied' });
// (A second init is a no-op at run time: here only its type is checked.)
init({ site: 'shop', consent: 'consent-mode' });

const mug: Item = { item_id: 'mug', item_name: 'Stoneware Mug', price: 12, quantity: 2, item_category: 'Kitchen' };
tp.track('view_item_list', { item_list_id: 'home', items: [mug] });
tp.track('view_item', { currency: 'EUR', value: 12, items: [mug] });
tp.track('add_to_cart', { currency: 'EUR', value: 24, items: [mug] });
tp.track('remove_from_cart', { currency: 'EUR', value: 12, items: [{ item_name: 'Stoneware Mug' }] });
tp.track('begin_checkout', { currency: 'EUR', value: 24, coupon: 'WELCOME', items: [mug] });
tp.track('add_payment_info', { currency: 'EUR', value: 24, payment_type: 'card', items: [mug] });
tp.track('purchase', { transaction_id: 'T-1001', currency: 'EUR', value: 28.5, tax: 4.5, shipping: 4, items: [mug] });
tp.track('purchase', { transaction_id: 1001, currency: 'EUR', value: 24, items: [mug] }); // an integer order number
tp.track('add_shipping_info', { currency: 'EUR', value: 24, shipping_tier: 'express', items: [mug] });
tp.track('view_cart', { currency: 'EUR', value: 24, items: [mug] });
tp.track('select_item', { item_list_id: 'home', items: [mug] });
tp.track('add_to_wishlist', { currency: 'EUR', value: 12, items: [mug] });
tp.track('view_promotion', { promotion_id: 'summer', creative_slot: 'hero' });
tp.track('select_promotion', { promotion_name: 'Summer sale', items: [mug] });
tp.track('refund', { transaction_id: 'T-1001' }); // the whole order
tp.track('refund', { transaction_id: 'T-1001', currency: 'EUR', value: 12, items: [mug] }); // a part of it
tp.track('newsletter_signup', { placement: 'footer' }); // your own events: any plain object
tp.track('wishlist_opened');
track('add_to_cart', { currency: 'EUR', value: 12, items: [mug] }); // the named export
touchpoint.flush(); // the default export is the same client
tp.page({ section: 'checkout' });
tp.flush();
tp.identify('c-1042', { plan: 'gold' }); // the signed-in customer
tp.identify(1042); // a number is taken as its digits
tp.reset(); // sign-out
tp.set({ experiment: 'checkout_v2', variant: 'B', tier: 2, store: null });
window.touchpoint?.('set', { variant: 'B' });
// The page's hook on each event about to be sent: drop some, change what others say.
tp.beforeSend((e) => (e.event === 'internal_test' ? null : { ...e, properties: { ...e.properties, build: 'b1' } }));
tp.beforeSend((e) => { e.context.page.path = e.context.page.path.replace(/\/order\/\d+/, '/order/:id'); });
tp.beforeSend(null);
init({ site: 'shop', sampleRate: 20, crossDomain: ['checkout.shop.example'], beforeSend: (e) => (e.properties.category === 'friction' ? e : false) });
window.touchpoint?.('beforeSend', (e) => e);
window.touchpoint?.('identify', 'c-1042');
window.touchpoint?.('reset');
tp.friction('payment_declined', { reason: 'card_expired' }); // friction only the page knows of
window.touchpoint?.('friction', 'search_no_results', { term: 'teapot' });

const off: () => void = tp.onConsent((s: ConsentSnapshot) => { if (s.analytics === 'granted') off(); });
const now: ConsentSnapshot | null = tp.consentState();
tp.getConsent().then((s) => s.marketing satisfies 'pending' | 'granted' | 'denied');
tp.getIds().then((ids) => ids.sessionId satisfies string | null);

// Reading events back from the collector (GET /api/events) with their friction properties.
declare const stored: TouchpointEvent[];
const rage = stored.find((e): e is FrictionEvent<'rage_click'> => e.event === 'rage_click');
if (rage) console.log(rage.properties.count, rage.properties.element?.selector, now);
// ... and the journey's: where a session came from, each view's engaged time and web vitals.
const landing = stored.find((e): e is JourneyEvent<'page_view'> => e.event === 'page_view' && e.properties.navigation === 'load');
if (landing?.properties.channel === 'paid_search') console.log(landing.properties.campaign, landing.type satisfies 'page');
for (const e of stored) {
  if (e.event !== 'page_leave') continue;
  const leave = (e as JourneyEvent<'page_leave'>).properties;
  if (leave.inp === 'poor' || (leave.lcp_ms ?? 0) > 4000) console.log(leave.path, leave.engaged_ms, leave.inp_ms, leave.cls_milli);
}
const during: string | undefined = rage?.properties.during;
const clicked = stored.filter((e): e is BuiltInEvent<'click'> => e.event === 'click').map((e) => e.properties.element.selector);
const consent = stored.find((e): e is BuiltInEvent<'consent_change'> => e.event === 'consent_change');
if (consent?.properties.source === 'tcf') console.log(consent.properties.analytics satisfies 'pending' | 'granted' | 'denied', clicked);
// Every value the README documents for a detector's properties and an event's source.
if (consent?.properties.source === 'remembered') console.log('decided on another page');
const fieldError = stored.find((e): e is FrictionEvent<'field_error'> => e.event === 'field_error');
if (fieldError?.properties.reason === 'alert') console.log(fieldError.properties.message);
const back = stored.find((e): e is FrictionEvent<'quick_back'> => e.event === 'quick_back');
if (back?.properties.via === 'reload') console.log(back.properties.dwell_ms);
const failed = stored.find((e): e is FrictionEvent<'failed_request'> => e.event === 'failed_request');
if (failed?.properties.repeats !== undefined) console.log(failed.properties.path, failed.properties.repeats satisfies number);
else if (failed) console.log(failed.properties.status satisfies number);
if (rage?.properties.disabled) console.log('a disabled control pressed again and again');
// (An element, as form_abandon stores it: it was typed as a string.)
const abandon = stored.find((e): e is FrictionEvent<'form_abandon'> => e.event === 'form_abandon');
if (abandon?.properties.last_field) console.log(abandon.properties.last_field.selector satisfies string);
init({ site: 'shop', spa: 'hash,replace', journey: false, clicks: 'off', friction: true });
init({ site: 'shop', spa: ['replace', 'hash'], 'rage-clicks': 4 }); // a list; a kebab-case attribute

window.touchpoint?.('track', 'add_to_cart', { currency: 'EUR', value: 12, items: [mug] });
window.addEventListener('touchpoint:consent', (e) => console.log(e.detail.analytics));

// The README's commerce examples as written there ("The commerce vocabulary", the Commands table),
// through the script tag's global, and docs/single-page-app.md's: each must type-check.
{
  const touchpoint = window.touchpoint!;
  touchpoint('track', 'add_to_cart', {currency: 'EUR', value: 12, items: [{item_id: 'mug', price: 12, quantity: 1}]});
  const items = [{ item_id: 'mug', item_name: 'Stoneware Mug', price: 12, quantity: 2 }];
  touchpoint('track', 'view_item_list', { item_list_id: 'home', item_list_name: 'Home', items });
  touchpoint('track', 'view_item', { currency: 'EUR', value: 12, items: [{ item_id: 'mug', price: 12 }] });
  touchpoint('track', 'add_to_cart', { currency: 'EUR', value: 24, items });
  touchpoint('track', 'remove_from_cart', { currency: 'EUR', value: 24, items });
  touchpoint('track', 'begin_checkout', { currency: 'EUR', value: 24, items, coupon: 'WELCOME' });
  touchpoint('track', 'add_payment_info', { currency: 'EUR', value: 24, items, payment_type: 'card' });
  touchpoint('track', 'purchase', { transaction_id: 'T-1001', currency: 'EUR', value: 24, shipping: 4, tax: 4, items });
  // Extra properties of one's own, on the event and on an item, are allowed.
  tp.track('add_to_cart', { currency: 'EUR', value: 12, items: [{ item_id: 'mug', price: 12, colour: 'blue' }], placement: 'pdp' });
}
{
  const items = [{ item_id: 'mug', item_name: 'Stoneware Mug', price: 12, quantity: 2 }];
  tp.track('add_to_cart', {
    currency: 'EUR',
    value: 24,
    items: [{ item_id: 'mug', item_name: 'Stoneware Mug', price: 12, quantity: 2 }],
  });
  tp.track('purchase', { transaction_id: 'T-1001', currency: 'EUR', value: 24, tax: 4, shipping: 4, items });
}

// Your own interfaces and types, with no index signature, are properties as they are.
interface Placement { placement: string; slot: number; tags: string[]; meta?: { seen: boolean } }
interface CartLine { item_id: string; price: number; quantity: number }
interface CartChange { currency: string; value: number; items: CartLine[] }
interface Customer { plan: 'gold' | 'silver'; since: number }
{
  const placement: Placement = { placement: 'footer', slot: 2, tags: ['a'] };
  const line: CartLine = { item_id: 'mug', price: 12, quantity: 1 };
  const change: CartChange = { currency: 'EUR', value: 12, items: [line] };
  tp.track('newsletter_signup', placement);
  tp.track('add_to_cart', { currency: 'EUR', value: 12, items: [line] });
  tp.track('add_to_cart', change);
  tp.identify('c-1042', { plan: 'gold', since: 2021 } as Customer);
  tp.page(placement);
  tp.friction('payment_declined', placement);
  window.touchpoint?.('track', 'remove_from_cart', change);
  window.touchpoint?.('track', 'promo_seen', placement);
}
interface WithCallback { placement: string; onDone: () => void }
interface WithDate { at: Date }
interface NoCurrency { value: number; items: CartLine[] }
declare const withCallback: WithCallback, withDate: WithDate, noCurrency: NoCurrency;
declare const RefSymbol: unique symbol;
interface LikeRef<T> { value: T; [RefSymbol]: true } // (Vue's Ref, as @vue/reactivity declares it)
declare const qty: LikeRef<number>;

// ---- Must not compile ----
// @ts-expect-error a function is no JSON value
tp.track('newsletter_signup', withCallback);
// @ts-expect-error nor is a framework's reactive reference (Vue's ref: send qty.value)
tp.track('qty_changed', { qty });
// @ts-expect-error nor is a Date (send date.toISOString())
tp.identify('c-1042', withDate);
// @ts-expect-error an interface of one's own is checked as a literal is: add_to_cart needs currency
tp.track('add_to_cart', noCurrency);
// @ts-expect-error add_to_cart needs currency (GA4: with value)
tp.track('add_to_cart', { value: 24, items: [mug] });
// @ts-expect-error items is an array of items
tp.track('add_to_cart', { currency: 'EUR', value: 24, items: mug });
// @ts-expect-error value is a number
tp.track('view_item', { currency: 'EUR', value: '12', items: [mug] });
// @ts-expect-error purchase needs a transaction_id
tp.track('purchase', { currency: 'EUR', value: 24, items: [mug] });
// @ts-expect-error GA4's transaction_id, not Segment's order_id (the error names transaction_id)
tp.track('purchase', { order_id: 'T-1001', currency: 'EUR', value: 24, items: [mug] });
// @ts-expect-error a refund names its order
tp.track('refund', { currency: 'EUR', value: 24 });
// @ts-expect-error add_shipping_info needs currency, value and items, as add_payment_info does
tp.track('add_shipping_info', { shipping_tier: 'express' });
// @ts-expect-error an item needs item_id or item_name
tp.track('add_to_cart', { currency: 'EUR', value: 12, items: [{ price: 12 }] });
// @ts-expect-error the README's old shape (sku, price): GA4's add_to_cart has currency, value and items
tp.track('add_to_cart', { sku: 'mug', price: 12, currency: 'EUR', quantity: 1 });
// @ts-expect-error items is a list of products, not a count
tp.track('begin_checkout', { currency: 'EUR', value: 24, items: 2 });
// @ts-expect-error payment_type is a string
tp.track('add_payment_info', { currency: 'EUR', value: 24, items: [mug], payment_type: 1 });
// @ts-expect-error the SDK records friction itself
tp.track('rage_click', { count: 3 });
// @ts-expect-error and its rate limit's report
tp.track('rate_limited', { dropped: 3 });
// @ts-expect-error page views go through page()
tp.track('page_view');
// @ts-expect-error properties are a plain object
tp.track('newsletter_signup', 'footer');
// @ts-expect-error not an array (the SDK refuses the call)
tp.track('newsletter_signup', [1, 2]);
// @ts-expect-error nor through the global
window.touchpoint?.('track', 'newsletter_signup', [1, 2]);
// @ts-expect-error traits are a plain object
tp.identify('c-1042', 'gold');
// @ts-expect-error a detector's name is Touchpoint's own signal
tp.friction('rage_click');
// @ts-expect-error consent takes booleans (or Consent Mode's 'granted'/'denied')
tp.consent({ analytics: 'yes' });
// @ts-expect-error an unknown consent state
init({ consent: 'maybe' });
// @ts-expect-error a misspelt option (collector)
init({ colector: '/v1/batch' });
// @ts-expect-error a misspelt option (sampleRate)
init({ sampelRate: 10 });
// @ts-expect-error the script tag's global is typed too
window.touchpoint?.('track', 'purchase', { currency: 'EUR', value: 1, items: [] });
// @ts-expect-error a tag is a string, number or boolean (null removes it), not an object
tp.set({ cart: { items: 2 } });
// @ts-expect-error the hook returns the event, nothing, null or false
tp.beforeSend(() => 'drop');
// @ts-expect-error a channel is one of the README's
const channel: JourneyEvent<'page_view'>['properties']['channel'] = 'newsletter';
// @ts-expect-error INP is rated, not a number (inp_ms has the figure)
const inp: JourneyEvent<'page_leave'>['properties']['inp'] = 620;
