#!/usr/bin/env node
// Before/after pairs of one load: the same files through the file input of two builds, in turn, each
// load in a new page of one headless Chromium, the order swapped every round (this host's speed swings
// by 2x within minutes, so only loads close in time compare).
//
//   node scripts/bench-ab.mjs --a DIST_BEFORE --b DIST_AFTER [--rounds 6] [--integrity] [--first DIR] PATH...
//
// PATH is a file or a folder (every file under it). Prints each load's time from the drop to done (the
// `trailscope:ingest` measure), events, and where the engine's worker spent it (waiting for reads of
// the files it reads itself, in the engine, answering the views' queries), then the medians and the
// after/before ratio of each round's pair. Build a copy with `trunk build --release --dist DIST`.
//
// With --integrity (PATH holding CloudTrail digests too, as `gen_cloudtrail.py --digests` writes), what
// is compared is instead how long the Integrity tab takes to be ready from the drop: the load, then the
// tab opened once loading is done until `[data-testid=integrity-status][data-state=done]` (the two
// parts' medians are printed too, as hashing may be done in either).
//
// With --first DIR, each page loads DIR first (a file or folder, untimed), then the load timed is of
// PATH, added to it: for what a load costs after another (say, one with digests).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { keepProgress, start, walk } from '../e2e/harness.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const [value] = args.splice(at, 2).slice(1);
  return value;
};
const [distA, distB] = [opt('--a', null), opt('--b', null)];
const rounds = Number(opt('--rounds', '6'));
const first = opt('--first', null);
const integrity = args.includes('--integrity');
if (integrity) args.splice(args.indexOf('--integrity'), 1);
const filesOf = (p) => (statSync(p).isDirectory() ? walk(resolve(p)) : [resolve(p)]);
const paths = args.flatMap(filesOf);
const firstPaths = first ? filesOf(first) : [];
if (!distA || !distB || !paths.length || !(rounds > 0)) {
  console.error('usage: node scripts/bench-ab.mjs --a DIST_BEFORE --b DIST_AFTER [--rounds N] [--integrity] [--first DIR] PATH...');
  process.exit(2);
}

const envs = { a: await start({ dist: resolve(distA) }), b: await start({ dist: resolve(distB) }) };

/** Waits until the page is done loading and holds `files` files (a drop added to an earlier one
 * must not be taken for done by the earlier one's state). */
async function loaded(page, files) {
  await page.waitForFunction((n) => {
    const d = document.querySelector('[data-testid=ingest-status]').dataset;
    return d.state === 'done' && d.files === String(n);
  }, files, { timeout: 3_600_000, polling: 100 });
}

/** One load of `paths` in a new page of build `which`. */
async function load(which) {
  const env = envs[which];
  const page = await (await env.browser.newContext()).newPage();
  // The worker's last progress report carries where its time went.
  await keepProgress(page);
  await page.goto(env.url);
  await page.waitForSelector('[data-testid=ingest-status][data-state=idle]');
  await page.waitForTimeout(1500); // the ingest workers get ready before the drop, as in bench-ingest
  if (firstPaths.length) {
    await page.setInputFiles('[data-testid=file-input]', firstPaths);
    await loaded(page, firstPaths.length);
    await page.waitForTimeout(500);
  }
  await page.setInputFiles('[data-testid=file-input]', paths);
  await loaded(page, firstPaths.length + paths.length);
  const seen = await page.evaluate(() => {
    const m = performance.getEntriesByName('trailscope:ingest', 'measure').at(-1);
    const d = document.querySelector('[data-testid=ingest-status]').dataset;
    return { ms: m ? m.duration : NaN, events: Number(d.events), timings: window.__progress?.timings ?? {} };
  });
  if (integrity) {
    const t0 = Date.now();
    await page.click('[data-testid=tab-integrity]');
    await page.waitForSelector('[data-testid=integrity-status][data-state=done]', { timeout: 3_600_000 });
    seen.integrityMs = Date.now() - t0;
    seen.verified = await page.$eval('[data-testid=integrity-status]', (el) => el.dataset.verified);
    seen.readAgain = await page.$eval('[data-testid=integrity-status]', (el) => el.dataset.readAgain ?? 'not counted');
    seen.workersHashed = await page.evaluate(() => window.__progress?.timings?.workers_hashed);
  }
  await page.context().close();
  return seen;
}

const seen = { a: [], b: [] };
const parts = { a: [], b: [] };
const ratios = [];
for (let r = 0; r < rounds; r++) {
  const pair = {};
  for (const which of r % 2 ? ['b', 'a'] : ['a', 'b']) {
    const s = await load(which);
    const ms = integrity ? s.ms + s.integrityMs : s.ms;
    pair[which] = ms;
    seen[which].push(ms);
    if (integrity) parts[which].push([s.ms, s.integrityMs]);
    const t = s.timings;
    const check = integrity ? `; Integrity tab ready ${(s.integrityMs / 1000).toFixed(2)} s after (${(ms / 1000).toFixed(2)} s from the drop), ${s.verified} files verified, ${s.readAgain} read again (${s.workersHashed ?? 'none counted'} by the ingest workers)` : '';
    console.log(`round ${r + 1} ${which === 'a' ? 'before' : 'after '}: ${(s.ms / 1000).toFixed(2)} s, ${s.events} events; engine's worker: waiting for reads ${t.read_ms} ms (${t.reads} reads), ingest ${t.ingest_ms} ms, queries ${t.query_ms} ms${check}`);
  }
  ratios.push(pair.b / pair.a);
}
for (const env of Object.values(envs)) await env.close();

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const secs = (ms) => (ms / 1000).toFixed(2);
if (integrity) {
  for (const which of ['a', 'b']) {
    const [load, after] = [0, 1].map((i) => secs(median(parts[which].map((p) => p[i]))));
    console.log(`${which === 'a' ? 'before' : 'after '}: median load ${load} s, then Integrity tab ready ${after} s after`);
  }
}
console.log(`${integrity ? 'Integrity tab ready from the drop, ' : ''}median before ${secs(median(seen.a))} s, after ${secs(median(seen.b))} s; after/before in each round: ${ratios.map((x) => x.toFixed(2)).join(', ')} (median ${median(ratios).toFixed(2)})`);
