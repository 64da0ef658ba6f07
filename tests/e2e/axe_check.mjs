// Check the web edition in headless Chromium: axe-core (WCAG 2.2 AA tags) on every page at
// 1280 px and at 320 px, horizontal scrolling at 320 px, requests that leave the site, fonts,
// the skip link, reduced motion, and the links on the home page. Prints one JSON report.
//
//   node tests/e2e/axe_check.mjs --site output/web-members --chromium /usr/bin/chromium \
//        --axe node_modules/axe-core/axe.min.js [--base http://127.0.0.1:8000/] [--no-axe]
//        [--shots /tmp/web-shots --shot-pages index.html,artificial-intelligence.html] [--no-scripts]
//
// Pages load from file:// unless --base gives a loopback http:// address that serves --site
// (axe reads the stylesheets with XMLHttpRequest, which file:// pages may not do; so the test
// runs axe over http and checks the file:// site with --no-axe).
// Called by tests/e2e/test_web.py; needs playwright-core from node_modules (npm ci).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const site = path.resolve(option('site', 'output/web-members'));
const executablePath = option('chromium', '/usr/bin/chromium');
const axePath = path.resolve(option('axe', 'node_modules/axe-core/axe.min.js'));
const shots = option('shots', '');
const base = option('base', '');
const runAxe = !process.argv.includes('--no-axe');
// --no-scripts: every page as a reader without JavaScript meets it (each .js request refused;
// axe itself is evaluated by the test, not loaded by the page).
const noScripts = process.argv.includes('--no-scripts');
const shotPages = (option('shot-pages', 'index.html,artificial-intelligence.html')).split(',');

function urlFor(file) {
  return base ? new URL(file, base).href : pathToFileURL(path.join(site, file)).href;
}

function isLocal(url) {
  const u = new URL(url);
  if (u.protocol === 'file:') return u.pathname.startsWith(pathToFileURL(site).pathname);
  if (u.protocol === 'http:' || u.protocol === 'https:') return LOOPBACK.has(u.hostname);
  return u.protocol === 'about:' || u.protocol === 'data:';
}

const report = { pages: {}, requests: [], blocked: [], failed: [], console: [], home: null, keyboard: null, motion: null, shots: [] };
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'folio-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath, headless: true, args: ARGS, viewport: { width: 1280, height: 900 },
    reducedMotion: 'no-preference', serviceWorkers: 'block',
  });
  context.on('request', (request) => {
    const url = request.url();
    report.requests.push(url);
    if (!isLocal(url)) report.blocked.push(url);
  });
  context.on('requestfailed', (request) => {
    const error = request.failure()?.errorText ?? '';
    // Aborted: the test moved on to the next page first. XHR: axe reading a stylesheet.
    if (error.includes('ERR_ABORTED') || ['xhr', 'fetch'].includes(request.resourceType()) || refused(request.url())) return;
    report.failed.push(`${request.url()}: ${error}`);
  });
  const refused = (url) => noScripts && new URL(url).pathname.endsWith('.js');
  await context.route('**/*', (route) => {
    const url = route.request().url();
    return isLocal(url) && !refused(url) ? route.continue() : route.abort('blockedbyclient');
  });

  const page = context.pages()[0] ?? await context.newPage();
  page.on('console', (msg) => {
    const blockedScript = noScripts && msg.text().includes('ERR_BLOCKED_BY_CLIENT');   // the refused .js
    if (msg.type() === 'error' && !msg.text().includes('XMLHttpRequest') && !blockedScript) report.console.push(`${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => report.console.push(`${page.url()}: ${err.message}`));
  const axeSource = fs.readFileSync(axePath, 'utf8');

  async function audit() {
    if (!runAxe) return [];
    await page.evaluate(axeSource);
    const result = await page.evaluate(async (tags) => {
      const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
      return r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
      }));
    }, TAGS);
    return result;
  }

  const files = fs.readdirSync(site).filter((f) => f.endsWith('.html')).sort();
  for (const file of files) {
    const entry = {};
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(urlFor(file), { waitUntil: 'load' });
    await page.evaluate(() => document.fonts.ready);
    entry.fonts = await page.evaluate(() => [...document.fonts].filter((f) => f.status === 'loaded').map((f) => `${f.family} ${f.weight} ${f.style}`));
    entry.fontErrors = await page.evaluate(() => [...document.fonts].filter((f) => f.status === 'error').map((f) => `${f.family} ${f.weight} ${f.style}`));
    entry.violations = await audit();
    entry.title = await page.title();
    entry.lang = await page.evaluate(() => document.documentElement.lang);
    entry.landmarks = await page.evaluate(() => ({
      banner: document.querySelectorAll('body > header').length,
      main: document.querySelectorAll('main').length,
      contentinfo: document.querySelectorAll('body > footer').length,
      nav: document.querySelectorAll('nav').length,
    }));
    if (shots && shotPages.includes(file)) {
      const out = path.join(shots, `${file.replace('.html', '')}-1280.png`);
      await page.screenshot({ path: out, fullPage: true });
      report.shots.push(out);
    }
    await page.setViewportSize({ width: 320, height: 640 });
    await page.evaluate(() => document.fonts.ready);
    entry.scrollWidth320 = await page.evaluate(() => document.documentElement.scrollWidth);
    entry.wide320 = await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > 321 && !el.closest('.figure-frame, .table-frame'))
      .slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${el.className}`));
    entry.violations320 = await audit();
    if (shots && shotPages.includes(file)) {
      const out = path.join(shots, `${file.replace('.html', '')}-320.png`);
      await page.screenshot({ path: out, fullPage: true });
      report.shots.push(out);
    }
    report.pages[file] = entry;
  }

  // The home page: every link, as the browser resolves it, with its text.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(urlFor('index.html'), { waitUntil: 'load' });
  report.home = await page.evaluate(() => [...document.querySelectorAll('a[href]')].map((a) => ({
    href: a.getAttribute('href'), url: a.href, text: a.textContent.replace(/\s+/g, ' ').trim(), type: a.getAttribute('type'),
  })));

  // Keyboard: the first Tab reaches the skip link, which is then visible; Enter moves to main.
  const kb = {};
  await page.keyboard.press('Tab');
  kb.first = await page.evaluate(() => ({
    text: document.activeElement.textContent.trim(), href: document.activeElement.getAttribute('href'),
    visible: (() => { const r = document.activeElement.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight && r.width > 1 && r.height > 1; })(),
    background: getComputedStyle(document.activeElement).backgroundColor,
  }));
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  kb.afterSkip = await page.evaluate(() => ({
    inMain: Boolean(document.activeElement.closest('main')), text: document.activeElement.textContent.trim().slice(0, 80),
    outline: getComputedStyle(document.activeElement).outlineStyle, shadow: getComputedStyle(document.activeElement).boxShadow,
    background: getComputedStyle(document.activeElement).backgroundColor,
  }));
  // Keyboard through a chapter's contents: every link in the contents can be reached with Tab.
  await page.goto(urlFor('artificial-intelligence.html'), { waitUntil: 'load' });
  const tocLinks = await page.evaluate(() => document.querySelectorAll('nav.toc a').length);
  const reached = new Set();
  for (let i = 0; i < tocLinks + 12; i += 1) {
    await page.keyboard.press('Tab');
    const href = await page.evaluate(() => (document.activeElement.closest('nav.toc') ? document.activeElement.getAttribute('href') : null));
    if (href) reached.add(href);
  }
  kb.tocLinks = tocLinks;
  kb.tocReached = reached.size;
  report.keyboard = kb;

  // Reduced motion: smooth scrolling is off when the reader asks for less motion.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(urlFor('index.html'), { waitUntil: 'load' });
  const reduced = await page.evaluate(() => getComputedStyle(document.documentElement).scrollBehavior);
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await page.goto(urlFor('index.html'), { waitUntil: 'load' });
  const normal = await page.evaluate(() => getComputedStyle(document.documentElement).scrollBehavior);
  report.motion = { reduce: reduced, noPreference: normal };
} finally {
  if (context) await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(report, null, 1));
