// Hostile logs: a CloudTrail file whose every string (and whose own name) is an HTML or script
// payload, a javascript: link, bidi overrides, zero-width characters or 100,000 characters
// (scripts/make-xss-fixture.py). Loaded, browsed through every view and the event drawer: no payload
// runs (each would set window.__xss or open a dialog), the CSP sees no violation, payloads show as
// literal text, and no link built from the logs has a scheme other than https.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, start, Trailscope, uniqueEvents } from './harness.mjs';
import { openFirstEvent, settle, visitEveryTab } from './visit.mjs';

let env;
let dir;
let fixture;
before(async () => {
  env = await start();
  dir = mkdtempSync(join(tmpdir(), 'trailscope-xss-'));
  execFileSync('python3', [join(ROOT, 'scripts/make-xss-fixture.py'), dir]);
  fixture = JSON.parse(readFileSync(join(dir, 'payloads.json'), 'utf8'));
});
after(async () => {
  await env?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What the page must never contain if a payload had been parsed as markup. */
async function damage(page) {
  return page.evaluate(() => ({
    ran: window.__xss ?? null,
    // Elements only a payload could have made (the app draws none of these).
    elements: [...document.querySelectorAll('img[src="x"], iframe, object, embed, details[ontoggle], svg[onload], body script:not([src])')]
      .map((e) => e.outerHTML.slice(0, 80)),
    // Any attribute that runs code.
    handlers: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name))
      .map((a) => `${e.tagName} ${a.name}`)),
    // Names people act on (repositories, principals, breakdown keys, files, filter chips) and the
    // values beside them (every cell of the event table, the drawer's facts, errors, addresses,
    // clients) show bidi controls as markers instead of obeying them.
    bidi: [...document.querySelectorAll('[data-testid=open-repo], [data-testid=detail-open-repo], .fv-key, td.key, td.path, .who, .principal, .ev-row .cell, .facts-list .val, .headline, .errmsg, .error, .ip, .client, .chip-value, .item-title, .why, .repo-name, .acct, ul.details li, [data-testid=registry]')]
      .map((e) => e.textContent).filter((s) => /[\u202a-\u202e\u2066-\u2069\u200b]/.test(s)).map((s) => s.slice(0, 60)),
    // Tooltips are plain text, but the browser obeys bidi controls in them too, and a 100,000-
    // character one covers the screen: revealed, and cut after 240 characters (each shown as at most
    // an 8-character marker), plus the count of the rest.
    tooltips: [...document.querySelectorAll('[title]')].map((e) => e.getAttribute('title'))
      .filter((s) => /[\u202a-\u202e\u2066-\u2069\u200b]/.test(s) || [...s].length > 240 * 8 + 40).map((s) => s.slice(0, 60)),
    // Links: only https (or the page's own fragment) may be followed.
    links: [...document.querySelectorAll('a[href], area[href]')].map((a) => a.getAttribute('href'))
      .filter((h) => !/^https:\/\//i.test(h) && !h.startsWith('#')),
  }));
}

test('a log file of payloads runs nothing, in any view, and shows them as text', async () => {
  const t = await Trailscope.open(env);
  const page = t.page;
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  const file = join(dir, fixture.name);
  await t.pickFiles([file]);
  const s = await t.waitDone();
  const records = JSON.parse(readFileSync(file, 'utf8')).Records;
  assert.equal(s.events, uniqueEvents(records), 'every hostile event loads');
  assert.equal(s.events, fixture.events);

  const seen = {};
  const tabs = await visitEveryTab(t, async (tab) => {
    await t.shot(`xss-${tab}`, { fullPage: false });
    seen[tab] = await damage(page);
    // Nothing is wider than the window, even with a 100,000-character string.
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 1440 + 20, `${tab}: the page is ${width} px wide`);
  });
  assert.ok(tabs.length >= 5);
  // The three monitors turned off or narrowed whose names are payloads (flow logs, an EventBridge
  // rule, a trusted IP list) are listed (and were visited above).
  await page.click('[data-testid=tab-integrity]');
  const monitors = await page.$eval('[data-testid=integrity-monitoring]', (el) => [el.dataset.stops, el.dataset.narrows]);
  assert.deepEqual(monitors, ['2', '1']);
  // The access key made for a user and the role made to trust another account, whose names are
  // payloads, are listed (and shown as text: the page was visited above).
  await page.click('[data-testid=tab-identities]');
  const attention = page.locator('[data-testid=identity-attention]');
  await attention.locator('li[data-kind]').first().waitFor();
  if (await attention.locator('[data-testid=list-more]').count()) await attention.locator('[data-testid=list-more]').click();
  const given = attention.locator('li[data-kind=credentials-made], li[data-kind=access-widened]');
  await given.first().waitFor();
  assert.equal(await given.count(), 2);
  // The workflow behind the web identity session is named by its subject, a payload, as text, under
  // the key of the push it made (the Identities tab's access keys, every row shown).
  await page.click('[data-testid=tab-identities]');
  const keys = page.locator('[data-testid=identity-by-key]');
  // The tab's tables come from the engine after the click: wait for the rows before asking whether
  // some are behind "Show the top".
  await keys.locator('tr[data-key]').first().waitFor();
  if (await keys.locator('[data-testid=list-more]').count()) await keys.locator('[data-testid=list-more]').click();
  const origin = keys.locator('tr[data-key=ASIAXSSWEBIDENTITY01] [data-testid=who-origin]');
  assert.equal(await origin.getAttribute('data-via'), 'GitHub Actions');
  assert.equal(await origin.locator('.origin').textContent(), fixture.payloads[9]);
  await t.shot('xss-identities-origin', { fullPage: false });
  seen.origin = await damage(page);
  // Every list of the Images tab (ECS's, other services' uses, Image Builder's...), read from the page.
  await page.click('[data-testid=tab-images]');
  const lists = await page.$$eval('[data-testid^=images-nav-]', (els) => els.map((e) => e.dataset.testid));
  assert.ok(lists.includes('images-nav-uses'));
  for (const list of lists) {
    await page.click(`[data-testid=${list}]`);
    await page.waitForSelector(`[data-testid=${list}].active`);
    await settle(page);
    seen[list] = await damage(page);
    if (list === 'images-nav-uses') await t.shot('xss-images-uses', { fullPage: false });
  }
  await page.click('[data-testid=images-nav-repositories]');
  await openFirstEvent(t);
  await t.shot('xss-drawer', { fullPage: false });
  seen.drawer = await damage(page);
  const drawer = await page.textContent('[data-testid=event-detail]');
  // The first event's source IP is the 100,000-character payload: its fact is cut, with a count of
  // what was left out (the raw JSON below keeps it whole, cut until opened).
  const facts = await page.$$eval('[data-testid=event-detail] .facts-list .val', (els) => els.map((e) => e.textContent.length));
  assert.ok(Math.max(...facts) <= 240 * 8, `a fact of ${Math.max(...facts)} characters`);
  assert.match(drawer, /and 99,760 more characters \(Copy copies all\)/);
  await page.click('[data-testid=close-detail]');
  await settle(page);
  // Every facet of "+ Filter" lists values from the logs.
  await page.click('[data-testid=add-filter]');
  for (const facet of await page.$$eval('.facet-tab', (ts) => ts.map((x) => x.dataset.facet))) {
    await page.click(`.facet-tab[data-facet="${facet}"]`);
    await page.waitForSelector(`[data-testid=facet-values][data-facet="${facet}"][data-state=ready]`, { state: 'attached' });
    seen[`+ Filter ${facet}`] = await damage(page);
  }
  await t.shot('xss-filter-menu', { fullPage: false });
  await page.click('[data-testid=add-filter]');

  for (const [where, d] of Object.entries(seen)) {
    assert.deepEqual(d, { ran: null, elements: [], handlers: [], bidi: [], tooltips: [], links: [] }, where);
  }
  assert.deepEqual(dialogs, []);
  assert.deepEqual(await t.cspViolations(), []);

  // Literal text: markup payloads appear as typed, in the drawer's JSON and somewhere in the views.
  for (const p of fixture.payloads.filter((p) => p.includes('<') && p.length < 200)) {
    assert.ok(drawer.includes(p) || (await page.textContent('body')).includes(p) || (await eventsTableHas(t, p)),
      `payload not shown as text: ${p}`);
  }
  // The hostile file name is shown, with its bidi override made visible rather than obeyed.
  await page.click('[data-testid=tab-overview]');
  await page.waitForSelector('[data-testid=files]');
  const files = await page.textContent('[data-testid=files]');
  assert.ok(files.includes('<img src=x onerror=alert(1)>'), files.slice(0, 300));
  assert.ok(!files.includes('\u202e'), 'no raw right-to-left override in the file list');
  assert.ok(files.includes('U+202E'), 'the override is shown as a visible marker');
  assert.deepEqual(t.problems, []);
});

/** Whether searching the events for `p` finds it in the table's text (payloads can sit in any column). */
async function eventsTableHas(t, p) {
  await t.page.click('[data-testid=tab-events]');
  await settle(t.page);
  return (await t.page.textContent('[data-testid=events]')).includes(p);
}
