#!/usr/bin/env bash
# Every string in a log may be hostile. Beside clippy's disallowed-methods (clippy.toml), this refuses
# any source that parses strings as HTML or code, so a new call cannot slip in under another name.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pattern='from_html_unchecked|inner_html|set_inner_html|outer_html|insert_adjacent_html|js_sys::eval|\beval\(|new Function\(|document\.write|innerHTML|outerHTML|insertAdjacentHTML|dangerouslySetInnerHTML'
if hits=$(grep -rnE "$pattern" "$ROOT/src" "$ROOT/static" "$ROOT/index.html"); then
  echo "Forbidden API (renders or runs strings) found:" >&2
  echo "$hits" >&2
  exit 1
fi
# Nothing leaves the browser: no network API in the Rust code (the service worker, static/sw.js, only
# serves this site's own files), and no link whose address comes from data (`href={...}` in a view).
network='fetch_with_|XmlHttpRequest|WebSocket|web_sys::EventSource|EventSource::new|send_beacon|sendBeacon|RtcPeerConnection|importScripts'
if hits=$(grep -rnE "$network" "$ROOT/src"); then
  echo "Network API found (nothing may leave the browser):" >&2
  echo "$hits" >&2
  exit 1
fi
if hits=$(grep -rnE 'href=\{' "$ROOT/src"); then
  echo "A link whose address is computed (log data must never become a link):" >&2
  echo "$hits" >&2
  exit 1
fi
echo "none found"
