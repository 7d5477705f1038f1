// The claim site's only script: it registers the service worker (sw.js) that keeps My Cards and each
// valid voucher's QR code on this phone, for the till where there is no signal, and asks it to bring
// them up to date on every page (a voucher just claimed is kept before its member goes down to the
// basement). Everything works without it; over plain http browsers do not run service workers, and
// the page is not given it.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("serviceWorker" in navigator)) {
    return;
  }
  navigator.serviceWorker
    .register(script.dataset.worker, { scope: script.dataset.scope })
    .then(function () {
      return navigator.serviceWorker.ready;
    })
    .then(function (registration) {
      if (registration.active) {
        registration.active.postMessage("refresh");
      }
    })
    .catch(function () {
      // not kept for offline use this time: the page itself is unaffected
    });
})();
