// Explore and share: the event table (paging, order, keyboard), the event detail (original JSON read
// again from the file), search and chips. Expected values are computed here from the files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ROOT, recordTexts, recordedTexts, start, Trailscope, recordsOf, uniqueEvents, walk } from './harness.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

const sampleEvents = () => walk(join(ROOT, 'sample')).filter((p) => p.endsWith('.json.gz')).flatMap(recordsOf);

/** Waits until the overview's event count reads `n`, as `toLocaleString('en-US')` writes it. */
const totalIs = (page, n) => page.waitForFunction((n) => document.querySelector('[data-testid=total-events]')?.textContent === n, n);

/** A page with the sample loaded. */
async function openSample() {
  const t = await Trailscope.open(env);
  await t.page.click('[data-testid=load-sample]');
  await t.waitDone();
  return t;
}

/** A page with one file loaded, `name`, written with these CloudTrail records. */
async function openRecords(name, Records) {
  const dir = mkdtempSync(join(tmpdir(), 'trailscope-records-'));
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ Records }));
  const t = await Trailscope.open(env);
  await t.pickFiles([file]);
  await t.waitDone();
  rmSync(dir, { recursive: true });
  return t;
}

async function openSampleEvents() {
  const t = await openSample();
  await recordTexts(t.page, '[data-testid=events-total]');
  await t.page.click('[data-testid=tab-events]');
  await t.page.waitForSelector('[data-testid=events] .ev-row[data-row]');
  return t;
}

/** Searches for one event by its ID: the table then holds that event alone. */
async function searchOne(t, eventID) {
  await t.page.fill('[data-testid=search]', eventID);
  await t.page.press('[data-testid=search]', 'Enter');
  await t.page.waitForFunction(() => document.querySelector('[data-testid=events-total]')?.textContent === '1');
}

test('the event table pages through every event in time order', async () => {
  const all = sampleEvents();
  const times = all.map((e) => e.eventTime).sort();
  const t = await openSampleEvents();
  const total = uniqueEvents(all).toLocaleString('en-US');
  assert.equal(await t.page.textContent('[data-testid=events-total]'), total);
  // Before the first page came, the count said it was counting, not "0".
  assert.deepEqual(await recordedTexts(t.page, '[data-testid=events-total]'), ['…', total]);
  const firstTime = await t.page.textContent('[data-testid=events] .ev-row[data-row] .cell.time');
  assert.equal(firstTime, times[0].replace('T', ' ').replace('Z', ''));
  // Only the visible rows exist in the DOM.
  const inDom = await t.page.locator('[data-testid=events] .ev-row[data-row]').count();
  assert.ok(inDom > 5 && inDom < 80, `${inDom} rows in the DOM`);
  // So a print holds only those, and says so; the screen does not need telling.
  assert.equal(await t.page.isVisible('[data-testid=events-print-note]'), false);
  await t.page.emulateMedia({ media: 'print' });
  assert.equal(await t.page.textContent('[data-testid=events-print-note]'),
    `This print shows only the events in view, from the 1st of ${total}. Export saves them all, as JSON, JSON lines or CSV.`);
  assert.equal(await t.page.isVisible('[data-testid=events-print-note]'), true);
  await t.page.emulateMedia({ media: 'screen' });
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
  await recordTexts(t.page, '[data-testid=events]', 'data-state');
  await searchOne(t, put.eventID);
  // The whole table shown meanwhile was marked as being updated.
  await t.page.waitForSelector('[data-testid=events][data-state=ready]');
  assert.deepEqual(await recordedTexts(t.page, '[data-testid=events]', 'data-state'), ['ready', 'updating', 'ready']);
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
  // It links to the image it pushed and the repository, named as in the event.
  const digest = put.responseElements.image.imageId.imageDigest;
  assert.equal(await t.page.getAttribute('[data-testid=detail-open-image]', 'title'), digest);
  assert.equal(await t.page.textContent('[data-testid=detail-open-repo]'), put.requestParameters.repositoryName);
  // Its filter button adds that repository to the filter, which still keeps this event.
  await t.page.click('[data-testid=detail-filter-repo]');
  await t.page.waitForFunction(() => document.querySelectorAll('[data-testid=filter-chips] .chip').length === 2);
  assert.deepEqual(await t.page.locator('[data-testid=filter-chips] .chip .chip-field').allTextContents(), ['Repository', 'Search']);
  // The repository in its registry and region, as the event names them.
  const where = [put.requestParameters.repositoryName, put.requestParameters.registryId ?? put.recipientAccountId, put.awsRegion];
  assert.equal(await t.page.textContent('[data-testid=filter-chips] .chip[data-field=Repository] .chip-value'), where.join(' · '));
  await t.page.waitForSelector('[data-testid=events][data-state=ready]');
  assert.equal(await t.page.textContent('[data-testid=events-total]'), '1');
  await t.page.click('[data-testid=close-detail]');
  assert.equal(await t.page.locator('[data-testid=event-detail]').count(), 0);
  assert.deepEqual(t.problems, []);
});

test('opening another event dims the one shown until it is read', async () => {
  const t = await openSampleEvents();
  const rows = '[data-testid=events] .ev-row[data-row]';
  await t.page.click(`${rows} >> nth=0`);
  await t.page.waitForSelector('[data-testid=event-detail][data-state=ready]');
  // Rows 0 and 3: two different calls in the sample's first minutes.
  const name = (i) => t.page.textContent(`${rows} >> nth=${i} >> .cell >> nth=1`).then((s) => s.trim());
  assert.notEqual(await name(0), await name(3));
  await recordTexts(t.page, '[data-testid=event-detail]', 'data-state');
  await t.page.click(`${rows} >> nth=3 >> .cell.time`);
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=detail-name]')?.textContent === n,
    (await name(3)).split(/\s+/).pop());
  await t.page.waitForSelector('[data-testid=event-detail][data-state=ready]');
  assert.deepEqual(await recordedTexts(t.page, '[data-testid=event-detail]', 'data-state'), ['ready', 'updating', 'ready']);
  assert.deepEqual(t.problems, []);
});

test("an event's detail opens the page of the image it belongs to", async () => {
  const all = sampleEvents();
  const pull = all.filter((e) => e.eventName === 'BatchGetImage' && !e.errorCode
    && e.requestParameters.imageIds.length === 1 && e.requestParameters.imageIds[0].imageDigest)[0];
  assert.ok(pull, 'the sample pulls an image by digest');
  const digest = pull.requestParameters.imageIds[0].imageDigest;
  const t = await openSampleEvents();
  await searchOne(t, pull.eventID);
  await t.page.click('[data-testid=events] .ev-row[data-row]');
  await t.page.click('[data-testid=detail-open-image]');
  await t.page.waitForSelector(`[data-testid=image-page][data-digest="${digest}"]`);
  assert.equal(await t.page.locator('[data-testid=event-detail]').count(), 0, 'the drawer gives way to the page');
  assert.equal(await t.page.textContent('[data-testid=image-digest]'), digest);
  assert.deepEqual(t.problems, []);
});

test('a view link reproduces the view next to the same files, without their values in clear', async () => {
  const t = await openSample();
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

test("a link to an image's page opens that page next to the same logs, naming neither image nor repository", async () => {
  const t = await openSample();
  await t.page.click('[data-testid=tab-images]');
  await t.page.click('[data-testid=repo-row] [data-testid=open-repo] >> nth=0');
  await t.page.click('[data-testid=image-row] [data-testid=open-image] >> nth=0');
  const digest = await t.page.getAttribute('[data-testid=image-page]', 'data-digest');
  await t.page.waitForFunction(() => location.hash.includes('pg=image.h.'));
  const url = t.page.url();
  assert.ok(!url.includes(digest.slice(7, 19)), `the image's digest is not in ${url}`);
  const page2 = await t.page.context().newPage();
  await page2.goto(url);
  await page2.waitForSelector('[data-testid=link-notice]');
  await page2.click('[data-testid=load-sample]');
  await page2.waitForSelector(`[data-testid=image-page][data-digest="${digest}"]`);
  assert.equal(await page2.locator('[data-testid=link-notice]').count(), 0);
  assert.equal(page2.url(), url, 'the URL stays the same view');
  assert.deepEqual(t.problems, []);
});

test('a link pasted into a tab that already has the logs opens its view there and then', async () => {
  const t = await openSample();
  // A view: a repository's events, as a colleague would have shared it.
  await t.page.click('[data-testid=tab-images]');
  await t.page.waitForSelector('[data-testid=repo-row]');
  const row = t.page.locator('[data-testid=repo-row] >> nth=0');
  const [repo, account, region] = await Promise.all(['data-repo', 'data-account', 'data-region'].map((a) => row.getAttribute(a)));
  // That repository, in its account and region: the sample's web/frontend is three.
  const puts = sampleEvents().filter((e) => e.eventName === 'PutImage' && e.requestParameters?.repositoryName === repo
    && (e.requestParameters.registryId ?? e.recipientAccountId) === account && e.awsRegion === region);
  assert.ok(puts.length > 0, `the sample pushes to ${repo}`);
  await row.locator('[data-testid=open-repo]').click();
  await t.page.waitForSelector('[data-testid=filter-repository]');
  await t.shot('repo-page');
  await t.page.click('[data-testid=filter-repository]');
  await t.page.waitForSelector('[data-testid=filter-chips] .chip');
  assert.equal(await t.page.locator('[data-testid=filter-repository]').count(), 0, 'the repository is filtered already');
  await t.page.fill('[data-testid=search]', 'PutImage');
  await t.page.press('[data-testid=search]', 'Enter');
  await t.page.click('[data-testid=tab-events]');
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=events-total]')?.textContent === String(n), puts.length);
  const chips = await t.page.locator('[data-testid=filter-chips] .chip').allTextContents();
  const hash = new URL(t.page.url()).hash;
  assert.ok(hash.includes('repo=h.') && !hash.includes(encodeURIComponent(repo)), `the repository is a digest: ${hash}`);
  // Back to everything, then the link pasted into this tab's address bar (only the fragment changes).
  await t.page.click('[data-testid=clear-filters]');
  await t.page.click('[data-testid=tab-overview]');
  await t.page.waitForFunction(() => location.hash === '');
  await t.page.evaluate((h) => { location.hash = h; }, hash);
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=events-total]')?.textContent === String(n), puts.length);
  assert.equal(await t.page.getAttribute('[data-testid=tab-events]', 'aria-selected'), 'true');
  assert.deepEqual(await t.page.locator('[data-testid=filter-chips] .chip').allTextContents(), chips);
  assert.equal(await t.page.locator('[data-testid=link-notice]').count(), 0);
  assert.equal(new URL(t.page.url()).hash, hash, 'the URL stays the same view');
  await t.shot('link-pasted');
  assert.deepEqual(t.problems, []);
});

test('a link\'s value that none of the loaded logs holds is a chip that says so, not a digest', async () => {
  const t = await openSample();
  await t.page.click('[data-testid=tab-images]');
  await t.page.waitForSelector('[data-testid=repo-row]');
  const repo = await t.page.getAttribute('[data-testid=repo-row] >> nth=0', 'data-repo');
  await t.page.click(`[data-testid=repo-row][data-repo="${repo}"] [data-testid=open-repo] >> nth=0`);
  await t.page.click('[data-testid=filter-repository]');
  await t.page.click('[data-testid=tab-events]');
  await t.page.waitForFunction(() => location.hash.includes('repo=h.') && location.hash.includes('v=events'));
  const url = t.page.url();
  // The colleague has only the files that never mention the repository.
  const files = walk(join(ROOT, 'sample')).filter((p) => p.endsWith('.json.gz'))
    .filter((p) => !gunzipSync(readFileSync(p)).toString('utf8').includes(repo));
  assert.ok(files.length > 0, `some sample files do not name ${repo}`);
  const t2 = await Trailscope.open(env);
  await t2.page.goto(url);
  await t2.page.waitForSelector('[data-testid=link-notice]');
  await t2.pickFiles(files);
  await t2.waitDone();
  const chip = t2.page.locator('[data-testid=filter-chips] .chip[data-field=Repository]');
  await chip.locator('.chip-value', { hasText: 'not in the loaded logs' }).waitFor();
  assert.equal(await chip.getAttribute('class'), 'chip unresolved');
  assert.match(await chip.locator('.chip-value').getAttribute('title'), /shared link that none of the loaded logs holds/);
  assert.ok(!(await chip.textContent()).includes('h.'), await chip.textContent());
  assert.equal(await chip.locator('.chip-x').getAttribute('aria-label'), 'Remove Repository not in the loaded logs');
  assert.match(await t2.page.textContent('[data-testid=link-notice]'), /of the shared view's values (is|are) not in the loaded logs/);
  await t2.page.waitForFunction(() => document.querySelector('[data-testid=events-total]')?.textContent === '0');
  await t2.shot('link-unresolved');
  // Removing it shows every event of those files.
  await chip.locator('.chip-x').click();
  const n = uniqueEvents(files.flatMap(recordsOf));
  await t2.page.waitForFunction((n) => document.querySelector('[data-testid=events-total]')?.textContent === n, n.toLocaleString('en-US'));
  assert.deepEqual(t.problems, []);
  assert.deepEqual(t2.problems, []);
});

/** The text of a download triggered by clicking `selector` (in the export menu). */
async function downloadOf(page, selector) {
  if (!(await page.locator('[data-testid=export-menu]').evaluate((s) => s.parentElement.open))) {
    await page.click('[data-testid=export-menu]');
  }
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  return { name: download.suggestedFilename(), text: Buffer.concat(chunks).toString('utf8') };
}

/** RFC 4180 CSV into rows of cells. */
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

test('exports of the current filter: JSON and JSON lines load back with the same count', async () => {
  const all = sampleEvents();
  const ecr = all.filter((e) => e.eventSource === 'ecr.amazonaws.com');
  const t = await openSample();
  await t.page.click('[data-testid=by-source] tr:has-text("ecr.amazonaws.com")');
  await totalIs(t.page, uniqueEvents(ecr).toLocaleString('en-US'));
  const json = await downloadOf(t.page, '[data-testid=export-json]');
  assert.equal(json.name, 'trailscope-events.json');
  const records = JSON.parse(json.text).Records;
  assert.equal(records.length, uniqueEvents(ecr));
  assert.ok(records.every((e) => e.eventSource === 'ecr.amazonaws.com'));
  // Byte for byte the logged events: every exported event equals one in the sample.
  const byId = new Map(ecr.map((e) => [e.eventID + e.eventTime, e]));
  assert.ok(records.every((e) => JSON.stringify(e) === JSON.stringify(byId.get(e.eventID + e.eventTime))));
  const jsonl = await downloadOf(t.page, '[data-testid=export-jsonl]');
  assert.equal(jsonl.text.trim().split('\n').length, uniqueEvents(ecr));
  assert.match(await t.page.textContent('[data-testid=export-notice]'), /Saved trailscope-events\.jsonl/);

  // The JSON export dropped on a fresh page gives the same count.
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'trailscope-export-'));
  writeFileSync(join(dir, 'trailscope-events.json'), json.text);
  writeFileSync(join(dir, 'trailscope-events.jsonl'), jsonl.text);
  for (const name of ['trailscope-events.json', 'trailscope-events.jsonl']) {
    const fresh = await Trailscope.open(env);
    await fresh.pickFiles([join(dir, name)]);
    const s = await fresh.waitDone();
    assert.equal(s.events, uniqueEvents(ecr), name);
    assert.equal(s.warnings, 0, name);
  }
  assert.deepEqual(t.problems, []);
});

test('the CSV export keeps formula-looking values as text', async () => {
  const file = join(ROOT, 'tests/fixtures/explore/csv-injection.json');
  const events = recordsOf(file);
  const t = await Trailscope.open(env);
  await t.pickFiles([file]);
  await t.waitDone();
  const csv = await downloadOf(t.page, '[data-testid=export-csv]');
  assert.equal(csv.name, 'trailscope-events.csv');
  const rows = parseCsv(csv.text);
  assert.equal(rows.length, events.length + 1, 'a header and one row per event');
  const header = rows[0];
  for (const row of rows.slice(1)) {
    assert.equal(row.length, header.length);
    for (const cell of row) assert.ok(!/^[=+\-@\t\r]/.test(cell), `a cell a spreadsheet would run: ${JSON.stringify(cell)}`);
  }
  // The payloads are all there, as text with a leading apostrophe.
  const agents = rows.slice(1).map((r) => r[header.indexOf('userAgent')]).sort();
  assert.deepEqual(agents, events.map((e) => `'${e.userAgent}`).sort());
});

test('notes and bookmarks persist, and a triage bundle carries them with the view to a colleague', async () => {
  const all = sampleEvents();
  const put = all.filter((e) => e.eventName === 'PutImage').sort((a, b) => a.eventTime.localeCompare(b.eventTime))[1];
  const t = await openSampleEvents();
  await searchOne(t, put.eventID);
  await t.page.click('[data-testid=events] .ev-row[data-row]');
  await t.page.waitForSelector('[data-testid=json-tree]');
  await t.page.click('[data-testid=bookmark]');
  await t.page.fill('[data-testid=note]', 'pushed from an unknown IP <img src=x onerror=alert(1)>');
  await t.page.locator('[data-testid=note]').blur();
  await t.page.waitForSelector('[data-testid=events] .ev-row.bookmarked');
  // Reload: the note is still there (local storage), on the same event.
  await t.page.reload();
  await t.page.click('[data-testid=load-sample]');
  await t.waitDone();
  await t.page.waitForSelector('[data-testid=note]');
  assert.equal(await t.page.inputValue('[data-testid=note]'), 'pushed from an unknown IP <img src=x onerror=alert(1)>');
  await t.page.click('[data-testid=close-detail]');
  const bundle = await downloadOf(t.page, '[data-testid=export-bundle]');
  const b = JSON.parse(bundle.text);
  assert.equal(b.schema, 'trailscope-bundle/1');
  assert.equal(Object.keys(b.notes).length, 1);
  // Events are named by digest only (the view's search text is the person's own words, kept as typed).
  assert.ok(Object.keys(b.notes).every((k) => /^h\.[0-9a-f]{16}$/.test(k)));
  assert.ok(!JSON.stringify(b.notes).includes(put.eventID));

  // A colleague with a fresh browser imports it next to the same files.
  const context = await env.browser.newContext({ acceptDownloads: true, viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  await page.goto(env.url);
  await page.click('[data-testid=load-sample]');
  await page.waitForSelector('[data-testid=ingest-status][data-state=done]');
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = join(mkdtempSync(join(tmpdir(), 'trailscope-bundle-')), 'trailscope-bundle.json');
  writeFileSync(path, bundle.text);
  await page.click('[data-testid=export-menu]');
  await page.setInputFiles('[data-testid=import-bundle]', path);
  // The view comes back (the events tab, filtered to the one event), with the bookmark on its row.
  await page.waitForFunction(() => document.querySelector('[data-testid=events-total]')?.textContent === '1');
  await page.waitForSelector('[data-testid=events] .ev-row.bookmarked');
  assert.match(await page.textContent('[data-testid=export-notice]'), /Imported trailscope-bundle\.json: its view and 1 note or bookmark/);
  await page.click('[data-testid=events] .ev-row[data-row]');
  await page.waitForSelector('[data-testid=json-tree]');
  assert.equal(await page.inputValue('[data-testid=note]'), 'pushed from an unknown IP <img src=x onerror=alert(1)>');
  assert.equal(await page.getAttribute('[data-testid=bookmark]', 'aria-pressed'), 'true');
  await context.close();
  assert.deepEqual(t.problems, []);
});

test("an API call's row in the overview filters to that service's call (mouse and keyboard)", async () => {
  const all = sampleEvents();
  const t = await openSample();
  // The call is read from the row's title ("Show only SOURCE NAME"), its count from the JSON.
  const call = async (i) => (await t.page.getAttribute(`[data-testid=by-name] tbody tr >> nth=${i}`, 'title')).replace(/^Show only /, '').split(' ');
  const [source, name] = await call(1);
  await t.page.click('[data-testid=by-name] tbody tr >> nth=1');
  await totalIs(t.page, uniqueEvents(all.filter((e) => e.eventSource === source && e.eventName === name)).toLocaleString('en-US'));
  assert.deepEqual(await t.page.locator('[data-testid=filter-chips] .chip .chip-value').allTextContents(), [source, name]);
  await t.page.click('[data-testid=clear-filters]');
  await totalIs(t.page, uniqueEvents(all).toLocaleString('en-US'));
  const [source2, name2] = await call(2);
  await t.page.focus('[data-testid=by-name] tbody tr >> nth=2');
  await t.page.keyboard.press('Enter');
  await totalIs(t.page, uniqueEvents(all.filter((e) => e.eventSource === source2 && e.eventName === name2)).toLocaleString('en-US'));
  assert.deepEqual(t.problems, []);
});

test('filter controls: errors only, writes, a time range and a facet value, each a chip, counts follow', async () => {
  const all = sampleEvents();
  const uniq = (pred) => uniqueEvents(all.filter(pred)).toLocaleString('en-US');
  const t = await openSample();
  await t.page.click('[data-testid=errors-only]');
  await totalIs(t.page, uniq((e) => e.errorCode));
  await t.page.click('[data-testid=errors-only]');
  await t.page.selectOption('[data-testid=access]', 'write');
  await totalIs(t.page, uniq((e) => e.readOnly === false));
  await t.page.selectOption('[data-testid=access]', 'any');
  // A time range: [00:02:00, 00:04:00) UTC on the generated day, its end typed to the minute, which
  // keeps the whole of 00:03; the field then names the last second kept, as the chip does.
  await t.page.fill('[data-testid=time-from]', '2026-03-01 00:02:00');
  await t.page.fill('[data-testid=time-to]', '2026-03-01 00:03');
  await t.page.press('[data-testid=time-to]', 'Enter');
  const inRange = (e) => e.eventTime >= '2026-03-01T00:02:00Z' && e.eventTime < '2026-03-01T00:04:00Z';
  await totalIs(t.page, uniq(inRange));
  assert.equal(await t.page.inputValue('[data-testid=time-to]'), '2026-03-01 00:03:59');
  assert.equal(await t.page.textContent('[data-testid=filter-chips] .chip .chip-value'), '2026-03-01 00:02:00 → 00:03:59 UTC');
  // A facet value from the menu: a region.
  await t.page.click('[data-testid=add-filter]');
  await t.page.click('.facet-tab[data-facet=Region]');
  await t.page.click('.facet-value:has-text("eu-west-1")');
  await totalIs(t.page, uniq((e) => inRange(e) && e.awsRegion === 'eu-west-1'));
  assert.deepEqual(await t.page.locator('[data-testid=filter-chips] .chip .chip-field').allTextContents(), ['Time', 'Region']);
  await t.shot('filters');
  await t.page.click('[data-testid=clear-filters]');
  await totalIs(t.page, uniq(() => true));
  // A repository from the menu: offered with its count, which picking it keeps; every PutImage to it
  // (counted in the sample's JSON) among them.
  await t.page.click('[data-testid=add-filter]');
  await t.page.click('.facet-tab[data-facet=Repository]');
  await t.page.waitForSelector('.facet-value');
  // The most frequent repository named (the events naming none are "(none)", counted in their place).
  const [repo, where, count] = await t.page.$$eval('.facet-value:not(.none)', (vs) => ['.fv-name', '.fv-where', '.fv-count'].map((c) => vs[0].querySelector(c).textContent));
  // Each repository is offered in its account and region, its name over them; its ARN on hover.
  const [account, region] = where.split(' · ');
  assert.equal(await t.page.getAttribute('.facet-value:not(.none) >> nth=0', 'title'), `arn:aws:ecr:${region}:${account}:repository/${repo}`);
  await t.shot('filter-menu-repository');
  await t.page.click('.facet-value:not(.none) >> nth=0');
  await totalIs(t.page, count);
  assert.deepEqual(await t.page.locator('[data-testid=filter-chips] .chip .chip-field').allTextContents(), ['Repository']);
  await t.page.click('[data-testid=tab-events]');
  await t.page.fill('[data-testid=search]', 'PutImage');
  await t.page.press('[data-testid=search]', 'Enter');
  const puts = uniqueEvents(all.filter((e) => e.eventName === 'PutImage' && e.requestParameters?.repositoryName === repo
    && (e.requestParameters.registryId ?? e.recipientAccountId) === account && e.awsRegion === region));
  assert.ok(puts > 0, `the sample pushes to ${repo}`);
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=events-total]')?.textContent === n, puts.toLocaleString('en-US'));
  // While a search is on, the bar says what it looks at, and what not: the sample's S3 calls name
  // their bucket only in request parameters and resources.
  assert.match(await t.page.textContent('[data-testid=search-scope]'), /not at other request parameters or resources, such as S3 buckets/);
  assert.ok(all.some((e) => e.eventSource === 's3.amazonaws.com' && e.requestParameters?.bucketName && e.resources?.length));
  await t.page.click('[data-testid=clear-filters]');
  await t.page.waitForSelector('[data-testid=search-scope]', { state: 'detached' });
  await t.page.fill('[data-testid=search]', '');
  await t.page.press('[data-testid=search]', 'Enter');
  await t.page.click('[data-testid=tab-overview]');
  await totalIs(t.page, uniq(() => true));

  // Source IPs narrowed by typing: the engine offers those holding the text, counted as in the JSON.
  const menuValues = () => t.page.$$eval('.facet-value', (vs) => vs.map((v) => [v.querySelector('.fv-key').textContent, v.querySelector('.fv-count').textContent]));
  await t.page.click('[data-testid=add-filter]');
  await t.page.click('.facet-tab[data-facet="Source IP"]');
  await t.page.fill('.facet-search', '198.51.');
  const ips = new Map();
  for (const e of all) if (e.sourceIPAddress.includes('198.51.')) ips.set(e.sourceIPAddress, (ips.get(e.sourceIPAddress) ?? 0) + 1);
  const expected = [...ips].sort((a, b) => b[1] - a[1]).map(([ip, n]) => [ip, n.toLocaleString('en-US')]);
  assert.ok(expected.length >= 2, JSON.stringify(expected));
  await t.page.waitForFunction((n) => document.querySelectorAll('.facet-value').length === n, expected.length);
  assert.deepEqual(await menuValues(), expected);
  await t.shot('filter-menu-ip');
  await t.page.click(`.facet-value:has-text("${expected[1][0]}")`);
  await totalIs(t.page, expected[1][1]);
  assert.deepEqual(await t.page.locator('[data-testid=filter-chips] .chip .chip-field').allTextContents(), ['Source IP']);
  // Open again: both still offered, with the same counts (alternatives), the picked one marked; the
  // other one adds to it, then the first is taken out again.
  const ipTab = async () => {
    await t.page.click('[data-testid=add-filter]');
    await t.page.click('.facet-tab[data-facet="Source IP"]');
    await t.page.fill('.facet-search', '198.51.');
    await t.page.waitForFunction((n) => document.querySelectorAll('.facet-value').length === n, expected.length);
  };
  await ipTab();
  assert.deepEqual(await menuValues(), expected);
  assert.deepEqual(await t.page.$$eval('.facet-value', (vs) => vs.map((v) => v.getAttribute('aria-pressed'))), ['false', 'true']);
  await t.page.click(`.facet-value:has-text("${expected[0][0]}")`);
  await totalIs(t.page, uniq((e) => e.sourceIPAddress === expected[0][0] || e.sourceIPAddress === expected[1][0]));
  await ipTab();
  await t.page.click(`.facet-value:has-text("${expected[1][0]}")`);
  await totalIs(t.page, expected[0][1]);
  assert.deepEqual(await t.page.locator('[data-testid=filter-chips] .chip .chip-value').allTextContents(), [expected[0][0]]);
  await t.page.click('[data-testid=clear-filters]');
  await totalIs(t.page, uniq(() => true));
  // Principals: more than the menu lists, which it says, until narrowed.
  await t.page.click('[data-testid=add-filter]');
  await t.page.click('.facet-tab[data-facet=Principal]');
  const more = await t.page.textContent('[data-testid=facet-more]');
  const [, shownN, totalN] = more.match(/^The (\d+) most frequent of ([\d,]+) values/).map((x) => x?.replaceAll?.(',', '') ?? x);
  assert.equal(await t.page.locator('.facet-value').count(), Number(shownN));
  assert.ok(Number(totalN) > Number(shownN), more);
  await t.page.fill('.facet-search', 'PAULO');
  await t.page.waitForSelector('[data-testid=facet-more]', { state: 'detached' });
  const paulo = await menuValues();
  assert.ok(paulo.length > 0 && paulo.every(([k]) => k.toLowerCase().includes('paulo')), JSON.stringify(paulo));
  assert.deepEqual(t.problems, []);
});

test('a time range as people type it: a date keeps its whole day, an offset is converted, a wrong one says why', async () => {
  const all = sampleEvents();
  const uniq = (pred) => uniqueEvents(all.filter(pred)).toLocaleString('en-US');
  const t = await openSample();
  const range = async (from, to) => {
    await t.page.fill('[data-testid=time-from]', from);
    await t.page.fill('[data-testid=time-to]', to);
    await t.page.press('[data-testid=time-to]', 'Enter');
  };
  // One day, typed as its date at both ends (the sample's generated day, beside a few older events).
  await range('2026-03-01', '2026-03-01');
  const day = uniq((e) => e.eventTime.startsWith('2026-03-01T'));
  assert.notEqual(day, uniq(() => true), 'the sample holds events of other days');
  await totalIs(t.page, day);
  assert.equal(await t.page.inputValue('[data-testid=time-to]'), '2026-03-01 23:59:59');
  assert.equal(await t.page.locator('.time-range .field-error').count(), 0);
  // Times as the AWS CLI prints them, with an offset: 02:02 at +02:00 is 00:02 UTC.
  await range('2026-03-01T02:02:00+02:00', '2026-03-01T02:03:59+02:00');
  await totalIs(t.page, uniq((e) => e.eventTime >= '2026-03-01T00:02:00Z' && e.eventTime < '2026-03-01T00:04:00Z'));
  assert.equal(await t.page.inputValue('[data-testid=time-from]'), '2026-03-01 00:02:00');
  const kept = await t.page.textContent('[data-testid=total-events]');
  // An end before the start keeps nothing: it says so and leaves the range as it was.
  await range('2026-03-01 00:05', '2026-03-01 00:04');
  const error = t.page.locator('.time-range .field-error');
  await error.waitFor();
  assert.match(await error.textContent(), /“2026-03-01 00:04” is before “2026-03-01 00:05”/);
  assert.equal(await t.page.textContent('[data-testid=total-events]'), kept);
  // So does text that is no time, naming the forms it takes.
  await range('2026-03-01 00:05', 'yesterday');
  await t.page.waitForFunction(() => document.querySelector('.time-range .field-error')?.textContent.includes('“yesterday” is not a time like 2026-03-01'));
  assert.equal(await t.page.textContent('[data-testid=total-events]'), kept);
  await t.shot('time-range-error', { fullPage: false });
  assert.deepEqual(t.problems, []);
});

test('an organization trail: the overview counts every account and principal, and says when it lists only the top ones', async () => {
  // 620 accounts, 700 IAM users (user i in account i mod 620), 3 regions, one event each: more of
  // each than the engine lists (500), counted by construction.
  const [accounts, users, regions] = [620, 700, ['us-east-1', 'eu-west-1', 'ap-southeast-2']];
  const Records = Array.from({ length: users }, (_, i) => {
    const account = String(100000000000 + (i % accounts));
    return {
      eventVersion: '1.08',
      eventTime: `2026-03-01T00:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`,
      eventSource: 'ecr.amazonaws.com',
      eventName: 'DescribeRepositories',
      awsRegion: regions[i % 3],
      eventID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      recipientAccountId: account,
      userIdentity: { type: 'IAMUser', accountId: account, arn: `arn:aws:iam::${account}:user/user${i}`, principalId: `AIDA${String(i).padStart(16, '0')}` },
    };
  });
  const t = await openRecords('org-trail.json', Records);
  assert.equal(await t.page.textContent('[data-testid=total-events]'), '700');
  assert.equal(await t.page.textContent('[data-testid=total-principals]'), '700');
  assert.equal((await t.page.textContent('[data-testid=total-accounts-regions]')).trim(), '620 accounts, 3 regions');
  const more = '[data-testid=by-principal] [data-testid=list-more]';
  assert.equal(await t.page.textContent(more), 'Show the top 500 of 700');
  assert.equal(await t.page.locator('[data-testid=by-principal] tbody tr').count(), 12);
  // The accounts too: 620 held, the 500 busiest listed; the 3 regions in full, 700 / 3 each.
  assert.equal(await t.page.textContent('[data-testid=by-account] [data-testid=list-more]'), 'Show the top 500 of 620');
  const byRegion = await t.page.$$eval('[data-testid=by-region] tbody tr', (trs) => trs.map((tr) => [tr.querySelector('td.key').textContent, tr.querySelector('td.num').textContent]));
  assert.deepEqual(byRegion.sort(), [['ap-southeast-2', '233'], ['eu-west-1', '233'], ['us-east-1', '234']]);
  assert.equal(await t.page.locator('[data-testid=by-region] [data-testid=list-more]').count(), 0);
  await t.shot('overview-org-trail');
  await t.page.click(more);
  await t.page.waitForFunction(() => document.querySelectorAll('[data-testid=by-principal] tbody tr').length === 500);
  assert.equal(await t.page.textContent('[data-testid=by-principal] [data-testid=list-cut]'),
    '500 of 700 principals listed; to find another, use + Filter or search.');
  await t.page.locator('[data-testid=by-principal] [data-testid=list-cut]').scrollIntoViewIfNeeded();
  await t.shot('overview-org-trail-cut', { fullPage: false });
  assert.equal(await t.page.textContent(more), 'Show fewer');
  await t.page.click(more);
  await t.page.waitForSelector('[data-testid=by-principal] [data-testid=list-cut]', { state: 'detached' });
  assert.equal(await t.page.locator('[data-testid=by-principal] tbody tr').count(), 12);
  // A list the engine did not cut still offers all of it.
  assert.equal(await t.page.locator('[data-testid=by-source] [data-testid=list-more]').count(), 0);
  // The Identities tab lists 200 rows a table, and says so the same way.
  await t.page.click('[data-testid=tab-identities]');
  const byAccount = '[data-testid=identity-by-account]';
  await t.page.waitForSelector(`${byAccount} [data-testid=list-more]`);
  assert.equal(await t.page.textContent(`[data-testid=identity-by-principal] [data-testid=list-more]`), 'Show the top 200 of 700');
  assert.equal(await t.page.textContent(`${byAccount} [data-testid=list-more]`), 'Show the top 200 of 620');
  await t.page.click(`${byAccount} [data-testid=list-more]`);
  assert.equal(await t.page.textContent(`${byAccount} [data-testid=list-cut]`), '200 of 620 accounts listed; narrow the filter to list the others.');
  assert.equal(await t.page.locator(`${byAccount} tbody tr`).count(), 200);
  await t.page.locator(`${byAccount} [data-testid=list-cut]`).scrollIntoViewIfNeeded();
  await t.shot('identities-org-trail-cut', { fullPage: false });
  assert.deepEqual(t.problems, []);
});

test('a call logged without a name: its "(none)" row filters to those events, and the chip says "(none)"', async () => {
  // Two ECR events with no eventName, one PutImage.
  const Records = ['PutImage', undefined, undefined].map((eventName, i) => ({
    eventTime: `2026-03-01T00:00:0${i}Z`, eventSource: 'ecr.amazonaws.com', eventName,
    eventID: `00000000-0000-4000-8000-00000000000${i}`, awsRegion: 'us-east-1',
  }));
  const t = await openRecords('unnamed.json', Records);
  const row = t.page.locator('[data-testid=by-name] tbody tr', { hasText: '(none)' });
  assert.equal((await row.locator('td.num').first().textContent()).trim(), '2');
  await row.click();
  await totalIs(t.page, '2');
  assert.deepEqual(await t.page.locator('[data-testid=filter-chips] .chip .chip-value').allTextContents(), ['ecr.amazonaws.com', '(none)']);
  assert.deepEqual(t.problems, []);
});

test('"/" goes to the search box from anywhere but a text field, where it is typed', async () => {
  const t = await openSampleEvents();
  const page = t.page;
  const active = () => page.evaluate(() => document.activeElement?.dataset.testid ?? document.activeElement?.tagName);
  await page.focus('[data-testid=events-scroller]');
  await page.keyboard.press('/');
  assert.equal(await active(), 'search');
  // Typed there, it is text.
  await page.keyboard.type('PutImage/');
  assert.equal(await page.inputValue('[data-testid=search]'), 'PutImage/');
  // In another text field too: the time range's.
  await page.focus('[data-testid=time-from]');
  await page.keyboard.type('2026/');
  assert.equal(await page.inputValue('[data-testid=time-from]'), '2026/');
  assert.equal(await active(), 'time-from');
  // From the page itself (nothing focused), and it selects what the box holds, to be typed over.
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('/');
  assert.equal(await active(), 'search');
  await page.keyboard.type('PutImage');
  assert.equal(await page.inputValue('[data-testid=search]'), 'PutImage');
  assert.deepEqual(t.problems, []);
});

/** The sample opened, with its events (`all`), their unique count where `pred` holds as the page writes
 * it (`uniq`), and a wait for the overview's total to read `n` (`totalIs`). */
async function sampleToLeaveOut() {
  const all = sampleEvents();
  const uniq = (pred) => uniqueEvents(all.filter(pred)).toLocaleString('en-US');
  const t = await openSample();
  const page = t.page;
  return { all, uniq, t, page, totalIs: (n) => totalIs(page, n) };
}

test('a value left out from the menu: a "not" chip, its events gone from every count, and put back the same way', async () => {
  const { all, uniq, t, page, totalIs } = await sampleToLeaveOut();
  const row = (name) => page.locator('.facet-row', { has: page.locator('.fv-key', { hasText: name }) });
  // Leave out ECR's own calls, then a region too: AND NOT each.
  await page.click('[data-testid=add-filter]');
  await page.click('.facet-tab[data-facet=Service]');
  await row('ecr.amazonaws.com').locator('.facet-not').click();
  await totalIs(uniq((e) => e.eventSource !== 'ecr.amazonaws.com'));
  const chips = () => page.$$eval('[data-testid=filter-chips] .chip', (els) => els.map((el) => [el.querySelector('.chip-field').textContent, el.querySelector('.chip-value').textContent, el.classList.contains('not')]));
  assert.deepEqual(await chips(), [['not Service', 'ecr.amazonaws.com', true]]);
  await page.click('[data-testid=add-filter]');
  await page.click('.facet-tab[data-facet=Region]');
  await row('us-east-1').locator('.facet-not').click();
  await totalIs(uniq((e) => e.eventSource !== 'ecr.amazonaws.com' && e.awsRegion !== 'us-east-1'));
  // The events table agrees.
  await page.click('[data-testid=tab-events]');
  const expected = uniq((e) => e.eventSource !== 'ecr.amazonaws.com' && e.awsRegion !== 'us-east-1');
  await page.waitForFunction((n) => document.querySelector('[data-testid=events-total]')?.textContent === n, expected);
  // In the menu the value left out is still listed, with its events, struck through; its "−" puts it back.
  await page.click('[data-testid=add-filter]');
  await page.click('.facet-tab[data-facet=Service]');
  await page.waitForSelector('.facet-value.out');
  const out = row('ecr.amazonaws.com');
  assert.equal(await out.locator('.fv-count').textContent(), uniq((e) => e.eventSource === 'ecr.amazonaws.com' && e.awsRegion !== 'us-east-1'));
  assert.equal(await out.locator('.facet-not').getAttribute('aria-pressed'), 'true');
  await t.shot('filter-menu-left-out');
  await out.locator('.facet-not').click();
  await page.waitForFunction((n) => document.querySelector('[data-testid=events-total]')?.textContent === n, uniq((e) => e.awsRegion !== 'us-east-1'));
  // And the chip's × takes the other away.
  await page.click('[data-testid=filter-chips] .chip.not .chip-x');
  await page.waitForFunction((n) => document.querySelector('[data-testid=events-total]')?.textContent === n, uniq(() => true));
  assert.deepEqual(await chips(), []);
  assert.deepEqual(t.problems, []);
});

test('an API call\'s "−" leaves out that service\'s calls of that name, and a link carries it', async () => {
  const { all, uniq, t, page, totalIs } = await sampleToLeaveOut();
  // The busiest call (service and name together), counted here once per event.
  const seen = new Set();
  const byCall = new Map();
  for (const e of all) {
    const k = JSON.stringify([e.eventID, e.eventTime, e.eventSource, e.eventName]);
    if (seen.has(k)) continue;
    seen.add(k);
    const call = `${e.eventSource} ${e.eventName}`;
    byCall.set(call, (byCall.get(call) ?? 0) + 1);
  }
  const [call] = [...byCall].sort((a, b) => b[1] - a[1])[0];
  const [source, name] = call.split(' ');
  const rest = uniq((e) => !(e.eventSource === source && e.eventName === name));
  const row = page.locator('[data-testid=by-name] tbody tr', { hasText: name });
  assert.equal(await row.locator('.facet-not').getAttribute('aria-label'), `Leave out ${call}`);
  await row.locator('.facet-not').click();
  await totalIs(rest);
  const chips = () => page.$$eval('[data-testid=filter-chips] .chip', (els) => els.map((el) => [el.querySelector('.chip-field').textContent, el.querySelector('.chip-value').textContent]));
  assert.deepEqual(await chips(), [['not Call', call]]);
  assert.equal(await row.count(), 0, 'the call is gone from the panel');
  await t.shot('overview-call-left-out');
  // The link says so in clear (AWS vocabulary), and pasted back gives the same view.
  await page.waitForFunction(() => location.hash.includes('x.call='));
  const hash = new URL(page.url()).hash;
  await page.click('[data-testid=clear-filters]');
  await totalIs(uniq(() => true));
  await page.waitForFunction(() => location.hash === '');
  await page.evaluate((h) => { location.hash = h; }, hash);
  await totalIs(rest);
  assert.deepEqual(await chips(), [['not Call', call]]);
  assert.deepEqual(t.problems, []);
});

test('a breakdown row\'s "−" leaves its value out, by click or by Enter, without picking the row', async () => {
  const { all, uniq, t, page, totalIs } = await sampleToLeaveOut();
  const chips = () => page.$$eval('[data-testid=filter-chips] .chip', (els) => els.map((el) => [el.querySelector('.chip-field').textContent, el.querySelector('.chip-value').textContent]));
  // The largest service, by a click on its row's "−".
  const ecr = page.locator('[data-testid=by-source] tr', { hasText: 'ecr.amazonaws.com' });
  assert.equal(await ecr.locator('.facet-not').getAttribute('aria-label'), 'Leave out ecr.amazonaws.com');
  await ecr.locator('.facet-not').click();
  await totalIs(uniq((e) => e.eventSource !== 'ecr.amazonaws.com'));
  assert.deepEqual(await chips(), [['not Service', 'ecr.amazonaws.com']]);
  // An identity type, from the keyboard: Enter on the button leaves it out and does not also pick it.
  // (One whose label in the breakdown is its name in the logs.)
  const type = ['IAMUser', 'AssumedRole', 'Root'].find((ty) => all.some((e) => e.eventSource !== 'ecr.amazonaws.com' && e.userIdentity?.type === ty));
  const button = page.locator('[data-testid=by-identity-type] tr', { hasText: type }).first().locator('.facet-not');
  await button.focus();
  await page.keyboard.press('Enter');
  await totalIs(uniq((e) => e.eventSource !== 'ecr.amazonaws.com' && e.userIdentity?.type !== type));
  assert.deepEqual(await chips(), [['not Service', 'ecr.amazonaws.com'], ['not Identity type', type]]);
  await t.shot('overview-left-out');
  assert.deepEqual(t.problems, []);
});

test('a search of the whole events finds what only request parameters name, in every view', async () => {
  const all = sampleEvents();
  // Counted in node: events whose JSON, as parsed and written again, holds the text in any case.
  const holding = (text) => uniqueEvents(all.filter((e) => JSON.stringify(e).toLowerCase().includes(text))).toLocaleString('en-US');
  const fieldsHold = (e, text) => [e.eventName, e.eventSource, e.sourceIPAddress, e.userAgent, e.awsRegion, e.errorCode,
    e.errorMessage, e.userIdentity?.arn].some((v) => typeof v === 'string' && v.toLowerCase().includes(text));
  assert.ok(all.some((e) => JSON.stringify(e).includes('ml-datasets')) && !all.some((e) => fieldsHold(e, 'ml-datasets')),
    'the sample names its bucket in request parameters and resources only');
  const t = await openSample();
  await t.page.fill('[data-testid=search]', 'ML-Datasets');
  await t.page.press('[data-testid=search]', 'Enter');
  const scope = '[data-testid=search-scope]';
  await t.page.waitForSelector(`${scope}[data-state=fields]`);
  assert.match(await t.page.textContent(scope), /not at other request parameters or resources, such as S3 buckets/);
  await t.page.click('[data-testid=search-json]');
  await t.page.waitForSelector(`${scope}[data-state=done]`, { timeout: 60_000 });
  const found = holding('ml-datasets');
  assert.ok(found !== '0');
  assert.match(await t.page.textContent(scope), new RegExp(`${found} events' JSON contains “ML-Datasets”`));
  // Every view keeps them: the overview's count, the event table's, and S3 among the services.
  await totalIs(t.page, found);
  await t.page.waitForSelector('[data-testid=by-source] tr:has-text("s3.amazonaws.com")');
  await t.shot('search-json');
  await t.page.click('[data-testid=tab-events]');
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=events-total]')?.textContent === n, found);
  // An event's JSON marks where the text is, its branches opened to it: as many places (keys and
  // values) as node counts in that event, each mark the text in some case.
  await t.page.click('[data-testid=events] .ev-row[data-row] >> nth=0');
  await t.page.waitForSelector('[data-testid=json-tree] mark.hit');
  const id = await t.page.$eval('[data-testid=event-detail] dl.facts-list',
    (dl) => [...dl.querySelectorAll('dt')].find((dt) => dt.textContent === 'Event ID').nextElementSibling.querySelector('.val').textContent);
  const event = all.find((e) => e.eventID === id);
  assert.ok(event, `event ${id} is in the sample`);
  const places = (v) => v && typeof v === 'object'
    ? Object.entries(v).reduce((n, [k, x]) => n + (Array.isArray(v) ? 0 : Number(k.toLowerCase().includes('ml-datasets'))) + places(x), 0)
    : Number(v !== null && String(v).toLowerCase().includes('ml-datasets'));
  assert.equal(await t.page.textContent('[data-testid=json-hits]'), `The search text is in ${places(event)} places, marked`);
  const marks = await t.page.$$eval('[data-testid=json-tree] mark.hit', (ms) => ms.map((m) => [m.textContent, m.offsetParent !== null]));
  assert.ok(marks.every(([text]) => text.toLowerCase() === 'ml-datasets'), JSON.stringify(marks));
  assert.ok(marks.filter(([, shown]) => shown).length >= places(event), `every place shown: ${JSON.stringify(marks)}`);
  await t.shot('search-json-detail');
  await t.page.click('[data-testid=close-detail]');
  // The view's link says the whole events were searched; a colleague who drops the same files gets
  // the same events, searched so on their page too.
  await t.page.waitForFunction(() => location.hash.includes('qw=1'));
  const page2 = await t.page.context().newPage();
  await page2.goto(t.page.url());
  await page2.waitForSelector('[data-testid=link-notice]');
  await page2.click('[data-testid=load-sample]');
  await page2.waitForSelector(`${scope}[data-state=done]`, { timeout: 60_000 });
  await page2.waitForFunction((n) => document.querySelector('[data-testid=events-total]')?.textContent === n, found);
  await page2.close();
  // Another text is searched in the fields alone until asked: a part of the bucket's name.
  await t.page.fill('[data-testid=search]', 'ml-dataset');
  await t.page.press('[data-testid=search]', 'Enter');
  await t.page.waitForSelector(`${scope}[data-state=fields]`);
  await t.page.click('[data-testid=search-json]');
  await t.page.waitForSelector(`${scope}[data-state=done]`, { timeout: 60_000 });
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=events-total]')?.textContent === n, holding('ml-dataset'));
});
