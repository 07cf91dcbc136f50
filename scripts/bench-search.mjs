#!/usr/bin/env node
// The search of the whole events, timed (README, "Figures"): one command, one headless Chromium.
//
//   node scripts/bench-search.mjs [--events 300000] [--rounds N] [--json]
//
// Generates the logs once with ../shared/tools/gen_cloudtrail.py (cached in target/bench-data/, as
// the ingest benchmark does), serves dist/ (run `trunk build --release` first), and in each round, in
// a new page: loads the files through the file input (timed by the `trailscope:ingest` measure), then
// searches for the generator's S3 bucket (a text only request parameters and resources name) and
// presses "Search the whole of every event too", timed from the click to the note's
// data-state="done". Reports the search's time as a ratio to the load's in the same page (the host's
// speed swings between runs; the ratio does not), its MB/s of decompressed JSON read again, the
// engine's memory in use before and after, and checks the count against node's.
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { ROOT, start, Trailscope, uniqueEvents } from '../e2e/harness.mjs';
import { generated } from '../e2e/generated.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const EVENTS = Number(opt('--events', '300000'));
const ROUNDS = Math.max(1, Number(opt('--rounds', '1')));
const JSON_OUT = args.includes('--json');
const log = (...m) => { if (!JSON_OUT) console.error(...m); };

const DIST = resolve(join(ROOT, 'dist'));
if (!existsSync(join(DIST, 'index.html'))) {
  console.error(`${DIST} has no index.html: run \`trunk build --release\` first.`);
  process.exit(1);
}
const data = generated(EVENTS, { log });
if (!data) {
  console.error('The generator ../shared/tools/gen_cloudtrail.py is not there.');
  process.exit(1);
}

// The bucket, the JSON's size and the events holding the bucket, counted in node.
let json = 0;
let bucket = null;
const records = [];
for (const path of data.files) {
  let bytes = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  json += bytes.length;
  for (const e of JSON.parse(bytes.toString('utf8')).Records) {
    bucket ??= e.requestParameters?.bucketName ?? null;
    records.push(e);
  }
}
if (!bucket) {
  console.error('The generated logs call no S3 bucket to search for.');
  process.exit(1);
}
const want = uniqueEvents(records.filter((e) => JSON.stringify(e).toLowerCase().includes(bucket.toLowerCase())));
records.length = 0;
log(`${data.files.length} files, ${(json / 1e6).toFixed(1)} MB of JSON; searching for ${bucket} (${want} events hold it)`);

const env = await start({ dist: DIST });
const heap = (page) => page.$eval('[data-testid=ingest-status]', (el) => Number(el.dataset.heapBytes));
const rounds = [];
for (let i = 0; i < ROUNDS; i++) {
  const t = await Trailscope.open(env);
  await t.readersReady();
  await t.pickFiles(data.files);
  await t.waitDone(600_000);
  const loadMs = await t.page.evaluate(() => performance.getEntriesByName('trailscope:ingest').at(-1).duration);
  await t.page.fill('[data-testid=search]', bucket);
  await t.page.press('[data-testid=search]', 'Enter');
  await t.page.waitForSelector('[data-testid=search-scope][data-state=fields]');
  const heapBefore = await heap(t.page);
  // The end, seen from inside the page as it happens.
  await t.page.evaluate(() => {
    window.__searchDone = null;
    new MutationObserver(() => {
      if (window.__searchDone === null && document.querySelector('[data-testid=search-scope][data-state=done]')) {
        window.__searchDone = performance.now();
      }
    }).observe(document.body, { attributes: true, childList: true, subtree: true });
  });
  const clicked = await t.page.evaluate(() => {
    document.querySelector('[data-testid=search-json]').click();
    return performance.now();
  });
  await t.page.waitForFunction(() => window.__searchDone !== null, null, { timeout: 600_000 });
  const searchMs = (await t.page.evaluate(() => window.__searchDone)) - clicked;
  const shown = Number((await t.page.textContent('[data-testid=search-scope]')).match(/([\d,]+) events?' JSON contains/)[1].replace(/,/g, ''));
  // The engine reports its memory with its next progress report: give it a moment.
  await t.page.waitForTimeout(1500);
  const heapAfter = await heap(t.page);
  rounds.push({ load_ms: loadMs, search_ms: searchMs, ratio: searchMs / loadMs, found: shown, heap_before: heapBefore, heap_after: heapAfter });
  log(`round ${i + 1}: load ${(loadMs / 1000).toFixed(2)} s, search ${(searchMs / 1000).toFixed(2)} s (${(searchMs / loadMs).toFixed(2)}× the load), ${shown} found`);
  await t.page.context().close();
}
await env.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const result = {
  events: EVENTS,
  files: data.files.length,
  json_mb: json / 1e6,
  bucket,
  expected: want,
  rounds,
  median_ratio_to_load: median(rounds.map((r) => r.ratio)),
  median_search_mb_s: median(rounds.map((r) => json / 1e6 / (r.search_ms / 1000))),
};
const wrong = rounds.filter((r) => r.found !== want);
if (JSON_OUT) {
  console.log(JSON.stringify(result));
} else {
  const mb = (b) => (b / 2 ** 20).toFixed(1);
  console.log(`
Search of the whole events over ${data.files.length} generated files (${EVENTS} events, ${result.json_mb.toFixed(1)} MB of JSON):
  search / load in the same page: ${rounds.map((r) => r.ratio.toFixed(2) + '×').join(', ')}; median ${result.median_ratio_to_load.toFixed(2)}×
  search: ${rounds.map((r) => (r.search_ms / 1000).toFixed(2) + ' s').join(', ')} (median ${result.median_search_mb_s.toFixed(1)} MB/s of JSON read again)
  memory in use before / after the search: ${rounds.map((r) => `${mb(r.heap_before)} / ${mb(r.heap_after)} MB`).join(', ')}
  found ${rounds.map((r) => r.found).join(', ')} events; node counts ${want}`);
}
if (wrong.length > 0) {
  console.error(`The search found ${wrong.map((r) => r.found).join(', ')} events where node counts ${want}.`);
  process.exit(1);
}
process.exit(0);
