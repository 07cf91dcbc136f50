// Explore and share: the event table (paging, order, keyboard), the event detail (original JSON read
// again from the file), search and chips. Expected values are computed here from the files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, start, Trailscope, recordsOf, uniqueEvents, walk } from './harness.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

const sampleEvents = () => walk(join(ROOT, 'sample')).filter((p) => p.endsWith('.json.gz')).flatMap(recordsOf);

async function openSampleEvents() {
  const t = await Trailscope.open(env);
  await t.page.click('[data-testid=load-sample]');
  await t.waitDone();
  await t.page.click('[data-testid=tab-events]');
  await t.page.waitForSelector('[data-testid=events] .ev-row[data-row]');
  return t;
}

test('the event table pages through every event in time order', async () => {
  const all = sampleEvents();
  const times = all.map((e) => e.eventTime).sort();
  const t = await openSampleEvents();
  assert.equal(await t.page.textContent('[data-testid=events-total]'), uniqueEvents(all).toLocaleString('en-US'));
  const firstTime = await t.page.textContent('[data-testid=events] .ev-row[data-row] .cell.time');
  assert.equal(firstTime, times[0].replace('T', ' ').replace('Z', ''));
  // Only the visible rows exist in the DOM.
  const inDom = await t.page.locator('[data-testid=events] .ev-row[data-row]').count();
  assert.ok(inDom > 5 && inDom < 80, `${inDom} rows in the DOM`);
  // End jumps to the last event.
  await t.page.focus('[data-testid=events-scroller]');
  await t.page.keyboard.press('End');
  await t.page.waitForFunction((last) => [...document.querySelectorAll('[data-testid=events] .ev-row[data-row] .cell.time')]
    .some((c) => c.textContent === last), times[times.length - 1].replace('T', ' ').replace('Z', ''));
  // Newest first puts it on top.
  await t.page.click('[data-testid=sort-time]');
  await t.page.waitForFunction((last) => document.querySelector('[data-testid=events] .ev-row[data-row] .cell.time')?.textContent === last,
    times[times.length - 1].replace('T', ' ').replace('Z', ''));
  await t.shot('events-table');
  assert.deepEqual(t.problems, []);
  assert.deepEqual(await t.cspViolations(), []);
});

test('Enter opens the event detail with its original JSON and decoded manifest', async () => {
  const all = sampleEvents();
  const put = all.filter((e) => e.eventName === 'PutImage').sort((a, b) => a.eventTime.localeCompare(b.eventTime))[0];
  const t = await openSampleEvents();
  await t.page.fill('[data-testid=search]', put.eventID);
  await t.page.press('[data-testid=search]', 'Enter');
  await t.page.waitForFunction(() => document.querySelector('[data-testid=events-total]')?.textContent === '1');
  await t.page.focus('[data-testid=events-scroller]');
  await t.page.keyboard.press('ArrowDown');
  await t.page.keyboard.press('Enter');
  await t.page.waitForSelector('[data-testid=json-tree]');
  assert.equal(await t.page.textContent('[data-testid=detail-name]'), 'PutImage');
  const tree = await t.page.textContent('[data-testid=json-tree]');
  assert.ok(tree.includes(put.eventID), 'the original JSON is shown');
  // The manifest string decodes into a layers table with the manifest's layer count.
  const manifest = JSON.parse(put.requestParameters.imageManifest);
  // (The manifest is both in requestParameters and in responseElements: two decoded strings.)
  const rows = await t.page.locator('[data-testid=manifest-layers]').first().locator('tbody tr').count();
  assert.equal(rows, manifest.layers.length);
  assert.equal(await t.page.locator('[data-testid=manifest-layers]').count(), 2);
  await t.page.evaluate(() => document.querySelector('.drawer-body').scrollTo(0, 0));
  await t.shot('event-detail', { fullPage: false });
  await t.page.click('[data-testid=close-detail]');
  assert.equal(await t.page.locator('[data-testid=event-detail]').count(), 0);
  assert.deepEqual(t.problems, []);
});

test('a view link reproduces the view next to the same files, without their values in clear', async () => {
  const t = await Trailscope.open(env);
  await t.page.click('[data-testid=load-sample]');
  await t.waitDone();
  // A principal from the breakdown, errors only, then the events tab and one event.
  await t.page.click('[data-testid=by-principal] tr.pickable >> nth=0');
  await t.page.waitForSelector('[data-testid=filter-chips] .chip');
  await t.page.click('[data-testid=tab-events]');
  await t.page.waitForSelector('[data-testid=events] .ev-row[data-row]');
  await t.page.click('[data-testid=events] .ev-row[data-row] >> nth=1');
  await t.page.waitForSelector('[data-testid=json-tree]');
  const name = await t.page.textContent('[data-testid=detail-name]');
  const total = await t.page.textContent('[data-testid=events-total]');
  const chips = await t.page.locator('[data-testid=filter-chips] .chip').allTextContents();
  await t.page.waitForFunction(() => location.hash.includes('ev=h.'));
  const url = t.page.url();
  const principal = chips[0].replace(/^Principal/, '').replace(/×$/, '');
  assert.ok(!decodeURIComponent(url).includes(principal.split('/').pop()), `the principal is not in the URL: ${url}`);
  assert.ok(!/\d{12}/.test(url), `no account id in the URL: ${url}`);

  // A colleague opens the link, is told to drop the files, drops them, and sees the same view.
  const page2 = await t.page.context().newPage();
  await page2.goto(url);
  await page2.waitForSelector('[data-testid=link-notice]');
  await page2.click('[data-testid=load-sample]');
  await page2.waitForSelector('[data-testid=ingest-status][data-state=done]');
  await page2.waitForSelector('[data-testid=json-tree]');
  assert.equal(await page2.textContent('[data-testid=detail-name]'), name);
  assert.equal(await page2.textContent('[data-testid=events-total]'), total);
  assert.deepEqual(await page2.locator('[data-testid=filter-chips] .chip').allTextContents(), chips);
  assert.equal(await page2.locator('[data-testid=link-notice]').count(), 0);
  assert.equal(page2.url(), url, 'the URL stays the same view');
});
