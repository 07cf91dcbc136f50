#!/usr/bin/env node
// The "+ Filter" menu over many events, in two builds: how long a facet takes to list its values once
// its tab is clicked, and each keystroke in its box to narrow them, from the input to the list
// answering (`[data-testid=facet-values][data-state=ready]` with only matching values).
//
//   node scripts/bench-facets.mjs --a DIST_BEFORE --b DIST_AFTER [--rounds 2] [--events 300000 | --dir FOLDER]
//
// Each round loads the same files through the file input of each build in turn (a new page each, the
// order swapped every round: this host's speed swings within minutes, so only loads close in time
// compare), then opens five facets (principal, repository, source IP, user agent, access key) and
// types a few letters in each. Prints each facet's times per load, then per facet the medians and the
// after/before ratio. Build a copy with `trunk build --release --dist DIST`; the logs are generated
// once with ../shared/tools/gen_cloudtrail.py (cached in target/bench-data/), or read from FOLDER.
import { resolve } from 'node:path';
import { start, Trailscope, walk } from '../e2e/harness.mjs';
import { generated } from '../e2e/generated.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const at = args.indexOf(name);
  return at < 0 ? fallback : args[at + 1];
};
const [distA, distB] = [opt('--a', null), opt('--b', null)];
const rounds = Number(opt('--rounds', '2'));
if (!distA || !distB || !(rounds > 0)) {
  console.error('usage: node scripts/bench-facets.mjs --a DIST_BEFORE --b DIST_AFTER [--rounds N] [--events N | --dir FOLDER]');
  process.exit(2);
}
const dir = opt('--dir', null);
const files = (dir ? walk(resolve(dir)) : generated(Number(opt('--events', '300000')), { log: console.error })?.files ?? [])
  .filter((p) => /\.json(\.gz)?$/.test(p) && !p.includes('CloudTrail-Digest'));
if (!files.length) {
  console.error('no logs: the generator ../shared/tools/gen_cloudtrail.py is not there; pass --dir FOLDER');
  process.exit(1);
}

/** The facets timed, each with the text typed into its box, a letter at a time. */
const FACETS = [['Principal', 'deploy'], ['Repository', 'app'], ['Source IP', '10.'], ['User agent', 'aws'], ['Access key', 'asia']];

/** One load of `files` in `dist`, then each facet: { facet: { open: ms, keys: [ms] } }. */
async function measure(dist) {
  const env = await start({ dist });
  try {
    const t = await Trailscope.open(env);
    await t.readersReady();
    await t.pickFiles(files);
    await t.waitDone(600_000);
    const p = t.page;
    await p.click('[data-testid=add-filter]');
    const ready = (facet, narrow) => p.waitForFunction(([facet, narrow]) => {
      const ul = document.querySelector('[data-testid=facet-values]');
      if (!ul || ul.dataset.facet !== facet || ul.dataset.state !== 'ready') return false;
      return [...ul.querySelectorAll('li')].every((li) => li.textContent.toLowerCase().includes(narrow));
    }, [facet, narrow], { timeout: 120_000, polling: 'raf' });
    const out = {};
    for (const [facet, typed] of FACETS) {
      let t0 = Date.now();
      await p.click(`.facet-tab[data-facet="${facet}"]`);
      await ready(facet, '');
      const open = Date.now() - t0;
      const keys = [];
      for (let i = 1; i <= typed.length; i += 1) {
        t0 = Date.now();
        await p.fill('.facet-search', typed.slice(0, i));
        await ready(facet, typed.slice(0, i));
        keys.push(Date.now() - t0);
      }
      await p.fill('.facet-search', '');
      out[facet] = { open, keys };
    }
    return out;
  } finally {
    await env.close();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.error(`${files.length} files; ${rounds} rounds`);
const runs = { a: [], b: [] };
for (let r = 0; r < rounds; r += 1) {
  for (const which of r % 2 ? ['b', 'a'] : ['a', 'b']) {
    const got = await measure(which === 'a' ? distA : distB);
    runs[which].push(got);
    console.log(`round ${r + 1} ${which === 'a' ? 'before' : 'after'}: ${FACETS.map(([f]) => `${f} ${got[f].open} | ${got[f].keys.join(' ')}`).join('; ')}`);
  }
}
console.log('\nmedians in ms, before → after (after/before): opening the facet; each keystroke');
for (const [facet] of FACETS) {
  const [oa, ob] = [median(runs.a.map((x) => x[facet].open)), median(runs.b.map((x) => x[facet].open))];
  const [ka, kb] = [median(runs.a.flatMap((x) => x[facet].keys)), median(runs.b.flatMap((x) => x[facet].keys))];
  console.log(`  ${facet.padEnd(11)} open ${oa} → ${ob} (${(ob / oa).toFixed(2)}×); keystroke ${ka} → ${kb} (${(kb / ka).toFixed(2)}×)`);
}
