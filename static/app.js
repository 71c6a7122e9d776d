// BetScore's only script: the viewer's time zone, CSRF for htmx, small form conveniences.
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

  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").catch(function () {});
    });
  }
})();
