// Trunk post-build hook (Trunk.toml `[[hooks]]`): writes the list of built files, and a digest of
// their names and contents, into the service worker (static/sw.js, copied to the staging dir), so it
// can cache exactly this build for offline use. Fails the build if the worker is missing or was
// not recognised, rather than shipping a worker that caches nothing.
//   TRUNK_STAGING_DIR=dist node scripts/sw-precache.mjs
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR || process.argv[2];
if (!dir) {
  console.error('sw-precache: set TRUNK_STAGING_DIR (Trunk does) or pass the built directory');
  process.exit(1);
}
const SW = 'sw.js';

function walk(d) {
  return readdirSync(d).flatMap((name) => {
    const p = join(d, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const files = walk(dir).map((p) => relative(dir, p).split(sep).join('/')).filter((f) => f !== SW).sort();
if (!files.includes('index.html')) {
  console.error(`sw-precache: no index.html in ${dir}`);
  process.exit(1);
}
const hash = createHash('sha256');
for (const f of files) hash.update(f).update('\0').update(readFileSync(join(dir, f))).update('\0');
const version = hash.digest('hex').slice(0, 16);
// './' is how the page is usually opened (a directory URL); the rest are relative to the worker.
const list = ['./', ...files].map((f) => JSON.stringify(f)).join(', ');

const swPath = join(dir, SW);
const source = readFileSync(swPath, 'utf8');
const out = source.replace("'__TRAILSCOPE_VERSION__'", JSON.stringify(version)).replace('/* __TRAILSCOPE_FILES__ */', list);
if (out === source || out.includes('__TRAILSCOPE_')) {
  console.error(`sw-precache: ${swPath} lacks the placeholders (is it static/sw.js?)`);
  process.exit(1);
}
writeFileSync(swPath, out);
console.log(`sw-precache: ${files.length} files, version ${version}`);
