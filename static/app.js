// BetScore's only script: the viewer's time zone, CSRF for htmx, small form conveniences,
// and the live socket's page side (app/live: what the server sends is documented in route.py).
(function () {
  "use strict";

  function readCookie(name) {
    const hit = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
    return hit ? decodeURIComponent(hit.slice(name.length + 1)) : null;
  }

  // Tell the server our time zone once; re-render if the page was drawn in another one.
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && readCookie("tz") !== zone) {
    // IANA names (Area/City, letters, _, -, +) are valid cookie values as they are.
    document.cookie = "tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
    if (document.body.dataset.tz !== zone && !sessionStorage.getItem("tz-reloaded")) {
      sessionStorage.setItem("tz-reloaded", "1");
      location.reload();
    }
  }

  document.addEventListener("htmx:configRequest", function (event) {
    const token = document.querySelector('meta[name="csrf-token"]');
    if (token) event.detail.headers["X-CSRFToken"] = token.content;
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) event.target.form.requestSubmit();
  });

  // ---- Live pushes -------------------------------------------------------------------
  // HTML from the socket: the ws extension swaps each top-level element in by id. This
  // extension drops parts this page does not show, and marks moved prices so they flash.
  if (window.htmx) {
    htmx.defineExtension("live", {
      transformResponse: function (text, xhr) {
        if (xhr) return text; // an ordinary htmx request, not a pushed message
        const template = document.createElement("template");
        template.innerHTML = text;
        Array.from(template.content.children).forEach(function (part) {
          if (!part.id || !document.getElementById(part.id)) part.remove();
        });
        template.content.querySelectorAll("td.up, td.down").forEach(function (cell) {
          cell.classList.add("flash");
        });
        return template.innerHTML;
      },
    });
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

  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").catch(function () {});
    });
  }
})();
