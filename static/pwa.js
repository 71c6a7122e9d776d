// BetScore as an installed app (app/web/pwa.py renders the worker, the manifest and the offline page):
// the service worker and the notice of a new version, the "not live" state while the live socket or the
// network is down, and the offline page's list of saved pages.
(function () {
  "use strict";

  const WORKER = "/sw.js"; // app/web/site.py serves it from the root, so its scope is the whole site
  const UPDATE_CHECK_MS = 30 * 60 * 1000;

  // ---- Not live ----------------------------------------------------------------------
  // A status line under the top bar while the live socket is down (after a short grace, so a quick reconnect
  // shows nothing) or the device is offline; emptied once both are back.
  const GRACE_MS = 1500;
  let status = null;
  let socketDown = false;
  let graceTimer = null;
  let leaving = false; // the page is being left: its socket closing says nothing about the connection

  function showLiveState() {
    if (!status) return;
    // A saved copy already says it is offline, and from when (the service worker marks it).
    const copy = document.querySelector(".pwa-offline-copy");
    const text = !navigator.onLine ? (copy ? "" : "Offline — not live") : socketDown ? "Not live — reconnecting…" : "";
    if (status.textContent !== text) status.textContent = text;
  }

  if (!document.body.classList.contains("pwa-offline-page")) {
    status = document.createElement("p");
    status.id = "pwa-live-status";
    status.className = "pwa-live-status";
    status.setAttribute("role", "status");
    const header = document.querySelector("body > header");
    if (header) header.after(status); else document.body.prepend(status);
    showLiveState();
  }
  document.addEventListener("htmx:wsClose", function () {
    if (graceTimer || leaving) return;
    graceTimer = setTimeout(function () { socketDown = true; showLiveState(); }, GRACE_MS);
  });
  document.addEventListener("htmx:wsOpen", function () {
    clearTimeout(graceTimer);
    graceTimer = null;
    socketDown = false;
    showLiveState();
  });
  window.addEventListener("online", showLiveState);
  window.addEventListener("offline", showLiveState);
  window.addEventListener("pagehide", function () { leaving = true; });
  window.addEventListener("pageshow", function () { leaving = false; });

  // ---- A new version -----------------------------------------------------------------
  // A new worker installs beside the running one and waits; the visitor is told, and "Reload" lets it take over
  // (skip-waiting), then reloads once, when it controls the page. Nothing reloads that the visitor did not ask for.
  let reloadAsked = false;
  let reloading = false;

  function offerUpdate(registration) {
    if (document.getElementById("pwa-update")) return;
    const notice = document.createElement("div");
    notice.id = "pwa-update";
    notice.className = "pwa-update";
    notice.setAttribute("role", "status");
    const text = document.createElement("p");
    text.textContent = "A new version of BetScore is ready — ";
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Reload";
    button.addEventListener("click", function () {
      button.disabled = true;
      reloadAsked = true;
      if (registration.waiting) registration.waiting.postMessage({ type: "skip-waiting" });
      else location.reload(); // it took over meanwhile (another tab asked): this page is simply old
    });
    text.append(button);
    notice.append(text);
    document.body.append(notice);
  }

  function watch(registration, worker) {
    if (!worker) return;
    worker.addEventListener("statechange", function () {
      if (worker.state === "installed" && navigator.serviceWorker.controller) offerUpdate(registration);
    });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      // The first worker claiming a page changes its controller too: only a reload the visitor asked for.
      if (!reloadAsked || reloading) return;
      reloading = true;
      location.reload();
    });
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(WORKER).then(function (registration) {
        if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration);
        watch(registration, registration.installing);
        registration.addEventListener("updatefound", function () { watch(registration, registration.installing); });
        // A page left open for hours (a match on the sofa) looks for a new version when it is looked at again.
        let checked = Date.now();
        document.addEventListener("visibilitychange", function () {
          if (document.visibilityState !== "visible" || Date.now() - checked < UPDATE_CHECK_MS) return;
          checked = Date.now();
          registration.update().catch(function () {});
        });
      }).catch(function () {});
    });
  }

  // ---- The offline page: pages saved on this device ------------------------------------
  // Drawn once for everyone, so it takes the visitor's theme from their cookie itself (pages get it from the server).
  if (document.body.classList.contains("pwa-offline-page")) {
    const theme = document.cookie.split("; ").find(function (c) { return c.startsWith("theme="); });
    const value = theme ? theme.slice(6) : "";
    if (value === "light" || value === "dark") document.documentElement.dataset.theme = value;
  }
  const saved = document.getElementById("pwa-saved");
  if (saved && window.caches) {
    const decode = function (html) {
      return new DOMParser().parseFromString(html, "text/html").documentElement.textContent;
    };
    caches.open(saved.dataset.cache).then(function (cache) {
      return cache.keys().then(function (keys) {
        return Promise.all(keys.map(function (key) {
          return cache.match(key).then(function (copy) { return { url: key.url, copy: copy }; });
        }));
      });
    }).then(function (entries) {
      const list = document.getElementById("pwa-saved-pages");
      entries.reverse().forEach(function (entry) { // newest first
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = entry.url;
        link.textContent = decode(decodeURIComponent(entry.copy.headers.get("X-BetScore-Title") || entry.url));
        item.append(link);
        list.append(item);
      });
      saved.hidden = entries.length === 0;
    }).catch(function () {});
  }
})();
