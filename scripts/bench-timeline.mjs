// Timeline benchmark in headless Chromium: frame times while zooming and panning, and how long a brush
// takes to reach the views, over N generated events, against the same run over a small baseline.
//
//   node scripts/bench-timeline.mjs [N ...] [--dist DIST]   (default: 10000 1000000; the first N is the baseline)
//
// --dist DIST serves another build instead of dist/ (a copy of an older build, for before/after pairs).
//
// Needs a release build in dist/ (trunk build --release) and ../shared/tools/gen_cloudtrail.py. Data is
// generated once into target/bench-data/ev-N (S3 layout) and reused. Loads through the file input, as
// a person would. Frame figures: the canvas draw as the page timed it (window.__trailscopeFrames) and
// the interval between animation frames while the interaction runs (what a person sees).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT, start, Trailscope, walk } from '../e2e/harness.mjs';

const args = process.argv.slice(2);
const distAt = args.indexOf('--dist');
const DIST = distAt >= 0 ? resolve(args[distAt + 1]) : undefined;
const sizes = args.filter((_, i) => i !== distAt && i !== distAt + 1).map(Number).filter((n) => n > 0);
const NS = sizes.length ? sizes : [10_000, 1_000_000];
const GEN = join(ROOT, '..', 'shared', 'tools', 'gen_cloudtrail.py');
const GUTTER = 200;

function data(n) {
  const dir = join(ROOT, 'target', 'bench-data', `ev-${n}`);
  if (!existsSync(dir)) {
    console.error(`generating ${n} events into ${dir} (once)…`);
    execFileSync('python3', [GEN, '--events', String(n), '--out', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return walk(dir).filter((p) => p.endsWith('.json.gz'));
}

const pct = (xs, p) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function readout(page) {
  return page.$eval('[data-testid=timeline-range]', (el) => ({ ...el.dataset }));
}

async function ready(page, timeout = 600_000) {
  await page.waitForFunction(() => document.querySelector('[data-testid=timeline-range]')?.dataset.state === 'ready',
    null, { timeout, polling: 'raf' });
}

/** Zooms in and out with the wheel and pans by dragging; returns draw and frame-interval samples. */
async function interact(page) {
  const box = await page.locator('[data-testid=timeline-canvas]').boundingBox();
  const y = box.y + box.height - 20;
  await page.evaluate(() => {
    window.__trailscopeFrames = [];
    window.__raf = [];
    const tick = (t) => { window.__raf.push(t); if (window.__rafOn) requestAnimationFrame(tick); };
    window.__rafOn = true;
    requestAnimationFrame(tick);
  });
  // Zoom in towards three places, then out again, one wheel notch per animation frame.
  for (const frac of [0.8, 0.5, 0.3]) {
    const x = box.x + GUTTER + (box.width - GUTTER - 12) * frac;
    await page.mouse.move(x, y);
    for (let i = 0; i < 25; i += 1) {
      await page.mouse.wheel(0, -120);
      await page.evaluate(() => new Promise(requestAnimationFrame));
    }
    for (let i = 0; i < 25; i += 1) {
      await page.mouse.wheel(0, 120);
      await page.evaluate(() => new Promise(requestAnimationFrame));
    }
  }
  // Zoom in a little, then pan back and forth by dragging.
  for (let i = 0; i < 8; i += 1) await page.mouse.wheel(0, -120);
  await page.mouse.move(box.x + 900, y);
  await page.mouse.down();
  for (let i = 0; i < 60; i += 1) await page.mouse.move(box.x + 900 - i * 8, y);
  for (let i = 0; i < 60; i += 1) await page.mouse.move(box.x + 420 + i * 8, y);
  await page.mouse.up();
  await page.evaluate(() => new Promise(requestAnimationFrame));
  return page.evaluate(() => {
    window.__rafOn = false;
    const raf = window.__raf;
    const gaps = raf.slice(1).map((t, i) => t - raf[i]);
    return { draws: window.__trailscopeFrames.slice(), gaps };
  });
}

/** Brushes the middle fifth of the view; ms from the pointer's release to the timeline redrawn with
 * the new range, then to the overview's and the event table's counts for it. */
async function brush(page) {
  const box = await page.locator('[data-testid=timeline-canvas]').boundingBox();
  const y = box.y + box.height - 20;
  const plot = box.width - GUTTER - 12;
  await page.evaluate(() => {
    document.querySelector('[data-testid=timeline-canvas]').addEventListener('pointerup',
      () => { window.__brushT0 = performance.now(); }, { capture: true, once: true });
  });
  await page.keyboard.down('Shift');
  await page.mouse.move(box.x + GUTTER + plot * 0.4, y);
  await page.mouse.down();
  await page.mouse.move(box.x + GUTTER + plot * 0.5, y, { steps: 3 });
  await page.mouse.move(box.x + GUTTER + plot * 0.6, y, { steps: 3 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await page.waitForFunction(() => {
    const d = document.querySelector('[data-testid=timeline-range]').dataset;
    if (d.selectionFrom !== undefined && d.state === 'ready') { window.__brushT1 = performance.now(); return true; }
    return false;
  }, null, { polling: 'raf', timeout: 120_000 });
  const timeline = await page.evaluate(() => window.__brushT1 - window.__brushT0);
  const view = async (tab, sel) => {
    await page.evaluate(([tab]) => {
      document.querySelector(`[data-testid=tab-${tab}]`).addEventListener('click',
        () => { window.__tabT0 = performance.now(); }, { capture: true, once: true });
    }, [tab]);
    await page.click(`[data-testid=tab-${tab}]`);
    await page.waitForFunction(([sel]) => {
      const el = document.querySelector(sel);
      if (el && el.textContent && el.textContent !== '—') { window.__tabT1 = performance.now(); return true; }
      return false;
    }, [sel], { polling: 'raf', timeout: 120_000 });
    return page.evaluate(() => window.__tabT1 - window.__tabT0);
  };
  const overview = await view('overview', '[data-testid=total-events]');
  const events = await view('events', '[data-testid=events-total]');
  await page.click('[data-testid=tab-timeline]');
  return { timeline, overview, events };
}

const env = await start(DIST ? { dist: DIST } : {});
const results = [];
try {
  for (const n of NS) {
    const files = data(n);
    const t = await Trailscope.open(env, { viewport: { width: 1440, height: 900 } });
    const t0 = Date.now();
    await t.pickFiles(files);
    const status = await t.waitDone(3_600_000);
    const loadS = (Date.now() - t0) / 1000;
    await t.page.click('[data-testid=tab-timeline]');
    await ready(t.page);
    // The engine reports the memory its timeline index took right after the answer.
    await t.page.waitForTimeout(500);
    const heapTimeline = (await t.status()).heapBytes;
    // Read before the brush: afterwards the test clicks back to a timeline still asking for its
    // answer, whose readout has no lanes yet (this printed `lanes: null`).
    const r = await readout(t.page);
    const { draws, gaps } = await interact(t.page);
    await ready(t.page);
    const b = await brush(t.page);
    const row = {
      events: status.events, files: files.length, load_s: Number(loadS.toFixed(1)), lanes: Number(r.lanes),
      heap_bytes_per_event_loaded: Number((status.heapBytes / status.events).toFixed(1)),
      heap_bytes_per_event_timeline: Number((heapTimeline / status.events).toFixed(1)),
      draws: draws.length, draw_p50_ms: pct(draws, 50), draw_p95_ms: pct(draws, 95), draw_p99_ms: pct(draws, 99),
      draw_max_ms: Math.max(...draws), slow_frames: gaps.filter((g) => g > 20).length, frames: gaps.length,
      frame_p50_ms: pct(gaps, 50), frame_p95_ms: pct(gaps, 95),
      brush_timeline_ms: b.timeline, brush_overview_ms: b.overview, brush_events_ms: b.events,
    };
    results.push(row);
    console.log(JSON.stringify(row));
    if (t.problems.length) console.log('page problems:', t.problems);
    await t.page.context().close();
  }
} finally {
  await env.close();
}
const [base, ...rest] = results;
const f = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
console.log(`\nbaseline: ${base.events} events`);
console.log('| events | draw p95 ms | frame p95 ms | brush → timeline ms | → overview ms | → events ms | draw p95 ratio | frame p95 ratio | heap B/event loaded → timeline open |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.events} | ${f(r.draw_p95_ms)} | ${f(r.frame_p95_ms)} | ${f(r.brush_timeline_ms)} | ${f(r.brush_overview_ms)} | ${f(r.brush_events_ms)} | ${f(r.draw_p95_ms / base.draw_p95_ms)} | ${f(r.frame_p95_ms / base.frame_p95_ms)} | ${f(r.heap_bytes_per_event_loaded)} → ${f(r.heap_bytes_per_event_timeline)} |`);
}
if (!rest.length) console.log('(only the baseline was run)');
