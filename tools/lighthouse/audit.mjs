// Lighthouse (mobile, default simulated throttling) on a list of pages, in one Chromium.
//
//   node audit.mjs OUT_DIR URL [URL ...]      a URL prefixed "status-ok:" may answer 4xx (the 404 page)
//
// Chromium is Debian's (CHROME_PATH, default /usr/bin/chromium), started by chrome-launcher
// with the flags the browser tests use; nothing is downloaded. Each page's full report goes to
// OUT_DIR/<n>.html and OUT_DIR/<n>.json; stdout gets one JSON line per page: its URL, the four
// category scores (0-100) and, per category, the weighted audits that did not pass.
import fs from 'node:fs';
import path from 'node:path';

import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const CATEGORIES = (process.env.LIGHTHOUSE_CATEGORIES || 'performance,accessibility,best-practices,seo')
  .split(',');
// Without performance nothing reads the page's timing: the audits start as soon as the page
// has loaded, instead of waiting for a second of network and CPU quiet after it (5 s -> 3 s a
// page). Content, console and network as loaded are what the other categories read.
const QUIET = CATEGORIES.includes('performance') ? {} : {
  pauseAfterFcpMs: 0,
  pauseAfterLoadMs: 0,
  networkQuietThresholdMs: 0,
  cpuQuietThresholdMs: 0,
};
const TRIES = 3; // a run that Lighthouse itself reports broken (NO_NAVSTART on a busy machine)
const CHROME_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // run.py serves Potluck over https with a certificate it made a moment ago for 127.0.0.6.
  '--ignore-certificate-errors',
];

const [outDir, ...targets] = process.argv.slice(2);
if (!outDir || targets.length === 0) {
  console.error('usage: node audit.mjs OUT_DIR URL [URL ...]');
  process.exit(2);
}
fs.mkdirSync(outDir, {recursive: true});

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  chromeFlags: CHROME_FLAGS,
  // The first page, loaded once before the audits: a renderer's first page is slower.
  startingUrl: targets[0].replace(/^status-ok:/, ''),
  logLevel: 'silent',
});
let failed = false;
try {
  for (const [index, target] of targets.entries()) {
    const ignoreStatusCode = target.startsWith('status-ok:');
    const url = target.replace(/^status-ok:/, '');
    const started = Date.now();
    let result;
    for (let attempt = 1; attempt <= TRIES; attempt++) {
      result = await lighthouse(
        url,
        {port: chrome.port, output: ['html', 'json'], logLevel: 'error'},
        {
          extends: 'lighthouse:default',
          // No full-page screenshot: no category's score reads it, and it costs each page
          // a capture of its whole height.
          settings: {
            onlyCategories: CATEGORIES,
            formFactor: 'mobile',
            ignoreStatusCode,
            disableFullPageScreenshot: true,
            ...QUIET,
          },
        },
      );
      if (!result.lhr.runtimeError) break;
      console.error(`${url}: ${result.lhr.runtimeError.message} (run ${attempt} of ${TRIES})`);
    }
    const {lhr} = result;
    const [html, json] = result.report;
    fs.writeFileSync(path.join(outDir, `${index}.html`), html);
    fs.writeFileSync(path.join(outDir, `${index}.json`), json);
    const scores = {};
    const failing = {};
    for (const id of CATEGORIES) {
      const category = lhr.categories[id];
      scores[id] = category.score === null ? null : Math.round(category.score * 100);
      failing[id] = category.auditRefs
        .filter(ref => ref.weight > 0)
        .map(ref => lhr.audits[ref.id])
        .filter(audit => audit.score !== null && audit.score < 1)
        .map(audit => ({
          id: audit.id,
          score: audit.score,
          title: audit.title,
          displayValue: audit.displayValue || '',
        }));
    }
    const metrics = Object.fromEntries(
      ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time',
        'cumulative-layout-shift', 'speed-index'].map(id => [id, lhr.audits[id]?.numericValue]),
    );
    if (lhr.runtimeError) failed = true;
    console.log(JSON.stringify({
      url,
      index,
      seconds: (Date.now() - started) / 1000,
      runtimeError: lhr.runtimeError ? lhr.runtimeError.message : null,
      runWarnings: lhr.runWarnings,
      scores,
      failing,
      metrics,
    }));
  }
} finally {
  await chrome.kill();
}
process.exit(failed ? 1 : 0);
