// Starts the app. A file of its own (not an inline script) so the page's CSP can forbid inline code.
import init from './app.js';

init({ module_or_path: new URL('./app_bg.wasm', import.meta.url) }).catch((err) => {
  const p = document.createElement('p');
  p.className = 'boot-error';
  p.textContent = 'Trailscope could not start: ' + err;
  document.body.append(p);
});
