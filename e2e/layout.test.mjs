// The page at the widths people open it at: a 1024-pixel laptop window and a phone. Nothing makes the
// page scroll sideways, no table is wider than its panel where panels do not scroll (at 1024 the
// repository list ran 15 pixels past its panel), no column heading runs into the next (at 1024 the
// API calls panel read "EVENTSERRORS"), and no short name is cut (at 1440 an account read
// "1111111111…"), nor a principal's session (at 1440 the overview read "assumed-role/DataScientist/Paulo_Sa…"),
// nor all of a role's name (at 1024 it read "assum… /Paulo_Santos").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, recordsOf, start, Trailscope, walk } from './harness.mjs';
import { settle, visitEveryTab } from './visit.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

/** What does not fit at this width on the page as it is now, as readable lines (none when all fits). */
function misfits(page, { tablesInPanels }) {
  return page.evaluate((tablesInPanels) => {
    const out = [];
    const sideways = document.documentElement.scrollWidth - window.innerWidth;
    if (sideways > 0) out.push(`the page scrolls ${sideways} px sideways`);
    for (const th of document.querySelectorAll('th')) {
      if (th.getClientRects().length === 0) continue;
      if (th.scrollWidth > th.clientWidth + 1) out.push(`heading "${th.textContent}" is wider than its column`);
    }
    // A short name (an account, a key kind, a client) is shown whole; long ones (ARNs, user agents)
    // are cut, whole on hover.
    for (const main of document.querySelectorAll('table.idt td.who .main')) {
      const text = main.textContent;
      if (main.getClientRects().length === 0 || [...text].length > 20) continue;
      if (main.scrollWidth > main.clientWidth + 1) out.push(`"${text}" is cut in ${main.closest('[data-testid]').dataset.testid}`);
    }
    const cut = (el) => el !== null && el.scrollWidth > el.clientWidth + 1;
    // Whether the text of `node` from `start` to `end` lies inside every box within `within` that
    // clips it: left of its right edge, less `ellipsis` where the box cuts its text with one.
    const inside = (node, start, end, within, ellipsis = 0) => {
      const range = document.createRange();
      range.setStart(node, start);
      range.setEnd(node, end);
      const right = range.getBoundingClientRect().right;
      for (let el = node.parentElement; el && within.contains(el); el = el.parentElement) {
        const style = getComputedStyle(el);
        if (style.overflowX === 'visible') continue;
        const edge = el.getBoundingClientRect().right - parseFloat(style.paddingRight)
          - (style.textOverflow === 'ellipsis' && cut(el) ? ellipsis : 0);
        if (right > edge + 1) return false;
      }
      return true;
    };
    // A principal's last part (a session, a user's name) stays in view when its name is cut: it
    // tells sessions of one role apart. Where its letters are laid out is compared with the edges of
    // the boxes that clip them (letters an ellipsis hides lie past those).
    const rows = [
      ...[...document.querySelectorAll('[data-testid=by-principal] tr[title]')].map((tr) => [tr.querySelector('td.key'), tr.title.replace(/^Show only /, '')]),
      ...[...document.querySelectorAll('[data-testid=identity-by-principal] td.who .main')].map((main) => [main, main.title]),
      ...[...document.querySelectorAll('[data-testid=attention-who]')].map((who) => [who, who.dataset.principal]),
    ];
    for (const [cell, name] of rows) {
      const last = name.slice(name.lastIndexOf('/'));
      if (cell.getClientRects().length === 0 || !name.includes('/') || [...last].length > 20) continue;
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      let node = null;
      for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.data.includes(last)) node = n;
      if (!node) { out.push(`"${last}" is not in the row of ${name}`); continue; }
      const at = node.data.lastIndexOf(last);
      if (!inside(node, at, at + last.length, cell)) out.push(`"${last}" of ${name} is cut`);
    }
    // A principal's name gives way in order: its kind ("assumed-role/") first, and whole; then the
    // account; then the role's name, which keeps its first three letters (one of four letters or
    // fewer, such as "user", gives way to the last part). (The overview had read
    // "assum… /Paulo_Santos": the role was gone while the kind, the same in every session, stayed.)
    const measure = document.createElement('canvas').getContext('2d');
    for (const pname of document.querySelectorAll('.pname')) {
      if (pname.getClientRects().length === 0) continue;
      const box = pname.getBoundingClientRect();
      const name = pname.textContent;
      const kind = pname.querySelector('.pkind');
      if (kind && kind.getBoundingClientRect().top < box.bottom - 1) {
        if (kind.getBoundingClientRect().right > box.right + 1) out.push(`the kind of ${name} is cut`);
        if ([...pname.querySelectorAll('.phead, .ptail, .acct')].some(cut)) out.push(`${name} shows its kind while the rest is cut`);
      }
      // The role's name is what comes before the last part ("/session"); one of four letters or
      // fewer gives way. Each of its first three letters lies inside every box that clips it, short
      // of the ellipsis of one that cuts its text; and a role's name that is cut shows its ellipsis.
      const id = pname.querySelector('.prest')?.firstElementChild;
      const role = id ? id.textContent.slice(0, Math.max(0, id.textContent.lastIndexOf('/'))) : '';
      if ([...role].length <= 4) continue;
      const letters = [];
      const walker = document.createTreeWalker(id, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n && letters.length < 4; n = walker.nextNode()) {
        for (let at = 0; at < n.length && letters.length < 4; at += 1) letters.push([n, at]);
      }
      measure.font = getComputedStyle(id).font;
      const ellipsis = measure.measureText('…').width;
      if (!letters.slice(0, 3).every(([node, at]) => inside(node, at, at + 1, pname, ellipsis))) out.push(`the role's name in ${name} shows fewer than three letters`);
      // A browser keeps the first letter of a cut text and puts the ellipsis after it: the rest of
      // the name needs room for both, or it reads "Depl.." (the ellipsis clipped).
      const more = letters[3]?.[0].parentElement;
      const room = more ? measure.measureText([...more.textContent][0] ?? '').width + ellipsis : 0;
      if (more && cut(more) && more.getBoundingClientRect().width < room - 1) {
        out.push(`the role's name in ${name} is cut with no room for its ellipsis`);
      }
    }
    // A fact under a page's title (a repository's creation time) stays in its own cell: at 1024
    // "2026-03-01 12:06:40 UTC" had run into the pushes beside it.
    for (const dd of document.querySelectorAll('dl.facts dd')) {
      if (dd.getClientRects().length === 0) continue;
      if (dd.scrollWidth > dd.clientWidth + 1) out.push(`"${dd.textContent}" runs past its cell by ${dd.scrollWidth - dd.clientWidth} px`);
    }
    if (tablesInPanels) {
      // A principal on a repository's page wraps over three lines at most (its recent pushes and
      // pulls, side by side at 1024, had wrapped a role's ARN over six), and in the Images lists
      // over four (an Identity Center role's 46 letters and a 32-letter session are 78; with
      // "assumed-role/" on a line of its own they had taken five).
      for (const name of document.querySelectorAll('.who .principal')) {
        if (name.getClientRects().length === 0) continue;
        const lines = Math.round(name.getBoundingClientRect().height / parseFloat(getComputedStyle(name).lineHeight));
        if (lines > (name.closest('[data-testid=repo-page]') ? 3 : 4)) out.push(`${name.textContent} wraps over ${lines} lines`);
      }
      for (const table of document.querySelectorAll('.panel table')) {
        const panel = table.closest('.panel');
        const right = panel.getBoundingClientRect().right - parseFloat(getComputedStyle(panel).paddingRight);
        const over = table.getBoundingClientRect().right - right;
        if (over > 1) out.push(`table.${table.className} runs ${Math.round(over)} px past its panel`);
      }
    }
    return out;
  }, tablesInPanels);
}

/** Every tab, and every sub-tab of Images, at this width: what does not fit, by where it was seen. */
async function walkAt(width, height, opts) {
  const t = await Trailscope.open(env, { viewport: { width, height } });
  await t.page.click('[data-testid=load-sample]');
  await t.waitDone();
  const seen = [];
  await visitEveryTab(t, async (id) => {
    for (const m of await misfits(t.page, opts)) seen.push(`${id}: ${m}`);
    await t.shot(`layout-${width}-${id}`);
  });
  await t.page.click('[data-testid=tab-images]');
  const subtabs = await t.page.$$eval('[data-testid^=images-nav-]', (els) => els.map((e) => e.dataset.testid));
  assert.ok(subtabs.length >= 5, `Images has its sub-tabs: ${subtabs}`);
  for (const id of subtabs) {
    await t.page.click(`[data-testid=${id}]`);
    await settle(t.page, 400);
    for (const m of await misfits(t.page, opts)) seen.push(`${id}: ${m}`);
  }
  // The page of the repository with the most images (its images table names who pushed each).
  await t.page.click('[data-testid=images-nav-repositories]');
  await t.page.waitForSelector('[data-testid=repo-row]');
  const busiest = await t.page.$$eval('[data-testid=repo-row]', (rows) => rows
    .map((row, at) => [at, Number(row.querySelector('td:nth-child(6)').textContent.replace(/,/g, ''))])
    .sort((a, b) => b[1] - a[1])[0][0]);
  await t.page.locator('[data-testid=repo-row] [data-testid=open-repo]').nth(busiest).click();
  await t.page.waitForSelector('[data-testid=image-row]');
  await settle(t.page, 400);
  for (const m of await misfits(t.page, opts)) seen.push(`a repository's page: ${m}`);
  await t.shot(`layout-${width}-repository`);
  // A repository the sample creates: its page gives the time (the busiest one says "not in these logs").
  const made = walk(join(ROOT, 'sample')).filter((p) => p.endsWith('.json.gz')).flatMap(recordsOf)
    .find((e) => e.eventName === 'CreateRepository' && !e.errorCode);
  await t.page.click('[data-testid=images-nav-repositories]');
  await t.page.click(`[data-testid=repo-row][data-repo="${made.requestParameters.repositoryName}"][data-account="${made.recipientAccountId}"][data-region="${made.awsRegion}"] [data-testid=open-repo]`);
  await t.page.waitForSelector('[data-testid=repo-page] dl.facts time.when');
  await settle(t.page, 400);
  for (const m of await misfits(t.page, opts)) seen.push(`a created repository's page: ${m}`);
  // A filter's chips, a time range's the longest.
  await t.page.fill('[data-testid=time-from]', '2019-12-29 00:00:00');
  await t.page.fill('[data-testid=time-to]', '2024-12-25 00:00:00');
  await t.page.click('.time-range button[type=submit]');
  await t.page.waitForSelector('[data-testid=filter-chips] .chip');
  await settle(t.page, 400);
  for (const m of await misfits(t.page, opts)) seen.push(`a time range's chip: ${m}`);
  await t.shot(`layout-${width}-chip`);
  // The event table, with an event's panel open, over the sessions of a short role: at 1024 the
  // sample's "Admin/GitHubActions" had read "Ad… /GitHubAc…", and at 1440 beside an event the
  // generator's "Admin/botocore-session-3290738487" read "Ad… /botocore-session-3290…".
  await t.page.click('[data-testid=clear-filters]');
  await t.page.click('[data-testid=tab-events]');
  await t.page.fill('[data-testid=search]', 'assumed-role/Admin/');
  await t.page.press('[data-testid=search]', 'Enter');
  await t.page.waitForSelector('[data-testid=events] .ev-row[data-row] .pname');
  await t.page.click('[data-testid=events] .ev-row[data-row]');
  await t.page.waitForSelector('[data-testid=event-detail]');
  await settle(t.page, 400);
  for (const m of await misfits(t.page, opts)) seen.push(`the event table beside an event: ${m}`);
  await t.shot(`layout-${width}-event-open`, { fullPage: false });
  assert.deepEqual(t.problems, []);
  await t.page.context().close();
  return seen;
}

test('in a 1440-pixel window every table fits its panel, every heading its column, every short name its cell', async () => {
  // Three identity panels side by side had left 80 px for names: "1111111111…" for an account.
  assert.deepEqual(await walkAt(1440, 900, { tablesInPanels: true }), []);
});

test('in a 1024-pixel window every table fits its panel and every heading its column', async () => {
  assert.deepEqual(await walkAt(1024, 768, { tablesInPanels: true }), []);
});

test('on a phone the page does not scroll sideways: tabs and wide tables scroll in place', async () => {
  // Panels scroll sideways here, so a wide table inside one is expected.
  assert.deepEqual(await walkAt(390, 844, { tablesInPanels: false }), []);
});

test('where the event table is narrower than its columns, its rows scroll sideways and the header with them', async () => {
  const t = await Trailscope.open(env, { viewport: { width: 1024, height: 768 } });
  await t.page.click('[data-testid=load-sample]');
  await t.waitDone();
  await t.page.click('[data-testid=tab-events]');
  await t.page.waitForSelector('[data-testid=events] .ev-row[data-row]');
  const lastColumn = () => t.page.evaluate(() => {
    const table = document.querySelector('[data-testid=events] .ev-table').getBoundingClientRect();
    const head = [...document.querySelectorAll('[data-testid=events] .ev-header .cell')].at(-1);
    const cell = [...document.querySelector('[data-testid=events] .ev-row[data-row]').children].at(-1);
    const scroller = document.querySelector('[data-testid=events-scroller]');
    return {
      label: head.textContent, headLeft: head.getBoundingClientRect().left, headRight: head.getBoundingClientRect().right,
      cellLeft: cell.getBoundingClientRect().left, tableRight: table.right,
      sideways: scroller.scrollWidth - scroller.clientWidth,
    };
  });
  const before = await lastColumn();
  assert.equal(before.label, 'User agent');
  assert.ok(before.sideways > 0, `the columns are wider than the table: ${JSON.stringify(before)}`);
  assert.ok(before.headRight > before.tableRight, `the last column starts cut off: ${JSON.stringify(before)}`);
  await t.page.$eval('[data-testid=events-scroller]', (el) => { el.scrollLeft = el.scrollWidth; });
  await settle(t.page);
  const after = await lastColumn();
  assert.ok(after.headRight <= after.tableRight + 1, `scrolled, the last column is in view: ${JSON.stringify(after)}`);
  assert.ok(Math.abs(after.headLeft - after.cellLeft) <= 1, `the header moved with the rows: ${JSON.stringify(after)}`);
  // The time column stays at the left, in the rows and the header, above the columns passing beneath.
  const time = await t.page.evaluate(() => {
    const table = document.querySelector('[data-testid=events] .ev-table').getBoundingClientRect();
    const head = document.querySelector('[data-testid=events] .ev-header .cell').getBoundingClientRect();
    const cell = document.querySelector('[data-testid=events] .ev-row[data-row] .cell.time');
    const box = cell.getBoundingClientRect();
    const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    const headTop = document.elementFromPoint(head.left + head.width / 2, head.top + head.height / 2);
    return {
      tableLeft: table.left, headLeft: head.left, cellLeft: box.left, text: cell.textContent,
      onTop: cell.contains(top), headOnTop: headTop?.closest('.cell')?.textContent ?? null,
    };
  });
  assert.ok(Math.abs(time.cellLeft - time.tableLeft) <= 2, `the time cell stays at the left: ${JSON.stringify(time)}`);
  assert.ok(Math.abs(time.headLeft - time.cellLeft) <= 1, `so does its header: ${JSON.stringify(time)}`);
  assert.match(time.text, /\d{4}-\d{2}-\d{2}/, 'the cell shows a time');
  assert.ok(time.onTop, `nothing covers the time cell: ${JSON.stringify(time)}`);
  assert.match(time.headOnTop ?? '', /time/i, `nothing covers its header: ${JSON.stringify(time)}`);
  await t.shot('layout-1024-events-scrolled', { fullPage: false });
  // A wide window needs no sideways scroll.
  await t.page.setViewportSize({ width: 1440, height: 900 });
  await settle(t.page);
  assert.equal((await lastColumn()).sideways, 0);
  assert.deepEqual(t.problems, []);
  await t.page.context().close();
});
