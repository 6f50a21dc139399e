// Types for npm/touchpoint.mjs. The option names are the script tag's data-* attributes in
// camelCase (kebab-case works too); values are passed to the SDK as attribute strings.

export type ConsentState = 'pending' | 'granted' | 'denied';

export interface InitOptions {
  /** URL of touchpoint.js (default `/touchpoint/touchpoint.js`); touchpoint_bg.wasm sits next to it. */
  src?: string;
  /** Where batches are POSTed (default `/v1/batch`). */
  collector?: string;
  /** Site id, 1-64 of `A-Za-z0-9-_.`. */
  site?: string;
  /** Initial analytics consent (default `pending`); `tcf` follows the page's IAB TCF CMP. */
  consent?: ConsentState | 'tcf';
  batchSize?: number;
  flushInterval?: number;
  maxQueue?: number;
  retryBase?: number;
  retryCap?: number;
  pendingLimit?: number;
  honorDnt?: boolean;
  /** Comma-separated extra URL query parameter names to mask. */
  maskParams?: string;
  gzip?: boolean;
  [dataAttribute: string]: string | number | boolean | undefined | null;
}

/** A category set to true grants it, false denies it; Consent Mode names are accepted too. */
export interface ConsentUpdate {
  analytics?: boolean;
  marketing?: boolean;
  analytics_storage?: 'granted' | 'denied';
  ad_storage?: 'granted' | 'denied';
}

export interface ConsentSnapshot {
  analytics: ConsentState;
  marketing: ConsentState;
}

/** JSON-serialisable event properties. */
export type Properties = { [key: string]: unknown };

/** Installs the queueing stub and loads the SDK once; later calls are no-ops. */
export function init(options?: InitOptions): void;
export function consent(categories: ConsentUpdate): void;
/** `name` is normalised to snake_case ("Add To Cart" and "addToCart" become `add_to_cart`), at most
 * 64 characters; `properties` must be a plain object. */
export function track(name: string, properties?: Properties): void;
export function page(properties?: Properties): void;
export function flush(): void;
/** Resolves once the SDK has answered. */
export function getConsent(): Promise<ConsentSnapshot>;
