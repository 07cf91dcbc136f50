#!/usr/bin/env node
// The browser ingest benchmark (README, "Loading at scale"): one command, one headless Chromium, one
// page, the same files for every contender.
//
//   node scripts/bench-ingest.mjs [--events 300000] [--dir FOLDER] [--dist DIST] [--json] [--trace FILE]
//                                 [--rounds N]
//
// --rounds N loads (a) and (b) N - 1 more times, alternating which goes first, each in a new page, and
// reports every round's ratio and their median (the host's speed swings between runs).
// --dist DIST serves another build instead of dist/ (a copy of an older build, for before/after pairs).
// --trace FILE keeps the browser trace of step 4's traced load (with what ran inside each task) for a
// closer look; TRACE_CATEGORIES=a,b adds Chromium tracing categories to it (e.g. mojom, v8.wasm), and
// CHROMIUM_EXTRA_ARGS passes flags to Chromium (e2e/harness.mjs): with DEBUG=pw:browser and
// CHROMIUM_EXTRA_ARGS=--js-flags=--trace-wasm-compilation-times, V8 prints each function it compiles.
//
// Generates the logs once with ../shared/tools/gen_cloudtrail.py (cached in target/bench-data/), or
// reads FOLDER; serves dist/ (run `trunk build --release` first) and, in that order:
//   1. the plain JavaScript pipeline a minimal viewer needs: per file, DecompressionStream → text →
//      JSON.parse (no indexing), on the main thread;
//   2. JSON.parse alone over the same decompressed text (decompressed beforehand, not timed), and
//      reading the files alone as the ingest workers read them (nothing inflated or parsed): no load
//      of these files can be faster than that;
//   3. decompression alone: DecompressionStream, and Trailscope's Rust inflater in a worker of its own
//      (`ToWorker::Inflate`: the same reads and decoder as ingest, without parsing);
//   4. Trailscope: the files go through the file input, timed by the `trailscope:ingest` measure from
//      the drop to data-state="done", with the Long Tasks API watching the main thread; then the same
//      load in a new page under a trace of the browser's tasks, telling how much of each main-thread
//      task was CPU (the rest: waiting for a core). The trace costs a load time of its own (it records
//      every task of every thread), so (a) is the load without it. Then, in a third page, the time
//      the page takes to post the picked files to a worker, nothing else running;
//   5. the folder dropped on the drop zone instead (a real drop through the DevTools protocol), timed
//      from the drop to done, as people load a whole AWSLogs/ tree;
//   6. the same events as one JSON-lines file through the file input (written once next to the
//      generated logs): one big uncompressed file, as a pipeline's export is;
//   7. that file gzipped, through the file input;
//   8. that file's two halves, each gzipped, through the file input: the engine's worker reads one
//      and an ingest worker the other, which sends it in parts.
// Each load also reports when its first events reached the engine's store (views show them next).
// Throughput is MB/s (10^6 bytes) of decompressed JSON. Ratios compare contenders of the same run.
import {
  closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, writeSync,
} from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join, relative, resolve } from 'node:path';
import { ROOT, dropFromDisk, start, walk } from '../e2e/harness.mjs';
import { generated } from '../e2e/generated.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const EVENTS = Number(opt('--events', '300000'));
const DIR = opt('--dir', null);
const JSON_OUT = args.includes('--json');
const ROUNDS = Math.max(1, Number(opt('--rounds', '1')));
const TRACE_OUT = opt('--trace', null);
const log = (...m) => { if (!JSON_OUT) console.error(...m); };

const DIST = resolve(opt('--dist', join(ROOT, 'dist')));
if (!existsSync(join(DIST, 'index.html'))) {
  console.error(`${DIST} has no index.html: run \`trunk build --release\` first.`);
  process.exit(1);
}
let files;
let dataDir = null;
if (DIR) {
  files = walk(DIR).filter((p) => /\.json(\.gz)?$/.test(p) && !p.includes('CloudTrail-Digest')).sort();
} else {
  const data = generated(EVENTS, { log });
  if (!data) {
    console.error('The generator ../shared/tools/gen_cloudtrail.py is not there; pass --dir FOLDER instead.');
    process.exit(1);
  }
  files = data.files;
  dataDir = data.dir;
}
const compressed = files.reduce((n, p) => n + statSync(p).size, 0);
log(`${files.length} files, ${(compressed / 1e6).toFixed(1)} MB on disk (${relative(ROOT, files[0])} ...)`);

const env = await start({ dist: DIST });
const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1000);

/**
 * Runs `f` on a new page of the app (see `openApp`), then closes the page's context, so every load
 * is measured with no earlier load's tab alive (its engine and ingest workers, hundreds of MB).
 * Before, the tabs of (a), its traced run and (e)-(h) stayed open through the later rounds.
 */
async function inNewPage(f) {
  const p = await openApp();
  try {
    return await f(p);
  } finally {
    await p.context().close();
  }
}

/** A new page (in a context of its own) with the app loaded and its engine idle. */
async function openApp() {
  const page = await (await env.browser.newContext()).newPage();
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  // Keep the worker's last progress report: it carries where the worker's time went.
  await page.addInitScript(() => {
    const Base = window.Worker;
    window.__progress = null;
    window.__asked = {};
    window.Worker = class extends Base {
      postMessage(data, ...rest) {
        const q = data && data.msg && data.msg.Query;
        if (q) {
          const kind = typeof q.query === 'string' ? q.query : Object.keys(q.query)[0];
          window.__asked[kind] = (window.__asked[kind] || 0) + 1;
        }
        return super.postMessage(data, ...rest);
      }

      constructor(...a) {
        super(...a);
        this.addEventListener('message', (e) => {
          const m = e.data && e.data.msg;
          if (m && m.Progress) {
            window.__progress = m.Progress;
            // When the first events reached the engine's store (the views show them at the next refresh).
            if (m.Progress.status && m.Progress.status.events > 0) window.__firstEvents ??= performance.now();
            window.__workers = Math.max(window.__workers || 0, m.Progress.workers || 0);
            // Peak memory while loading: the engine's and its ingest workers' at the same moment.
            window.__peakHeap = Math.max(window.__peakHeap || 0, (m.Progress.heap_bytes || 0) + (m.Progress.workers_heap_bytes || 0));
          }
        });
      }
    };
  });
  await page.goto(env.url);
  await page.waitForSelector('[data-testid=ingest-status][data-state=idle]');
  return page;
}

/** Picks the files through a hidden file input of the benchmark's own, `#id`, in `page`. */
async function pickIntoOwnInput(page, id) {
  await page.evaluate((id) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = true;
    input.id = id;
    input.hidden = true;
    document.body.append(input);
  }, id);
  await page.setInputFiles(`#${id}`, files);
}

const page = await openApp();
await pickIntoOwnInput(page, 'bench-input');

/** The plain JavaScript pipeline a minimal viewer needs, on the main thread of `page`, over the
 * files picked into its input `#id`: per file DecompressionStream → text → JSON.parse. */
function pipelineIn(page, id) {
  return page.evaluate(async (id) => {
    const files = [...document.getElementById(id).files];
    const inflate = (f) => new Response(f.stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
    const decoder = new TextDecoder();
    let bytes = 0;
    let events = 0;
    const t = performance.now();
    for (const f of files) {
      const buf = await inflate(f);
      bytes += buf.byteLength;
      events += JSON.parse(decoder.decode(buf)).Records.length;
    }
    return { bytes, events, pipelineMs: performance.now() - t };
  }, id);
}

log('1/7 JavaScript pipeline: DecompressionStream → text → JSON.parse');
const pipeline = await pipelineIn(page, 'bench-input');
const js = await page.evaluate(async (pipeline) => {
  const files = [...document.getElementById('bench-input').files];
  const inflate = (f) => new Response(f.stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
  const decoder = new TextDecoder();
  // JSON.parse alone, over batches of decompressed text made beforehand.
  let parseMs = 0;
  let batch = [];
  let held = 0;
  const parseBatch = () => {
    const t0 = performance.now();
    for (const text of batch) JSON.parse(text);
    parseMs += performance.now() - t0;
    batch = [];
    held = 0;
  };
  for (const f of files) {
    const text = decoder.decode(await inflate(f));
    batch.push(text);
    held += text.length;
    if (held > 64e6) parseBatch();
  }
  parseBatch();
  // Decompression alone, over the compressed bytes read into memory beforehand (so no file reads).
  const compressed = await Promise.all(files.map((f) => f.arrayBuffer()));
  const t = performance.now();
  for (const buf of compressed) await inflate(new Blob([buf]));
  const inflateMs = performance.now() - t;
  // Reading alone: the files read on the page as ingest workers read them (16 neighbours as one
  // Blob, one read each), two reads at a time, nothing inflated or parsed (a scratch page found
  // reading in workers no faster: README, "Reading the files alone"). No load of these files, in
  // any tool, can take less time here than this.
  const groups = [];
  for (let i = 0; i < files.length; i += 16) groups.push(files.slice(i, i + 16));
  let readBytes = 0;
  const t2 = performance.now();
  const reader = async () => {
    for (let g = groups.shift(); g; g = groups.shift()) {
      const n = (await new Blob(g).arrayBuffer()).byteLength;
      readBytes += n;
    }
  };
  await Promise.all([reader(), reader()]);
  const readMs = performance.now() - t2;
  return { ...pipeline, parseMs, inflateMs, readMs, readBytes };
}, pipeline);

log('2/7 Rust inflater in a worker of its own (ToWorker::Inflate)');
const rust = await page.evaluate(() => new Promise((ok, fail) => {
  const files = [...document.getElementById('bench-input').files];
  const w = new Worker('./worker_loader.js');
  w.onerror = (e) => fail(new Error(e.message));
  w.onmessage = (e) => {
    const m = e.data && e.data.msg;
    if (m === 'Ready') w.postMessage({ msg: 'Inflate', files });
    else if (m && (m.Inflated || m.Failed)) {
      w.terminate();
      ok(m.Inflated || { bytes_in: 0, bytes_out: 0, ms: NaN }); // an engine without ToWorker::Inflate
    }
  };
}));

/** From a trace: the page's main-thread tasks from the drop on, with the CPU time each used. */
function mainThreadCpu(trace) {
  const events = trace.traceEvents || trace;
  const mark = events.find((e) => e.name === 'trailscope:ingest-start' && String(e.cat).includes('user_timing'));
  if (!mark) return null;
  const main = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args.name === 'CrRendererMain'
    && e.pid === mark.pid).map((e) => e.tid));
  const tasks = events.filter((e) => e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && e.pid === mark.pid
    && main.has(e.tid) && e.ts + e.dur > mark.ts && e.tdur !== undefined)
    .map((e) => ({ wallMs: (e.ts + e.dur - Math.max(e.ts, mark.ts)) / 1000, cpuMs: e.tdur / 1000 }));
  if (!tasks.length) return null;
  const longest = tasks.reduce((a, b) => (b.wallMs > a.wallMs ? b : a));
  return {
    longestWallMs: longest.wallMs,
    longestWallCpuMs: Math.min(longest.cpuMs, longest.wallMs),
    maxCpuMs: Math.max(...tasks.map((t) => Math.min(t.cpuMs, t.wallMs))),
    over50Cpu: tasks.filter((t) => Math.min(t.cpuMs, t.wallMs) > 50).length,
    cpuMs: tasks.reduce((n, t) => n + Math.min(t.cpuMs, t.wallMs), 0),
  };
}

/** From a trace: V8's optimising compiles of wasm functions (the page's and the workers') from the
 * drop to done, which compete with the load for the cores. */
function topTierCompiles(trace) {
  const events = trace.traceEvents || trace;
  const at = (name) => events.find((e) => e.name === name && String(e.cat).includes('user_timing'));
  const [from, to] = [at('trailscope:ingest-start'), at('trailscope:ingest-end')];
  if (!from || !to) return null;
  const units = events.filter((e) => e.name === 'wasm.TopTierCompilation' && e.ph === 'X' && e.ts >= from.ts
    && e.ts <= to.ts);
  return { functions: units.length, cpuMs: units.reduce((n, e) => n + (e.tdur ?? e.dur) / 1000, 0) };
}

/**
 * CPU time (user + system, seconds) of every thread of the browser this benchmark started, from
 * Linux's /proc, keyed by process id and thread id; null where there is no /proc. The browser's
 * processes are this process's descendants; each thread is named `kind:thread` (kind from the
 * process's `--type=`, "browser" for the browser's own; "main" for a process's main thread).
 */
function browserThreadCpu() {
  if (!existsSync('/proc/self/stat')) return null;
  const fields = (text) => text.slice(text.lastIndexOf(')') + 2).split(' ');
  const parent = new Map();
  const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  for (const pid of pids) {
    try { parent.set(pid, fields(readFileSync(`/proc/${pid}/stat`, 'utf8'))[1]); } catch { /* gone */ }
  }
  const ours = (pid) => {
    for (let p = pid, hops = 0; p && p !== '0' && hops < 16; p = parent.get(p), hops++) {
      if (p === String(process.pid)) return pid !== String(process.pid);
    }
    return false;
  };
  const tick = 100; // USER_HZ on Linux
  const out = new Map();
  for (const pid of pids.filter(ours)) {
    try {
      const kind = (readFileSync(`/proc/${pid}/cmdline`, 'utf8').match(/--type=([a-z-]+)/) || [null, 'browser'])[1];
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const f = fields(text);
        const name = tid === pid ? 'main' : text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
        out.set(`${pid}/${tid}`, { thread: `${kind}:${name}`, s: (Number(f[11]) + Number(f[12])) / tick });
      }
    } catch { /* a process or thread that ended meanwhile */ }
  }
  return out;
}

/** Where the browser's CPU went between two `browserThreadCpu()` readings, in seconds, by role. */
function cpuByRole(before, after) {
  if (!before || !after) return null;
  const role = (thread) => {
    if (thread.startsWith('renderer:DedicatedWorker')) return 'our workers';
    if (thread === 'renderer:main') return 'page main thread';
    // The browser's side of describing (size, time) and reading files: its I/O thread and thread
    // pool, and the renderer's I/O thread that carries the messages and the bytes.
    if (/^browser:(Chrome_IOThread|ThreadPool)/.test(thread) || thread === 'renderer:Chrome_ChildIOT') return 'browser file handling';
    // The renderer's thread pool: V8 compiling our wasm again, optimised, and collecting garbage.
    if (thread.startsWith('renderer:ThreadPool')) return 'V8 in the background';
    return 'the rest';
  };
  const out = { total: 0 };
  for (const [id, { thread, s }] of after) {
    const d = s - (before.get(id)?.s ?? 0);
    if (d <= 0) continue;
    out[role(thread)] = (out[role(thread)] || 0) + d;
    out.total += d;
  }
  return out;
}

/** Records the page's long tasks (Long Tasks API) from now on, as [start, duration] in `__tasks`. */
function watchLongTasks(page) {
  return page.evaluate(() => {
    window.__tasks = [];
    window.__longObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__tasks.push([e.startTime, e.duration]);
    });
    window.__longObserver.observe({ type: 'longtask' });
  });
}

/** The longest of `tasks` from `drop` on (a task under way at the drop counts from it), and how
 * many were over 50 ms. */
function tasksFrom(tasks, drop) {
  const after = tasks.filter(([at, d]) => at + d > drop).map(([at, d]) => at + d - Math.max(at, drop));
  return { longestTaskMs: Math.max(0, ...after), longTasks: after.filter((d) => d > 50).length };
}

/**
 * Trailscope's load of the files in `page`, through the file input: the `trailscope:ingest` measure
 * from the drop to done, with the Long Tasks API watching the main thread; with `traced`, under a
 * Chromium trace, which tells the main thread's CPU and V8's optimising compiles but costs the load
 * time of its own (every task of every thread is recorded).
 */
async function loadIn(page, { traced, paths = files }) {
  await page.evaluate(() => {
    // The benchmark's own input is done with: holding 5,744 files, it cost the page a 50 ms task about
    // a second after the drop (the browser saving the page's form state), which is not Trailscope's.
    const input = document.getElementById('bench-input');
    if (input) {
      input.value = '';
      input.remove();
    }
  });
  // The JS pipeline above left hundreds of MB of parsed JSON and thousands of streams behind. Collected
  // later, they cost the page a 60 ms garbage collection and a 100 ms sweep during Trailscope's load,
  // which are not Trailscope's: collect them now, and let the sweep finish, before the drop.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await page.waitForTimeout(1000);
  await cdp.send('HeapProfiler.collectGarbage');
  await page.waitForTimeout(500);
  await cdp.detach();
  await watchLongTasks(page);
  // A trace of the browser's task runs (the "toplevel" category: each task's wall and CPU time) tells
  // the page's own work from waiting for a core while the ingest workers hold both.
  // With --trace FILE the trace is kept, with what ran inside each task (devtools.timeline: more tracing
  // overhead, so compare such runs with each other).
  // "v8.wasm" tells how much of the load V8 spent compiling our wasm again, optimised (see `warm_up` in
  // src/worker/mod.rs).
  const categories = ['toplevel', 'blink.user_timing', 'v8.wasm', ...(TRACE_OUT ? ['devtools.timeline'] : []),
    ...(process.env.TRACE_CATEGORIES ? process.env.TRACE_CATEGORIES.split(',') : [])];
  if (traced) await env.browser.startTracing(page, { categories });
  await page.setInputFiles('[data-testid=file-input]', paths);
  // From here (the page has the files and has started on them) to done; before it, the browser made
  // the `File` objects, which is not Trailscope's.
  const threadsBefore = browserThreadCpu();
  await page.waitForSelector('[data-testid=ingest-status][data-state=done]', { timeout: 3_600_000 });
  const threads = cpuByRole(threadsBefore, browserThreadCpu());
  let cpu = null;
  let tierUp = null;
  if (traced) {
    const traceText = (await env.browser.stopTracing()).toString();
    if (TRACE_OUT) writeFileSync(TRACE_OUT, traceText);
    const trace = JSON.parse(traceText);
    cpu = mainThreadCpu(trace);
    tierUp = topTierCompiles(trace);
  }
  const ours = await page.evaluate(() => {
    window.__longObserver.disconnect();
    const d = document.querySelector('[data-testid=ingest-status]').dataset;
    const m = performance.getEntriesByName('trailscope:ingest', 'measure').at(-1);
    return {
      ms: m ? m.duration : NaN,
      drop: m ? m.startTime : null,
      firstEventsMs: m && window.__firstEvents != null ? window.__firstEvents - m.startTime : null,
      tasks: window.__tasks,
      events: Number(d.events),
      files: Number(d.filesDone),
      bytesDecoded: Number(d.bytesDecoded),
      heapBytes: Number(d.heapBytes),
      timings: window.__progress ? window.__progress.timings : null,
      asked: window.__asked,
      workers: window.__workers || 0,
      peakHeap: window.__peakHeap || 0,
      cores: navigator.hardwareConcurrency,
    };
  });
  // Before the drop mark is the browser making File objects for the input, not Trailscope. The mark
  // is set in the input's change handler, inside the same task: that task's part after the mark is ours.
  const drop = ours.drop ?? Infinity;
  const before = ours.tasks.filter(([at]) => at < drop).map(([at, d]) => Math.min(at + d, drop) - at);
  return { ...ours, ...tasksFrom(ours.tasks, drop), longestBeforeDropMs: Math.max(0, ...before), cpu, tierUp, threads };
}

log('3/7 Trailscope: drop to data-state=done (then again in a new page, under a trace)');
const ours = await loadIn(page, { traced: false });
await page.context().close();
const tracedLoad = await inNewPage((p) => loadIn(p, { traced: true }));
const { cpu, tierUp } = tracedLoad;

// What handing the files to a worker costs the page alone: the browser asks for each picked file's
// size and time on disk, synchronously, the first time the file is posted (a second post of the same
// `File` is nearly free). Posted here through a MessageChannel, 16 files a message as the page does,
// in a new page with `File` objects of its own, nothing else running: a floor for any design that
// posts picked files to workers.
const postOnly = await inNewPage(async (p) => {
  await pickIntoOwnInput(p, 'bench-post');
  return p.evaluate(() => {
    const all = [...document.getElementById('bench-post').files];
    const { port1 } = new MessageChannel();
    const t = performance.now();
    for (let i = 0; i < all.length; i += 16) port1.postMessage(all.slice(i, i + 16));
    return performance.now() - t;
  });
});
// The same folder dropped on the drop zone, as people load a whole AWSLogs/ tree: a real drop (the
// DevTools protocol, `dropFromDisk` in e2e/harness.mjs), so the page walks it with the
// File and Directory Entries API. Timed in the page from the drop event to data-state="done", and to
// the status bar's first "loading"; the folder holds every file under it (digests too).
const dropRoot = DIR ? resolve(DIR) : join(dataDir, 'AWSLogs');
log(`5/7 ${relative(ROOT, dropRoot) || dropRoot} dropped on the drop zone`);
const dropped = await inNewPage(async (p) => {
  await p.waitForTimeout(1500); // as (a): the ingest workers get ready before the drop
  await watchLongTasks(p);
  await p.evaluate(() => {
    window.__drop = null;
    window.__shown = null;
    window.__done = null;
    window.addEventListener('drop', () => { window.__drop ??= performance.now(); }, true);
    new MutationObserver(() => {
      const state = document.querySelector('[data-testid=ingest-status]')?.dataset.state;
      if (window.__drop == null) return;
      if (state === 'loading') window.__shown ??= performance.now();
      if (state === 'done') window.__done ??= performance.now();
    }).observe(document.body, { attributes: true, subtree: true, attributeFilter: ['data-state'] });
  });
  await dropFromDisk(p, [dropRoot]);
  await p.waitForSelector('[data-testid=ingest-status][data-state=done]', { timeout: 3_600_000 });
  const seen = await p.evaluate(() => {
    const d = document.querySelector('[data-testid=ingest-status]').dataset;
    return {
      ms: window.__done - window.__drop,
      shownMs: window.__shown - window.__drop,
      files: Number(d.filesDone),
      events: Number(d.events),
      bytesDecoded: Number(d.bytesDecoded),
      drop: window.__drop,
      tasks: window.__tasks,
    };
  });
  const { tasks, drop, ...rest } = seen;
  return { ...rest, ...tasksFrom(tasks, drop) };
});
// The same events as one JSON-lines file (as a pipeline's export is), through the file input: one
// big uncompressed file, cut into 16 MB parts that the ingest workers read (see "One big JSON-lines file, shared" in the README). Written once next to the
// generated logs (one compact line per record, in file order), or in target/bench-data/ for --dir.
const linesPath = join(dataDir ?? join(ROOT, 'target', 'bench-data'), DIR ? 'dir.jsonl' : 'events.jsonl');
if (!existsSync(linesPath) || DIR) {
  const tmp = `${linesPath}.partial`;
  const fd = openSync(tmp, 'w');
  for (const path of files) {
    let text = readFileSync(path);
    if (path.endsWith('.gz')) text = gunzipSync(text);
    const records = JSON.parse(text.toString('utf8')).Records ?? [];
    if (records.length) writeSync(fd, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }
  closeSync(fd);
  renameSync(tmp, linesPath);
}
log(`6/8 the same events as one JSON-lines file (${relative(ROOT, linesPath)}), through the file input`);
const oneFile = await inNewPage((p) => loadIn(p, { traced: false, paths: [linesPath] }));
// That file gzipped (zlib's default level), as an export is often kept: big (its text likely over
// 32 MB), so the engine's worker reads it and adds its events as it reads.
const gzPath = `${linesPath}.gz`;
if (!existsSync(gzPath) || DIR) {
  writeFileSync(`${gzPath}.partial`, gzipSync(readFileSync(linesPath)));
  renameSync(`${gzPath}.partial`, gzPath);
}
log(`7/8 the same file gzipped (${relative(ROOT, gzPath)}), through the file input`);
const oneGz = await inNewPage((p) => loadIn(p, { traced: false, paths: [gzPath] }));
// Its two halves (by lines), each gzipped: two big files, so the engine's worker reads one and an
// ingest worker the other, which sends its events in parts as it reads.
const halfPaths = [1, 2].map((n) => `${linesPath}.half${n}.gz`);
if (!halfPaths.every(existsSync) || DIR) {
  const lines = readFileSync(linesPath);
  let cut = lines.indexOf(10, Math.floor(lines.length / 2)) + 1;
  if (cut === 0) cut = lines.length;
  [lines.subarray(0, cut), lines.subarray(cut)].forEach((part, i) => {
    writeFileSync(`${halfPaths[i]}.partial`, gzipSync(part));
    renameSync(`${halfPaths[i]}.partial`, halfPaths[i]);
  });
}
log(`8/8 its two halves, each gzipped (${halfPaths.map((p) => relative(ROOT, p)).join(', ')}), through the file input`);
const twoGz = await inNewPage((p) => loadIn(p, { traced: false, paths: halfPaths }));
// With --rounds N, N - 1 more pairs of (a) and (b), each load in a new page, in turn ours first and the
// pipeline first: the host's speed swings by 2x within minutes, so one pair's ratio says as much about
// the host as about Trailscope, and the median of several pairs says less about it.
/** The CPU seconds the browser spent on a load besides our workers' (its file handling, the page,
 * V8's background work), or null without /proc: even if our workers took none, the load could not
 * take less than that spread over every core. */
const othersCpu = (load) => (load.threads ? load.threads.total - (load.threads['our workers'] || 0) : null);
const rounds = [];
for (let r = 1; r < ROUNDS; r++) {
  log(`round ${r + 1}/${ROUNDS}: (a) and (b) again, ${r % 2 ? 'ours' : 'the pipeline'} first`);
  const pair = {};
  for (const who of r % 2 ? ['ours', 'js'] : ['js', 'ours']) {
    await inNewPage(async (p) => {
      if (who === 'js') {
        await pickIntoOwnInput(p, 'bench-input');
        const run = await pipelineIn(p, 'bench-input');
        pair.js_mb_s = mbps(run.bytes, run.pipelineMs);
      } else {
        await p.waitForTimeout(1500); // as (a): the ingest workers get ready before the drop
        const run = await loadIn(p, { traced: false });
        pair.trailscope_mb_s = mbps(run.bytesDecoded, run.ms);
        pair.events = run.events;
        pair.others_cpu_s = othersCpu(run);
      }
    });
  }
  rounds.push({ ...pair, ratio: pair.trailscope_mb_s / pair.js_mb_s });
}
log('done');
await env.close();

/** The figures of a load of one file, `path` (or of several, a list). */
const oneLoad = (path, load) => ({
  path,
  bytes: [path].flat().reduce((sum, p) => sum + statSync(p).size, 0),
  events: load.events,
  ms: Math.round(load.ms),
  mb_s: mbps(load.bytesDecoded, load.ms),
  first_events_ms: load.firstEventsMs == null ? null : Math.round(load.firstEventsMs),
  heap_bytes: load.heapBytes,
  heap_bytes_per_event: load.heapBytes / load.events,
  longest_main_thread_task_ms: Math.round(load.longestTaskMs),
  main_thread_tasks_over_50ms: load.longTasks,
  peak_heap_bytes_with_ingest_workers: load.peakHeap,
  // How long the engine's worker waited for reads of the file it read itself (see "Reading ahead
  // within a file" in the README).
  engine_read_wait_ms: load.timings ? load.timings.read_ms : null,
});
const ourRate = mbps(ours.bytesDecoded, ours.ms);
const pipeRate = mbps(js.bytes, js.pipelineMs);
const parseRate = mbps(js.bytes, js.parseMs);
const result = {
  files: files.length,
  compressed_bytes: compressed,
  json_bytes: js.bytes,
  events: ours.events,
  events_js: js.events,
  trailscope_ms: Math.round(ours.ms),
  trailscope_mb_s: ourRate,
  trailscope_traced_ms: Math.round(tracedLoad.ms),
  trailscope_traced_mb_s: mbps(tracedLoad.bytesDecoded, tracedLoad.ms),
  js_pipeline_mb_s: pipeRate,
  json_parse_mb_s: parseRate,
  ratio_to_js_pipeline: ourRate / pipeRate,
  ratio_to_json_parse: ourRate / parseRate,
  inflate_decompression_stream_mb_s: mbps(js.bytes, js.inflateMs),
  inflate_rust_worker_mb_s: mbps(rust.bytes_out, rust.inflate_ms ?? rust.ms),
  posting_files_alone_ms: Math.round(postOnly),
  // Reading the files alone (see step 1) and the most any load reading them could reach against the
  // pipeline of the same run: its time over the reads' time.
  reading_alone_ms: Math.round(js.readMs),
  reading_alone_bytes: js.readBytes,
  ratio_if_only_reading: js.pipelineMs / js.readMs,
  folder_drop: { ...dropped, ms: Math.round(dropped.ms), shown_ms: Math.round(dropped.shownMs), mb_s: mbps(dropped.bytesDecoded, dropped.ms), folder: dropRoot },
  one_jsonl_file: oneLoad(linesPath, oneFile),
  one_jsonl_gz_file: oneLoad(gzPath, oneGz),
  two_jsonl_gz_halves: oneLoad(halfPaths, twoGz),
  first_events_ms: ours.firstEventsMs == null ? null : Math.round(ours.firstEventsMs),
  heap_bytes: ours.heapBytes,
  heap_bytes_per_event: ours.heapBytes / ours.events,
  peak_heap_bytes_with_ingest_workers: ours.peakHeap,
  ingest_workers: ours.workers,
  cores: ours.cores,
  longest_main_thread_task_ms: Math.round(ours.longestTaskMs),
  main_thread_tasks_over_50ms: ours.longTasks,
  longest_task_before_drop_ms: Math.round(ours.longestBeforeDropMs),
  main_thread_cpu: cpu,
  wasm_top_tier_compiles_while_loading: tierUp,
  worker_ms: ours.timings,
  cpu_seconds_by_role: ours.threads,
  queries_asked: ours.asked,
  // (a) and (b) of every round, the first being the figures above (see --rounds).
  rounds: [{ trailscope_mb_s: ourRate, js_mb_s: pipeRate, events: ours.events, others_cpu_s: othersCpu(ours) }, ...rounds]
    .map((r) => ({
      ...r,
      ratio: r.trailscope_mb_s / r.js_mb_s,
      // The ratio to the pipeline if our workers had taken no CPU at all (see `othersCpu`).
      ceiling_ratio: r.others_cpu_s ? (js.bytes / r.js_mb_s / 1e6) / (r.others_cpu_s / ours.cores) : null,
    })),
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
result.median_ratio_to_js_pipeline = median(result.rounds.map((r) => r.ratio));
if (JSON_OUT) {
  console.log(JSON.stringify(result));
} else {
  const f1 = (x) => x.toFixed(1);
  const t = ours.timings;
  const oneLine = (r) => `${f1(r.bytes / 1e6)} MB, ${f1(r.mb_s)} MB/s (${(r.ms / 1000).toFixed(2)} s, ${r.events} events; ${(r.ms / ours.ms).toFixed(2)}x the time of (a)); first events after ${r.first_events_ms} ms; the engine's worker waited ${r.engine_read_wait_ms} ms for reads; heap ${f1(r.heap_bytes_per_event)} bytes per event; longest main-thread task ${r.longest_main_thread_task_ms} ms (${r.main_thread_tasks_over_50ms} over 50 ms)`;
  console.log(`
Trailscope ingest benchmark: ${files.length} files, ${f1(compressed / 1e6)} MB gzip, ${f1(js.bytes / 1e6)} MB of JSON, ${ours.events} events (JS counted ${js.events})
  (a) Trailscope, drop to done        ${f1(ourRate)} MB/s  (${(ours.ms / 1000).toFixed(2)} s; first events after ${result.first_events_ms} ms)
      the same load again in a new page, under a trace: ${f1(result.trailscope_traced_mb_s)} MB/s (${(tracedLoad.ms / 1000).toFixed(2)} s)
      posting the ${files.length} picked files to a worker alone, nothing else running: ${(postOnly / 1000).toFixed(2)} s (the load took ${(ours.ms / postOnly).toFixed(2)}x that)
  (e) the folder dropped instead: ${f1(result.folder_drop.mb_s)} MB/s (${(dropped.ms / 1000).toFixed(2)} s from the drop to done, ${dropped.files} files, ${dropped.events} events; ${(dropped.ms / ours.ms).toFixed(2)}x the time of (a)); on screen after ${Math.round(dropped.shownMs)} ms; longest main-thread task ${Math.round(dropped.longestTaskMs)} ms (${dropped.longTasks} over 50 ms)
  (f) the same events as one JSON-lines file: ${oneLine(result.one_jsonl_file)}
  (g) that file gzipped: ${oneLine(result.one_jsonl_gz_file)}
  (h) its two halves, each gzipped: ${oneLine(result.two_jsonl_gz_halves)}; peak with the ingest workers ${f1(result.two_jsonl_gz_halves.peak_heap_bytes_with_ingest_workers / 1e6)} MB
  (b) JS pipeline (DecompressionStream → text → JSON.parse)  ${f1(pipeRate)} MB/s   ours/it = ${(ourRate / pipeRate).toFixed(2)}x
      JSON.parse alone                ${f1(parseRate)} MB/s   ours/it = ${(ourRate / parseRate).toFixed(2)}x
      inflate only, bytes already in memory: DecompressionStream ${f1(result.inflate_decompression_stream_mb_s)} MB/s, Rust (flate2) in a worker ${f1(result.inflate_rust_worker_mb_s)} MB/s
      reading the files alone on the page, as the ingest workers read them (16 as one Blob, two reads at a time, nothing inflated or parsed): ${(result.reading_alone_ms / 1000).toFixed(2)} s for ${(result.reading_alone_bytes / 1e6).toFixed(1)} MB; the most any load reading them could be: ${result.ratio_if_only_reading.toFixed(2)}x the pipeline
  (c) heap ${f1(ours.heapBytes / 1e6)} MB = ${f1(result.heap_bytes_per_event)} bytes per event (the engine's, once done); peak while loading, with the ingest workers: ${f1(ours.peakHeap / 1e6)} MB
  (d) longest main-thread task from the drop to done ${result.longest_main_thread_task_ms} ms (${ours.longTasks} over 50 ms); before the drop (the browser making ${files.length} File objects for the input) ${result.longest_task_before_drop_ms} ms
      main thread's CPU, from the traced load: ${cpu ? `the longest task ${f1(cpu.longestWallMs)} ms used ${f1(cpu.longestWallCpuMs)} ms of CPU (the rest waiting for a core); the most CPU any task used ${f1(cpu.maxCpuMs)} ms, ${cpu.over50Cpu} over 50 ms; ${f1(cpu.cpuMs / 1000)} s in all` : 'no trace'}
  V8 compiling wasm functions again, optimised, from the drop to done (traced load): ${tierUp ? `${tierUp.functions} functions, ${f1(tierUp.cpuMs)} ms of CPU` : 'no trace'}
  the browser's CPU from the drop to done (untraced load, Linux's per-thread times): ${ours.threads ? `${f1(ours.threads.total)} s in ${(ours.ms / 1000).toFixed(2)} s on ${ours.cores} cores: ${Object.entries(ours.threads).filter(([k]) => k !== 'total').sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(', ')}` : 'not available here (no /proc)'}
  ingest workers: ${ours.workers} (the browser reports ${ours.cores} cores)
  engine worker time: ${t ? `reading ${t.read_ms} ms (${t.reads} reads), ingest ${t.ingest_ms} ms (of which adding the ingest workers' batches ${t.absorb_ms ?? 0} ms), queries while loading ${t.query_ms} ms, ${t.files} files` : 'not reported'}
  ingest workers' time, summed: ${t ? `reading ${t.workers_read_ms ?? 0} ms, ingest ${t.workers_ingest_ms ?? 0} ms` : 'not reported'}
  queries the page asked: ${JSON.stringify(ours.asked)}`);
  if (result.rounds.length > 1) {
    console.log(`  (a)/(b) in ${result.rounds.length} rounds (ours MB/s / pipeline MB/s): ${result.rounds.map((r) => `${f1(r.trailscope_mb_s)}/${f1(r.js_mb_s)} = ${r.ratio.toFixed(2)}x`).join(', ')}
      median ratio to the JS pipeline ${result.median_ratio_to_js_pipeline.toFixed(2)}x (range ${Math.min(...result.rounds.map((r) => r.ratio)).toFixed(2)}–${Math.max(...result.rounds.map((r) => r.ratio)).toFixed(2)}x)`);
  }
  const ceilings = result.rounds.filter((r) => r.ceiling_ratio);
  if (ceilings.length) {
    console.log(`  the most the ratio could be if our workers took no CPU (the browser's other CPU in each load over ${ours.cores} cores, against that round's pipeline): ${ceilings.map((r) => `${r.others_cpu_s.toFixed(2)} s: ${r.ceiling_ratio.toFixed(2)}x`).join(', ')}`);
  }
}
