/* The kiosk's service worker, served as /k/service-worker.js (web/public/kiosk_sync.py), so
   that it controls the kiosk pages under /k/. It keeps the kiosk's pages (its survey and
   thank-you screens in each language, which the page names in a "keep" message) and their CSS
   and JavaScript, so that the kiosk opens with no network, after a reload or a power cut.

   Network first: online, every page and file comes from the server (a new questionnaire
   version or release shows at once) and the copy kept is renewed; offline, or when the server
   does not answer in time, the copy kept is served. Pages the server refuses (a revoked
   kiosk: 403) are forgotten. Only GET requests of this origin are kept: answers never are
   (they wait in IndexedDB, static/kiosk_queue.js). */
"use strict";

var CACHE = "survey-kiosk-v1";
var NETWORK_TIMEOUT_MS = 3000;
var FORGOTTEN = [403, 404, 410];

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("survey-kiosk-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function kept(request, response) {
  return caches.open(CACHE).then(function (cache) {
    if (response.ok && response.type === "basic") {
      return cache.put(request, response);
    }
    if (FORGOTTEN.indexOf(response.status) >= 0) {
      return cache.delete(request, {ignoreVary: true});
    }
    return undefined;
  });
}

function copyOf(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request, {ignoreVary: true});
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname === self.location.pathname) {
    return;
  }
  if (request.method !== "GET") {
    // Sent as it is, never kept (answers are the queue's). Fetched here rather than left to
    // the browser, so that a request follows the same network conditions as the pages.
    event.respondWith(fetch(request));
    return;
  }
  var network = fetch(request);
  // Kept (or forgotten) whatever the page gets; cloned here, before the page reads the body.
  event.waitUntil(network.then(function (response) {
    return kept(request, response.clone());
  }).catch(function () { return undefined; }));
  event.respondWith(new Promise(function (resolve, reject) {
    var settled = false;
    function fromCopy(error) {
      return copyOf(request).then(function (copy) {
        if (settled) { return; }
        if (copy) {
          settled = true;
          resolve(copy);
        } else if (error) {
          settled = true;
          reject(error);
        }
        // No copy yet and only slow: the network's answer is still awaited.
      });
    }
    // A slow network gives way to the copy kept, when there is one.
    var timer = setTimeout(function () { fromCopy(null); }, NETWORK_TIMEOUT_MS);
    network.then(function (response) {
      clearTimeout(timer);
      if (!settled) {
        settled = true;
        resolve(response);
      }
    }, function (error) {
      clearTimeout(timer);
      fromCopy(error);
    });
  }));
});

// The page names what to keep (its screens in every language, its CSS and scripts); the
// worker fetches and keeps them, then tells the page, which marks itself ready for offline.
self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.keep) || [];
  event.waitUntil(Promise.all(urls.map(function (url) {
    return fetch(url, {credentials: "same-origin", cache: "no-store"}).then(function (response) {
      return kept(url, response);
    }).catch(function () { return undefined; });
  })).then(function () {
    if (event.source) { event.source.postMessage({kept: urls.length}); }
  }));
});
