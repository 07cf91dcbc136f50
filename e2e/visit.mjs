// Walks the whole page the way a person would, for tests that must cover every view: the tab list is
// read from the page (`[role=tablist] [data-testid^=tab-]`), never written here, so a new view is
// visited (and attacked, and watched for requests) as soon as it has a tab.

/** Lets the page settle: two frames and a short pause, so answers from the worker land and draw. */
export async function settle(page, ms = 250) {
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  await page.waitForTimeout(ms);
}

/** The tabs the page offers, by their `data-testid` (`tab-overview`, `tab-images`, ...). */
export function tabsOf(page) {
  return page.$$eval('[role=tablist] [data-testid^=tab-]', (els) => els.map((e) => e.dataset.testid));
}

/**
 * Opens every tab in turn; `each(tabId)` runs once each tab is showing (for a screenshot or checks).
 * Returns the tab ids visited.
 */
export async function visitEveryTab(t, each = async () => {}) {
  const tabs = await tabsOf(t.page);
  if (tabs.length === 0) throw new Error('no tabs: is anything loaded?');
  for (const id of tabs) {
    await t.page.click(`[data-testid=${id}]`);
    await t.page.waitForSelector(`[data-testid=${id}][aria-selected=true]`);
    await settle(t.page);
    await each(id);
  }
  return tabs;
}

/** Opens the first event of the Events tab in the detail drawer and waits for its JSON. */
export async function openFirstEvent(t) {
  await t.page.click('[data-testid=tab-events]');
  await t.page.click('[data-testid=events] .ev-row[data-row] >> nth=0');
  await t.page.waitForSelector('[data-testid=json-tree], [data-testid=detail-error]');
  await settle(t.page);
}

/** Saves every download the export menu offers (read from the menu); returns [{ label, name, text }]. */
export async function exportEverything(t) {
  const page = t.page;
  const items = page.locator('details:has([data-testid=export-menu]) [role=menu] button[role=menuitem]');
  const out = [];
  for (let i = 0; i < await items.count(); i++) {
    if (!(await page.locator('[data-testid=export-menu]').evaluate((s) => s.parentElement.open))) {
      await page.click('[data-testid=export-menu]');
    }
    const item = items.nth(i);
    const label = await item.textContent();
    const [download] = await Promise.all([page.waitForEvent('download'), item.click()]);
    const chunks = [];
    for await (const c of await download.createReadStream()) chunks.push(c);
    out.push({ label, name: download.suggestedFilename(), text: Buffer.concat(chunks).toString('utf8') });
  }
  if (out.length === 0) throw new Error('the export menu offers nothing');
  return out;
}
