import { launch, startCollector, sdkReady } from '../tests/e2e/harness.mjs';
const collector = await startCollector(); const browser = await launch();
const body = `<!doctype html><html><head><title>p</title>
<script>window.touchpoint=window.touchpoint||function(){(touchpoint.q=touchpoint.q||[]).push(arguments)};</script>
<script async src="/touchpoint/touchpoint.js" data-collector="/v1/batch" data-site="probe" data-consent="granted" data-flush-interval="300" data-slow-interaction-ms="10000"></script></head><body>
<p><input id="color" type="color" value="#ff0000"></p>
<p><button id="audio" type="button">Play chime</button></p>
<p><button id="speak" type="button">Read aloud</button></p>
<p><button id="vibrate" type="button">Buzz</button></p>
<p><button id="pop" type="button" popovertarget="pp">Info</button><div id="pp" popover>Popover</div></p>
<p><button id="dlg" type="button">Open dialog</button><dialog id="d">Hi <button id="dclose" type="button">x</button></dialog></p>
<p><button id="sel" type="button">Select all text</button> <span id="txt">Some text here</span></p>
<script>
var $=function(i){return document.getElementById(i)};
$('audio').onclick=function(){var c=new AudioContext();var o=c.createOscillator();o.connect(c.destination);o.start();o.stop(c.currentTime+0.1);};
$('speak').onclick=function(){ if (window.speechSynthesis) speechSynthesis.speak(new SpeechSynthesisUtterance('hello')); };
$('vibrate').onclick=function(){ if (navigator.vibrate) navigator.vibrate(50); };
$('dlg').onclick=function(){ $('d').showModal(); setTimeout(function(){ $('d').close(); }, 200); };
$('sel').onclick=function(){ getSelection().selectAllChildren($('txt')); };
</script>
<div id="sentinel" style="cursor:pointer;display:inline-block">Sentinel</div>
</body></html>`;
const ctx = await browser.newContext({ viewport: { width: 1000, height: 700 } });
await ctx.route(/\/probe\.html$/, (r) => r.fulfill({ status: 200, contentType: 'text/html', body }));
const page = await ctx.newPage();
await page.goto(collector.url + '/probe.html'); await sdkReady(page);
for (const id of ['#audio', '#speak', '#vibrate', '#pop', '#dlg', '#sel', '#color']) {
  const b = await page.locator(id).boundingBox(); await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2); await page.waitForTimeout(1600);
  await page.keyboard.press('Escape'); await page.waitForTimeout(300);
}
await page.evaluate(() => touchpoint('flush')); await page.waitForTimeout(2000);
console.log((await collector.events('&site=probe')).filter(e => e.properties?.category === 'friction').map(e => e.event + ' ' + JSON.stringify(e.properties.element?.selector)));
await browser.close(); await collector.stop();
