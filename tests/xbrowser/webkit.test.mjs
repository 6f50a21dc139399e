// The cross-browser scenarios (scenarios.mjs) in WebKitGTK's MiniBrowser on an Xvfb display, driven by WebKitWebDriver.
import { defineSuite } from './scenarios.mjs';

defineSuite('webkit');
