// The claim site's only script: it registers the service worker (sw.js) that keeps My Cards and each
// valid voucher's QR code on this phone, for the till where there is no signal. Everything works
// without it; over plain http browsers do not run service workers, and the page is not given it.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("serviceWorker" in navigator)) {
    return;
  }
  navigator.serviceWorker.register(script.dataset.worker, { scope: script.dataset.scope }).catch(function () {
    // not kept for offline use this time: the page itself is unaffected
  });
})();
