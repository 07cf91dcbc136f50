// Font warm-up: every font the views use is laid out once when the page opens (the hidden
// .font-specimen in index.html), so that no view waits on the browser for a new font strike while the
// ingest workers keep the cores busy (README, "The main thread while loading"). This test walks the
// loading state and every view and fails, naming the font, when one is not in the specimen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, Trailscope } from './harness.mjs';
import { generated } from './generated.mjs';

let env;
let data;
before(async () => {
  data = generated(100_000);
  env = await start();
});
after(async () => { await env?.close(); });

/** The fonts (style, weight, size, family) of the page's visible text, outside the specimen. */
const used = (page) => page.evaluate(() => {
  const fonts = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || el.closest('.font-specimen') || !el.getClientRects().length) continue;
    const s = getComputedStyle(el);
    fonts.add(`${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`);
  }
  return [...fonts];
});

test('every font the views use is in the warm-up specimen laid out when the page opens', async (t) => {
  const ts = await Trailscope.open(env);
  const page = ts.page;
  const specimen = await page.evaluate(() => {
    const box = document.querySelector('[data-testid=font-specimen]');
    const spans = [...box.querySelectorAll('span')].map((el) => {
      const s = getComputedStyle(el);
      return { font: `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`, width: el.getBoundingClientRect().width };
    });
    const s = getComputedStyle(box);
    return { spans, visibility: s.visibility, hidden: box.getAttribute('aria-hidden'), left: box.getBoundingClientRect().right };
  });
  // Laid out (so its fonts are fetched), but neither seen nor read out.
  assert.equal(specimen.visibility, 'hidden');
  assert.equal(specimen.hidden, 'true');
  assert.ok(specimen.left <= 0, 'the specimen is off the page');
  assert.ok(specimen.spans.length > 10 && specimen.spans.every((s) => s.width > 0), 'every specimen line is laid out');
  const warm = new Set(specimen.spans.map((s) => s.font));

  const seen = new Map();
  const look = async (where) => {
    for (const f of await used(page)) if (!seen.has(f)) seen.set(f, where);
  };
  await look('the empty page');
  // The loading state: the status bar's progress, the live overview.
  if (data) {
    await ts.pickFiles(data.files);
    await page.waitForFunction(() => document.querySelector('[data-testid=ingest-status]').dataset.state !== 'idle');
    let loadingLooks = 0;
    for (;;) {
      const state = await page.$eval('[data-testid=ingest-status]', (el) => el.dataset.state);
      if (state !== 'loading') break;
      await look('loading');
      loadingLooks += 1;
    }
    assert.ok(loadingLooks > 0, 'the page was seen while loading');
    await ts.waitDone(120_000);
  } else {
    t.diagnostic('the shared generator is absent: the loading state is not walked, the sample is');
    await page.click('[data-testid=load-sample]');
    await ts.waitDone();
  }
  for (const tab of ['overview', 'timeline', 'images', 'identities', 'events', 'integrity']) {
    await page.click(`[data-testid=tab-${tab}]`);
    await page.waitForLoadState('domcontentloaded');
    await page.waitForTimeout(300);
    await look(`the ${tab} tab`);
  }
  await page.click('[data-testid=tab-events]');
  await page.click('[data-testid=events] .ev-row[data-row]');
  await page.waitForSelector('[data-testid=event-detail]');
  await look('the event drawer');
  await page.click('[data-testid=close-detail]');
  await page.click('[data-testid=add-filter]');
  await look('the filter menu');
  await page.click('[data-testid=export-menu]');
  await look('the export menu');

  const missing = [...seen].filter(([f]) => !warm.has(f)).map(([f, where]) => `${f} (${where})`);
  assert.ok(seen.size > 10, `${seen.size} fonts seen`);
  assert.deepEqual(missing, [], 'fonts used but not in .font-specimen (index.html, static/style.css)');
  assert.deepEqual(ts.problems, []);
});
