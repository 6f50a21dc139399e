// The SDKs under test: which files a page downloads, how the page installs and initialises each one
// (script tag, local dummy endpoint, tracking fully on), when it counts as ready, and its track call.
//
// Every page has the same head prologue (`__b`, `__ready()`, a long-task observer) and the same body;
// each SDK's snippet calls `__ready()` from its own ready callback, so `__b.ready` is the
// performance.now() of readiness, i.e. milliseconds since navigation start.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nm = (p) => path.join(root, 'node_modules', p);

export function pkgVersion(name) {
  try { return JSON.parse(fs.readFileSync(nm(`${name}/package.json`), 'utf8')).version; } catch { return null; }
}

const PROLOGUE = `<script>
window.__b={ready:null,lt:0,ltn:0};
window.__ready=function(){if(__b.ready===null)__b.ready=performance.now();};
try{new PerformanceObserver(function(l){l.getEntries().forEach(function(e){__b.lt+=e.duration;__b.ltn++;});}).observe({type:'longtask',buffered:true});}catch(e){}
</script>`;
const BODY = `<h1>Benchmark fixture</h1><p>A minimal page with one link and one button.</p>
<a href="#details">Details</a> <button id="buy" type="button">Buy</button>`;

export function page(head) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Bench</title>\n${PROLOGUE}\n${head}\n</head><body>${BODY}</body></html>`;
}

const POSTHOG_REMOTE_CONFIG = {
  token: 'phc_bench', supportedCompression: ['gzip', 'gzip-js'], hasFeatureFlags: false, captureDeadClicks: false,
  capturePerformance: false, autocapture_opt_out: false, autocaptureExceptions: false, analytics: { endpoint: '/i/v0/e/' },
  elementsChainAsString: true, sessionRecording: false, heatmaps: false, surveys: false, defaultIdentifiedOnly: true,
};

/** Where the esbuild-minified copies of unminified bundles go (outside the repo). */
export const cacheDir = path.join(os.tmpdir(), 'touchpoint-bench');

/**
 * Each SDK:
 *  id, name, pkg (npm name or null), bundle: [{label, file}] = the script-tag files counted for size,
 *  statics: server routes, json/postJson: dummy API answers, head: the page's snippet,
 *  notes: caveats printed with the results.
 * `track(i)` is defined in the page as `window.__track`.
 */
export function defineSdks({ touchpointDir = path.join(root, 'dist') } = {}) {
  const ph = nm('posthog-js/dist');
  const seg = nm('@segment/analytics-next/dist/umd');
  const sp = nm('@snowplow/browser-tracker/dist/index.umd.min.js');
  const rsSrc = nm('@rudderstack/analytics-js/dist/npm/modern/bundled/umd/index.js');
  const rsMin = path.join(cacheDir, 'rudderstack-analytics-js.bundled.umd.min.js');
  const clarity = nm('clarity-js/build/clarity.min.js');

  return [
    {
      id: 'blank', name: 'blank page (baseline)', pkg: null, baseline: true, bundle: [], statics: [],
      head: `<script>addEventListener('load',function(){__ready()});window.__track=function(i){};</script>`,
      notes: [],
    },
    {
      id: 'touchpoint', name: 'Touchpoint', pkg: null, version: pkgVersion('..') || '0.1.0',
      bundle: [
        { label: 'dist/touchpoint.js', file: path.join(touchpointDir, 'touchpoint.js') },
        { label: 'dist/touchpoint_bg.wasm', file: path.join(touchpointDir, 'touchpoint_bg.wasm') },
      ],
      statics: [{ prefix: '/touchpoint/', dir: touchpointDir }],
      // The accessor only observes assignments: the SDK is ready when the stub is replaced by a
      // function without the stub's queue (`!window.touchpoint.q`), which the loader does right
      // after the wasm booted and replayed the queue.
      head: `<script>(function(){var v,n=0;Object.defineProperty(window,'touchpoint',{configurable:true,enumerable:true,
get:function(){return v},set:function(x){v=x;if(++n>1&&typeof x==='function'&&!x.q)__ready();}});})();</script>
<script>window.touchpoint=window.touchpoint||function(){(touchpoint.q=touchpoint.q||[]).push(arguments)};</script>
<script async src="/touchpoint/touchpoint.js" data-collector="/v1/batch" data-site="bench" data-consent="granted"></script>
<script>window.__track=function(i){touchpoint('track','bench_event',{i:i})};</script>`,
      readyCheck: 'window.touchpoint && window.touchpoint.ready === true',
      wasm: true,
      notes: ['sends a page view on load; batches of 50 events as text/plain JSON; unsent events written to localStorage in groups, once per flush tick'],
    },
    {
      id: 'posthog', name: 'PostHog', pkg: 'posthog-js',
      bundle: [{ label: 'posthog-js/dist/array.js', file: path.join(ph, 'array.js') }],
      lazyDir: ph,
      // Lazy extensions are fetched from {api_host}/static/{version}/ first, then /static/.
      statics: [{ prefix: `/ph/static/${pkgVersion('posthog-js')}/`, dir: ph }, { prefix: '/ph/static/', dir: ph }],
      // Remote config (the script the CDN serves per project, and its JSON fallback) and feature
      // flags: a new, empty project (no recordings, surveys or site apps).
      text: { '/ph/array/phc_bench/config.js': { type: 'text/javascript', body: `(function(){var w=window;w._POSTHOG_REMOTE_CONFIG=w._POSTHOG_REMOTE_CONFIG||{};w._POSTHOG_REMOTE_CONFIG['phc_bench']={config:${JSON.stringify(POSTHOG_REMOTE_CONFIG)},siteApps:[]};})();` } },
      json: { '/ph/array/phc_bench/config': POSTHOG_REMOTE_CONFIG },
      postJson: { '/ph/flags': { flags: {}, featureFlags: {}, featureFlagPayloads: {}, errorsWhileComputingFlags: false } },
      head: `<script>function __init(){posthog.init('phc_bench',{api_host:location.origin+'/ph',opt_out_useragent_filter:true,rate_limiting:{events_per_second:1000,events_burst_limit:1000},loaded:function(){__ready()}});}</script>
<script async src="/ph/static/array.js" onload="__init()"></script>
<script>window.__track=function(i){posthog.capture('bench_event',{i:i})};</script>`,
      notes: ['defaults (autocapture, $pageview, page-leave) except two limits that would drop the benchmark\'s events: opt_out_useragent_filter (it drops everything when navigator.webdriver is true, as under Playwright) and rate_limiting raised to 1000/s (default 10/s, burst 100: 900 of the 1,000 calls would be dropped); remote config of an empty project; lazy-loads surveys.js (served locally, counted); uploads batches every ~3 s'],
    },
    {
      id: 'segment', name: 'Segment analytics-next', pkg: '@segment/analytics-next',
      bundle: [{ label: '@segment/analytics-next/dist/umd/standalone.js', file: path.join(seg, 'standalone.js') }],
      lazyDir: seg,
      statics: [
        { prefix: '/seg/analytics.js/v1/benchkey/analytics.min.js', file: path.join(seg, 'standalone.js') },
        { prefix: '/seg/analytics-next/bundles/', dir: seg },
      ],
      json: {}, // settings are added once the origin is known (see settings())
      settings(origin) {
        return {
          '/seg/v1/projects/benchkey/settings': {
            integrations: { 'Segment.io': { apiKey: 'benchkey', apiHost: `${origin.replace(/^http:\/\//, '')}/seg-api/v1`, protocol: 'http' } },
            plan: { track: { __default: { enabled: true, integrations: {} } }, identify: { __default: { enabled: true } }, group: { __default: { enabled: true } } },
            edgeFunction: {}, analyticsNextEnabled: true, middlewareSettings: {}, enabledMiddleware: {},
            metrics: { sampleRate: 0 }, legacyVideoPluginsEnabled: false, remotePlugins: [],
          },
        };
      },
      // The snippet's essentials: a buffer array with the write key and CDN, a queued ready
      // callback and the page() call every Segment snippet makes.
      head: `<script>window.analytics=[];analytics._writeKey='benchkey';analytics._cdn=location.origin+'/seg';
analytics.push(['ready',function(){__ready()}]);analytics.push(['page']);</script>
<script async src="/seg/analytics.js/v1/benchkey/analytics.min.js"></script>
<script>window.__track=function(i){analytics.track('bench_event',{i:i})};</script>`,
      notes: ['downloads its CDN settings (served locally: one Segment.io destination, no device-mode destinations or middleware, so no lazy webpack chunk is needed; any chunk fetched would be served locally and counted); one POST per event by default'],
    },
    {
      id: 'snowplow', name: 'Snowplow browser-tracker', pkg: '@snowplow/browser-tracker',
      bundle: [{ label: '@snowplow/browser-tracker/dist/index.umd.min.js', file: sp }],
      statics: [{ prefix: '/sp/sp.js', file: sp }],
      head: `<script>function __init(){var s=snowplowBrowserTracking;s.newTracker('sp',location.origin+'/sp',{appId:'bench',platform:'web'});s.trackPageView();__ready();}</script>
<script async src="/sp/sp.js" onload="__init()"></script>
<script>window.__track=function(i){snowplowBrowserTracking.trackSelfDescribingEvent({event:{schema:'iglu:com.example/bench_event/jsonschema/1-0-0',data:{i:i}}})};</script>`,
      notes: ['the npm UMD build of the browser tracker (sp.js of @snowplow/javascript-tracker is not on npm); ready = newTracker() returned (synchronous); POST per event by default (bufferSize 1)'],
    },
    {
      id: 'rudderstack', name: 'RudderStack analytics-js v3', pkg: '@rudderstack/analytics-js',
      bundle: [{ label: '@rudderstack/analytics-js/dist/npm/modern/bundled/umd/index.js (esbuild --minify)', file: rsMin, source: rsSrc }],
      minify: { from: rsSrc, to: rsMin },
      statics: [{ prefix: '/rs/rsa.min.js', file: rsMin }],
      head: `<script>function __init(){var ra=window.__ra=new rudderanalytics.RudderAnalytics();
ra.load('benchkey',location.origin+'/rs-dp',{
 getSourceConfig:function(){return {source:{id:'bench',name:'bench',writeKey:'benchkey',enabled:true,workspaceId:'bench',config:{},destinations:[]}}},
 destSDKBaseURL:location.origin+'/rs-cdn/js-integrations',pluginsSDKBaseURL:location.origin+'/rs-cdn/plugins'});
ra.ready(function(){__ready()});ra.page();}</script>
<script async src="/rs/rsa.min.js" onload="__init()"></script>
<script>window.__track=function(i){__ra.track('bench_event',{i:i})};</script>`,
      notes: ['npm ships no CDN build (rsa.min.js); its "bundled" UMD (plugins included, unminified) is minified with esbuild and served; source config given inline (getSourceConfig), so no config fetch'],
    },
    {
      id: 'clarity', name: 'Microsoft Clarity (clarity-js)', pkg: 'clarity-js',
      bundle: [{ label: 'clarity-js/build/clarity.min.js', file: clarity }],
      statics: [{ prefix: '/clarity/clarity.js', file: clarity }],
      head: `<script>window.clarity=window.clarity||function(){(clarity.q=clarity.q||[]).push(arguments)};
clarity('start',{projectId:'bench',upload:location.origin+'/clarity/collect',track:true,content:true});clarity('consent');</script>
<script async src="/clarity/clarity.js" onload="if(window.clarity&&clarity.v)__ready()"></script>
<script>window.__track=function(i){clarity('event','bench_event')};</script>`,
      notes: ['clarity-js build/clarity.min.js started with clarity("start", {upload: local URL}) and clarity("consent"); custom events carry only a name; it also serialises the DOM for session replay'],
    },
  ];
}
