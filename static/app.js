// BetScore's page script: the viewer's time zone and theme, CSRF for htmx, small form conveniences,
// and the live socket's page side (app/live: what the server sends is documented in route.py).
// The service worker, the "not live" line and the new-version notice are in pwa.js.
(function () {
  "use strict";

  function readCookie(name) {
    const hit = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
    return hit ? decodeURIComponent(hit.slice(name.length + 1)) : null;
  }

  function writeCookie(name, value, maxAge) {
    const secure = location.protocol === "https:" ? "; secure" : "";
    document.cookie = name + "=" + value + "; path=/; max-age=" + maxAge + "; samesite=lax" + secure;
  }

  // Time zone, when it follows the device (no zone chosen by hand): tell the server in a cookie. A page the
  // server drew in another zone is drawn again in place, without a reload: the same URL fetched once more, and
  // its main part, footer and live socket swapped in. The server does the drawing because it also groups
  // matches by the viewer's local day (and picks "today"), which rewriting the times here could not redo.
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && document.body.hasAttribute("data-tz-auto") && readCookie("tz") !== zone) {
    // IANA names (Area/City, letters, _, -, +) are valid cookie values as they are.
    writeCookie("tz", zone, 31536000);
    if (document.body.dataset.tz !== zone) redrawInZone();
  }

  function redrawInZone() {
    // This script runs before htmx starts on the page: the socket this drawing asks for (the days of another
    // zone) is not opened at all; the drawing fetched next brings the right one.
    const socket = document.getElementById("live-socket");
    const connect = socket && socket.getAttribute("ws-connect");
    if (connect) socket.removeAttribute("ws-connect");
    fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        const fresh = new DOMParser().parseFromString(html, "text/html");
        ["main", "live-socket"].forEach(function (id) {
          const now = document.getElementById(id), then = fresh.getElementById(id);
          if (now && then) htmx.swap(now, then.outerHTML, { swapStyle: "outerHTML" });
        });
        const footer = document.querySelector("footer"), freshFooter = fresh.querySelector("footer");
        if (footer && freshFooter) footer.innerHTML = freshFooter.innerHTML;
        document.body.dataset.tz = fresh.body.dataset.tz || "";
      })
      .catch(function () { // the page stays as drawn, in UTC and saying so in its footer, and live
        if (connect && socket.isConnected) { socket.setAttribute("ws-connect", connect); htmx.process(socket); }
      });
  }

  // Theme: applied the moment it is picked (the form still saves it without JavaScript).
  document.addEventListener("change", function (event) {
    if (!event.target.matches("[data-theme-choice]")) return;
    const choice = event.target.value;
    if (choice === "light" || choice === "dark") {
      document.documentElement.dataset.theme = choice;
      writeCookie("theme", choice, 31536000);
    } else {
      delete document.documentElement.dataset.theme;
      writeCookie("theme", "", 0);
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    const token = document.querySelector('meta[name="csrf-token"]');
    if (token) event.detail.headers["X-CSRFToken"] = token.content;
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) event.target.form.requestSubmit();
  });

  // Parts only a signed-in viewer has (the stars of what they follow) are not asked for by anyone else.
  document.addEventListener("htmx:confirm", function (event) {
    const signedIn = document.querySelector('meta[name="csrf-token"]');
    if (event.target.hasAttribute("data-signed-in-only") && !signedIn) event.preventDefault();
  });

  // ---- Live pushes -------------------------------------------------------------------
  // HTML from the socket is a list of parts, each in a <template> of its own (a table cell
  // cannot stand beside a section otherwise). This extension swaps each part in by id when
  // this page shows it, flashing a price that moved (class "moved"), and leaves nothing for the ws extension.
  // The "parts" extension does the same with an ordinary htmx answer (the viewer's own stars).
  // A moved price flashes once (CSS animation "moved"); the class goes when it ends, so the next move flashes again.
  // Under reduced motion there is no animation, hence no end: the class is not added at all.
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  document.addEventListener("animationend", function (event) {
    if (event.animationName === "moved") event.target.classList.remove("moved");
  });
  function swapParts(text) {
    const holder = document.createElement("template");
    holder.innerHTML = text;
    Array.from(holder.content.children).forEach(function (wrapper) {
      const part = wrapper.tagName === "TEMPLATE" ? wrapper.content.firstElementChild : wrapper;
      const target = part && part.id ? document.getElementById(part.id) : null;
      if (!target) return;
      const moved = part.classList.contains("up") || part.classList.contains("down");
      if (moved && part.textContent !== target.textContent && !reducedMotion.matches) part.classList.add("moved");
      htmx.swap(target, part.outerHTML, { swapStyle: "outerHTML" });
    });
    return "";
  }
  if (window.htmx) {
    htmx.defineExtension("live", {
      transformResponse: function (text, xhr) {
        return xhr ? text : swapParts(text); // with xhr: an ordinary htmx request, not a pushed message
      },
    });
    htmx.defineExtension("parts", { transformResponse: swapParts });
  }

  function everyLivePart(eventName) {
    document.body.dispatchEvent(new CustomEvent(eventName, { bubbles: true }));
  }

  // JSON from the socket is a control message, not HTML to swap.
  document.addEventListener("htmx:wsBeforeMessage", function (event) {
    const text = event.detail.message;
    if (typeof text !== "string" || text.charAt(0) !== "{") return;
    event.preventDefault();
    let message;
    try { message = JSON.parse(text); } catch (e) { return; }
    if (message.resync) everyLivePart("live:resync");
    (message.refetch || []).forEach(function (id) {
      const part = document.getElementById(id);
      if (part) htmx.trigger(part, "live:refetch");
    });
    if (message.event) everyLivePart("live:" + message.event);
    (message.errors || []).forEach(function (e) { console.warn("live:", e.topic, e.error); });
    if (message.error) console.warn("live:", message.error);
  });

  // While the socket is down, the page keeps itself fresh the old way, slowly; the server
  // tells it to resync once it is back. A server going away (1001) is left to us to retry.
  let fallback = null;
  document.addEventListener("htmx:wsClose", function (event) {
    document.body.classList.add("live-off");
    if (!fallback) fallback = setInterval(function () { everyLivePart("live:resync"); }, 30000);
    if (event.detail.event.code === 1001) {
      const wrapper = event.detail.socketWrapper;
      setTimeout(function () { wrapper.reconnect(); }, 500 + Math.random() * 2500);
    }
  });
  document.addEventListener("htmx:wsOpen", function () {
    document.body.classList.remove("live-off");
    if (fallback) { clearInterval(fallback); fallback = null; }
  });

  // A match page's jump links: CSS marks the followed one by :target alone (no script needed);
  // this tells assistive technology too.
  function markJumpLink() {
    document.querySelectorAll(".jump-links a").forEach(function (link) {
      if (link.getAttribute("href") === location.hash) link.setAttribute("aria-current", "location");
      else link.removeAttribute("aria-current");
    });
  }
  window.addEventListener("hashchange", markJumpLink);
  markJumpLink();
})();
