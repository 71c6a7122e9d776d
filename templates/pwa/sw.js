// BetScore's service worker, rendered by app/web/pwa.py and served at /sw.js: the app shell precached under a
// version that changes with any shell file; pages from the network first, a saved copy of each page a visitor saw
// when the network is gone or too slow ("Offline — as of HH:MM"), else the offline page.
const VERSION = {{ version|tojson }};
const SHELL = {{ shell|tojson }};
const OFFLINE = {{ offline|tojson }};
const SHELL_CACHE = "betscore-shell-" + VERSION;
const PAGES_CACHE = {{ pages_cache|tojson }};
const NETWORK_TIMEOUT_MS = 3000; // past this, a saved copy is better than a blank screen
const MAX_PAGES = 40;
// Personal pages are sent `private` (never kept); these are never kept whatever their headers say.
const NEVER_KEPT = ["/admin", "/account", "/accounts", "/bets", "/my", "/follows"];

self.addEventListener("install", (event) => {
  // A new version waits until the page asks it to take over (the visitor chose "Reload"); the very first one
  // activates at once, as there is nothing to wait for.
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "skip-waiting") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  const current = [SHELL_CACHE, PAGES_CACHE];
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("betscore-") && !current.includes(k))
        .map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== location.origin) return;
  // htmx's fragment requests (HX-Request) are not pages: they go to the network untouched, never saved.
  if (request.mode === "navigate" && !request.headers.has("HX-Request")) {
    event.respondWith(page(event, url));
  } else if (url.pathname.startsWith("/static/") && url.searchParams.has("v")) {
    event.respondWith(versioned(request));
  }
});

// A versioned static file never changes, so any cached copy is right. Offline, a saved page may name an older
// version of a file: the current one stands in for it.
function versioned(request) {
  return caches.match(request).then((hit) => hit || fetch(request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(SHELL_CACHE).then((cache) => cache.put(request, copy));
    }
    return response;
  }, (error) => caches.match(request, { ignoreSearch: true }).then((older) => older || Promise.reject(error))));
}

function page(event, url) {
  let saving = null;
  const network = fetch(event.request).then((response) => {
    if (keepable(url, response)) saving = save(url, response.clone());
    return response;
  });
  // The worker stays alive until the copy is saved, even when a saved copy answered first.
  event.waitUntil(network.then(() => saving).catch(() => {}));
  const saved = () => caches.open(PAGES_CACHE)
    .then((cache) => cache.match(url.href, { ignoreVary: true }))
    .then((copy) => copy && offlineCopy(copy));
  // Slow network: the saved copy after the timeout, if there is one; else keep waiting for the network.
  const late = new Promise((resolve) => setTimeout(resolve, NETWORK_TIMEOUT_MS))
    .then(saved).then((copy) => copy || network);
  return Promise.race([network, late]).catch(() => saved()
    .then((copy) => copy || caches.match(OFFLINE))
    .then((answer) => answer || Response.error()));
}

function keepable(url, response) {
  if (url.pathname === OFFLINE) return false;
  if (NEVER_KEPT.some((p) => url.pathname === p || url.pathname.startsWith(p + "/"))) return false;
  if (response.status !== 200 || response.redirected || response.type !== "basic") return false;
  if (!(response.headers.get("Content-Type") || "").startsWith("text/html")) return false;
  return !/\b(no-store|private)\b/i.test(response.headers.get("Cache-Control") || "");
}

// The copy keeps its page's headers, plus when it was saved and its title (for the offline page's list).
function save(url, response) {
  return response.text().then((html) => {
    const headers = new Headers(response.headers);
    ["Content-Encoding", "Content-Length", "ETag", "Last-Modified"].forEach((name) => headers.delete(name));
    headers.set("X-BetScore-Saved-At", new Date().toISOString());
    const title = (html.match(/<title>([^<]*)<\/title>/i) || [])[1] || url.pathname;
    headers.set("X-BetScore-Title", encodeURIComponent(title.trim()));
    const copy = new Response(html, { status: 200, statusText: response.statusText, headers });
    return caches.open(PAGES_CACHE).then((cache) => cache.put(url.href, copy).then(() => trim(cache)));
  });
}

function trim(cache) {
  return cache.keys().then((keys) => Promise.all(
    keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map((key) => cache.delete(key))));
}

// The saved page with a notice saying it is a copy and from when, in the page's own time zone.
function offlineCopy(copy) {
  return copy.text().then((html) => {
    const savedAt = copy.headers.get("X-BetScore-Saved-At") || new Date().toISOString();
    const zone = (html.match(/<body[^>]*\sdata-tz="([^"]+)"/) || [])[1];
    const notice = '<p class="pwa-offline-copy" role="status">Offline — as of <time datetime="' + escape(savedAt) +
      '">' + escape(asOf(new Date(savedAt), zone)) + "</time></p>";
    const marked = /<main\b/.test(html) ? html.replace(/<main\b/, notice + "<main")
      : html.replace(/(<body\b[^>]*>)/, "$1" + notice);
    return new Response(marked, { status: 200, headers: copy.headers });
  });
}

function asOf(when, zone) {
  const format = (date, options) => {
    try {
      return new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone: zone }, options)).format(date);
    } catch (e) { // an unknown zone: the device's own
      return new Intl.DateTimeFormat("en-GB", options).format(date);
    }
  };
  const time = format(when, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const day = { day: "numeric", month: "short" };
  return format(when, day) === format(new Date(), day) ? time : format(when, day) + ", " + time;
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
}
