// Shared end-to-end harness: Debian's Chromium driven by playwright-core, dist/ served on loopback,
// and a page object for Trailscope's testing hooks (see README, "Testing contract").
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { serve } from './serve.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SHOTS = join(ROOT, 'target', 'e2e-screenshots');
mkdirSync(SHOTS, { recursive: true });

const CHROMIUM = process.env.CHROME_BIN || '/usr/bin/chromium';
// Without the background-networking flags, Chromium's own connections are refused on these machines.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage',
  ...(process.env.CHROMIUM_EXTRA_ARGS ? process.env.CHROMIUM_EXTRA_ARGS.split(' ') : [])];

/** Starts the server (of `dist`, by default the repository's dist/) and the browser; returns
 * { browser, server, url, close }. */
export async function start({ prefix = '/', dist = join(ROOT, 'dist') } = {}) {
  const server = await serve(dist, 0, prefix);
  const url = `http://127.0.0.1:${server.address().port}${prefix}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  return {
    browser, server, url,
    async close() {
      await browser.close();
      await new Promise((ok) => server.close(ok));
    },
  };
}

/** Trailscope's page, through its stable data-testid hooks. */
export class Trailscope {
  constructor(page, url) {
    this.page = page;
    this.url = url;
    this.problems = [];
    page.on('console', (m) => { if (m.type() === 'error') this.problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => this.problems.push(`page error: ${e.message}`));
  }

  /** Opens the app in a new context; `route(page)` may route its requests before it loads;
   * `timezoneId` (an IANA zone) is the browser's local time zone; `colorScheme` (`light`, `dark`)
   * the system's setting the page sees. */
  static async open(env, { viewport = { width: 1440, height: 1000 }, route = null, timezoneId = undefined, colorScheme = 'light' } = {}) {
    // A routed page bypasses the app's service worker, which would answer requests before routes.
    const context = await env.browser.newContext({
      viewport, acceptDownloads: true, timezoneId, colorScheme, ...(route ? { serviceWorkers: 'block' } : {}),
    });
    const page = await context.newPage();
    if (route) await route(page);
    const t = new Trailscope(page, env.url);
    await page.goto(env.url);
    await page.waitForSelector('[data-testid=ingest-status]');
    // Record CSP violations from here on.
    await page.evaluate(() => {
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    return t;
  }

  status() {
    return this.page.$eval('[data-testid=ingest-status]', (el) => ({
      state: el.dataset.state,
      events: Number(el.dataset.events),
      files: Number(el.dataset.files),
      skipped: Number(el.dataset.skipped),
      warnings: Number(el.dataset.warnings),
      heapBytes: Number(el.dataset.heapBytes),
    }));
  }

  /** Picks files through the file input. The browser makes a `File` for each before the page sees
   * any: about a millisecond a file on a busy 2-core machine, so tens of thousands of files get
   * longer than Playwright's default 30 s. */
  async pickFiles(paths) {
    await this.page.setInputFiles('[data-testid=file-input]', paths, { timeout: Math.max(30_000, paths.length * 5) });
  }

  /** Waits until the engine's ingest workers (one per core, 2 to 4; none on one core) all take files. */
  async readersReady(timeout = 30_000) {
    await this.page.waitForFunction(() => {
      const cores = navigator.hardwareConcurrency || 1;
      const wanted = cores < 2 ? 0 : Math.min(cores, 4);
      return Number(document.querySelector('[data-testid=ingest-status]')?.dataset.readers ?? -1) === wanted;
    }, null, { timeout });
  }

  /** Waits for the status to say done (everything dropped is loaded and shown). */
  async waitDone(timeout = 60_000) {
    await this.page.waitForSelector('[data-testid=ingest-status][data-state=done]', { timeout });
    return this.status();
  }

  async shot(name, { fullPage = true } = {}) {
    const path = join(SHOTS, `${name}.png`);
    await this.page.screenshot({ path, fullPage });
    return path;
  }

  async cspViolations() {
    return this.page.evaluate(() => window.__csp);
  }
}

/**
 * Records the text the element at `selector` shows now (if it is there) and every text it shows from
 * now on, even one shown for a moment (a count before its first answer): read them with
 * `recordedTexts`. With `attribute`, records that attribute's values instead.
 */
export async function recordTexts(page, selector, attribute = null) {
  await page.evaluate(([selector, attribute]) => {
    const read = () => {
      const el = document.querySelector(selector);
      return attribute ? el?.getAttribute(attribute) : el?.textContent;
    };
    window.__texts ??= {};
    const now = read();
    const seen = (window.__texts[`${selector}|${attribute}`] = now ? [now] : []);
    new MutationObserver(() => {
      const text = read();
      if (text && text !== seen.at(-1)) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  }, [selector, attribute]);
}

/** What `recordTexts` saw at `selector` (and `attribute`), in order (each change once). */
export async function recordedTexts(page, selector, attribute = null) {
  return page.evaluate((key) => window.__texts[key], `${selector}|${attribute}`);
}

/**
 * Drops files or folders from disk on the drop zone as a person would from their file manager: a real
 * drop through the DevTools protocol (`Input.dispatchDragEvent` with the paths), so the page gets
 * File and Directory Entries to walk, which a `DataTransfer` made in the page cannot give.
 */
export async function dropFromDisk(page, paths) {
  const box = await page.locator('[data-testid=drop-zone]').boundingBox();
  const cdp = await page.context().newCDPSession(page);
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const data = { items: [], files: paths, dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop']) await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
  await cdp.detach();
}

/**
 * Serves the engine's worker script (`worker_loader.js`) with `script` run first, for tests that hold
 * or watch what that worker does. Playwright routes the engine worker's script but not those of the
 * ingest workers it starts (they are started from within it).
 */
export async function engineWorkerPrelude(page, script) {
  await page.route('**/worker_loader.js', async (route) => {
    const original = await (await route.fetch()).text();
    await route.fulfill({ contentType: 'text/javascript', headers: { 'cache-control': 'no-store' }, body: script + original });
  });
}

/**
 * A route for `Trailscope.open` over File System Access handles, which a folder drop is walked through
 * where the browser has them: counts the files opened with `getFile()` (in `window.__opened`), holding
 * each for `holdMs` first; `withoutHandles` takes the API away instead (`getAsFileSystemHandle`), as in
 * a browser without it (Firefox, Safari), so the walk uses the File and Directory Entries API.
 */
export const fileHandles = ({ withoutHandles = false, holdMs = 0 } = {}) => (page) => page.addInitScript(({ without, hold }) => {
  window.__opened = 0;
  if (without) {
    delete DataTransferItem.prototype.getAsFileSystemHandle;
    return;
  }
  const getFile = FileSystemFileHandle.prototype.getFile;
  FileSystemFileHandle.prototype.getFile = function watched() {
    window.__opened += 1;
    const held = hold > 0 ? new Promise((ok) => { setTimeout(ok, hold); }) : Promise.resolve();
    return held.then(() => getFile.call(this));
  };
}, { without: withoutHandles, hold: holdMs });

/**
 * A route for `Trailscope.open` standing in for the person at the browser's folder picker, which a
 * headless browser cannot show: `showDirectoryPicker()` answers with the handle of the folder last
 * dropped from disk with `dropFromDisk` after `pickNext(page)` (that drop is taken before the page
 * sees it), or fails as `fail` says: `'AbortError'` as when the picker is closed, any other name as
 * when it cannot open. The options it was called with are kept in `window.__pickerOptions`.
 */
export const folderPicker = ({ fail = null } = {}) => (page) => page.addInitScript(({ fail }) => {
  window.__pickerCalls = 0;
  window.addEventListener('drop', (e) => {
    if (!window.__takeDrop) return;
    window.__takeDrop = false;
    e.preventDefault();
    e.stopImmediatePropagation();
    window.__picked = e.dataTransfer.items[0].getAsFileSystemHandle();
  }, true);
  window.showDirectoryPicker = async (options) => {
    window.__pickerCalls += 1;
    window.__pickerOptions = options;
    if (fail) throw new DOMException(`stand-in picker: ${fail}`, fail);
    return window.__picked;
  };
}, { fail });

/** Makes the next `dropFromDisk` the folder `folderPicker`'s picker answers with. */
/** Keeps the engine's worker's last progress report in `window.__progress` (its timings say where
 * the load's time went, and who read what), from before the app starts: a `route` for `Trailscope.open`. */
export const keepProgress = (page) => page.addInitScript(() => {
  const Base = window.Worker;
  window.Worker = class extends Base {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', (e) => {
        const m = e.data && e.data.msg;
        if (m && m.Progress) window.__progress = m.Progress;
      });
    }
  };
});

/** A `route` for `Trailscope.open` counting the files the page posts to the engine's worker
 * (`ToWorker::Ingest`) in `window.__posted` (their paths in `window.__postedPaths`); with `hold`, the posts wait until the test calls
 * `window.__go()` (the page has handed nothing over until then). Once the test sets
 * `window.__cancelAfterPost`, the next post is followed by a click on Cancel before the page posts
 * another (the post takes longer than the page's slice of posting, so the page yields after it, and
 * the click comes first). */
export const ingestPosts = ({ hold = false } = {}) => (page) => page.addInitScript((hold) => {
  let go;
  const gate = new Promise((ok) => { go = ok; });
  window.__go = go;
  window.__posted = 0;
  window.__postedPaths = [];
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (...args) {
    const ingest = args[0] && args[0].msg && args[0].msg.Ingest;
    if (!ingest) return post.apply(this, args);
    window.__posted += ingest.paths.length;
    window.__postedPaths.push(...ingest.paths);
    if (window.__cancelAfterPost) {
      window.__cancelAfterPost = false;
      const end = performance.now() + 15;
      while (performance.now() < end) { /* longer than POST_SLICE_MS in src/ui/bridge.rs */ }
      queueMicrotask(() => document.querySelector('[data-testid=ingest-cancel]').click());
    }
    if (!hold) return post.apply(this, args);
    gate.then(() => post.apply(this, args));
  };
}, hold);

/** A `route` for `Trailscope.open` holding the engine's worker before it fetches its wasm until the
 * test posts to BroadcastChannel `channel`: the page holds what it would send it meanwhile. */
export const engineHeld = (channel) => (page) => engineWorkerPrelude(page, `(() => {
  if (self.name === 'trailscope-ingest') return;
  let go;
  const gate = new Promise((ok) => { go = ok; });
  new BroadcastChannel(${JSON.stringify(channel)}).onmessage = () => go();
  const fetch = self.fetch;
  self.fetch = (...args) => gate.then(() => fetch.apply(self, args));
})();`);

export const pickNext = (page) => page.evaluate(() => { window.__takeDrop = true; });

/** Counts events the way CloudTrail means them, independently of Trailscope's Rust code. */
export function uniqueEvents(events) {
  const keys = new Set(events.map((e) => JSON.stringify([e.eventID, e.eventTime, e.eventSource, e.eventName])));
  return keys.size;
}

/** Every event in a {"Records":[...]} file, gzip'd or not. */
export function recordsOf(path) {
  let bytes = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return JSON.parse(bytes.toString('utf8')).Records;
}

/** Files under a folder, recursively. */
export function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** The summary "Download summary" on the status bar gives: its file name and its JSON, parsed. */
export async function downloadSummary(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-summary]')]);
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  return { name: download.suggestedFilename(), summary: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
}

/** The shared corpus (`$TRAILSCOPE_CORPUS`, else `../shared/corpus`), or null with a notice. */
export function corpusDir() {
  const dir = process.env.TRAILSCOPE_CORPUS || join(ROOT, '../shared/corpus');
  if (existsSync(dir)) return dir;
  console.log(`NOTICE: the shared corpus is not at ${dir}; its tests are skipped`);
  return null;
}
