// `npm start`: builds the collector and serves the demo shop with Touchpoint installed.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { collectorBin, env, root, run } from './lib.mjs';

const port = process.env.PORT || '8080';
// The demo's admin token (a person's data: export and erase), new at each start unless
// TOUCHPOINT_ADMIN_TOKEN gives one (the collector reads that variable itself).
const admin = process.env.TOUCHPOINT_ADMIN_TOKEN || crypto.randomBytes(16).toString('hex');
run('cargo', ['build', '--release', '-p', 'touchpoint-collector']);
const child = spawn(collectorBin('release'), ['--port', port, '--www', 'www', '--sdk', 'dist', '--db', '.tp-data/touchpoint.sqlite',
  '--admin-token', admin], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const m = /listening on (http:\/\/\S+)/.exec(chunk.toString());
  if (m) {
    console.log(`\nDemo shop:      ${m[1]}/`);
    console.log(`Live events:    ${m[1]}/events.html`);
    console.log(`Inspector:      ${m[1]}/inspector`);
    console.log(`Raw events API: ${m[1]}/api/events?limit=20`);
    console.log(`A person's data (export, or erase):\n  curl -X POST -H 'Authorization: Bearer ${admin}' -d '{"anonymousId":"<tp:aid>"}' ${m[1]}/admin/export\n(Ctrl-C to stop)`);
  }
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
