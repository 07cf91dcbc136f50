// The first end-to-end slice: the page opens with its hooks, a dropped file is counted right, and the
// bundled sample loads. Expected counts are computed here, in JavaScript, from the files themselves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, downloadSummary, recordTexts, recordedTexts, start, Trailscope, recordsOf, uniqueEvents, walk } from './harness.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

test('the page opens idle, with the drop zone and both pickers', async () => {
  const t = await Trailscope.open(env);
  // The engine reports its memory once its ingest workers are up, which may come before or after this
  // read: 0 until then, its wasm memory after. Either way it is a whole number of bytes.
  const { heapBytes, ...idle } = await t.status();
  assert.deepEqual(idle, { state: 'idle', events: 0, files: 0, skipped: 0, warnings: 0 });
  assert.ok(Number.isInteger(heapBytes) && heapBytes >= 0, `heap bytes ${heapBytes}`);
  for (const id of ['drop-zone', 'file-input', 'folder-input', 'load-sample']) {
    assert.equal(await t.page.locator(`[data-testid=${id}]`).count(), 1, id);
  }
  assert.equal(await t.page.getAttribute('[data-testid=file-input]', 'type'), 'file');
  assert.notEqual(await t.page.getAttribute('[data-testid=file-input]', 'multiple'), null);
  assert.notEqual(await t.page.getAttribute('[data-testid=folder-input]', 'webkitdirectory'), null);
  await t.shot('empty-page');
  assert.deepEqual(t.problems, []);
  assert.deepEqual(await t.cspViolations(), []);
});

test('a browser without WebAssembly SIMD is told what it needs, not shown a compile error', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  // This Chromium runs SIMD; make it answer as an older browser would when the page asks.
  await page.addInitScript(() => { WebAssembly.validate = () => false; });
  await page.goto(env.url);
  const text = await page.textContent('[data-testid=boot-error]');
  assert.match(text, /does not run WebAssembly with SIMD\. It needs Chrome or Edge 91, Firefox 89, Safari 16\.4/);
  assert.equal(await page.locator('[data-testid=drop-zone]').count(), 0, 'the app did not start');
  await context.close();
});

test('a picked seed example file is counted right, with a performance measure', async () => {
  const file = join(ROOT, 'tests/fixtures/seeds/ecr-documentation-examples.json');
  const expected = uniqueEvents(recordsOf(file));
  const t = await Trailscope.open(env);
  await t.pickFiles([file]);
  const s = await t.waitDone();
  assert.equal(s.events, expected);
  assert.equal(s.files, 1);
  assert.equal(s.skipped, 0);
  assert.equal(s.warnings, 0);
  const measures = await t.page.evaluate(() => performance.getEntriesByName('trailscope:ingest').map((m) => m.duration));
  assert.equal(measures.length, 1);
  assert.ok(measures[0] > 0);
  assert.equal(await t.page.textContent('[data-testid=total-events]'), String(expected));
  assert.deepEqual(t.problems, []);
});

test('"Load sample logs" loads the bundled sample and shows its breakdowns', async () => {
  const files = walk(join(ROOT, 'sample')).filter((p) => p.endsWith('.json.gz'));
  const all = files.flatMap(recordsOf);
  const expected = uniqueEvents(all);
  const ecr = uniqueEvents(all.filter((e) => e.eventSource === 'ecr.amazonaws.com'));
  const t = await Trailscope.open(env);
  await t.page.click('[data-testid=load-sample]');
  const s = await t.waitDone();
  assert.equal(s.events, expected);
  assert.equal(s.files, files.length);
  assert.equal(s.warnings, 0);
  assert.ok(s.heapBytes > 0, 'the engine reports its memory');
  const ecrRow = t.page.locator('[data-testid=by-source] tr', { hasText: 'ecr.amazonaws.com' });
  assert.equal(await ecrRow.locator('td.num').textContent(), ecr.toLocaleString('en-US'));
  // Where the events were recorded: every account and region of the sample with its events (once
  // each), counted here from the JSON, busiest first.
  for (const [testid, key] of [['by-account', 'recipientAccountId'], ['by-region', 'awsRegion']]) {
    const values = [...new Set(all.map((e) => e[key]))];
    const want = values.map((v) => [v, uniqueEvents(all.filter((e) => e[key] === v)).toLocaleString('en-US')]);
    const rows = await t.page.$$eval(`[data-testid=${testid}] tbody tr`, (trs) => trs.map((tr) => [tr.querySelector('td.key').textContent, tr.querySelector('td.num').textContent]));
    assert.deepEqual([...rows].sort(), want.sort(), testid);
    const n = (r) => Number(r[1].replaceAll(',', ''));
    assert.ok(rows.every((r, i) => i === 0 || n(rows[i - 1]) >= n(r)), `${testid} busiest first: ${JSON.stringify(rows)}`);
  }
  await t.shot('sample-overview');
  assert.deepEqual(t.problems, []);
  assert.deepEqual(await t.cspViolations(), []);
});

test('the summary downloads as trailscope-summary.json with the same counts', async () => {
  const file = join(ROOT, 'tests/fixtures/seeds/ecr-documentation-examples.json');
  const events = recordsOf(file);
  const t = await Trailscope.open(env);
  await t.pickFiles([file]);
  await t.waitDone();
  const { name, summary } = await downloadSummary(t.page);
  assert.equal(name, 'trailscope-summary.json');
  assert.equal(summary.schema, 'trailscope-summary/1');
  assert.equal(summary.events, uniqueEvents(events));
  const bySource = {};
  for (const e of events) bySource[e.eventSource] = (bySource[e.eventSource] || 0) + 1;
  assert.deepEqual(summary.counts.by_event_source, bySource);
  assert.equal(summary.input.files[0].path, 'ecr-documentation-examples.json');
});

test('clicking a breakdown row filters the views; removing its chip restores them', async () => {
  const files = walk(join(ROOT, 'sample')).filter((p) => p.endsWith('.json.gz'));
  const all = files.flatMap(recordsOf);
  const ecr = uniqueEvents(all.filter((e) => e.eventSource === 'ecr.amazonaws.com'));
  const docker = uniqueEvents(all.filter((e) => (e.userAgent || '').toLowerCase().includes('buildkit')));
  const t = await Trailscope.open(env);
  await t.page.click('[data-testid=load-sample]');
  const s = await t.waitDone();
  const total = () => t.page.textContent('[data-testid=total-events]');
  await recordTexts(t.page, '[data-testid=total-events]');
  await t.page.click('[data-testid=by-source] tr:has-text("ecr.amazonaws.com")');
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=total-events]')?.textContent === n, ecr.toLocaleString('en-US'));
  // Until the filtered counts came, the overview said it was counting rather than show zeros.
  assert.deepEqual(await recordedTexts(t.page, '[data-testid=total-events]'), [s.events, ecr].map((n) => n.toLocaleString('en-US')));
  assert.equal(await t.page.locator('[data-testid=filter-chips] .chip').count(), 1);
  await t.page.click('[data-testid=filter-chips] .chip-x');
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=total-events]')?.textContent === n, s.events.toLocaleString('en-US'));
  // A region's row, and then its "−" on an account's row: the region's events, less that account's.
  const region = all[0].awsRegion;
  const inRegion = all.filter((e) => e.awsRegion === region);
  await t.page.click(`[data-testid=by-region] tr:has-text("${region}")`);
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=total-events]')?.textContent === n, uniqueEvents(inRegion).toLocaleString('en-US'));
  const account = inRegion[0].recipientAccountId;
  await t.page.locator('[data-testid=by-account] tr', { hasText: account }).locator('.facet-not').click();
  const rest = uniqueEvents(inRegion.filter((e) => e.recipientAccountId !== account));
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=total-events]')?.textContent === n, rest.toLocaleString('en-US'));
  assert.ok(rest > 0 && rest < uniqueEvents(inRegion), `${rest} of ${uniqueEvents(inRegion)}`);
  await t.page.click('[data-testid=clear-filters]');
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=total-events]')?.textContent === n, s.events.toLocaleString('en-US'));
  await t.page.fill('[data-testid=search]', 'BuildKit');
  await t.page.press('[data-testid=search]', 'Enter');
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=total-events]')?.textContent === n, docker.toLocaleString('en-US'));
  assert.equal(await total(), docker.toLocaleString('en-US'));
  await t.shot('filtered-by-search');
  // From one filter to another: the counts shown meanwhile are marked as being updated.
  const buildkit = all.filter((e) => (e.userAgent || '').toLowerCase().includes('buildkit'));
  const source = buildkit[0].eventSource;
  const both = uniqueEvents(buildkit.filter((e) => e.eventSource === source));
  await recordTexts(t.page, '[data-testid=overview]', 'data-state');
  await t.page.click(`[data-testid=by-source] tr:has-text("${source}")`);
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=total-events]')?.textContent === n, both.toLocaleString('en-US'));
  await t.page.waitForSelector('[data-testid=overview][data-state=ready]');
  assert.deepEqual(await recordedTexts(t.page, '[data-testid=overview]', 'data-state'), ['ready', 'updating', 'ready']);
  assert.deepEqual(t.problems, []);
});
