// The trackers of the trusted-input workload (bench/trusted.mjs): how each page installs its tracker
// (head snippet only; the body is bench/fixtures/shop.html for all), which local endpoint it sends
// to, when it counts as ready and fully started, and how its uploads are counted.
//
// Every tracker sends to a dummy endpoint on the bench's own 127.0.0.1 server that answers 200.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { cacheDir, pkgVersion, root } from './sdks.mjs';

const nm = (p) => path.join(root, 'node_modules', p);
/** The Snowplow plugins live in their own small npm project (see bench/trusted-deps/package.json). */
export const depsDir = path.join(root, 'bench', 'trusted-deps');
const depNm = (p) => path.join(depsDir, 'node_modules', p);

function depVersion(name) {
  try { return JSON.parse(fs.readFileSync(depNm(`${name}/package.json`), 'utf8')).version; } catch { return null; }
}

// The same prologue as the existing bench pages (bench/sdks.mjs): `__ready()` records readiness and
// a long-task observer counts tasks over 50 ms (`__b.ltn`, `__b.lt` ms) for the whole page life.
const PROLOGUE = `<script>
window.__b={ready:null,lt:0,ltn:0};
window.__ready=function(){if(__b.ready===null)__b.ready=performance.now();};
try{new PerformanceObserver(function(l){l.getEntries().forEach(function(e){__b.lt+=e.duration;__b.ltn++;});}).observe({type:'longtask',buffered:true});}catch(e){}
</script>`;

const fixture = path.join(root, 'bench', 'fixtures', 'shop.html');
/** The shop page with a tracker's head snippet: only the head differs between trackers. */
export function shopPage(head) {
  const html = fs.readFileSync(fixture, 'utf8');
  if (!html.includes('<!--TRACKER-HEAD-->')) throw new Error('bench/fixtures/shop.html lacks its <!--TRACKER-HEAD--> marker');
  return html.replace('<!--TRACKER-HEAD-->', `${PROLOGUE}\n${head}`);
}

/** Twelve product "photos" (SVG, a few hundred bytes each), served at /img/p{n}.svg. */
export function productImages() {
  const hues = [28, 205, 12, 160, 95, 350, 40, 190, 270, 140, 60, 0];
  const out = {};
  hues.forEach((h, i) => {
    out[`/img/p${i + 1}.svg`] = {
      type: 'image/svg+xml',
      body: `<svg xmlns="http://www.w3.org/2000/svg" width="360" height="180" viewBox="0 0 360 180">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${h},45%,82%)"/><stop offset="1" stop-color="hsl(${h},35%,62%)"/></linearGradient></defs>
<rect width="360" height="180" fill="url(#g)"/><ellipse cx="180" cy="150" rx="90" ry="12" fill="rgba(0,0,0,.15)"/>
<path d="M130 60 Q125 150 150 150 L210 150 Q235 150 230 60 Z" fill="hsl(${h},30%,40%)"/><ellipse cx="180" cy="60" rx="50" ry="9" fill="hsl(${h},25%,30%)"/>
<path d="M230 80 q30 5 20 35 q-8 18 -25 15" fill="none" stroke="hsl(${h},30%,40%)" stroke-width="9"/></svg>`,
    };
  });
  return out;
}

const POSTHOG_TOKEN = 'phc_trusted';
// Remote config of a project with the features the page's init also asks for (the client options
// alone would turn them on; the remote config agrees, as it would for a project configured so).
const POSTHOG_REMOTE_CONFIG = {
  token: POSTHOG_TOKEN, supportedCompression: ['gzip', 'gzip-js'], hasFeatureFlags: false, captureDeadClicks: true,
  capturePerformance: { web_vitals: true, network_timing: false }, autocapture_opt_out: false, autocaptureExceptions: true,
  analytics: { endpoint: '/i/v0/e/' }, elementsChainAsString: true, sessionRecording: false, heatmaps: false, surveys: false,
  defaultIdentifiedOnly: true,
};

// The Snowplow page's script: the tracker and its three plugins, bundled with esbuild into one IIFE
// (see bundleSnowplow). The site's router announces route changes with a `shop:route` event; like
// any SPA integration of Snowplow, the page then tracks a page view.
const SNOWPLOW_ENTRY = `import { newTracker, trackPageView } from '@snowplow/browser-tracker';
import { LinkClickTrackingPlugin, enableLinkClickTracking } from '@snowplow/browser-plugin-link-click-tracking';
import { FormTrackingPlugin, enableFormTracking } from '@snowplow/browser-plugin-form-tracking';
import { ErrorTrackingPlugin, enableErrorTracking } from '@snowplow/browser-plugin-error-tracking';
newTracker('sp', location.origin + '/sp', { appId: 'bench', platform: 'web',
  plugins: [LinkClickTrackingPlugin(), FormTrackingPlugin(), ErrorTrackingPlugin()] });
enableLinkClickTracking();
enableFormTracking();
enableErrorTracking();
trackPageView();
addEventListener('shop:route', function () { trackPageView(); });
window.__ready();
`;
export const SNOWPLOW_PLUGINS = ['@snowplow/browser-plugin-link-click-tracking', '@snowplow/browser-plugin-form-tracking', '@snowplow/browser-plugin-error-tracking'];

/**
 * Bundles the Snowplow page script once (cached under os.tmpdir() by a hash of its inputs).
 * The plugins come from bench/trusted-deps; every `@snowplow/*tracker-core` import, the plugins'
 * included, resolves to the root's copies (4.10.1, what @snowplow/browser-tracker uses), so the
 * bundle holds one tracker core, as a build of tracker and plugins at one version would.
 */
export async function bundleSnowplow() {
  const missing = SNOWPLOW_PLUGINS.filter((p) => !depVersion(p));
  if (missing.length) throw new Error(`${missing.join(', ')} not installed in bench/trusted-deps`);
  const esbuild = await import('esbuild');
  const alias = {
    '@snowplow/browser-tracker': nm('@snowplow/browser-tracker'),
    '@snowplow/browser-tracker-core': nm('@snowplow/browser-tracker-core'),
    '@snowplow/tracker-core': nm('@snowplow/tracker-core'),
  };
  const versions = ['@snowplow/browser-tracker', '@snowplow/browser-tracker-core', '@snowplow/tracker-core'].map((p) => `${p}@${pkgVersion(p)}`)
    .concat(SNOWPLOW_PLUGINS.map((p) => `${p}@${depVersion(p)}`), `esbuild@${esbuild.version}`);
  const hash = crypto.createHash('sha256').update(SNOWPLOW_ENTRY).update(versions.join(',')).digest('hex').slice(0, 12);
  const file = path.join(cacheDir, `trusted-snowplow-${hash}.js`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await esbuild.build({
      stdin: { contents: SNOWPLOW_ENTRY, resolveDir: root, sourcefile: 'snowplow-trusted-entry.js', loader: 'js' },
      bundle: true, format: 'iife', minify: true, target: 'es2019', legalComments: 'none', outfile: tmp,
      nodePaths: [path.join(depsDir, 'node_modules')], alias, logLevel: 'error', write: true,
    });
    fs.renameSync(tmp, file);
  }
  return { file, versions };
}

/** Events in an upload body: Touchpoint's {batch}, Snowplow's {data}, PostHog's array (maybe gzip). */
export function countEvents(buf, tracker) {
  if (!buf || !buf.length) return { events: 0, names: [] };
  try {
    let text = buf[0] === 0x1f && buf[1] === 0x8b ? zlib.gunzipSync(buf).toString('utf8') : buf.toString('utf8');
    if (tracker === 'posthog' && text.startsWith('data=')) text = Buffer.from(decodeURIComponent(text.slice(5)), 'base64').toString('utf8');
    const body = JSON.parse(text);
    const list = Array.isArray(body) ? body : Array.isArray(body.batch) ? body.batch : Array.isArray(body.data) ? body.data : [body];
    const names = list.map((e) => {
      if (tracker === 'snowplow') {
        if (e.e !== 'ue' || !e.ue_pr) return e.e;
        try { return `ue:${JSON.parse(e.ue_pr).data.schema.split('/')[1]}`; } catch { return 'ue'; }
      }
      return e.event ?? e.type ?? '?';
    });
    return { events: list.length, names };
  } catch {
    return { events: 1, names: ['(unparsed)'] };
  }
}

/**
 * The trackers: id, name, version, head (snippet), readyCheck (page expression, after `__ready()`),
 * startedCheck (page expression: every feature's code is loaded; waited for before the settle
 * period), endpoint(path, method) -> whether a request is an upload to the tracker's collector,
 * expect: 'posts' | 'none' (what the verification demands), statics / pages / json / postJson for
 * the server, notes.
 */
export function defineTrackers({ touchpointDir, snowplowBundle, compareDirs = [] }) {
  const ph = nm('posthog-js/dist');
  const phVersion = pkgVersion('posthog-js');
  // The journey's SPA page views come from Touchpoint's own history observation (like PostHog's
  // capture_pageview: 'history_change'); the variant without the journey has the site's router
  // call touchpoint('page') instead.
  const tpHead = (consent, extra = '', prefix = '/touchpoint/') => `<script>(function(){var v,n=0;Object.defineProperty(window,'touchpoint',{configurable:true,enumerable:true,
get:function(){return v},set:function(x){v=x;if(++n>1&&typeof x==='function'&&!x.q)__ready();}});})();</script>
<script>window.touchpoint=window.touchpoint||function(){(touchpoint.q=touchpoint.q||[]).push(arguments)};</script>
<script async src="${prefix}touchpoint.js" data-collector="/v1/batch" data-site="bench" data-consent="${consent}"${extra}></script>
${/data-spa="off"/.test(extra) ? `<script>addEventListener('shop:route',function(){touchpoint('page')});</script>` : ''}`;
  const tpCommon = {
    pkg: null, version: pkgVersion('..') || '0.1.0',
    statics: [{ prefix: '/touchpoint/', dir: touchpointDir }],
    readyCheck: 'window.touchpoint && window.touchpoint.ready === true',
    endpoint: (p, method) => method === 'POST' && p === '/v1/batch',
  };
  return [
    {
      id: 'baseline', name: 'no tracker (baseline)', baseline: true, pkg: null, version: null, statics: [],
      head: `<script>addEventListener('load',function(){__ready()});</script>`,
      endpoint: () => false, expect: 'none', notes: [],
    },
    {
      ...tpCommon, id: 'touchpoint', name: 'Touchpoint (consent granted)', expect: 'posts',
      head: tpHead('granted'),
      notes: ['dist/ as built; two-line install snippet, data-consent="granted"; SPA page views from Touchpoint\'s own history observation'],
    },
    {
      ...tpCommon, id: 'touchpoint-pending', name: 'Touchpoint (consent pending)', expect: 'none',
      head: tpHead('pending'),
      notes: ['same, data-consent="pending": events are buffered in memory, nothing may be sent'],
    },
    {
      ...tpCommon, id: 'touchpoint-denied', name: 'Touchpoint (consent denied)', expect: 'none',
      head: tpHead('denied'),
      notes: ['same, data-consent="denied": nothing may be kept, so the visitor is not observed (only lifecycle and route changes are followed)'],
    },
    {
      ...tpCommon, id: 'touchpoint-no-journey', name: 'Touchpoint (granted, journey off)', expect: 'posts',
      head: tpHead('granted', ' data-journey="off" data-spa="off"'),
      notes: ['same as granted with data-journey="off" data-spa="off" and the router calling touchpoint(\'page\'): the journey trackers\' cost is the difference'],
    },
    {
      ...tpCommon, id: 'touchpoint-no-friction', name: 'Touchpoint (granted, friction off)', expect: 'posts',
      head: tpHead('granted', ' data-friction="off"'),
      notes: ['same as granted with data-friction="off": friction detection\'s cost is the difference'],
    },
    {
      ...tpCommon, id: 'touchpoint-no-clicks', name: 'Touchpoint (granted, click events off)', expect: 'posts',
      head: tpHead('granted', ' data-clicks="off"'),
      notes: ['same as granted with data-clicks="off": no click events (friction still watches the clicks); what the click events cost is the difference'],
    },
    {
      ...tpCommon, id: 'touchpoint-sampled-out', name: 'Touchpoint (granted, session out of the sample)', expect: 'none',
      head: tpHead('granted', ' data-sample-rate="0"'),
      notes: ['same as granted with data-sample-rate="0": what a visitor whose session is out of the sample costs the page'],
    },
    // TRUSTED_COMPARE (bench/trusted.mjs): other Touchpoint builds in the same run, so that a
    // change is measured against its parent under the same machine load. The first is
    // touchpoint-cmp / touchpoint-pending-cmp / touchpoint-denied-cmp, the next ones
    // touchpoint-cmp2, ... (a list).
    ...compareDirs.flatMap((dir, i) => {
      const n = i ? String(i + 1) : '', label = `compared build${n ? ` ${n}` : ''}`;
      return [
        {
          ...tpCommon, id: `touchpoint-cmp${n}`, name: `Touchpoint (consent granted), ${label}`, expect: 'posts',
          statics: [{ prefix: `/touchpoint-cmp${n}/`, dir }],
          head: tpHead('granted', '', `/touchpoint-cmp${n}/`),
          notes: [`the build in ${dir}, data-consent="granted"`],
        },
        {
          ...tpCommon, id: `touchpoint-pending-cmp${n}`, name: `Touchpoint (consent pending), ${label}`, expect: 'none',
          statics: [{ prefix: `/touchpoint-cmp${n}/`, dir }],
          head: tpHead('pending', '', `/touchpoint-cmp${n}/`),
          notes: [`the build in ${dir}, data-consent="pending"`],
        },
        {
          ...tpCommon, id: `touchpoint-denied-cmp${n}`, name: `Touchpoint (consent denied), ${label}`, expect: 'none',
          statics: [{ prefix: `/touchpoint-cmp${n}/`, dir }],
          head: tpHead('denied', '', `/touchpoint-cmp${n}/`),
          notes: [`the build in ${dir}, data-consent="denied"`],
        },
      ];
    }),
    {
      id: 'posthog', name: 'PostHog', pkg: 'posthog-js', version: phVersion, expect: 'posts',
      statics: [{ prefix: `/ph/static/${phVersion}/`, dir: ph }, { prefix: '/ph/static/', dir: ph }],
      pages: { [`/ph/array/${POSTHOG_TOKEN}/config.js`]: { type: 'text/javascript', body: `(function(){var w=window;w._POSTHOG_REMOTE_CONFIG=w._POSTHOG_REMOTE_CONFIG||{};w._POSTHOG_REMOTE_CONFIG['${POSTHOG_TOKEN}']={config:${JSON.stringify(POSTHOG_REMOTE_CONFIG)},siteApps:[]};})();` } },
      json: { [`/ph/array/${POSTHOG_TOKEN}/config`]: POSTHOG_REMOTE_CONFIG },
      postJson: { '/ph/flags': { flags: {}, featureFlags: {}, featureFlagPayloads: {}, errorsWhileComputingFlags: false } },
      head: `<script>function __init(){posthog.init('${POSTHOG_TOKEN}',{api_host:location.origin+'/ph',
autocapture:true,rageclick:true,capture_dead_clicks:true,capture_exceptions:true,capture_performance:{web_vitals:true},
capture_pageview:'history_change',opt_out_useragent_filter:true,rate_limiting:{events_per_second:1000,events_burst_limit:1000},
loaded:function(){__ready()}});}</script>
<script async src="/ph/static/array.js" onload="__init()"></script>`,
      readyCheck: 'window.posthog && window.posthog.__loaded',
      // The lazily loaded extensions (served locally from node_modules/posthog-js/dist) are in.
      startedCheck: `(function(x){return !!(x&&x.initDeadClicksAutocapture&&x.errorWrappingFunctions&&(x.postHogWebVitalsCallbacks||x.postHogWebVitalsCallbacksByFlavor))})(window.__PosthogExtensions__)`,
      endpoint: (p, method) => method === 'POST' && p.startsWith('/ph/') && !p.startsWith('/ph/flags'),
      notes: ['array.js (the snippet build) with autocapture, rageclick, capture_dead_clicks, capture_exceptions, web vitals and capture_pageview "history_change"; lazy extensions served locally; opt_out_useragent_filter (navigator.webdriver) and rate_limiting 1000/s, as in bench/run.mjs, because the workload is faster than a person'],
    },
    {
      id: 'snowplow', name: 'Snowplow + link/form/error plugins', pkg: '@snowplow/browser-tracker', version: pkgVersion('@snowplow/browser-tracker'),
      pluginVersions: Object.fromEntries(SNOWPLOW_PLUGINS.map((p) => [p, depVersion(p)])), expect: 'posts',
      statics: snowplowBundle ? [{ prefix: '/sp/sp-trusted.js', file: snowplowBundle }] : [],
      head: `<script async src="/sp/sp-trusted.js"></script>`,
      endpoint: (p, method) => method === 'POST' && p.startsWith('/sp/'),
      notes: ['@snowplow/browser-tracker with the link-click, form and error tracking plugins (defaults), bundled with esbuild into one minified IIFE; the site\'s router calls trackPageView() on each route change; POST per event (bufferSize 1, the default)'],
    },
  ];
}
