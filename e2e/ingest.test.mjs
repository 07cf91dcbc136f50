// Ingest end to end: a mixed folder (gzip'd S3 log files, a digest, a console CSV download,
// lookup-events pages, filter-log-events and Logs Insights output, and a junk file) picked through the folder input loads the right number of
// events, sets the digest aside and names the junk file in a readable warning. The expected total is
// computed here, in JavaScript, from the fixture files themselves (tests/fixtures/ingest/, written by
// make_fixtures.py from AWS's documentation examples).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ROOT, downloadSummary, start, Trailscope } from './harness.mjs';

const SHAPES = join(ROOT, 'tests/fixtures/ingest/shapes');
const S3 = 'AWSLogs/123456789012/CloudTrail/us-east-2/2019/04/15/123456789012_CloudTrail_us-east-2_20190415T1725Z_MultiMember0001.json.gz';
const DIGEST = 'AWSLogs/123456789012/CloudTrail-Digest/us-east-2/2019/04/15/123456789012_CloudTrail-Digest_us-east-2_trail_us-east-2_20190415T170000Z.json.gz';
const FOLDER = {
  [S3]: join(SHAPES, S3),
  'exports/events.jsonl.gz': join(SHAPES, 'events.jsonl.gz'),
  [DIGEST]: join(SHAPES, DIGEST),
  'exports/event-history.csv': join(SHAPES, 'event-history.csv'),
  'exports/lookup-events.json': join(SHAPES, 'lookup-events.json'),
  'exports/filter-log-events.json': join(SHAPES, 'filter-log-events.json'),
  'exports/logs-insights.json': join(SHAPES, 'logs-insights.json'),
  'exports/notes.txt': join(ROOT, 'tests/fixtures/ingest/hostile/notes.txt'),
};

let env;
let dir;
before(async () => {
  env = await start();
  dir = join(mkdtempSync(join(tmpdir(), 'trailscope-e2e-')), 'logs');
  for (const [rel, src] of Object.entries(FOLDER)) {
    cpSync(src, join(dir, rel), { recursive: true });
  }
});
after(async () => {
  await env?.close();
  if (dir) rmSync(dirname(dir), { recursive: true, force: true });
});

const text = (p) => {
  const b = readFileSync(p);
  return (b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b).toString('utf8');
};

/** RFC 4180 records: quoted cells may hold commas, doubled quotes and newlines. */
function csvRows(s) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n') { row.push(cell.replace(/\r$/, '')); rows.push(row); row = []; cell = ''; }
    else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

/** The unique-event keys of the folder, read shape by shape. */
function expectedKeys() {
  const keys = new Set();
  const add = (id, time, source, name) => keys.add(JSON.stringify([id, time, source, name]));
  const json = (e) => add(e.eventID, e.eventTime, e.eventSource, e.eventName);
  JSON.parse(text(FOLDER[S3])).Records.forEach(json);
  text(FOLDER['exports/events.jsonl.gz']).split('\n').filter(Boolean).map((l) => JSON.parse(l)).forEach(json);
  // Two lookup-events pages, one after the other: each starts with `{` at the start of a line.
  for (const page of text(FOLDER['exports/lookup-events.json']).split(/\n(?=\{)/)) {
    JSON.parse(page).Events.forEach((e) => json(JSON.parse(e.CloudTrailEvent)));
  }
  JSON.parse(text(FOLDER['exports/filter-log-events.json'])).events.forEach((e) => json(JSON.parse(e.message)));
  for (const row of JSON.parse(text(FOLDER['exports/logs-insights.json'])).results) {
    json(JSON.parse(row.find((f) => f.field === '@message').value));
  }
  const [header, ...rows] = csvRows(text(FOLDER['exports/event-history.csv']));
  const col = (name) => header.indexOf(name);
  for (const r of rows) add(r[col('Event ID')], r[col('Event time')], r[col('Event source')], r[col('Event name')]);
  return keys;
}

test('a mixed folder: right total, the digest set aside, the junk file named', async () => {
  const expected = expectedKeys().size;
  const t = await Trailscope.open(env);
  await t.page.setInputFiles('[data-testid=folder-input]', dir);
  const s = await t.waitDone();
  assert.equal(s.events, expected);
  assert.equal(s.files, Object.keys(FOLDER).length);
  assert.equal(s.skipped, 1, 'the digest is set aside, not counted as events');
  assert.equal(await t.page.getAttribute('[data-testid=ingest-status]', 'data-skipped'), '1');
  assert.equal(s.warnings, 1, 'only the junk file has a warning');
  assert.equal(await t.page.textContent('[data-testid=total-events]'), expected.toLocaleString('en-US'));
  const warning = t.page.locator('[data-testid=warnings] li');
  assert.equal(await warning.count(), 1);
  assert.equal(await warning.locator('.wfile').textContent(), 'notes.txt');
  assert.equal(await warning.locator('.wfile').getAttribute('title'), 'logs/exports/notes.txt');
  assert.match(await warning.locator('.wmsg').textContent(), /^this is not a CloudTrail log: the text starts “Meeting notes/);
  const digestRow = t.page.locator('[data-testid=files] tr', { hasText: 'CloudTrail-Digest' });
  assert.match(await digestRow.textContent(), /digest \(set aside\)/);
  // The CloudWatch Logs outputs hold events the S3 file holds too: each is read whole (every
  // record loaded or a duplicate), in its own shape.
  const { summary } = await downloadSummary(t.page);
  const byPath = Object.fromEntries(summary.input.files.map((f) => [f.path, f]));
  const insightsRows = JSON.parse(text(FOLDER['exports/logs-insights.json'])).results.length;
  const logEvents = JSON.parse(text(FOLDER['exports/filter-log-events.json'])).events.length;
  for (const [rel, format, records] of [
    ['exports/filter-log-events.json', 'CloudWatchLogsApi', logEvents],
    ['exports/logs-insights.json', 'LogsInsights', insightsRows],
  ]) {
    const f = byPath[`logs/${rel}`];
    assert.ok(f, `${rel} in ${Object.keys(byPath)}`);
    assert.deepEqual([f.formats, f.events + f.duplicates, f.rejected], [[format], records, 0], rel);
  }
  await t.shot('ingest-mixed-folder');
  assert.deepEqual(t.problems, []);
  assert.deepEqual(await t.cspViolations(), []);
});
