// Where the local WebDriver servers and browsers are (installed by scripts/setup; nothing is
// ever downloaded). No dependencies: scripts/test.mjs imports it too.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The first of `candidates` that exists, or null. */
const firstExisting = (candidates) => candidates.find((p) => p && fs.existsSync(p)) || null;

/** geckodriver: $GECKODRIVER, cargo's (scripts/setup installs it there), or a system one. */
export function geckodriverPath() {
  return firstExisting([process.env.GECKODRIVER, path.join(os.homedir(), '.cargo/bin/geckodriver'), '/usr/bin/geckodriver',
    '/usr/local/bin/geckodriver']);
}

/** WebKitGTK's MiniBrowser (Debian's libwebkit2gtk-4.1-0), the browser WebKitWebDriver drives. */
export function miniBrowserPath() {
  return firstExisting(['/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
    '/usr/libexec/webkit2gtk-4.1/MiniBrowser']);
}
