// Starts the app. A file of its own (not an inline script) so the page's CSP can forbid inline code.
import init from './app.js';

// The smallest module using a SIMD instruction (i8x16.popcnt), as wasm-feature-detect checks it. The
// app and its workers are built with SIMD (.cargo/config.toml); a browser without it would only say
// that the module does not compile.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8,
  0, 65, 0, 253, 15, 253, 98, 11]);

if (typeof WebAssembly !== 'object' || !WebAssembly.validate(SIMD_PROBE)) {
  bootError('this browser does not run WebAssembly with SIMD. It needs Chrome or Edge 91, Firefox 89, '
    + 'Safari 16.4, or a later version.');
} else {
  init({ module_or_path: new URL('./app_bg.wasm', import.meta.url) }).then(registerOffline, bootError);
}

function bootError(why) {
  const p = document.createElement('p');
  p.className = 'boot-error';
  p.dataset.testid = 'boot-error';
  p.textContent = 'Trailscope could not start: ' + why;
  document.body.append(p);
}

// Keeps the built site for offline use (static/sw.js). Browsers offer service workers only on https
// and on localhost; elsewhere (a plain-http intranet host, a file: URL) the page works online only.
function registerOffline() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register(new URL('./sw.js', import.meta.url), { scope: './' }).catch((err) => {
    console.warn('Trailscope will not work offline here: ' + err);
  });
}
