// Search in headless Chromium, driven by the keyboard only: for each query, open search.html, Tab
// from the top of the page to the search field, type the words, press Enter, wait for the status
// line, then Tab on to the first result. Prints one JSON report.
//
//   node tests/e2e/search_check.mjs --base http://127.0.0.1:8000/ --chromium /usr/bin/chromium \
//        --axe node_modules/axe-core/axe.min.js --queries '["digital inclusion", ...]'
// Called by tests/e2e/test_search.py; needs playwright-core from node_modules (npm ci).

import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const base = option('base', '');
const queries = JSON.parse(option('queries', '[]'));
const axeSource = fs.readFileSync(option('axe', 'node_modules/axe-core/axe.min.js'), 'utf8');
const browser = await chromium.launch({
  executablePath: option('chromium', '/usr/bin/chromium'),
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const report = { queries: [], console: [], axe: {}, tabsToField: null };
const widths = [1280, 390];

async function axe(page) {
  await page.evaluate(`${axeSource}\n;0`);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return result;
}

for (const js of [true, false]) {
  for (const width of widths) {
    // "JavaScript off" is the page without its scripts: every .js request is refused. (Turning
    // JavaScript off in the browser would stop axe itself, whose checks run on timers.)
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    if (js) {
      page.on('console', (msg) => { if (msg.type() === 'error') report.console.push(msg.text()); });
      page.on('pageerror', (err) => report.console.push(err.message));
    } else {
      await context.route('**/*.js', (route) => route.abort());
    }
    await page.goto(new URL(js ? 'search.html?q=cyber' : 'search.html', base).href, { waitUntil: 'load' });
    if (js) await page.waitForFunction(() => /match/.test(document.getElementById('search-status').textContent), null, { timeout: 15000 });
    report.axe[`${js ? 'js' : 'nojs'}-${width}`] = {
      violations: await axe(page),
      formVisible: await page.isVisible('.search-form'),
      browseLinks: await page.locator('.browse-list a').count(),
      scrollWidth: await page.evaluate(() => document.documentElement.scrollWidth),
    };
    await context.close();
  }
}

const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
page.on('console', (msg) => { if (msg.type() === 'error') report.console.push(msg.text()); });
page.on('pageerror', (err) => report.console.push(err.message));
for (const query of queries) {
  await page.goto(new URL('search.html', base).href, { waitUntil: 'load' });
  let tabs = 0;
  while (tabs < 40 && !(await page.evaluate(() => document.activeElement && document.activeElement.id === 'search-input'))) {
    await page.keyboard.press('Tab');
    tabs += 1;
  }
  report.tabsToField = tabs;
  await page.keyboard.type(query);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /match/.test(document.getElementById('search-status').textContent), null, { timeout: 15000 });
  const status = await page.textContent('#search-status');
  const results = await page.$$eval('#search-results > li > a', (as) => as.map((a) => a.getAttribute('href')));
  await page.keyboard.press('Tab');     // the Search button
  await page.keyboard.press('Tab');     // the first result
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.getAttribute('href'));
  report.queries.push({ query, status, results, focused, url: page.url() });
}
await browser.close();
process.stdout.write(JSON.stringify(report));
