// The size guard run by `npm test` right after the build: the gzip -9 total of dist/ (what a
// page downloads) must not exceed the budget in size-budget.json. The budget only goes down,
// except in a commit that adds a feature and states its measured cost (`npm run size`).
import fs from 'node:fs';
import path from 'node:path';
import { root } from './lib.mjs';
import { formatSizes, gzipSizes } from './sizes.mjs';

// Below the budget by more than this: remind to lower it, so the slack is not spent silently.
const slack = 256;

const budgetFile = path.join(root, 'size-budget.json');
const budget = JSON.parse(fs.readFileSync(budgetFile, 'utf8')).total_gzip_bytes;
if (!Number.isInteger(budget) || budget <= 0) {
  console.error(`size-check: ${budgetFile} has no positive integer "total_gzip_bytes"`);
  process.exit(1);
}
const dist = path.join(root, 'dist');
const s = gzipSizes(dist);
for (const line of formatSizes(s)) console.log(`size-check: ${line}`);

if (s.total > budget) {
  console.error([
    `size-check: FAIL: dist/ is ${s.total} B gzip -9, over the budget of ${budget} B in size-budget.json by ${s.total - budget} B.`,
    'size-check: The budget only goes down. It may go up only in a commit that adds a feature and',
    'size-check: states its measured cost in the commit message (see `npm run size` for where bytes go).',
    'size-check: Otherwise find the bytes: `npm run size` breaks the wasm down by module and function.',
  ].join('\n'));
  process.exit(1);
}
if (budget - s.total > slack) {
  console.log(`size-check: ok, but ${budget - s.total} B under the budget of ${budget} B: ` +
    `lower "total_gzip_bytes" in size-budget.json to ${s.total} in this commit.`);
} else {
  console.log(`size-check: ok, ${s.total} B <= budget ${budget} B (gzip -9)`);
}
