// Types for the `touchpoint` npm package: the client returned by init(), the options (the script
// tag's data-* attributes in camelCase) and the event vocabulary: the commerce events a shop
// sends with track() (GA4's names and properties), and the touchpoint and friction events the SDK
// records by itself (read back from the collector as `TouchpointEvent`).

export type ConsentState = 'pending' | 'granted' | 'denied';

export interface ConsentSnapshot {
  analytics: ConsentState;
  marketing: ConsentState;
}

/** The ids the next event carries (`getIds`), for your own server: store the `sessionId` with
 * an order to find the visit that placed it in the inspector. `null` for none: all three while
 * analytics is not granted (or the session is out of `sampleRate`), `anonymousId` without
 * marketing consent, `userId` before `identify`. */
export interface Ids {
  sessionId: string | null;
  anonymousId: string | null;
  userId: string | null;
}

/** A category set to true grants it, false denies it; Google Consent Mode names are accepted too. */
export interface ConsentUpdate {
  analytics?: boolean | undefined;
  marketing?: boolean | undefined;
  analytics_storage?: 'granted' | 'denied' | undefined;
  ad_storage?: 'granted' | 'denied' | undefined;
}

/** Friction detector names, for `frictionOff`. */
export type FrictionDetector =
  | 'rage' | 'dead' | 'error' | 'slow' | 'quick-back' | 'thrash' | 'field' | 'abandon' | 'js-error' | 'request' | 'vital';

/** The script tag's data-* attributes, in camelCase (kebab-case keys work too). Values are passed
 * to the SDK as attribute text; a malformed value gets a console warning and the default. */
export interface InitOptions {
  /** Where batches are POSTed (default `/v1/batch`). */
  collector?: string | undefined;
  /** Site id, 1-64 of `A-Za-z0-9-_.` (default `default`, with a warning). */
  site?: string | undefined;
  /** Initial analytics consent (default `pending`); `tcf` follows the page's IAB TCF CMP,
   * `consent-mode` the choice its consent platform gives Google Consent Mode (`window.dataLayer`),
   * `opt-out` grants analytics and marketing until the visitor opts out (US state laws). */
  consent?: ConsentState | 'tcf' | 'consent-mode' | 'opt-out' | undefined;
  /** Send when this many events are queued (default 50). */
  batchSize?: number | undefined;
  /** ms after the oldest queued event to send anyway (default 5000). */
  flushInterval?: number | undefined;
  /** Unsent events kept (default 1000). */
  maxQueue?: number | undefined;
  retryBase?: number | undefined;
  retryCap?: number | undefined;
  /** ms a batch's request may go unanswered before it is aborted and retried (default 30000). */
  requestTimeout?: number | undefined;
  /** Events kept in memory while consent is pending (default 100). */
  pendingLimit?: number | undefined;
  /** The shop's other domains (each covers its subdomains): links and forms to them carry the
   * visit's session (`_tp`), and a page opened by one from them continues it. */
  crossDomain?: string | string[] | undefined;
  /** Your `beforeSend` hook, set before anything is sent (see `Touchpoint.beforeSend`). */
  beforeSend?: BeforeSend | undefined;
  /** The percentage of sessions kept, a whole number 0-100 (default 100); each session is in or
   * out as a whole, on every page and tab, and one out of the sample costs the page what
   * consent denied costs. */
  sampleRate?: number | undefined;
  honorDnt?: boolean | undefined;
  /** Extra URL query parameters to mask (a list or comma-separated). */
  maskParams?: string | string[] | undefined;
  gzip?: boolean | undefined;
  /** `off` switches friction detection off. */
  friction?: 'on' | 'off' | boolean | undefined;
  /** Switches some detectors off. */
  frictionOff?: FrictionDetector[] | string | undefined;
  /** CSS selectors of elements that change on their own (third-party widgets: a sales-pop toast,
   * a chat launcher), like those marked `data-tp-ambient`: their changes answer no click outside them. */
  ambient?: string | undefined;
  /** CSS selectors of elements treated as marked `data-tp-ignore` (a third party's widget the page
   * cannot mark): nothing in them is captured. The common consent platforms' dialogs always are. */
  ignore?: string | string[] | undefined;
  /** Friction thresholds (the README's friction table has the defaults). */
  rageClicks?: number | undefined;
  rageWindowMs?: number | undefined;
  rageRadiusPx?: number | undefined;
  deadClickMs?: number | undefined;
  deadClickMaxMs?: number | undefined;
  errorClickMs?: number | undefined;
  slowInteractionMs?: number | undefined;
  quickBackMs?: number | undefined;
  thrashTurns?: number | undefined;
  thrashWindowMs?: number | undefined;
  jsErrorMax?: number | undefined;
  poorLcpMs?: number | undefined;
  poorInpMs?: number | undefined;
  /** CLS in thousandths (250 = 0.25). */
  poorClsMilli?: number | undefined;
  /** `off`: no journey touchpoints (page_leave, scroll_depth, forms, links, site search, element views). */
  journey?: 'on' | 'off' | boolean | undefined;
  /** `off`: no `click` events (friction detection and the journey's link touchpoints go on). */
  clicks?: 'on' | 'off' | boolean | undefined;
  /** `off`: no page views from history changes (on: pushState, back/forward, a replaceState to
   * another path); `replace` (every replaceState), `hash` (or both, comma-separated or a list)
   * add them. */
  spa?: 'on' | 'off' | 'replace' | 'hash' | 'replace,hash' | 'hash,replace' | ('replace' | 'hash')[] | undefined;
  /** Moments of truth (default `add_to_cart,begin_checkout,purchase`). */
  moments?: string | string[] | undefined;
  /** Query parameters that carry a site search's term (default `q,s,query,search,keyword`). */
  searchParams?: string | string[] | undefined;
  /** Link targets that count as file_download. */
  downloadExtensions?: string | string[] | undefined;
  /** Remember the visitor's consent decision for the next pages (`tp_consent` in localStorage). */
  rememberConsent?: boolean | undefined;
  /** Mask emails, cards and IBANs in custom properties, drop secret-named keys (default true). */
  scrubProperties?: boolean | undefined;
  /** The rate limit on track calls: `"<burst>,<per second>"` (default `"500,50"`) or `off`. */
  trackLimit?: string | undefined;
  /** The in-page debug overlay. */
  debug?: boolean | undefined;
  /** Where to load touchpoint_bg.wasm from. Default: where the bundler put it
   * (`new URL('./touchpoint_bg.wasm', import.meta.url)`). */
  wasmUrl?: string | URL | undefined;
  /** Where to load touchpoint-overlay.js (the debug overlay) from, when `debug` is on; by default
   * the bundler's asset. */
  overlayUrl?: string | URL | undefined;
  /** Any other data-* attribute of the SDK, by its kebab-case name (`'rage-clicks'`). Only
   * names with a dash: a misspelt camelCase option (`colector`, `sampelRate`) is an error. */
  [dataAttribute: `${string}-${string}`]: string | number | boolean | string[] | URL | BeforeSend | undefined | null;
}

/** A JSON value, as properties carry them. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json | undefined };
/** Properties of a custom event: a plain object of JSON values. */
export type Properties = { [key: string]: Json | undefined };
/** What the calls taking properties check an argument of type `P` against: `P` where its values
 * are JSON, `never` where not (a function, a Date, a Map). Your own interfaces pass as they are:
 * TypeScript gives an interface no index signature, so it is never assignable to `Properties`. */
export type JsonOnly<P> = [P] extends [Json | undefined] ? P
  : P extends string | number | boolean | null | undefined ? P
  : P extends (...args: never[]) => unknown ? never
  : P extends readonly (infer U)[] ? readonly JsonOnly<U>[]
  : P extends Date | RegExp | Map<unknown, unknown> | Set<unknown> | Promise<unknown> ? never
  // (An object with symbol keys is no plain data: a Vue `ref` passed without `.value`, whose
  // links to its effects are a cycle the SDK cannot serialise, and the event was dropped.)
  : P extends object ? [Extract<keyof P, symbol>] extends [never] ? { [K in keyof P]: JsonOnly<P[K]> } : never
  : never;
/** An object argument whose values are JSON (see `JsonOnly`), not an array (the SDK refuses
 * one, and the call with it). */
type Props<P> = P & (P extends readonly unknown[] ? never : JsonOnly<P>);

// ---- Commerce: GA4's recommended e-commerce events and their parameters ----

/** One product in `items` (GA4 item parameters). GA4 requires `item_id` or `item_name`. */
export type Item = ItemShape & Properties;
/** An item's GA4 fields and the id or name it needs, what track() checks an item of any type
 * against (`Item` adds the index signature that lets you annotate a literal with extra fields). */
export type ItemShape = ItemFields & ({ item_id: string } | { item_name: string });
export interface ItemFields {
  item_id?: string | undefined;
  item_name?: string | undefined;
  affiliation?: string | undefined;
  coupon?: string | undefined;
  discount?: number | undefined;
  index?: number | undefined;
  item_brand?: string | undefined;
  item_category?: string | undefined;
  item_category2?: string | undefined;
  item_category3?: string | undefined;
  item_category4?: string | undefined;
  item_category5?: string | undefined;
  item_list_id?: string | undefined;
  item_list_name?: string | undefined;
  item_variant?: string | undefined;
  location_id?: string | undefined;
  price?: number | undefined;
  quantity?: number | undefined;
}

/** ISO 4217 code, e.g. `EUR`. */
export type Currency = string;

interface Valued {
  /** Required with `value` (GA4). */
  currency: Currency;
  /** The sum of price × quantity of `items` (as in GA4, without shipping and tax). */
  value: number;
  items: readonly ItemShape[];
}

/** GA4's recommended e-commerce events: their names and parameters, as the README's "The commerce
 * vocabulary" documents them. Extra properties are allowed on each event and each item. */
export interface CommerceShapes {
  view_item_list: { item_list_id?: string; item_list_name?: string; items: readonly ItemShape[] };
  view_item: Valued;
  add_to_cart: Valued;
  remove_from_cart: Valued;
  begin_checkout: Valued & { coupon?: string };
  add_payment_info: Valued & { coupon?: string; payment_type?: string };
  add_shipping_info: Valued & { coupon?: string; shipping_tier?: string };
  purchase: Valued & {
    /** Unique per order: the collector stores one purchase per order (a string, or an integer). */
    transaction_id: string | number;
    coupon?: string | undefined;
    shipping?: number | undefined;
    tax?: number | undefined;
    affiliation?: string | undefined;
  };
  /** An order refunded: the whole order without `items`, a part of it with them. */
  refund: Partial<Valued> & {
    transaction_id: string | number;
    coupon?: string | undefined;
    shipping?: number | undefined;
    tax?: number | undefined;
    affiliation?: string | undefined;
  };
  select_item: { item_list_id?: string; item_list_name?: string; items: readonly ItemShape[] };
  view_cart: Valued;
  add_to_wishlist: Valued;
  view_promotion: Promotion;
  select_promotion: Promotion;
}
/** A promotion (GA4's promotion parameters); `items` optional. */
interface Promotion {
  creative_name?: string | undefined;
  creative_slot?: string | undefined;
  promotion_id?: string | undefined;
  promotion_name?: string | undefined;
  items?: readonly ItemShape[] | undefined;
}
/** The commerce events' properties as a type to annotate with (extra properties allowed). */
export type CommerceEvents = { [N in keyof CommerceShapes]: CommerceShapes[N] & Properties };
export type CommerceEventName = keyof CommerceEvents;

// ---- What the SDK records by itself ----

/** Touchpoints of the customer journey (`properties.category = "touchpoint"`). */
export type TouchpointEventName =
  | 'page_view' | 'page_leave' | 'scroll_depth' | 'form_start' | 'form_submit'
  | 'outbound_click' | 'file_download' | 'site_search' | 'element_view';

/** Friction signals (`properties.category = "friction"`). */
export type FrictionEventName =
  | 'rage_click' | 'dead_click' | 'error_click' | 'slow_interaction' | 'quick_back' | 'scroll_thrash'
  | 'field_error' | 'form_abandon' | 'js_error' | 'failed_request' | 'poor_vital';

/** Names the SDK records itself; track() refuses them in TypeScript (page views go through page()). */
export type AutomaticEventName = TouchpointEventName | FrictionEventName | keyof BuiltInEvents;

/** An element as events describe it: a short CSS path, the tag, the id, the scrubbed visible label. */
export type ElementDescriptor = {
  selector: string;
  tag: string;
  id?: string | undefined;
  text?: string | undefined;
};

type FrictionBase = {
  category: 'friction';
  element?: ElementDescriptor | undefined;
  /** The moment of truth under way in the page view (`moments`), e.g. `begin_checkout`. */
  during?: string | undefined;
};

/** The channel a session came from, by the README's rules ("Sessions and attribution"). */
export type Channel =
  | 'direct' | 'internal' | 'organic_search' | 'paid_search' | 'social' | 'paid_social' | 'video'
  | 'paid_video' | 'paid_other' | 'email' | 'display' | 'affiliate' | 'referral' | 'sms' | 'push'
  | 'audio' | 'other';

/** What a session's first page view says of where it came from: the channel, the landing's
 * `utm_*` values (`utm_id` as `campaign_id`), the click id's name (never its value) and the
 * referrer's host. A later view a campaign link led to during the session carries the same,
 * by its address only (no referrer), with `mid_session: true`. */
export type Attribution = {
  channel: Channel;
  mid_session?: true | undefined;
  source?: string | undefined;
  medium?: string | undefined;
  campaign?: string | undefined;
  term?: string | undefined;
  content?: string | undefined;
  campaign_id?: string | undefined;
  click_id?: string | undefined;
  referrer_host?: string | undefined;
};

type TouchpointBase = { category: 'touchpoint' };

/** The touchpoints the SDK records, typed by their properties (README, "Touchpoints"). */
export interface TouchpointEvents {
  page_view: TouchpointBase & {
    navigation: 'load' | 'push' | 'replace' | 'back_forward' | 'hash' | 'restore' | 'resume' | 'reset' | 'manual';
    previous_path?: string | undefined;
  } & Partial<Attribution>;
  /** One per page view (a stretch after the tab was hidden again: `resumed`, and no vitals). */
  page_leave: TouchpointBase & {
    path: string;
    engaged_ms: number;
    max_scroll_pct: number;
    resumed?: true | undefined;
    /** The page load's Largest Contentful Paint, on its first view only. */
    lcp_ms?: number | undefined;
    /** Cumulative Layout Shift in thousandths (0.1 = 100). */
    cls_milli?: number | undefined;
    inp?: 'good' | 'needs-improvement' | 'poor' | undefined;
    /** When the view's INP interaction lasted 200 ms or more. */
    inp_ms?: number | undefined;
  };
  scroll_depth: TouchpointBase & { percent: 25 | 50 | 75 | 90 | 100 };
  form_start: TouchpointBase & { form: string };
  /** `field_ms`: focus time per field name; never a value. */
  form_submit: TouchpointBase & { form: string; field_ms?: { [field: string]: number } };
  outbound_click: TouchpointBase & { url: string; host: string };
  file_download: TouchpointBase & { url: string; extension: string };
  site_search: TouchpointBase & { term: string; param: string };
  element_view: TouchpointBase & { name: string };
}

export interface FrictionEvents {
  /** `disabled`: the presses of a disabled control (which gets no click events). */
  rage_click: FrictionBase & { count: number; duration_ms: number; disabled?: true };
  /** `pending_requests`: present when a request started while the click waited (still in flight at the verdict; 1 for a request that hung). */
  dead_click: FrictionBase & { waited_ms: number; clicks: number; pending_requests?: number };
  error_click: FrictionBase & { message: string };
  slow_interaction: FrictionBase & {
    duration_ms: number; input_delay_ms: number; processing_ms: number; presentation_ms: number; interaction: string;
  };
  /** `via`: how the visitor came back (`reload`: the page loaded again; `bfcache`: restored). */
  quick_back: FrictionBase & { from_path?: string; to_path: string; dwell_ms: number; via?: 'bfcache' | 'reload' };
  scroll_thrash: FrictionBase & { reversals: number; duration_ms: number };
  /** `message`: an alert's text (scrubbed); never a value. */
  field_error: FrictionBase & { reason: 'invalid' | 'aria_invalid' | 'alert'; form?: string; message?: string };
  /** `last_field`: the field touched last, described as an element is (never its value). */
  form_abandon: FrictionBase & { fields_completed: number; fields: number; last_field?: ElementDescriptor; time_ms: number };
  js_error: FrictionBase & { message: string; source?: string; line?: number; column?: number; kind?: 'error' | 'unhandledrejection'; repeats?: number };
  /** Past 5 per path (20 paths) a page view's further failures come once, at its end: `repeats` per path. */
  failed_request: FrictionBase & (
    | { method: string; path: string; status: number; duration_ms: number; repeats?: undefined }
    | { path: string; repeats: number; method?: undefined; status?: undefined; duration_ms?: undefined });
  /** `value` in milliseconds (LCP, INP); CLS in thousandths (`value_milli`: 250 = 0.25). */
  poor_vital: FrictionBase & ({ metric: 'LCP' | 'INP'; value: number } | { metric: 'CLS'; value_milli: number });
}

/** The page's tags (`set()`): values the inspector can tell friction apart by; `null` removes a key. */
export type Tags = { [key: string]: string | number | boolean | null };

/** One stored event, as the collector returns it (`GET /api/events`) and pipelines receive it. */
export interface TouchpointEvent<P extends object = { [key: string]: unknown }> {
  /** `identify`: the page's `identify()` call, its traits as `properties`. */
  type: 'page' | 'track' | 'identify';
  event: string;
  messageId: string;
  timestamp: string;
  sessionId: string;
  site: string;
  /** The signed-in customer given to `identify()`, on every event after it until `reset()`. */
  userId?: string | null | undefined;
  /** Only with marketing consent. */
  anonymousId?: string | null | undefined;
  properties: P;
  context: {
    page: { url: string; path: string; title: string; referrer: string };
    library: { name: 'touchpoint'; version: string };
    /** The page's tags at capture (`set()`), if any. */
    tags?: { [key: string]: string | number | boolean } | undefined;
    /** With `sampleRate` under 100: the percentage of sessions kept, to scale counts by. */
    sampleRate?: number | undefined;
    /** A browser a program drives (`navigator.webdriver`) or a crawler or headless browser by its user agent; absent for a visitor's. */
    automated?: true | undefined;
    /** The page runs in a frame: its views and engaged time are also the page's around it. */
    framed?: true | undefined;
    /** The `messageId` of the `page_view` of the view the event happened in (its own on a `page_view`). */
    pageViewId?: string | undefined;
    /** The browser's language (`navigator.language`), e.g. `de-DE`. */
    locale?: string | undefined;
    /** The visitor's IANA time zone, e.g. `Europe/Berlin`. */
    timezone?: string | undefined;
    /** By the viewport's size: `mobile` under 768 px wide (or under 1024 px and 500 px tall), `tablet` under 1024 px, else `desktop`. */
    device?: 'mobile' | 'tablet' | 'desktop' | undefined;
    /** The viewport's size in CSS pixels. */
    viewport?: { width: number; height: number } | undefined;
    /** The session's channel, source, medium and campaign (see the README's attribution). */
    channel?: string | undefined;
    source?: string | undefined;
    medium?: string | undefined;
    campaign?: string | undefined;
    [key: string]: Json | undefined;
  };
}
/** A stored friction event of the given name, typed by its properties. */
export type FrictionEvent<N extends FrictionEventName = FrictionEventName> =
  { [K in N]: TouchpointEvent<FrictionEvents[K]> & { type: 'track'; event: K } }[N];
/** The SDK's other events, typed by their properties. */
export interface BuiltInEvents {
  /** A click on a link, a button or an element with a click role (not with `clicks: 'off'`). */
  click: { element: ElementDescriptor };
  /** Every change of consent; delivered only if analytics is granted after it. */
  consent_change: { analytics: ConsentState; marketing: ConsentState; source: 'api' | 'tcf' | 'consent_mode' | 'gpp' | 'remembered' };
  /** Events lost to the queue's bounds, once per run of losses. */
  queue_overflow: { dropped: number };
  /** track() calls over the rate limit, at most every 10 s and when the page is left. */
  rate_limited: { dropped: number };
}
/** A stored event the SDK records itself (not a touchpoint or friction), typed by its properties. */
export type BuiltInEvent<N extends keyof BuiltInEvents = keyof BuiltInEvents> =
  { [K in N]: TouchpointEvent<BuiltInEvents[K]> & { type: 'track'; event: K } }[N];
/** A stored touchpoint of the given name, typed by its properties (`page_view` is `type: 'page'`). */
export type JourneyEvent<N extends TouchpointEventName = TouchpointEventName> =
  { [K in N]: TouchpointEvent<TouchpointEvents[K]> & { type: K extends 'page_view' ? 'page' : 'track'; event: K } }[N];

/** The arguments track() takes after the name: a commerce event's GA4 properties; none for a
 * name the SDK records itself; any plain object for your own events. */
export type TrackArgs<N extends string, P = Properties> =
  N extends CommerceEventName ? (P extends CommerceShapes[N] ? [properties: Props<P>] : [properties: CommerceEvents[N]])
  : N extends AutomaticEventName ? [properties: never]
  : [properties?: Props<P>];

export interface Touchpoint {
  /** Grants or denies consent categories. */
  consent(categories: ConsentUpdate): void;
  /** A custom event. Names are normalised to snake_case (at most 64 characters); write them in
   * snake_case so that commerce events are type-checked. */
  track<N extends string, P extends object = Properties>(name: N, ...properties: TrackArgs<N, P>): void;
  /** A page view (one is sent automatically on load). */
  page<P extends object = Properties>(properties?: Props<P>): void;
  /** Sends what is queued now. */
  flush(): void;
  /** The signed-in customer: your own customer id (never an email address: it is refused),
   * carried as `userId` by every event of the session from now on; `traits` are sent once, on
   * the `identify` event (a number is taken as its digits). Call it at sign-in and on each page while signed in. With marketing
   * consent the id is also kept across visits (`tp:aid:user`) until `reset()`. */
  identify<P extends object = Properties>(userId: string | number, traits?: Props<P>): void;
  /** Sign-out: no user id any more (the stored one removed), a new session (and a new anonymous id). */
  reset(): void;
  /** Friction only your page knows of (a payment declined, a coupon refused, a search without
   * results, an item out of stock): an event of the friction category, with the moment of truth
   * under way, counted by the inspector like the detectors' (whose names it cannot take). */
  friction<N extends string, P extends object = Properties>(name: N extends FrictionEventName ? never : N, properties?: Props<P>): void;
  /** The page's tags (an experiment's variant, the store, the customer's tier): every event
   * captured afterwards on this page (clicks and friction included) carries them as
   * `context.tags`. Merged by key across calls; `null` removes a key. Not kept across pages.
   * Called right after `init()`, before any other call, it tags the page view on load too. */
  set(tags: Tags): void;
  /** Your hook on each event about to leave the browser (called again if its batch is retried):
   * it gets a copy; return it (changed or not) or nothing to send it, `null` or `false` to drop
   * it. Only `properties` and `context` are taken from it (`context.library` stays, and of
   * `context.page` its four strings); an error sends the event as it was. Each call adds a hook
   * (another bundle's too): all apply in order, and a drop by any drops the event; the same
   * function is added once; `null` removes every hook. */
  beforeSend(hook: BeforeSend | null): void;
  /** Resolves once the SDK has answered (never without an `init()`: calls wait for it). */
  getConsent(): Promise<ConsentSnapshot>;
  /** Resolves once the SDK has answered: the ids the next event carries (see `Ids`). Never
   * without an `init()`: calls wait for it. */
  getIds(): Promise<Ids>;
  /** The state last reported by the SDK, or null before it has started. */
  consentState(): ConsentSnapshot | null;
  /** Calls `listener` now if the state is known, then on every change; returns an unsubscribe function. */
  onConsent(listener: (state: ConsentSnapshot) => void): () => void;
}

/** The `beforeSend` hook: see `Touchpoint.beforeSend`. */
export type BeforeSend = (event: TouchpointEvent) => TouchpointEvent | null | false | void;

/** Starts Touchpoint once (later calls, and a script tag on the same page, are no-ops) and
 * returns the client. Outside a browser (server-side rendering) nothing starts. */
export function init(options?: InitOptions): Touchpoint;
export const consent: Touchpoint['consent'];
export const track: Touchpoint['track'];
export const page: Touchpoint['page'];
export const flush: Touchpoint['flush'];
export const identify: Touchpoint['identify'];
export const reset: Touchpoint['reset'];
export const friction: Touchpoint['friction'];
export const set: Touchpoint['set'];
export const beforeSend: Touchpoint['beforeSend'];
export const getConsent: Touchpoint['getConsent'];
export const getIds: Touchpoint['getIds'];
export const consentState: Touchpoint['consentState'];
export const onConsent: Touchpoint['onConsent'];
declare const client: Touchpoint;
export default client;

/** The script tag's global command function (`window.touchpoint`), for pages that use both. */
export interface TouchpointCommand {
  (command: 'consent', categories: ConsentUpdate): void;
  <N extends string, P extends object = Properties>(command: 'track', name: N, ...properties: TrackArgs<N, P>): void;
  <P extends object = Properties>(command: 'page', properties?: Props<P>): void;
  (command: 'flush'): void;
  <P extends object = Properties>(command: 'identify', userId: string | number, traits?: Props<P>): void;
  (command: 'reset'): void;
  (command: 'set', tags: Tags): void;
  (command: 'beforeSend', hook: BeforeSend | null): void;
  <N extends string, P extends object = Properties>(command: 'friction', name: N extends FrictionEventName ? never : N, properties?: Props<P>): void;
  (command: 'getConsent', callback: (state: ConsentSnapshot) => void): void;
  (command: 'getIds', callback: (ids: Ids) => void): void;
  /** `true` once the SDK has replaced the stub. */
  ready?: boolean | undefined;
  q?: IArguments[] | undefined;
}

declare global {
  interface Window {
    touchpoint?: TouchpointCommand | undefined;
  }
  interface WindowEventMap {
    'touchpoint:consent': CustomEvent<ConsentSnapshot>;
  }
}
