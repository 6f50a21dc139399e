// The cross-browser scenarios (scenarios.mjs) in Chromium, headless, driven by chromedriver (tests/e2e keeps the full Playwright suite).
import { defineSuite } from './scenarios.mjs';

defineSuite('chromium');
