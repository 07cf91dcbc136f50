// The page in a light and a dark system setting: every piece of text on every tab, on a
// repository's and an image's page, in the event drawer and in the open filter menu is readable
// against what is behind it (WCAG AA: a contrast of 4.5:1, 3:1 for large text), and the timeline's
// canvas is drawn in the page's colours. Colours are read from the browser's computed styles, and
// the background behind a text is found by compositing the backgrounds of the element and its
// ancestors, as the browser paints them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, Trailscope } from './harness.mjs';
import { openFirstEvent, settle, visitEveryTab } from './visit.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

/** Every visible text on the page whose contrast is below WCAG AA, as readable lines. */
function unreadable(page) {
  return page.evaluate(() => {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r, g, b, a };
    };
    const over = (top, under) => {
      const a = top.a + under.a * (1 - top.a);
      if (a === 0) return { r: 0, g: 0, b: 0, a: 0 };
      const mix = (k) => (top[k] * top.a + under[k] * under.a * (1 - top.a)) / a;
      return { r: mix('r'), g: mix('g'), b: mix('b'), a };
    };
    // What the element's box shows behind its text: its background over its ancestors', down to the
    // first opaque one (the page's own, on <html>, at the latest; white if none were).
    const behind = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0) layers.push(c);
        if (c && c.a >= 1) break;
      }
      return layers.reverse().reduce((bg, c) => over(c, bg), { r: 255, g: 255, b: 255, a: 1 });
    };
    const lum = ({ r, g, b }) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const out = {};
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || seen.has(el) || !n.textContent.trim()) continue;
      seen.add(el);
      if (el.closest('[aria-hidden=true], .font-specimen, .visually-hidden, [hidden]')) continue;
      if (el.getClientRects().length === 0) continue;
      const s = getComputedStyle(el);
      if (s.visibility !== 'visible') continue;
      let opacity = 1;
      for (let e = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
      // A view dimmed while it waits for an answer is meant to look faded; the tests wait for answers.
      if (opacity < 1) continue;
      const bg = behind(el);
      const fg = over(parse(s.color), bg);
      const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      const px = parseFloat(s.fontSize);
      const large = px >= 24 || (px >= 18.66 && Number(s.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) {
        const where = el.closest('[data-testid]')?.dataset.testid ?? el.tagName.toLowerCase();
        const key = `${ratio.toFixed(2)}:1 ${el.tagName.toLowerCase()}.${[...el.classList].join('.')} in ${where}, ${s.color} on rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)})`;
        out[key] ??= `${key}, such as "${n.textContent.trim().slice(0, 30)}"`;
      }
    }
    return Object.values(out);
  });
}

/** The colour of the canvas's first lane at its left edge, under its name, as [r, g, b] (the lanes
 * start 62 CSS px down: the axis, 26, and the density strip, 36; src/ui/timeline/draw.rs). */
function laneGround(page) {
  return page.$eval('[data-testid=timeline] canvas', (c) => {
    const dpr = c.width / c.getBoundingClientRect().width;
    const px = c.getContext('2d').getImageData(Math.round(2 * dpr), Math.round(64 * dpr), 1, 1).data;
    return [px[0], px[1], px[2], px[3]];
  });
}

for (const colorScheme of ['light', 'dark']) {
  test(`in a ${colorScheme} setting every text is readable on every tab, in the drawer and in the filter menu`, async () => {
    const t = await Trailscope.open(env, { colorScheme });
    const problems = new Map();
    const note = (where, list) => list.forEach((p) => problems.set(p, [...(problems.get(p) ?? []), where]));
    note('the empty page', await unreadable(t.page));
    await t.shot(`theme-${colorScheme}-empty`);
    await t.page.click('[data-testid=load-sample]');
    await t.waitDone();
    await visitEveryTab(t, async (id) => {
      note(id, await unreadable(t.page));
      await t.shot(`theme-${colorScheme}-${id.replace(/^tab-/, '')}`);
    });
    // Each Images list, with its headline cards.
    await t.page.click('[data-testid=tab-images]');
    for (const list of await t.page.$$eval('[data-testid^=images-nav-]', (els) => els.map((e) => e.dataset.testid))) {
      await t.page.click(`[data-testid=${list}]`);
      await settle(t.page);
      note(list, await unreadable(t.page));
    }
    // A repository's page and an image's, with their charts, stories and breadcrumbs.
    await t.page.click('[data-testid=images-nav-repositories]');
    await t.page.click('[data-testid=open-repo] >> nth=0');
    await t.page.waitForSelector('[data-testid=repo-page]');
    await settle(t.page);
    note('a repository page', await unreadable(t.page));
    await t.page.click('[data-testid=repo-page] [data-testid=open-image] >> nth=0');
    await t.page.waitForSelector('[data-testid=image-page]');
    await settle(t.page);
    note('an image page', await unreadable(t.page));
    await t.shot(`theme-${colorScheme}-image`);
    await openFirstEvent(t);
    note('event drawer', await unreadable(t.page));
    await t.shot(`theme-${colorScheme}-drawer`);
    await t.page.click('[data-testid=close-detail]');
    // With a search on, the drawer marks where its text is.
    await t.page.fill('[data-testid=search]', 'amazonaws');
    await t.page.press('[data-testid=search]', 'Enter');
    await openFirstEvent(t);
    await t.page.waitForSelector('[data-testid=json-tree] mark.hit');
    note('event drawer with the search marked', await unreadable(t.page));
    await t.page.click('[data-testid=close-detail]');
    await t.page.click('[data-testid=clear-filters]');
    await t.page.click('[data-testid=add-filter]');
    await settle(t.page);
    note('filter menu', await unreadable(t.page));
    await t.page.click('[data-testid=add-filter]');
    assert.deepEqual([...problems].map(([p, where]) => `${p} on ${where.join(', ')}`), []);

    // The page and the timeline's canvas take the setting.
    const page = await t.page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    await t.page.click('[data-testid=tab-timeline]');
    await t.page.waitForSelector('[data-testid=timeline-range][data-state=ready]');
    await settle(t.page);
    const [r, g, b, a] = await laneGround(t.page);
    assert.equal(a, 255, 'the lane is painted');
    const light = r + g + b > 3 * 128;
    assert.equal(light, colorScheme === 'light', `the canvas's lanes are drawn in rgb(${r}, ${g}, ${b}) on a page of ${page}`);
    // The system's setting changes while the timeline is open: the canvas is drawn again in the
    // other colours, with nothing else done.
    const other = colorScheme === 'light' ? 'dark' : 'light';
    await t.page.emulateMedia({ colorScheme: other });
    await settle(t.page);
    const [r2, g2, b2] = await laneGround(t.page);
    assert.equal(r2 + g2 + b2 > 3 * 128, other === 'light', `after a change to ${other}, the lanes are drawn in rgb(${r2}, ${g2}, ${b2})`);
    await t.page.emulateMedia({ colorScheme });
    await settle(t.page);

    // Printed, the page is light whatever the setting: a print leaves dark backgrounds out, which
    // would leave light text on white paper.
    await t.page.click('[data-testid=tab-overview]');
    await settle(t.page);
    await t.page.emulateMedia({ media: 'print', colorScheme });
    await settle(t.page); // buttons ease their background over 0.12 s
    const paper = await t.page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    assert.equal(paper, 'rgb(246, 247, 251)', 'the light page background when printed');
    assert.deepEqual(await unreadable(t.page), [], 'every text readable when printed');
    for (const control of ['drop-zone', 'export-menu', 'download-summary']) {
      assert.equal(await t.page.isVisible(`[data-testid=${control}]`), false, `${control} is left out of a print`);
    }
    assert.equal(await t.page.isVisible('[data-testid=by-source]'), true, 'the view is printed');
    await t.shot(`theme-${colorScheme}-print`);
    await t.page.emulateMedia({ media: 'screen', colorScheme });
    assert.deepEqual(t.problems, []);
    assert.deepEqual(await t.cspViolations(), []);
  });
}
