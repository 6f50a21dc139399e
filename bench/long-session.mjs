// A long-lived single-page app: does Touchpoint's memory stay bounded? One page, consent granted,
// every detector and tracker on, ROUTES route changes (pushState, the view's DOM replaced, a
// field and a marked element-view block in each), each followed by a click, two typed
// characters and a wheel step; the JS heap (after a forced GC) and the wasm linear memory are
// read every 250 routes, with the events stored so far. Touchpoint only (a leak check, not a
// comparison): the figures should stop growing after the first round.
//
//   node scripts/build.mjs && node bench/long-session.mjs        (ROUTES=1000 by default)
import { fixture, launch, sdkReady, serveFixture, startCollector } from '../tests/e2e/harness.mjs';

const ROUTES = Number(process.env.ROUTES || 1000);
const collector = await startCollector();
const browser = await launch();
try {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  const html = fixture({ consent: 'granted', site: 'long', 'flush-interval': '300', friction: 'on', journey: 'on' },
    '<div id="app"><button id="b">Go</button><input id="q"></div><script>var n = 0; function route() { n++; ' +
    'history.pushState({}, "", "/r" + n); document.getElementById("app").innerHTML = ' +
    '"<button id=b class=c" + n + ">Go " + n + "</button><input id=q name=q" + n + "><div data-tp-view=v" + n + ">x</div>"; }</script>');
  await page.goto(await serveFixture(page, collector.url, html));
  await sdkReady(page);
  const memory = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    const proto = await cdp.send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' });
    const all = await cdp.send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId });
    const wasm = await cdp.send('Runtime.callFunctionOn', {
      objectId: all.objects.objectId, returnByValue: true,
      functionDeclaration: 'function () { return this.reduce(function (n, m) { return n + m.buffer.byteLength; }, 0); }',
    });
    return `JS heap ${Math.round(heap.usedSize / 1024)} KiB, wasm memory ${wasm.result.value / 1024} KiB`;
  };
  console.log(`routes     0: ${await memory()}`);
  for (let done = 0; done < ROUTES;) {
    for (let i = 0; i < 250 && done < ROUTES; i++, done++) {
      await page.evaluate(() => window.route());
      await page.click('#b');
      await page.click('#q');
      await page.keyboard.type('ab');
      await page.mouse.wheel(0, 50);
    }
    await page.evaluate(() => window.touchpoint('flush'));
    await new Promise((r) => setTimeout(r, 1500));
    const stats = await (await fetch(`${collector.url}/api/stats`)).json();
    console.log(`routes ${String(done).padStart(5)}: ${await memory()}, ${stats.bySite.long ?? 0} events stored`);
  }
} finally {
  await browser.close();
  await collector.stop();
}
