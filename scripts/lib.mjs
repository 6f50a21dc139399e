// Small helpers shared by the build, start, test and bench scripts.
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const env = { ...process.env, PATH: `${homedir()}/.cargo/bin:${process.env.PATH}` };

/** Runs a command in the repo root, inheriting stdio; exits the process if it fails. */
export function run(cmd, args, extraEnv = {}) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } });
  if (r.status !== 0) {
    console.error(`${cmd} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

export const collectorBin = (profile) => path.join(root, 'target', profile, 'touchpoint-collector');
