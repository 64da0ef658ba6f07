// The interactive parts of the web edition in headless Chromium, driven by the keyboard only:
// - search: for each query, open search.html, Tab from the top of the page to the search field,
//   type the words, press Enter, wait for the status line, then Tab on to the first result;
// - the action checklists: Tab to the first tick box of --chapter, tick it with Space, reload,
//   find it still ticked there and on action-plan.html, save the plan as a file, clear the ticks;
// - the timeline's milestones: Tab to the first theme box of --timeline, untick it with Space, and
//   find that theme's rows hidden and the count in the status line;
// - axe (WCAG 2.2 AA) on search.html and action-plan.html at 1280 and 390 px, with the scripts
//   and without them (every .js request refused).
// Prints one JSON report.
//
//   node tests/e2e/interactive_check.mjs --base http://127.0.0.1:8000/ --chromium /usr/bin/chromium \
//        --axe node_modules/axe-core/axe.min.js --queries '["digital inclusion", ...]' --chapter data.html
// Called by tests/e2e/test_interactive.py; needs playwright-core from node_modules (npm ci).

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
const chapter = option('chapter', '');
const timelinePage = option('timeline', '');
const report = { queries: [], console: [], axe: {}, tabsToField: null, actions: null, timeline: null };
const widths = [1280, 390];

async function axe(page) {
  await page.evaluate(`${axeSource}\n;0`);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return result;
}

const visits = [['search', 'search.html?q=cyber', 'search.html'], ['plan', 'action-plan.html', 'action-plan.html']];
for (const [what, withJs, withoutJs] of visits) {
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
    await page.goto(new URL(js ? withJs : withoutJs, base).href, { waitUntil: 'load' });
    if (js && what === 'search') await page.waitForFunction(() => /match/.test(document.getElementById('search-status').textContent), null, { timeout: 15000 });
    report.axe[`${what}-${js ? 'js' : 'nojs'}-${width}`] = {
      violations: await axe(page),
      controlsVisible: await page.isVisible(what === 'search' ? '.search-form' : '.plan-tools'),
      links: await page.locator(what === 'search' ? '.browse-list a' : 'main li').count(),
      boxes: await page.locator('main input[type=checkbox]').count(),
      scrollWidth: await page.evaluate(() => document.documentElement.scrollWidth),
    };
    await context.close();
  }
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
await context.close();

if (chapter) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const pg = await ctx.newPage();
  pg.on('console', (msg) => { if (msg.type() === 'error') report.console.push(msg.text()); });
  pg.on('pageerror', (err) => report.console.push(err.message));
  const a = {};
  await pg.goto(new URL(chapter, base).href, { waitUntil: 'load' });
  const onBox = () => pg.evaluate(() => document.activeElement && document.activeElement.type === 'checkbox' && document.activeElement.id);
  let tabs = 0;
  while (tabs < 400 && !(await onBox())) { await pg.keyboard.press('Tab'); tabs += 1; }
  a.box = await onBox();
  a.name = await pg.evaluate(() => { const el = document.activeElement; const l = el && el.labels && el.labels[0]; return l ? l.textContent.trim() : ''; });
  await pg.keyboard.press('Space');
  a.status = await pg.textContent('.actions-status');
  await pg.reload({ waitUntil: 'load' });
  a.afterReload = await pg.isChecked(`#${a.box}`);
  await pg.goto(new URL('action-plan.html', base).href, { waitUntil: 'load' });
  a.onPlan = await pg.isChecked(`#${a.box}`);
  a.planBoxes = await pg.locator('main input[type=checkbox]').count();
  const onButton = (id) => pg.evaluate((i) => document.activeElement && document.activeElement.id === i, id);
  await pg.focus('body');
  tabs = 0;
  while (tabs < 60 && !(await onButton('plan-save'))) { await pg.keyboard.press('Tab'); tabs += 1; }
  const [download] = await Promise.all([pg.waitForEvent('download', { timeout: 10000 }), pg.keyboard.press('Enter')]);
  a.saved = fs.readFileSync(await download.path(), 'utf8');
  a.savedName = download.suggestedFilename();
  await pg.keyboard.press('Tab');      // Clear all ticks
  await pg.keyboard.press('Enter');
  a.afterClear = await pg.locator('main input[type=checkbox]:checked').count();
  report.actions = a;
  await ctx.close();
}
if (timelinePage) {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 900 } });
  const pg = await ctx.newPage();
  pg.on('pageerror', (err) => report.console.push(err.message));
  await pg.goto(new URL(timelinePage, base).href, { waitUntil: 'load' });
  const t = { before: await pg.textContent('.timeline-status') };
  const onChoice = () => pg.evaluate(() => !!(document.activeElement && document.activeElement.closest('.timeline-filter')));
  let tabs = 0;
  while (tabs < 400 && !(await onChoice())) { await pg.keyboard.press('Tab'); tabs += 1; }
  t.theme = await pg.evaluate(() => document.activeElement.value);
  await pg.keyboard.press('Space');
  t.after = await pg.textContent('.timeline-status');
  t.visibleOfTheme = await pg.locator(`.figure-data-timeline tr[data-theme="${t.theme}"]:visible`).count();
  t.rowsOfTheme = await pg.locator(`.figure-data-timeline tr[data-theme="${t.theme}"]`).count();
  t.visible = await pg.locator('.figure-data-timeline tbody tr:visible').count();
  report.timeline = t;
  await ctx.close();
}
await browser.close();
process.stdout.write(JSON.stringify(report));
