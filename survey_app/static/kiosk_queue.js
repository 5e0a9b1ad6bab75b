/* The kiosk's queue of answers (IndexedDB), and sending it to the kiosk's sync endpoint
   (web/public/kiosk_sync.py). An answer waits here until the server confirms it is stored (or
   was already); one the server refuses moves to the refused answers with the server's reason,
   for staff to see: nothing is ever dropped without a word. One database per kiosk.

   window.KioskQueue(kioskId) -> {add, counts, waiting, refused, forget, send, sync}. */
(function () {
  "use strict";

  var WAITING = "waiting";
  var REFUSED = "refused";
  var TIMEOUT_MS = 15000;

  function promised(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function KioskQueue(kioskId) {
    var opened = null;
    var running = null;

    function database() {
      if (!opened) {
        var request = indexedDB.open("survey-kiosk-" + kioskId, 1);
        request.onupgradeneeded = function () {
          var db = request.result;
          db.createObjectStore(WAITING, {keyPath: "key"}).createIndex("given_at", "given_at");
          db.createObjectStore(REFUSED, {keyPath: "key"});
        };
        opened = promised(request);
      }
      return opened;
    }

    // Runs work(stores) in one transaction; resolves when it is committed.
    function transaction(names, mode, work) {
      return database().then(function (db) {
        return new Promise(function (resolve, reject) {
          var tx = db.transaction(names, mode);
          var result;
          tx.oncomplete = function () { resolve(result); };
          tx.onerror = tx.onabort = function () { reject(tx.error); };
          var stores = names.map(function (name) { return tx.objectStore(name); });
          result = work.apply(null, stores);
        });
      });
    }

    function all(name) {
      return database().then(function (db) {
        return promised(db.transaction(name).objectStore(name).getAll());
      });
    }

    // The answers waiting, oldest given first.
    function waiting() {
      return database().then(function (db) {
        return promised(db.transaction(WAITING).objectStore(WAITING).index("given_at").getAll());
      });
    }

    function add(record) {
      return transaction([WAITING], "readwrite", function (store) { store.put(record); });
    }

    function counts() {
      return Promise.all([waiting(), all(REFUSED)]).then(function (found) {
        var reasons = {};
        found[1].forEach(function (record) {
          reasons[record.reason] = (reasons[record.reason] || 0) + 1;
        });
        return {waiting: found[0].length, refused: found[1].length, reasons: reasons};
      });
    }

    // Apply the server's answers: confirmed ones leave the queue, refused ones are kept apart.
    function settle(records, results, wholeReason) {
      var byKey = {};
      records.forEach(function (record) { byKey[record.key] = record; });
      return transaction([WAITING, REFUSED], "readwrite", function (waitingStore, refusedStore) {
        results.forEach(function (result) {
          var record = byKey[result.key];
          if (!record) { return; }
          if (result.status === "stored" || result.status === "already_stored") {
            waitingStore.delete(record.key);
          } else if (result.status === "refused") {
            waitingStore.delete(record.key);
            refusedStore.put(Object.assign({}, record, {
              refused: result.refused || "refused", reason: result.reason || wholeReason || "",
              refused_at: new Date().toISOString()}));
          }
        });
      });
    }

    /* Send ``records`` in one request. Resolves to the server's results (one per record), or
       to null when nothing was confirmed (no network, a timeout, a server error): they wait. */
    function send(records, options) {
      var controller = new AbortController();
      var timer = window.setTimeout(function () { controller.abort(); }, options.timeoutMs || TIMEOUT_MS);
      return fetch(options.url, {
        method: "POST", credentials: "omit", cache: "no-store", signal: controller.signal,
        headers: {"Content-Type": "application/json", "Accept": "application/json"},
        body: JSON.stringify({key: options.kioskKey, answers: records.map(function (record) {
          return {key: record.key, given_at: record.given_at, started_at: record.started_at,
                  questionnaire: record.questionnaire, hash: record.hash, language: record.language,
                  fields: record.fields};
        })})
      }).then(function (response) {
        if (response.status === 403) {
          // The kiosk's whole queue is refused (revoked): every answer sent, with the reason.
          // A wrong key (an address mistyped) refuses nothing: the answers wait.
          return response.json().then(function (body) {
            if (body.refused !== "revoked") { return null; }
            var results = records.map(function (record) {
              return {key: record.key, status: "refused", refused: body.refused, reason: body.reason};
            });
            return settle(records, results).then(function () { return {results: results, whole: body}; });
          });
        }
        if (!response.ok) { return null; }
        return response.json().then(function (body) {
          return settle(records, body.results).then(function () { return {results: body.results}; });
        });
      }).catch(function () {
        return null;
      }).finally(function () {
        window.clearTimeout(timer);
      });
    }

    /* Send everything waiting, in batches, until the queue is empty or a batch is not
       confirmed. One sync at a time per page. Resolves to true when the queue was emptied. */
    function sync(options) {
      if (running) { return running; }
      running = (function next() {
        return waiting().then(function (records) {
          if (!records.length) { return true; }
          return send(records.slice(0, options.batch || 8), options).then(function (outcome) {
            if (!outcome) { return false; }
            if (outcome.whole) {
              // Refused as a whole: the rest of the queue is refused for the same reason.
              return waiting().then(function (rest) {
                var results = rest.map(function (record) {
                  return {key: record.key, status: "refused", refused: outcome.whole.refused,
                          reason: outcome.whole.reason};
                });
                return settle(rest, results).then(function () { return true; });
              });
            }
            return next();
          });
        });
      })().catch(function () {
        return false;
      }).finally(function () {
        running = null;
      });
      return running;
    }

    // Take an answer out of the refused ones (the page is about to post it itself).
    function forget(key) {
      return transaction([REFUSED], "readwrite", function (store) { store.delete(key); });
    }

    return {add: add, counts: counts, waiting: waiting, refused: function () { return all(REFUSED); },
            forget: forget, send: send, sync: sync};
  }

  window.KioskQueue = KioskQueue;
})();
