// Loading: drops onto the drop zone, the folder picker with its relative paths, progress and cancel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT, start, Trailscope, recordsOf, uniqueEvents, walk } from './harness.mjs';

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
