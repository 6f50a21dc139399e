// gzip -9 sizes of what a page downloads, computed exactly as scripts/build.mjs prints them.
// Its own module because build.mjs runs the build on import.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { root } from './lib.mjs';

export const shipped = ['touchpoint.js', 'touchpoint_bg.wasm'];

/** Raw and gzip -9 bytes of each shipped file in `distDir`, and the gzip total. */
export function gzipSizes(distDir = path.join(root, 'dist')) {
  const files = shipped.map((f) => {
    const buf = fs.readFileSync(path.join(distDir, f));
    return { file: f, raw: buf.length, gzip: zlib.gzipSync(buf, { level: 9 }).length };
  });
  return { files, total: files.reduce((n, f) => n + f.gzip, 0) };
}

/** The lines build.mjs prints, for scripts that report sizes. */
export function formatSizes(s) {
  return [
    ...s.files.map((f) => `${f.file.padEnd(20)} ${String(f.raw).padStart(7)} B raw  ${String(f.gzip).padStart(6)} B gzip -9`),
    `${'total'.padEnd(20)} ${''.padStart(7)}        ${String(s.total).padStart(6)} B gzip -9 (${(s.total / 1024).toFixed(1)} KiB)`,
  ];
}
