// Whether a tracker makes the browser do more rendering work: style recalculations and layouts
// (CDP Performance.getMetrics RecalcStyleCount / LayoutCount and their durations) during the
// trusted-input workload of bench/trusted.mjs, per page, against the no-tracker baseline.
//
// A sensor that reads layout or computed style (getComputedStyle, scrollY, isContentEditable)
// while the page has pending changes makes the browser recalculate them then; if the page's own
// handlers change the DOM afterwards, the frame recalculates again: extra work that script time
// (ScriptDuration) only partly shows. The counts are not noisy like the durations: a tracker
// that forces extra recalculations or layouts adds to them in every round.
//
//   node scripts/build.mjs && node bench/render-work.mjs
//   RENDER_IDS=baseline,touchpoint,snowplow RENDER_ROUNDS=3 node bench/render-work.mjs
import { bundleSnowplow, defineTrackers } from './trusted-trackers.mjs';
import { launchChromium, openTrustedPage } from './trusted-page.mjs';
import { makePlan, runPlan } from './trusted-workload.mjs';
import { namesKeptDist } from './names-kept.mjs';

const IDS = (process.env.RENDER_IDS || 'baseline,touchpoint,snowplow').split(',');
const ROUNDS = Number(process.env.RENDER_ROUNDS || 3);
const SEED = Number(process.env.TRUSTED_SEED || 20261128);
const METRICS = ['RecalcStyleCount', 'LayoutCount', 'RecalcStyleDuration', 'LayoutDuration', 'ScriptDuration'];

const snowplow = IDS.includes('snowplow') ? await bundleSnowplow() : null;
const trackers = defineTrackers({ touchpointDir: namesKeptDist(), snowplowBundle: snowplow && snowplow.file });
const rows = Object.fromEntries(IDS.map((id) => [id, []]));
const browser = await launchChromium();
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const id of IDS) {
      const t = trackers.find((x) => x.id === id);
      if (!t) throw new Error(`render-work: no page ${id} (pages: ${trackers.map((x) => x.id).join(', ')})`);
      const { pg, cdp, close } = await openTrustedPage(browser, t);
      const read = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics
        .filter((m) => METRICS.includes(m.name)).map((m) => [m.name, m.value]));
      const before = await read();
      await runPlan(pg, makePlan({ seed: SEED }));
      await pg.waitForTimeout(1500);
      const after = await read();
      rows[id].push(Object.fromEntries(METRICS.map((m) => [m, (after[m] - before[m]) * (/Duration/.test(m) ? 1000 : 1)])));
      await close();
    }
  }
} finally {
  await browser.close();
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
console.log(`render work during the workload + 1.5 s drain, medians of ${ROUNDS} rounds (seed ${SEED})`);
console.log('| page | style recalcs | layouts | recalc ms | layout ms | script ms |');
console.log('|:--|--:|--:|--:|--:|--:|');
for (const id of IDS) {
  const m = (k) => median(rows[id].map((r) => r[k]));
  console.log(`| ${id} | ${m('RecalcStyleCount')} | ${m('LayoutCount')} | ${m('RecalcStyleDuration').toFixed(1)} | ${m('LayoutDuration').toFixed(1)} | ${m('ScriptDuration').toFixed(1)} |`);
}
