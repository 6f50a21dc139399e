// The cross-browser scenarios (scenarios.mjs) in Firefox ESR, headless, driven by geckodriver.
import { defineSuite } from './scenarios.mjs';

defineSuite('firefox');
