// Real-user web vitals for the health page (/admin/health): on a sample of page views (the script tag's data-rate),
// the vendored web-vitals library measures LCP, CLS and INP, and each is beaconed to the app (data-url) with the
// kind of page it was (<body data-page>) and nothing else: no URL, no user, no id. Unsampled views load nothing more.
(function () {
  "use strict";
  const script = document.currentScript;
  const rate = Number(script.dataset.rate);
  if (!(rate > 0) || Math.random() >= rate || !navigator.sendBeacon) return;
  const page = document.body.dataset.page || "other";

  function send(metric) {
    // A string goes as text/plain: a simple request, which needs no preflight.
    navigator.sendBeacon(script.dataset.url, JSON.stringify({ name: metric.name, value: metric.value, page: page }));
  }

  const library = document.createElement("script");
  library.src = script.dataset.library;
  library.onload = function () {
    // Each reports once its value is final (LCP at the first input or when the page is hidden; CLS and INP when it
    // is hidden), from entries the browser kept since the page began loading.
    webVitals.onLCP(send);
    webVitals.onCLS(send);
    webVitals.onINP(send);
  };
  document.head.appendChild(library);
})();
