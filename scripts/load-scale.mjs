#!/usr/bin/env node
// Loads millions of events in one tab (issue 4: "3 million events load in one tab without a crash"):
//
//   node scripts/load-scale.mjs [--events 3000000] [--dir FOLDER]
//
// Generates the logs once with ../shared/tools/gen_cloudtrail.py (cached in target/bench-data/), or
// reads FOLDER; serves dist/ (run `trunk build --release` first), picks every file through the file
// input of one headless Chromium tab, waits for data-state="done", and reports the events held
// against the generator's count, the time, and the memory in use; then opens the event table, the
// timeline and the Images tab, as a person would next, each of which must answer, and reports the
// memory in use after each. A crashed tab, a wrong count (events held; with generated logs also the
// Images tab's pushes and expired images against the generator's truth file), a view that does not
// answer or a page error fails the run (exit code 1).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, start, Trailscope, walk } from '../e2e/harness.mjs';
import { generated } from '../e2e/generated.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
if (!existsSync(join(ROOT, 'dist', 'index.html'))) {
  console.error('dist/ is missing: run `trunk build --release` first.');
  process.exit(1);
}
const DIR = opt('--dir', null);
let files;
let expected = null;
let truth = null;
if (DIR) {
  files = walk(DIR).filter((p) => p.endsWith('.json.gz') && !p.includes('CloudTrail-Digest'));
} else {
  const data = generated(Number(opt('--events', '3000000')), { log: console.error });
  if (!data) {
    console.error('The generator ../shared/tools/gen_cloudtrail.py is not there; pass --dir FOLDER instead.');
    process.exit(1);
  }
  files = data.files;
  expected = data.truth.events;
  truth = data.truth;
}
console.error(`${files.length} files`);
const env = await start();
const t = await Trailscope.open(env);
let crashed = false;
t.page.on('crash', () => { crashed = true; });
await t.readersReady();
const t0 = Date.now();
await t.pickFiles(files);
await t.waitDone(3_600_000);
const seconds = (Date.now() - t0) / 1000;
const d = await t.page.$eval('[data-testid=ingest-status]', (el) => ({ ...el.dataset }));
await t.page.click('[data-testid=tab-events]');
await t.page.waitForSelector('[data-testid=events] .ev-row[data-row]', { timeout: 300_000 });
await t.shot('scale-events');
// Memory as the status bar shows it once the engine has reported what the view's answer took.
const heapNow = async () => {
  await t.page.waitForTimeout(500);
  return Number(await t.page.$eval('[data-testid=ingest-status]', (el) => el.dataset.heapBytes));
};
const heapEvents = await heapNow();
await t.page.click('[data-testid=tab-timeline]');
await t.page.waitForFunction(
  () => document.querySelector('[data-testid=timeline-range]')?.dataset.state === 'ready', null, { timeout: 300_000 });
const heapTimeline = await heapNow();
await t.shot('scale-timeline');
await t.page.click('[data-testid=tab-images]');
await t.page.waitForSelector('[data-testid=images-cards]', { timeout: 300_000 });
const card = (id) => t.page.getAttribute(`[data-testid=${id}]`, 'data-value').then(Number);
const pushesShown = await card('card-pushes');
const expiredShown = await card('card-expired');
await t.page.click('[data-testid=images-nav-pushes]');
await t.page.waitForSelector('[data-testid=push-list] [data-testid=push-row]', { timeout: 300_000 });
const heapImages = await heapNow();
await t.shot('scale-images');
await env.close();
const events = Number(d.events);
const result = {
  files: files.length,
  events,
  expected_events: expected,
  seconds_pick_to_done: seconds,
  json_bytes: Number(d.bytesDecoded),
  engine_heap_bytes: Number(d.heapBytes),
  engine_heap_bytes_per_event: Number(d.heapBytes) / events,
  engine_heap_bytes_per_event_events_table: heapEvents / events,
  engine_heap_bytes_per_event_timeline: heapTimeline / events,
  engine_heap_bytes_per_event_images: heapImages / events,
  ingest_workers_heap_bytes: Number(d.workersHeapBytes),
  pushes_shown: pushesShown,
  expected_pushes: truth?.pushes ?? null,
  expired_images_shown: expiredShown,
  expected_expired_images: truth?.lifecycle_expired_images ?? null,
  crashed,
  page_problems: t.problems,
};
console.log(JSON.stringify(result, null, 1));
const ok = !crashed && t.problems.length === 0 && Number(d.filesDone) === files.length
  && (expected === null || events === expected)
  && (truth === null || (pushesShown === truth.pushes && expiredShown === truth.lifecycle_expired_images));
process.exit(ok ? 0 : 1);
