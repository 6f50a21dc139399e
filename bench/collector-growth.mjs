// How much the collector's database grows per byte a client posts, for event shapes from the
// SDK's own to a hostile client's (the collector README's "Known limit"). Each shape runs on a
// fresh database of a release collector on 127.0.0.1, with --sync normal, REQUESTS batches of
// 500 events (the most a batch may hold), and reports the growth of the database files (WAL
// included) over the bytes of the request bodies (uncompressed JSON).
//
//   cargo build --release -p touchpoint-collector
//   node bench/collector-growth.mjs [shape ...]     # REQUESTS (6), COLLECTOR (the release binary)
//
// A shape is a list of words joined by '-':
//   tagsN        each event carries N tags (context.tags), each with a value no event had before
//   fixed        ... the same values on every event instead
//   samepath     every event on the same page path (else a new path per event)
//   samesess     every event in the same session (else a new session per event)
//   spread       each event captured a minute before the previous one (else all at once)
//   none         no tags
import { spawn } from 'node:child_process';
import { statSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

const bin = process.env.COLLECTOR || new URL('../target/release/touchpoint-collector', import.meta.url).pathname;
const requests = Number(process.env.REQUESTS || 6);
const shapes = process.argv.slice(2);
if (!shapes.length) shapes.push('none-samepath-samesess', 'none', 'tags32-fixed-samepath-samesess', 'tags32-fixed', 'tags32');

async function measure(shape) {
  const words = new Set(shape.split('-'));
  const tagCount = Number([...words].find((w) => /^tags\d+$/.test(w))?.slice(4) ?? 0);
  const dir = mkdtempSync(join(tmpdir(), 'tp-growth-'));
  const server = spawn(bin, ['--port', '0', '--db', join(dir, 'tp.sqlite'), '--sync', 'normal'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    // The collector prints the address it listens on.
    const url = await new Promise((resolve, reject) => {
      let out = '';
      const deadline = setTimeout(() => reject(new Error('the collector did not start in 30 s')), 30_000);
      server.stdout.on('data', (chunk) => {
        out += chunk;
        const m = out.match(/http:\/\/127\.0\.0\.1:\d+/);
        if (m) {
          clearTimeout(deadline);
          resolve(m[0]);
        }
      });
      server.on('exit', (code) => reject(new Error(`the collector exited (${code})`)));
    });
    const size = () => readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    let n = 0;
    const start = Date.now();
    const event = () => {
      n++;
      const tags = {};
      for (let i = 0; i < tagCount; i++) tags[`k${i}`] = words.has('fixed') ? 'v' : `v${n}_${i}`;
      const ts = words.has('spread') ? start - n * 60_000 : start;
      return {
        type: 'page', event: 'page_view', messageId: randomUUID(), timestamp: new Date(ts).toISOString(),
        sessionId: words.has('samesess') ? 's' : `s${n}`, site: 'shop', properties: {},
        context: {
          page: { url: 'https://shop.example/p', path: words.has('samepath') ? '/p' : `/p/${n}`, title: '', referrer: '' },
          library: { name: 'touchpoint', version: '1' },
          ...(tagCount ? { tags } : {}),
        },
      };
    };
    const before = size();
    let sent = 0;
    for (let r = 0; r < requests; r++) {
      const body = JSON.stringify({ sentAt: new Date().toISOString(), batch: Array.from({ length: 500 }, event) });
      sent += body.length;
      const res = await fetch(`${url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
      if (res.status !== 200) throw new Error(`batch answered ${res.status}: ${await res.text()}`);
    }
    // (The answer comes after the commit; the size is read once the files stop growing.)
    let last = -1;
    for (let i = 0; i < 50 && size() !== last; i++) {
      last = size();
      await new Promise((r) => setTimeout(r, 200));
    }
    const grew = size() - before;
    console.log(`${shape.padEnd(32)} ${String(n).padStart(6)} events  ${(sent / 1e6).toFixed(2).padStart(6)} MB sent  ` +
      `${(grew / 1e6).toFixed(1).padStart(6)} MB stored  ${(grew / sent).toFixed(1).padStart(5)}x  ${Math.round(grew / n)} B/event`);
  } finally {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const shape of shapes) await measure(shape);
