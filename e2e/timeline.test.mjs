// The timeline on the sample: zoom (buttons, keys, wheel), pan (drag), brush, reset; the other views
// follow the brushed range. Expected counts are computed here from the sample's files, never read
// from the page: the page only tells which range the person selected.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, corpusDir, recordTexts, recordedTexts, start, Trailscope, recordsOf, uniqueEvents, walk } from './harness.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

const sampleEvents = () => walk(join(ROOT, 'sample')).filter((p) => p.endsWith('.json.gz')).flatMap(recordsOf);
/** The sample's events, once each (CloudTrail's key: the same event in two files is one). */
function sampleOnce() {
  const seen = new Set();
  return sampleEvents().filter((e) => {
    const k = JSON.stringify([e.eventID, e.eventTime, e.eventSource, e.eventName]);
    return seen.has(k) ? false : (seen.add(k), true);
  });
}
const ms = (iso) => Date.parse(iso);
// The canvas's lane names take the first 35% of it, 112 to 200 px, and 12 px are kept on the right
// (src/ui/timeline/draw.rs). In the 1440 px window of these tests, 200 px.
const gutterOf = (width) => Math.min(200, Math.max(112, width * 0.35));
const GUTTER = 200;
const PAD_R = 12;

/** The timeline's readout: visible range, buckets, selection, state. */
async function readout(page) {
  return page.$eval('[data-testid=timeline-range]', (el) => ({
    state: el.dataset.state,
    from: Number(el.dataset.from),
    to: Number(el.dataset.to),
    buckets: Number(el.dataset.buckets),
    marks: Number(el.dataset.marks),
    drawnMarks: Number(el.dataset.drawnMarks),
    axisLabels: Number(el.dataset.axisLabels),
    stride: Number(el.dataset.stride),
    lanes: Number(el.dataset.lanes),
    selFrom: el.dataset.selectionFrom === undefined ? null : Number(el.dataset.selectionFrom),
    selTo: el.dataset.selectionTo === undefined ? null : Number(el.dataset.selectionTo),
    text: el.textContent,
  }));
}

/** Polls the readout until it is ready and `pred(readout, arg)` holds. */
async function until(page, pred, arg, timeout = 20_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const r = await readout(page);
    if (r.state === 'ready' && pred(r, arg)) return r;
    if (Date.now() > end) throw new Error(`timeline never reached ${pred}: ${JSON.stringify(r)}`);
    await page.waitForTimeout(50);
  }
}

/** Canvas x (page coordinates) of time t in the current view. */
async function xOf(page, t) {
  const box = await page.locator('[data-testid=timeline-canvas]').boundingBox();
  const r = await readout(page);
  const gutter = gutterOf(box.width);
  const plot = box.width - gutter - PAD_R;
  return box.x + gutter + ((t - r.from) / (r.to - r.from)) * plot;
}

async function openTimeline(options = {}) {
  const t = await Trailscope.open(env, options);
  await t.page.click('[data-testid=load-sample]');
  await t.waitDone();
  await recordTexts(t.page, '[data-testid=timeline-range]');
  await t.page.click('[data-testid=tab-timeline]');
  await t.page.waitForSelector('[data-testid=timeline-canvas]');
  await until(t.page, (d) => d.buckets > 0);
  return t;
}

/** The sample's timeline with lanes by `group`: its "Other" lane's button and how many lanes are
 * drawn above it. */
async function otherLane(group) {
  const t = await openTimeline();
  const page = t.page;
  // The lanes of the grouping before stay drawn (dimmed) until the new answer: wait for it, or the
  // "Other" lane read is the old grouping's (a machine busy elsewhere made that race visible).
  await recordTexts(page, '[data-testid=timeline-plot]', 'data-state');
  await page.selectOption('[data-testid=timeline-group]', group);
  await page.waitForFunction(() => {
    const seen = window.__texts['[data-testid=timeline-plot]|data-state'];
    return seen.includes('updating') && seen.at(-1) === 'ready';
  });
  const other = page.locator('[data-testid=timeline-other-filter]');
  await other.waitFor();
  return { t, page, other, drawn: await page.locator('[data-testid=timeline-lane-filter]').count() };
}

async function brush(page, fromT, toT) {
  const box = await page.locator('[data-testid=timeline-canvas]').boundingBox();
  const y = box.y + box.height - 20;
  const [x0, x1] = [await xOf(page, fromT), await xOf(page, toT)];
  await page.keyboard.down('Shift');
  await page.mouse.move(x0, y);
  await page.mouse.down();
  await page.mouse.move((x0 + x1) / 2, y, { steps: 4 });
  await page.mouse.move(x1, y, { steps: 4 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
}

test('zoom, pan and brush on the sample; every view follows the brushed range', async () => {
  const all = sampleEvents();
  const times = all.map((e) => ms(e.eventTime)).sort((a, b) => a - b);
  const [first, last] = [times[0], times[times.length - 1]];
  const t = await openTimeline();
  const page = t.page;

  // Zoomed out: everything is in view. Before the first answer the readout counted nothing, and
  // said so, rather than "0 events".
  let r = await readout(page);
  assert.ok(r.from <= first && r.to > last, `view ${r.from}..${r.to} holds ${first}..${last}`);
  const readouts = await recordedTexts(page, '[data-testid=timeline-range]');
  assert.ok(readouts.length > 0);
  assert.deepEqual(readouts.filter((text) => / 0 events in view/.test(text)), [], `the sample has ${all.length} events`);
  assert.match(readouts.at(-1), new RegExp(`· ${uniqueEvents(all).toLocaleString('en-US')} events in view$`));
  assert.ok(r.lanes >= 2, `${r.lanes} lanes`);
  await t.shot('timeline-1-years');

  // Zoom in with the button: the span halves, around the middle.
  const span0 = r.to - r.from;
  await page.click('[data-testid=timeline-zoom-in]');
  r = await until(page, (d, s) => d.to - d.from < s * 0.6, span0);
  assert.ok(Math.abs((r.to - r.from) / span0 - 0.5) < 0.01, `zoomed to ${(r.to - r.from) / span0} of the span`);
  // And out with the key.
  await page.focus('[data-testid=timeline-canvas]');
  await page.keyboard.press('-');
  r = await until(page, (d, s) => d.to - d.from > s * 0.9, span0);
  assert.ok(Math.abs((r.to - r.from) / span0 - 1) < 0.01);

  // Pan: dragging 200 px to the left shows later times, by 200 px worth of time.
  const box = await page.locator('[data-testid=timeline-canvas]').boundingBox();
  const perPx = (r.to - r.from) / (box.width - GUTTER - PAD_R);
  const before = r.from;
  const y = box.y + box.height - 20;
  await page.mouse.move(box.x + 700, y);
  await page.mouse.down();
  await page.mouse.move(box.x + 600, y, { steps: 5 });
  await page.mouse.move(box.x + 500, y, { steps: 5 });
  await page.mouse.up();
  r = await until(page, (d, b) => d.from > b, before);
  assert.ok(Math.abs((r.from - before) / perPx - 200) < 3, `panned ${(r.from - before) / perPx} px`);

  // Brush the last months with the mouse: the filter takes the range and the view zooms to it.
  await brush(page, ms('2025-12-01T00:00:00Z'), last + 5 * 86_400_000);
  r = await until(page, (d) => d.selFrom !== null);
  assert.ok(r.to - r.from < span0 / 10, 'the view zoomed to the brushed range');
  await t.shot('timeline-2-months');

  // Zoom by wheel towards the sample's busy minutes, then brush two of them.
  for (let i = 0; i < 12; i += 1) {
    const x = await xOf(page, ms('2026-03-01T00:03:00Z'));
    await page.mouse.move(x, y);
    await page.mouse.wheel(0, -600);
    r = await readout(page);
    if (r.to - r.from < 20 * 60_000) break;
  }
  r = await until(page, (d) => d.to - d.from < 40 * 60_000);
  const [a, b] = [ms('2026-03-01T00:01:00Z'), ms('2026-03-01T00:03:00Z')];
  assert.ok(r.from < a && r.to > b, 'the busy minutes are in view');
  // The brushed range is what was dragged, to within a few pixels' worth of time at this zoom.
  const tol = 3 * (r.to - r.from) / (box.width - GUTTER - PAD_R);
  await brush(page, a, b);
  r = await until(page, (d, a) => d.selFrom > a - 60_000 && d.selFrom < a + 60_000, a);
  assert.ok(Math.abs(r.selFrom - a) < tol && Math.abs(r.selTo - b) < tol, `brushed ${r.selFrom}..${r.selTo}`);
  assert.ok(r.marks > 0, 'pushes and pulls are drawn at this scale');
  await t.shot('timeline-3-minutes');

  // The expected count: unique raw events with selFrom <= eventTime < selTo.
  const inRange = all.filter((e) => { const m = ms(e.eventTime); return m >= r.selFrom && m < r.selTo; });
  const expected = uniqueEvents(inRange);
  assert.ok(expected > 0 && expected < uniqueEvents(all), `${expected} events in the brushed range`);
  const chips = await page.textContent('[data-testid=filter-chips]');
  assert.ok(chips.includes('Time'), 'the range is a filter chip');
  // The link carries the range.
  assert.ok((await page.evaluate(() => location.hash)).length > 1);

  await page.click('[data-testid=tab-events]');
  await page.waitForFunction((n) => document.querySelector('[data-testid=events-total]')?.textContent === n,
    expected.toLocaleString('en-US'));
  await page.click('[data-testid=tab-overview]');
  await page.waitForFunction((n) => document.querySelector('[data-testid=total-events]')?.textContent === n,
    expected.toLocaleString('en-US'));
  // Double-click resets: no range, everything in view, every event counted again.
  await page.click('[data-testid=tab-timeline]');
  await until(page, (d) => d.buckets > 0);
  await page.dblclick('[data-testid=timeline-canvas]', { position: { x: 600, y: 60 } });
  r = await until(page, (d) => d.selFrom === null);
  r = await until(page, (d, f) => d.from <= f, first);
  assert.ok(r.to > last);
  await page.click('[data-testid=tab-overview]');
  await page.waitForFunction((n) => document.querySelector('[data-testid=total-events]')?.textContent === n,
    uniqueEvents(all).toLocaleString('en-US'));
  assert.deepEqual(t.problems, []);
  assert.deepEqual(await t.cspViolations(), []);
});

test('hover tells what, who, when; keys walk the marks; Enter and click open the event; a table says the same', async () => {
  const t = await openTimeline();
  const page = t.page;
  // Zoom to the busy minutes with the range fields' own filter, which the timeline follows.
  await page.fill('[data-testid=time-from]', '2026-03-01 00:00:00');
  await page.fill('[data-testid=time-to]', '2026-03-01 00:06:00');
  await page.press('[data-testid=time-to]', 'Enter');
  let r = await until(page, (d) => d.selFrom !== null && d.marks > 0);
  // Keyboard: ↓ focuses the first mark and says what it is.
  await page.focus('[data-testid=timeline-canvas]');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.querySelector('[data-testid=timeline-focus]').textContent.includes('Who:'));
  const said = await page.textContent('[data-testid=timeline-focus]');
  assert.match(said, /(push|pull|expired image|ECS call|Image Builder call)/);
  assert.ok(await page.isVisible('[data-testid=timeline-tooltip]'), 'the focused mark shows its tooltip');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=event-detail]');
  await page.click('[data-testid=close-detail]');
  // Hover over the focused mark's neighbourhood: the tooltip names what, who, when.
  await page.keyboard.press('Escape');
  const table = page.locator('[data-testid=timeline-table-toggle]');
  await table.click();
  await page.waitForSelector('[data-testid=timeline-table] tbody tr');
  const rows = await page.locator('[data-testid=timeline-table] tbody tr').count();
  assert.ok(rows > 0, 'the table lists what is drawn');
  const pushRows = await page.locator('[data-testid=timeline-table] tbody tr[data-mark=push]').count();
  assert.ok(pushRows > 0);
  // The table lists the marks as the canvas draws them: merged where they would overlap, one row each.
  r = await readout(page);
  const markRows = await page.locator('[data-testid=timeline-table] tbody tr:not([data-mark=events])').count();
  assert.ok(r.drawnMarks > 0 && r.stride >= 1, JSON.stringify(r));
  assert.equal(markRows, r.drawnMarks, 'one table row per drawn mark');
  // Mouse: find a mark by scanning a lane row for a tooltip that names a push or pull.
  const box = await page.locator('[data-testid=timeline-canvas]').boundingBox();
  let found = '';
  let at = null;
  for (let lane = 0; lane < Math.min(r.lanes, 4) && !found; lane += 1) {
    const yy = box.y + 26 + 36 + 30 * lane + 15;
    for (let x = box.x + GUTTER + 2; x < box.x + box.width - PAD_R && !found; x += 4) {
      await page.mouse.move(x, yy);
      const tip = await page.$eval('[data-testid=timeline-tooltip]', (el) => (el.hidden ? '' : el.textContent));
      if (/^[\d,]+ (push|pull)/.test(tip.split('\n')[0])) { found = tip; at = [x, yy]; }
    }
  }
  assert.ok(found.includes('Who: ') && found.includes('When: 2026-03-01'), `tooltip: ${found}`);
  await page.mouse.down();
  await page.mouse.up();
  await page.waitForSelector('[data-testid=event-detail]');
  assert.match(await page.textContent('[data-testid=detail-name]'), /^(PutImage|BatchGetImage|InitiateLayerUpload|GetDownloadUrlForLayer|CompleteLayerUpload|UploadLayerPart|BatchCheckLayerAvailability)$/);
  await page.click('[data-testid=close-detail]');
  await t.shot('timeline-tooltip', { fullPage: false });
  // A zoom moves the mark away from the pointer: its tooltip goes until the pointer moves again.
  await page.mouse.move(at[0] + 1, at[1]);
  await page.waitForFunction(() => !document.querySelector('[data-testid=timeline-tooltip]').hidden);
  await page.mouse.wheel(0, -240);
  await page.waitForFunction(() => document.querySelector('[data-testid=timeline-tooltip]').hidden);
  // Nothing matches: a clear empty state.
  await page.fill('[data-testid=search]', 'no-such-thing-anywhere');
  await page.press('[data-testid=search]', 'Enter');
  await page.waitForSelector('[data-testid=timeline-empty]');
  r = await readout(page);
  assert.equal(r.state, 'empty');
  assert.deepEqual(t.problems, []);
});

test('under a new filter or grouping, the marks drawn for the one before are dimmed until the new answer', async () => {
  const all = sampleEvents();
  const put = all.filter((e) => e.eventName === 'PutImage')[0];
  const t = await openTimeline();
  const page = t.page;
  const lanes = (await readout(page)).lanes;
  await recordTexts(page, '[data-testid=timeline-plot]', 'data-state');
  await recordTexts(page, '[data-testid=timeline-plot]', 'aria-busy');
  // One event by its id: what is drawn is that event alone once the answer comes.
  await page.fill('[data-testid=search]', put.eventID);
  await page.press('[data-testid=search]', 'Enter');
  await until(page, (d) => d.text.endsWith('· 1 event in view'));
  await page.waitForSelector('[data-testid=timeline-plot][data-state=ready]');
  assert.deepEqual(await recordedTexts(page, '[data-testid=timeline-plot]', 'data-state'), ['ready', 'updating', 'ready']);
  assert.deepEqual(await recordedTexts(page, '[data-testid=timeline-plot]', 'aria-busy'), ['false', 'true', 'false']);
  // Clearing the search and grouping the lanes otherwise: dimmed again until the lanes are redrawn.
  await page.fill('[data-testid=search]', '');
  await page.press('[data-testid=search]', 'Enter');
  await until(page, (d) => d.lanes === lanes);
  await page.waitForSelector('[data-testid=timeline-plot][data-state=ready]');
  const other = await page.$eval('[data-testid=timeline-group]', (s) => [...s.options].find((o) => !o.selected).value);
  await page.selectOption('[data-testid=timeline-group]', other);
  await page.waitForFunction(() => window.__texts['[data-testid=timeline-plot]|data-state'].length === 7);
  assert.deepEqual(await recordedTexts(page, '[data-testid=timeline-plot]', 'data-state'),
    ['ready', 'updating', 'ready', 'updating', 'ready', 'updating', 'ready']);
  assert.deepEqual(t.problems, []);
});

test('a lane\'s name filters every view to it: a service, then an account and region (by keyboard)', async () => {
  const all = sampleEvents();
  const count = (keep) => uniqueEvents(all.filter(keep));
  const busiest = (key, events) => {
    const n = new Map();
    for (const e of events) n.set(key(e), (n.get(key(e)) ?? 0) + 1);
    return [...n].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  };
  // The busiest service after the first that has no ECS or Image Builder lane of its own.
  const service = busiest((e) => e.eventSource, all).filter((s) => !/^(ecs|imagebuilder)\./.test(s))[1];
  const t = await openTimeline();
  const page = t.page;
  await page.selectOption('[data-testid=timeline-group]', 'service');
  const button = (name) => page.locator(`[data-testid=timeline-lane-filter][aria-label="Filter every view to ${name}"]`);
  await button(service).waitFor();
  // The button sits over its lane's name (the canvas draws lane i at 26 + 36 + 30 i px).
  const [canvas, box] = [await page.locator('[data-testid=timeline-canvas]').boundingBox(), await button(service).boundingBox()];
  const lane = Number(await button(service).getAttribute('data-lane'));
  assert.ok(Math.abs(box.y - (canvas.y + 26 + 36 + 30 * lane)) < 1 && box.x === canvas.x && box.width === GUTTER, JSON.stringify(box));
  await button(service).hover();
  await t.shot('timeline-lane-hover');
  await button(service).click();
  const chips = () => page.$$eval('[data-testid=filter-chips] .chip', (els) => els.map((el) => [el.dataset.field, el.querySelector('.chip-value').textContent]));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=filter-chips] .chip').length === 1);
  assert.deepEqual(await chips(), [['Source', service]]);
  const kept = all.filter((e) => e.eventSource === service);
  await until(page, (d) => d.lanes === 1 && d.text.endsWith(`· ${count((e) => e.eventSource === service).toLocaleString('en-US')} events in view`));
  assert.equal(await page.locator('[data-testid=timeline-lane-filter]').getAttribute('aria-pressed'), 'true');
  // Then by account and region, from the keyboard: both chips, and the events of all three.
  await page.selectOption('[data-testid=timeline-group]', 'account-region');
  const [pair] = busiest((e) => `${e.recipientAccountId} / ${e.awsRegion}`, kept);
  await button(pair).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=filter-chips] .chip').length === 3);
  const [account, region] = pair.split(' / ');
  assert.deepEqual(await chips(), [['Source', service], ['Account', account], ['Region', region]]);
  const expected = count((e) => e.eventSource === service && e.recipientAccountId === account && e.awsRegion === region);
  await until(page, (d) => d.lanes === 1 && d.text.endsWith(` ${expected.toLocaleString('en-US')} events in view`));
  assert.ok(expected > 0 && expected < kept.length, `${expected} of ${kept.length}`);
  await t.shot('timeline-lane-picked');
  assert.deepEqual(t.problems, []);
});

test('the "Other" lane leaves out the values drawn above it, so every view keeps what it gathers and the next busiest get lanes', async () => {
  // Events once each (CloudTrail's key), tallied by principal ARN in JavaScript.
  const events = sampleOnce();
  const byArn = new Map();
  for (const e of events) if (e.userIdentity?.arn) byArn.set(e.userIdentity.arn, (byArn.get(e.userIdentity.arn) ?? 0) + 1);
  const { t, page, other, drawn } = await otherLane('identity');
  assert.match(await other.getAttribute('aria-label'), new RegExp(`^Other \\(\\d+ more\\): filter every view to them, leaving out the ${drawn} values drawn above$`));
  await other.click();
  // More than three values of one field left out read as one chip, listing them on hover.
  const many = page.locator('[data-testid=filter-chips] .chip.not.many');
  await many.waitFor();
  assert.equal(await page.locator('[data-testid=filter-chips] .chip').count(), 1);
  assert.equal(await many.getAttribute('data-count'), String(drawn));
  assert.equal(await many.locator('.chip-field').textContent(), 'not Principal');
  assert.equal(await many.locator('.chip-value').textContent(), `${drawn} values`);
  const left = (await many.locator('.chip-value').getAttribute('title')).split('\n');
  assert.equal(left.length, drawn);
  // The values left out are the busiest principals: none of them has fewer events than any kept.
  const out = new Set(left);
  assert.ok([...out].every((arn) => byArn.has(arn)), 'each is a principal of the sample');
  const leastOut = Math.min(...[...out].map((a) => byArn.get(a)));
  const mostKept = Math.max(...[...byArn].filter(([a]) => !out.has(a)).map(([, n]) => n));
  assert.ok(leastOut >= mostKept, `left out down to ${leastOut} events, kept up to ${mostKept}`);
  // Every view keeps the rest, and the lanes now drawn are of principals not left out.
  const rest = events.filter((e) => !out.has(e.userIdentity?.arn)).length;
  await until(page, (d) => d.text.endsWith(` ${rest.toLocaleString('en-US')} events in view`));
  const lanes = await page.$$eval('[data-testid=timeline-lane-filter]', (els) => els.map((el) => el.getAttribute('aria-label')));
  assert.ok(lanes.length > 0 && lanes.every((l) => ![...out].some((arn) => l === `Filter every view to ${arn}`)), JSON.stringify(lanes));
  await t.shot('timeline-other-left-out');
  await page.click('[data-testid=tab-events]');
  await page.waitForFunction((n) => document.querySelector('[data-testid=events-total]')?.textContent === n, rest.toLocaleString('en-US'));
  // Its × puts them all back.
  await many.locator('.chip-x').click();
  await page.waitForFunction((n) => document.querySelector('[data-testid=events-total]')?.textContent === n, events.length.toLocaleString('en-US'));
  assert.equal(await page.locator('[data-testid=filter-chips] .chip').count(), 0);
  assert.deepEqual(t.problems, []);
});

test('by account and region, the "Other" lane leaves out the pairs drawn above it, each pair together, and its link carries them as digests', async () => {
  // Events once each (CloudTrail's key), tallied by account and region in JavaScript.
  const events = sampleOnce();
  const pairOf = (e) => `${e.recipientAccountId} / ${e.awsRegion}`;
  const byPair = new Map();
  for (const e of events) byPair.set(pairOf(e), (byPair.get(pairOf(e)) ?? 0) + 1);
  const { t, page, other, drawn } = await otherLane('account-region');
  assert.ok(drawn > 0 && drawn < byPair.size, `${drawn} lanes drawn of ${byPair.size} pairs`);
  assert.match(await other.getAttribute('aria-label'), new RegExp(`^Other \\(${byPair.size - drawn} more\\): filter every view to them, leaving out the ${drawn} values drawn above$`));
  await other.click();
  const many = page.locator('[data-testid=filter-chips] .chip.not.many');
  await many.waitFor();
  assert.equal(await page.locator('[data-testid=filter-chips] .chip').count(), 1);
  assert.equal(await many.locator('.chip-field').textContent(), 'not Account and region');
  assert.equal(await many.locator('.chip-value').textContent(), `${drawn} values`);
  const out = new Set((await many.locator('.chip-value').getAttribute('title')).split('\n'));
  assert.equal(out.size, drawn);
  assert.ok([...out].every((pair) => byPair.has(pair)), `each is an account and region of the sample: ${[...out]}`);
  // The busiest pairs: none left out has fewer events than any kept.
  const leastOut = Math.min(...[...out].map((p) => byPair.get(p)));
  const mostKept = Math.max(...[...byPair].filter(([p]) => !out.has(p)).map(([, n]) => n));
  assert.ok(leastOut >= mostKept, `left out down to ${leastOut} events, kept up to ${mostKept}`);
  // Only the events of a pair left out go: an account's other regions and a region's other accounts
  // stay (in the sample, every account left out has a region kept).
  const rest = events.filter((e) => !out.has(pairOf(e))).length;
  const accountsKept = new Set(events.filter((e) => !out.has(pairOf(e))).map((e) => e.recipientAccountId));
  assert.ok([...out].some((p) => accountsKept.has(p.split(' / ')[0])), 'the test needs an account left out in one region and kept in another');
  await until(page, (d) => d.text.endsWith(` ${rest.toLocaleString('en-US')} events in view`));
  const lanes = await page.$$eval('[data-testid=timeline-lane-filter]', (els) => els.map((el) => el.getAttribute('aria-label').replace('Filter every view to ', '')));
  assert.deepEqual(lanes.sort(), [...byPair.keys()].filter((p) => !out.has(p)).sort());
  await t.shot('timeline-other-pairs-left-out');
  await page.click('[data-testid=tab-events]');
  await page.waitForFunction((n) => document.querySelector('[data-testid=events-total]')?.textContent === n, rest.toLocaleString('en-US'));
  // The link names each pair by a digest, never an account in clear, and pasted back gives the same view.
  await page.waitForFunction((n) => (location.hash.match(/x\.place=h\.[0-9a-f]{16}/g) || []).length === n, drawn);
  const hash = new URL(page.url()).hash;
  for (const account of new Set(events.map((e) => e.recipientAccountId))) assert.ok(!hash.includes(account), hash);
  await many.locator('.chip-x').click();
  await page.waitForFunction((n) => document.querySelector('[data-testid=events-total]')?.textContent === n, events.length.toLocaleString('en-US'));
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForFunction((n) => document.querySelector('[data-testid=events-total]')?.textContent === n, rest.toLocaleString('en-US'));
  assert.equal(await many.locator('.chip-field').textContent(), 'not Account and region');
  assert.deepEqual(t.problems, []);
});

test('the "(no repository)" lane filters to the events that name no repository', async () => {
  // Bounds from the sample's JSON: every call outside ECR, ECS and Image Builder names none; an ECR
  // call without a repositoryName (GetAuthorizationToken) names none; ECS and Image Builder calls may.
  const all = sampleEvents();
  const outside = uniqueEvents(all.filter((e) => !/^(ecr|ecs|imagebuilder)\./.test(e.eventSource)));
  const ecrNone = uniqueEvents(all.filter((e) => e.eventSource === 'ecr.amazonaws.com' && !e.requestParameters?.repositoryName));
  const maybe = uniqueEvents(all.filter((e) => /^(ecs|imagebuilder)\./.test(e.eventSource)));
  const t = await openTimeline();
  const page = t.page;
  const button = page.locator('[data-testid=timeline-lane-filter][aria-label="Filter every view to (no repository)"]');
  const inView = (d) => Number(d.text.match(/([\d,]+) events? in view$/)?.[1].replaceAll(',', ''));
  const before = inView(await until(page, (d) => inView(d) > 0));
  await button.click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=filter-chips] .chip').length === 1);
  const chip = await page.$eval('[data-testid=filter-chips] .chip', (el) => [el.dataset.field, el.querySelector('.chip-value').textContent]);
  assert.deepEqual(chip, ['Repository', '(none)']);
  // Its lane, and the ECS and Image Builder lanes of the calls among them.
  const shown = inView(await until(page, (d) => inView(d) < before));
  const least = outside + ecrNone;
  assert.ok(least <= shown && shown <= least + maybe, `${shown} events, expected ${least} to ${least + maybe}`);
  const on = page.locator('[data-testid=timeline-lane-filter][aria-label="(no repository): every view is filtered to it"]');
  assert.equal(await on.getAttribute('aria-pressed'), 'true');
  await t.shot('timeline-no-repository');
  await page.click('[data-testid=tab-events]');
  await page.waitForFunction((n) => document.querySelector('[data-testid=events-total]')?.textContent === n, shown.toLocaleString('en-US'));
  assert.deepEqual(t.problems, []);
});

test('on a phone the lane names take less room and the plot more; a brush there still takes the times dragged', async () => {
  const t = await openTimeline({ viewport: { width: 390, height: 844 } });
  const page = t.page;
  // Below the fold here: the mouse reaches only what is on screen.
  await page.$eval('[data-testid=timeline-plot]', (el) => el.scrollIntoView({ block: 'center' }));
  const canvas = await page.locator('[data-testid=timeline-canvas]').boundingBox();
  const gutter = gutterOf(canvas.width);
  assert.ok(gutter < 200 && canvas.width - gutter - PAD_R > canvas.width / 2, `a ${canvas.width} px canvas, gutter ${gutter}`);
  // The lane buttons sit over the narrower names.
  const lane = await page.locator('[data-testid=timeline-lane-filter]').first().boundingBox();
  assert.ok(lane.x === canvas.x && Math.abs(lane.width - gutter) < 1, `${JSON.stringify(lane)} over a ${gutter} px gutter`);
  // The axis labels several years of the eight the sample spans (with ticks 90 px apart, as on a
  // desktop, it labelled one).
  const whole = await readout(page);
  assert.ok(whole.axisLabels >= 3, `${whole.axisLabels} labels on the axis`);
  // Brush 2020 to 2024 (the sample spans 2018 to 2026): the range taken is the one dragged, to a few
  // pixels' worth of time (a gutter drawn and read differently would be off by years).
  const r = whole;
  const [a, b] = [ms('2020-01-01T00:00:00Z'), ms('2025-01-01T00:00:00Z')];
  const tol = 3 * (r.to - r.from) / (canvas.width - gutter - PAD_R);
  await brush(page, a, b);
  const got = await until(page, (d) => d.selFrom !== null);
  assert.ok(Math.abs(got.selFrom - a) < tol && Math.abs(got.selTo - b) < tol, `brushed ${got.selFrom}..${got.selTo}, wanted ${a}..${b} ± ${tol}`);
  await t.shot('timeline-phone-brushed');
  assert.deepEqual(t.problems, []);
});

test('local time follows daylight saving time: each time shows the offset in force at that instant', async () => {
  // Berlin is UTC+2 in summer and UTC+1 in winter; the sample has marks in both (April 2018, March
  // 2026). The offset expected for each time shown comes from the tz database of node's Intl.
  const zone = 'Europe/Berlin';
  const t = await openTimeline({ timezoneId: zone });
  const { page } = t;
  const offsetAt = (utcMs) => {
    const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
      .formatToParts(new Date(utcMs)).find((p) => p.type === 'timeZoneName').value; // "GMT+02:00"
    return name === 'GMT' ? '+00:00' : name.slice(3);
  };
  // "2026-03-01 01:00:00 +01:00": the instant is the local time less the offset it shows.
  const check = (text) => {
    const m = text.match(/(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) ([+-]\d\d):(\d\d)/);
    assert.ok(m, `a time with its offset in ${JSON.stringify(text)}`);
    const sign = m[3].startsWith('-') ? -1 : 1;
    const offsetMin = sign * (Math.abs(Number(m[3])) * 60 + Number(m[4]));
    const utc = Date.parse(`${m[1]}T${m[2]}Z`) - offsetMin * 60_000;
    assert.equal(`${m[3]}:${m[4]}`, offsetAt(utc), `${text}: the offset in ${zone} at that instant`);
    return `${m[3]}:${m[4]}`;
  };
  await page.click('[data-testid=timeline-clock]');
  await page.waitForFunction(() => !document.querySelector('[data-testid=timeline-range]').textContent.includes('UTC'));
  const r = await page.$eval('[data-testid=timeline-range]', (el) => ({ text: el.textContent, from: Number(el.dataset.from), to: Number(el.dataset.to) }));
  const [fromText, toText] = r.text.split(' → ');
  assert.equal(check(fromText), offsetAt(r.from));
  assert.equal(check(toText), offsetAt(r.to));
  await page.click('[data-testid=timeline-table-toggle]');
  await page.waitForSelector('[data-testid=timeline-table] tbody tr');
  const whens = await page.$$eval('[data-testid=timeline-table] tbody td.when', (tds) => tds.map((td) => td.textContent));
  const offsets = new Set(whens.map(check));
  assert.deepEqual([...offsets].sort(), ['+01:00', '+02:00'], 'times on both sides of a change are shown');
  await t.shot('timeline-local-dst');
  assert.deepEqual(t.problems, []);
});

test('a mark with some of its calls failed keeps its colour inside the red outline; one with all is hollow', async () => {
  // Drawn hollow when any had failed, zoomed out over the generator's logs a third of the marks had
  // read as failed where 4% of the pushes and pulls were. The keys walk every mark drawn; the middle
  // of each push and pull with a failure is read from the canvas and compared with the legend's
  // colour for it. Zoomed out, the sample's refused pull is merged with others; zoomed in to its
  // minute, it stands alone.
  const t = await openTimeline();
  const page = t.page;
  const legend = await page.$$eval('[data-testid=timeline] .tl-legend .sw', (els) => Object.fromEntries(els.map((el) => {
    const [red, green, blue] = getComputedStyle(el).color.match(/\d+/g).map(Number);
    return [[...el.classList].find((c) => c.startsWith('m-')).slice(2), [red, green, blue]];
  })));
  const seen = { some: [], all: [] };
  const walkMarks = async () => {
    const r = await until(page, (d) => d.drawnMarks > 0);
    await page.focus('[data-testid=timeline-canvas]');
    let last = '';
    for (let i = 0; i < r.drawnMarks; i += 1) {
      await page.keyboard.press('ArrowDown');
      await page.waitForFunction((before) => {
        const text = document.querySelector('[data-testid=timeline-focus]').textContent;
        return text !== '' && text !== before;
      }, last);
      last = await page.textContent('[data-testid=timeline-focus]');
      const m = /^([\d,]+) (push|pull)\w* \(([\d,]+) failed\)/.exec(last);
      if (!m) continue;
      const [count, failed] = [m[1], m[3]].map((n) => Number(n.replace(/,/g, '')));
      const middle = await page.$eval('[data-testid=timeline-canvas]', async (c) => {
        // Read once the frame that draws the focus is painted: a busy machine can be a frame behind.
        await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
        const [x, y] = c.dataset.focusAt.split(',').map(Number);
        const dpr = c.width / c.getBoundingClientRect().width;
        return [...c.getContext('2d').getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data].slice(0, 3);
      });
      const off = Math.max(...middle.map((v, k) => Math.abs(v - legend[m[2]][k])));
      seen[failed < count ? 'some' : 'all'].push({ said: last.split('. ')[0], middle, off });
    }
  };
  await walkMarks();
  const refused = sampleOnce().find((e) => e.eventName === 'BatchGetImage' && e.errorCode);
  const at = new Date(ms(refused.eventTime));
  const minute = (d) => d.toISOString().slice(0, 16).replace('T', ' ');
  await page.fill('[data-testid=time-from]', minute(at));
  await page.fill('[data-testid=time-to]', minute(at));
  await page.press('[data-testid=time-to]', 'Enter');
  await until(page, (d) => d.selFrom !== null && d.marks > 0);
  await page.keyboard.press('Escape');
  await walkMarks();
  await t.shot('timeline-failed-marks', { fullPage: false });
  assert.ok(seen.some.length > 0, `the sample draws a mark with some of its calls failed: ${JSON.stringify(seen)}`);
  assert.ok(seen.all.length > 0, `and one with all of them: ${JSON.stringify(seen)}`);
  for (const s of seen.some) assert.ok(s.off <= 12, `in its colour: ${JSON.stringify(s)} (legend ${JSON.stringify(legend)})`);
  for (const s of seen.all) assert.ok(s.off > 60, `hollow: ${JSON.stringify(s)} (legend ${JSON.stringify(legend)})`);
  assert.deepEqual(t.problems, []);
});

const CORPUS = corpusDir();

test('a time CloudTrail logging was off is shaded over every lane and said in words', { skip: CORPUS ? false : 'the shared corpus is not there' }, async () => {
  // The sample, and DataDog's recording of Stratus Red Team's cloudtrail-stop: a StopLogging that
  // went through, its trail never started again in these logs.
  const stop = JSON.parse(readFileSync(join(CORPUS, 'DataDog-stratus-red-team/aws.defense-evasion.cloudtrail-stop.json'), 'utf8'))
    .find((e) => e.eventName === 'StopLogging');
  assert.ok(stop && !stop.errorCode);
  const t = await openTimeline();
  const page = t.page;
  await t.pickFiles([join(CORPUS, 'DataDog-stratus-red-team/aws.defense-evasion.cloudtrail-stop.json')]);
  await t.waitDone();
  await page.waitForSelector('[data-testid=timeline-off-item]');
  const items = await page.$$eval('[data-testid=timeline-off-item]', (els) => els.map((el) => ({ from: el.dataset.from, to: el.dataset.to ?? null, text: el.textContent })));
  assert.deepEqual(items.map((i) => [Number(i.from), i.to]), [[ms(stop.eventTime), null]]);
  assert.match(items[0].text, new RegExp(`^trail ${stop.requestParameters.name}: StopLogging at .*, not started again in these logs$`));
  // The canvas: a column just after the stop is tinted red over the lanes, one just before is not.
  await until(page, (d) => d.buckets > 0);
  const x = await xOf(page, ms(stop.eventTime));
  const red = ([r, g, b]) => r > g + 8 && r > b + 8;
  const [before, after] = [await tinted(page, x - 6, red), await tinted(page, x + 6, red)];
  assert.ok(after > 0.6 && before < 0.2, `tinted after the stop ${after}, before it ${before}`);
  await t.shot('timeline-logging-off', { fullPage: false });
  assert.deepEqual(t.problems, []);
});

test('another service that watches the account turned off is shaded in its own colour and said apart', { skip: CORPUS ? false : 'the shared corpus is not there' }, async () => {
  // DataDog's recording of Stratus Red Team's vpc-remove-flow-logs: flow logs deleted, which no
  // call can start again. Which calls turn a monitor off is read here from the file itself.
  const file = join(CORPUS, 'DataDog-stratus-red-team/aws.defense-evasion.vpc-remove-flow-logs.json');
  const deletions = JSON.parse(readFileSync(file, 'utf8')).filter((e) => e.eventName === 'DeleteFlowLogs' && !e.errorCode);
  assert.equal(deletions.length, 1);
  const [del] = deletions;
  const id = del.requestParameters.DeleteFlowLogsRequest.FlowLogId.content;
  const t = await openTimeline();
  const page = t.page;
  await t.pickFiles([file]);
  await t.waitDone();
  await page.waitForSelector('[data-testid=timeline-off][data-kind=monitoring] [data-testid=timeline-off-item]');
  const items = await page.$$eval('[data-testid=timeline-off-item]', (els) => els.map((el) => ({ kind: el.dataset.kind, from: el.dataset.from, to: el.dataset.to ?? null, text: el.textContent })));
  assert.deepEqual(items.map((i) => [i.kind, Number(i.from), i.to]), [['monitoring', ms(del.eventTime), null]]);
  assert.match(items[0].text, new RegExp(`^VPC flow logs ${id}: DeleteFlowLogs at .*, not started again in these logs$`));
  assert.equal(await page.locator('[data-testid=timeline-off][data-kind=logging]').count(), 0, 'CloudTrail was not stopped');
  // The canvas: a column just after the deletion is tinted violet, not red; one just before is not.
  await until(page, (d) => d.buckets > 0);
  const x = await xOf(page, ms(del.eventTime));
  const violet = ([r, g, b]) => b > g + 8 && b > r + 4;
  const red = ([r, g, b]) => r > g + 8 && r > b + 8;
  const [before, after] = [await tinted(page, x - 6, violet), await tinted(page, x + 6, violet)];
  assert.ok(after > 0.6 && before < 0.2, `tinted after the deletion ${after}, before it ${before}`);
  assert.ok(await tinted(page, x + 6, red) < 0.2, 'not in CloudTrail logging\'s red');
  await t.shot('timeline-monitoring-off', { fullPage: false });
  assert.deepEqual(t.problems, []);
});

/** The share of the lanes' pixels in the canvas's column at page x `x` for which `is([r, g, b])`:
 * below the axis and the density strip (64 px), above the bottom padding. */
async function tinted(page, x, is) {
  const pixels = await page.$eval('[data-testid=timeline-canvas]', (c, x) => {
    const box = c.getBoundingClientRect();
    const dpr = c.width / box.width;
    const col = Math.round((x - box.x) * dpr);
    const data = c.getContext('2d').getImageData(col, 0, 1, c.height).data;
    const out = [];
    for (let y = Math.round(64 * dpr); y < c.height - Math.round(8 * dpr); y += 1) out.push([data[y * 4], data[y * 4 + 1], data[y * 4 + 2]]);
    return out;
  }, x);
  return pixels.filter(is).length / pixels.length;
}
