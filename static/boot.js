// Starts the app. A file of its own (not an inline script) so the page's CSP can forbid inline code.
import init from './app.js';

init({ module_or_path: new URL('./app_bg.wasm', import.meta.url) }).then(registerOffline, (err) => {
  const p = document.createElement('p');
  p.className = 'boot-error';
  p.textContent = 'Trailscope could not start: ' + err;
  document.body.append(p);
});

// Keeps the built site for offline use (static/sw.js). Browsers offer service workers only on https
// and on localhost; elsewhere (a plain-http intranet host, a file: URL) the page works online only.
function registerOffline() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register(new URL('./sw.js', import.meta.url), { scope: './' }).catch((err) => {
    console.warn('Trailscope will not work offline here: ' + err);
  });
}
