// Loading: drops onto the drop zone (files, and folders from disk walked whole), the folder picker with
// its relative paths, progress and cancel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, dropFromDisk, fileHandles, folderPicker, pickNext, start, Trailscope, recordsOf, uniqueEvents, walk } from './harness.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

test('files dropped on the drop zone are read', async () => {
  const files = walk(join(ROOT, 'sample')).filter((p) => p.endsWith('.json.gz')).slice(0, 3);
  const expected = uniqueEvents(files.flatMap(recordsOf));
  const t = await Trailscope.open(env);
  const payload = files.map((p) => ({ name: p.split('/').pop(), bytes: [...readFileSync(p)] }));
  await t.page.evaluate((payload) => {
    const dt = new DataTransfer();
    for (const f of payload) dt.items.add(new File([new Uint8Array(f.bytes)], f.name));
    const zone = document.querySelector('[data-testid=drop-zone]');
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, payload);
  const s = await t.waitDone();
  assert.equal(s.events, expected);
  assert.equal(s.files, files.length);
  assert.deepEqual(t.problems, []);
});

test('files picked again add no events and are said to add none', async () => {
  const logs = walk(join(ROOT, 'sample')).filter((p) => p.endsWith('.json.gz') && recordsOf(p).length > 0);
  const [first, more] = [logs.slice(0, 3), logs.slice(3, 4)];
  const t = await Trailscope.open(env);
  await t.pickFiles(first);
  await t.waitDone();
  await t.pickFiles([...first, ...more]);
  await t.page.waitForFunction((n) => Number(document.querySelector('[data-testid=ingest-status]').dataset.files) === n,
    first.length * 2 + more.length);
  const s = await t.waitDone();
  assert.equal(s.events, uniqueEvents([...first, ...more].flatMap(recordsOf)), 'events are held once');
  const repeated = await t.page.getAttribute('[data-testid=ingest-status]', 'data-files-repeated');
  // The three picked again add nothing new, unless one of them is all events of another.
  const keys = (p) => recordsOf(p).map((e) => JSON.stringify([e.eventID, e.eventTime, e.eventSource, e.eventName]));
  const seen = new Set();
  let expected = 0;
  for (const p of [...first, ...first, ...more]) {
    const ks = keys(p);
    if (ks.every((k) => seen.has(k))) expected += 1;
    ks.forEach((k) => seen.add(k));
  }
  assert.equal(Number(repeated), expected);
  assert.ok(expected >= first.length);
  assert.match(await t.page.textContent('[data-testid=ingest-status]'), new RegExp(`${expected} files with no new events`));
  // The Files panel says, file by file, how many of its events were already loaded: in all, every
  // record read less the events held.
  const records = [...first, ...first, ...more].flatMap(recordsOf).length;
  const dups = await t.page.$$eval('[data-testid=files] td[data-duplicates]', (tds) => tds.map((td) => Number(td.dataset.duplicates)));
  assert.equal(dups.length, first.length * 2 + more.length);
  assert.equal(dups.reduce((a, b) => a + b, 0), records - s.events);
  assert.equal(await t.page.locator('[data-testid=files] td[data-duplicates] >> text=already loaded').count(), dups.filter((n) => n > 0).length);
  await t.shot('files-picked-again');
  assert.deepEqual(t.problems, []);
});

test('the folder picker reads a whole AWSLogs tree and keeps the paths', async () => {
  const dir = join(ROOT, 'sample');
  const files = walk(dir).filter((p) => p.endsWith('.json.gz'));
  const expected = uniqueEvents(files.flatMap(recordsOf));
  const t = await Trailscope.open(env);
  await t.page.setInputFiles('[data-testid=folder-input]', dir);
  const s = await t.waitDone();
  assert.equal(s.events, expected);
  assert.equal(s.files, files.length);
  // The files list shows the relative paths (the title holds the whole path).
  const titles = await t.page.locator('[data-testid=files] td.path').evaluateAll((tds) => tds.map((td) => td.title));
  const want = files.map((p) => `sample/${relative(dir, p)}`).sort();
  // Listed by path (none has a warning), however the ingest workers' batches arrived.
  assert.deepEqual(titles, want);
  // Accounts came from the S3 keys: three generated accounts.
  const accounts = new Set(files.map((p) => relative(dir, p).split('/')[1]));
  assert.match(await t.page.textContent('[data-testid=overview-cards]'), new RegExp(`${accounts.size} accounts`));
  assert.deepEqual(t.problems, []);
});

/** A folder on disk to drop: the sample's AWSLogs tree, a folder of 130 files (more than the 100 one
 * `readEntries` call hands out), each holding one of the sample's events, and an empty folder. */
function folderToDrop() {
  const root = mkdtempSync(join(tmpdir(), 'trailscope-drop-'));
  const top = join(root, 'logs');
  cpSync(join(ROOT, 'sample', 'AWSLogs'), join(top, 'AWSLogs'), { recursive: true });
  const records = walk(join(ROOT, 'sample')).filter((p) => p.endsWith('.json.gz')).flatMap(recordsOf);
  mkdirSync(join(top, 'exports', 'many'), { recursive: true });
  for (let i = 0; i < 130; i++) {
    const name = join(top, 'exports', 'many', `event-${String(i).padStart(3, '0')}.json.gz`);
    writeFileSync(name, gzipSync(JSON.stringify({ Records: [records[(i * 5) % records.length]] })));
  }
  mkdirSync(join(top, 'empty'));
  return { root, top };
}

for (const api of ['handles', 'entries']) {
  test(`a folder dropped from disk is walked whole (${api}), past 100 entries a folder, and keeps its paths`, async () => {
    const { root, top } = folderToDrop();
    try {
      const files = walk(top);
      assert.equal(files.length, 21 + 130);
      const expected = uniqueEvents(files.flatMap(recordsOf));
      const t = await Trailscope.open(env, { route: fileHandles({ withoutHandles: api === 'entries' }) });
      await dropFromDisk(t.page, [top]);
      const s = await t.waitDone();
      assert.equal(s.files, files.length);
      assert.equal(s.events, expected);
      // Through the handles, each file opened once; without them, the entries read every file.
      assert.equal(await t.page.evaluate(() => window.__opened), api === 'handles' ? files.length : 0);
      // Listed by path below the dropped folder, which leads it (the list draws its first rows).
      const titles = await t.page.locator('[data-testid=files] td.path').evaluateAll((tds) => tds.map((td) => td.title));
      const want = files.map((p) => `logs/${relative(top, p)}`).sort();
      assert.ok(titles.length >= 20, `${titles.length} rows drawn`);
      assert.deepEqual(titles, want.slice(0, titles.length));
      assert.deepEqual(t.problems, []);
      await t.shot(api === 'handles' ? 'folder-dropped' : 'folder-dropped-entries');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}

test('a folder chosen with the browser\'s folder picker is read through its handle, while it is listed', async () => {
  const { root, top } = folderToDrop();
  try {
    const files = walk(top);
    const expected = uniqueEvents(files.flatMap(recordsOf));
    // Each getFile() held 60 ms, so the bar says it is listing for that long at least.
    const handles = fileHandles({ holdMs: 60 });
    const picker = folderPicker();
    const t = await Trailscope.open(env, { route: async (page) => { await handles(page); await picker(page); } });
    await pickNext(t.page);
    await dropFromDisk(t.page, [top]);
    assert.equal(await t.page.evaluate(() => window.__opened), 0, 'the drop was taken for the picker');
    await t.page.click('[data-testid=choose-folder]');
    await t.page.waitForSelector('[data-testid=ingest-status] >> text=Listing the folders');
    const s = await t.waitDone();
    assert.equal(await t.page.evaluate(() => window.__pickerCalls), 1);
    assert.deepEqual(await t.page.evaluate(() => window.__pickerOptions), { mode: 'read', id: 'trailscope-logs' });
    assert.equal(s.files, files.length);
    assert.equal(s.events, expected);
    // Opened through the handles, once each; the upload input was never used.
    assert.equal(await t.page.evaluate(() => window.__opened), files.length);
    assert.equal(await t.page.evaluate(() => document.querySelector('[data-testid=folder-input]').files.length), 0);
    // Paths below the chosen folder, which leads them, as a folder upload gives them.
    const titles = await t.page.locator('[data-testid=files] td.path').evaluateAll((tds) => tds.map((td) => td.title));
    const want = files.map((p) => `logs/${relative(top, p)}`).sort();
    assert.ok(titles.length >= 20, `${titles.length} rows drawn`);
    assert.deepEqual(titles, want.slice(0, titles.length));
    assert.deepEqual(t.problems, []);
    await t.shot('folder-picked');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

for (const [fail, says] of [['AbortError', null], ['SecurityError', 'The folder could not be opened (stand-in picker: SecurityError); drop it on the page instead.']]) {
  test(`a folder picker that ${fail === 'AbortError' ? 'is closed changes nothing' : 'cannot open says why, loading nothing'}`, async () => {
    const t = await Trailscope.open(env, { route: folderPicker({ fail }) });
    await t.page.click('[data-testid=choose-folder]');
    await t.page.waitForFunction(() => window.__pickerCalls === 1);
    if (says) {
      await t.page.waitForSelector('.errors p');
      assert.equal(await t.page.textContent('.errors p'), says);
    } else {
      // Give a wrongly shown message time to appear.
      await t.page.waitForTimeout(200);
      assert.equal(await t.page.locator('.errors p').count(), 0);
    }
    // Nothing loaded; a message with nothing loaded is the bar's error state, as for any load that fails.
    const s = await t.status();
    assert.equal(s.state, says ? 'error' : 'idle');
    assert.match(await t.page.textContent('[data-testid=ingest-status]'), says ? /Nothing loaded: see the message below/ : /No logs loaded yet/);
    assert.equal(s.files, 0);
    assert.equal(s.events, 0);
    assert.deepEqual(t.problems, []);
    if (says) await t.shot('folder-picker-failed');
  });
}

test('a dropped folder with no files says so and leaves the page as it was', async () => {
  const { root, top } = folderToDrop();
  try {
    const t = await Trailscope.open(env);
    await dropFromDisk(t.page, [join(top, 'empty')]);
    await t.page.waitForSelector('.errors >> text=Nothing to read in those folders');
    assert.equal((await t.status()).state, 'idle');
    // After a load: still done, with the same counts.
    await dropFromDisk(t.page, [join(top, 'AWSLogs')]);
    const loaded = await t.waitDone();
    await dropFromDisk(t.page, [join(top, 'empty')]);
    await t.page.waitForFunction(() => document.querySelectorAll('.errors p').length === 2);
    const again = await t.waitDone();
    assert.deepEqual(again, loaded);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
