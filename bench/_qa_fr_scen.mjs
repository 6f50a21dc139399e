async function center(p, sel) { const b = await p.locator(sel).boundingBox(); return [b.x + b.width / 2, b.y + b.height / 2, b]; }
async function clickN(p, sel, n) { const [x, y] = await center(p, sel); for (let i = 0; i < n; i++) await p.mouse.click(x, y); }
async function drag(p, sel, dx, steps = 10) { const [x, y] = await center(p, sel); await p.mouse.move(x, y); await p.mouse.down(); for (let i = 1; i <= steps; i++) await p.mouse.move(x + dx * i / steps, y); await p.mouse.up(); }
export const scenarios = {
  'range-track-click': { file: 'shop.html', act: async (p) => { const [x, y, b] = await center(p, '#price'); await p.mouse.click(b.x + b.width * 0.8, y); } },
  'range-drag': { file: 'shop.html', act: (p) => drag(p, '#price', 80) },
  'ba-drag': { file: 'shop.html', act: (p) => drag(p, '#ba-handle', 80) },
  'canvas-button': { file: 'shop.html', act: (p) => clickN(p, '#rotate', 1) },
  'canvas-button-x3': { file: 'shop.html', act: (p) => clickN(p, '#rotate', 3) },
  'radio-chosen': { file: 'shop.html', act: (p) => clickN(p, '#sw-black', 1) },
  'radio-other': { file: 'shop.html', act: (p) => clickN(p, '#sw-red', 1) },
  'pressed-chosen': { file: 'shop.html', act: (p) => clickN(p, '#sz-m', 1) },
  'dead-mouse': { file: 'shop.html', act: (p) => clickN(p, '#dead', 1) },
  'dead-enter': { file: 'shop.html', act: async (p) => { await p.focus('#dead'); await p.keyboard.press('Enter'); } },
  'dead-enter-x4': { file: 'shop.html', act: async (p) => { await p.focus('#dead'); for (let i = 0; i < 4; i++) await p.keyboard.press('Enter'); } },
  'dead-space': { file: 'shop.html', act: async (p) => { await p.focus('#dead'); await p.keyboard.press('Space'); } },
  'works-space': { file: 'shop.html', act: async (p) => { await p.focus('#works'); await p.keyboard.press('Space'); } },
  'slow-enter': { file: 'shop.html', act: async (p) => { await p.focus('#slowkey'); await p.keyboard.press('Enter'); } },
  'anchor': { file: 'shop.html', act: (p) => clickN(p, '#to-reviews', 1) },
  'anchor-x2': { file: 'shop.html', act: async (p) => { await clickN(p, '#to-reviews', 1); await new Promise((r) => setTimeout(r, 1500)); await clickN(p, '#to-reviews', 1); } },
  'touch-range': { file: 'shop.html', device: { hasTouch: true, isMobile: true, viewport: { width: 400, height: 700 } }, act: async (p) => { const [x, y, b] = await center(p, '#price'); await p.touchscreen.tap(b.x + b.width * 0.8, y); } },
  'touch-dead': { file: 'shop.html', device: { hasTouch: true, isMobile: true, viewport: { width: 400, height: 700 } }, act: async (p) => { const [x, y] = await center(p, '#dead'); await p.touchscreen.tap(x, y); } },
};
