/* A kiosk that keeps working offline (templates/kiosk/_layout.html, its .kiosk-status footer).
   A service worker (static/kiosk_sw.js) keeps the kiosk's screens; answers wait in the kiosk's
   queue (static/kiosk_queue.js) and are sent to its sync endpoint when the network returns (the
   "online" event), on every screen, and every data-sync-seconds while anything waits. The
   footer says, discreetly, how many answers wait and why any were refused; when
   data-queue-max wait, the survey page says the kiosk is offline (kiosk.js).

   window.KioskOffline(footer) -> {queue, options, show, sync, whenFull, newKey}, or null when
   this device cannot keep a queue (then the kiosk is the plain form it is without script). */
(function () {
  "use strict";

  function KioskOffline(status) {
    var key = new URLSearchParams(window.location.search).get("key");
    if (!status || !key || !window.KioskQueue || !window.indexedDB || !window.fetch) {
      return null;
    }
    var data = status.dataset;
    var queue = window.KioskQueue(data.kiosk);
    var options = {url: data.syncUrl, kioskKey: key, batch: Number(data.syncBatch) || 8};
    var max = Number(data.queueMax) || 500;
    var syncSeconds = Number(data.syncSeconds) || 60;
    var onFull = function () {};

    function show() {
      return queue.counts().then(function (counts) {
        status.querySelector(".kiosk-waiting").textContent =
          counts.waiting ? data.waitingText.replace("{count}", counts.waiting) : "";
        status.querySelector(".kiosk-refused-count").textContent =
          counts.refused ? data.refusedText.replace("{count}", counts.refused) : "";
        var list = status.querySelector(".kiosk-refused");
        list.textContent = "";
        Object.keys(counts.reasons).forEach(function (reason) {
          var item = document.createElement("li");
          item.textContent = reason + " (" + counts.reasons[reason] + ")";
          list.appendChild(item);
        });
        status.hidden = !(counts.waiting || counts.refused);
        onFull(counts.waiting >= max);
        return counts;
      });
    }

    function sync() {
      // Offline for sure: nothing to try until the "online" event.
      return navigator.onLine === false ? show() : queue.sync(options).then(show);
    }

    // When the network comes back it is often not usable at once (a dongle dialling, a Wi-Fi
    // login): tried again after 2, 4, 8... seconds, until sent or the minute's turn comes.
    var retry = null;
    function syncSoon(delay) {
      window.clearTimeout(retry);
      queue.sync(options).then(function (sent) {
        show();
        if (!sent && navigator.onLine !== false && delay < syncSeconds * 1000) {
          retry = window.setTimeout(function () { syncSoon(delay * 2); }, delay);
        }
      });
    }

    keepScreens(data);
    window.addEventListener("online", function () { syncSoon(2000); });
    window.setInterval(function () {
      queue.counts().then(function (counts) {
        if (counts.waiting) { sync(); }
      });
    }, syncSeconds * 1000);
    show().then(sync);
    return {queue: queue, options: options, show: show, sync: sync, newKey: newKey,
            whenFull: function (callback) { onFull = callback; show(); }};
  }

  // The service worker keeps this kiosk's screens (in every language) and their files; once
  // it has them, <html data-offline-ready> says the kiosk can go offline.
  function keepScreens(data) {
    if (!("serviceWorker" in navigator) || !navigator.onLine) {
      return;
    }
    var files = Array.prototype.map.call(document.querySelectorAll("link[rel=stylesheet], script[src]"),
                                         function (element) { return element.href || element.src; });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && "kept" in event.data) {
        document.documentElement.setAttribute("data-offline-ready", "");
      }
    });
    navigator.serviceWorker.register(data.workerUrl).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      registration.active.postMessage({keep: data.keep.split(" ").concat(files, [window.location.href])});
    }).catch(function () {});
  }

  // A key for one answer, made on the kiosk: the page may come from the worker's copy, whose
  // key every offline answer would otherwise share.
  function newKey() {
    var bytes = new Uint8Array(24);
    window.crypto.getRandomValues(bytes);
    return window.btoa(String.fromCharCode.apply(null, bytes))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  window.KioskOffline = KioskOffline;
})();
