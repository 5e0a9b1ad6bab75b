/* The kiosk (templates/kiosk/*.html). Progressive enhancement: without this script the survey is
   one plain form; with it, one section per screen with "2 / 7", Back and Next, and the page
   forgets everything after data-idle-seconds without a touch, so that the next citizen never
   sees the previous one's answers. Also brings the thank-you screen back to the start.

   With it, the kiosk also keeps working offline (static/kiosk_offline.js): every answer is put
   in the kiosk's queue with a submission key made on the device, the time it was given and the
   questionnaire version it answered, and sent from there; the citizen sees the thank-you
   screen at once, whether the network is there or not. */
(function () {
  "use strict";

  function goTo(url) {
    window.location.replace(url);
  }

  // Offline working (static/kiosk_offline.js): null when this device cannot keep a queue.
  var offline = window.KioskOffline ? window.KioskOffline(document.querySelector(".kiosk-status")) : null;

  // A page restored from the back/forward cache may hold someone's answers: start afresh.
  window.addEventListener("pageshow", function (event) {
    var start = document.querySelector("[data-start-url]");
    if (event.persisted && start) {
      goTo(start.getAttribute("data-start-url"));
    }
  });

  // ------------------------------------------------------------------ thank-you / message screen
  var message = document.querySelector(".kiosk-message[data-return-seconds]");
  if (message) {
    var seconds = Number(message.getAttribute("data-return-seconds")) || 10;
    window.setTimeout(function () {
      goTo(message.getAttribute("data-start-url"));
    }, seconds * 1000);
    return;
  }

  // ------------------------------------------------------------------ a reply request (/k/<id>/reply)
  // Typed text and a contact are forgotten, and the kiosk goes back to its first screen, after
  // data-idle-seconds without a touch, exactly as the survey's answers are.
  var reply = document.querySelector("form.kiosk-reply[data-idle-seconds]");
  if (reply) {
    var replyTimer = null;
    var replyIdle = Number(reply.getAttribute("data-idle-seconds")) || 90;
    var forgetReply = function () {
      reply.querySelectorAll("textarea, input[type=text], input[type=tel], input[type=email]").forEach(function (input) {
        input.value = "";
      });
      reply.querySelectorAll("input[type=checkbox]").forEach(function (input) { input.checked = false; });
      goTo(reply.getAttribute("data-start-url"));
    };
    var restartReply = function () {
      window.clearTimeout(replyTimer);
      replyTimer = window.setTimeout(forgetReply, replyIdle * 1000);
    };
    ["pointerdown", "keydown", "input", "change", "scroll", "touchstart"].forEach(function (name) {
      window.addEventListener(name, restartReply, {passive: true, capture: true});
    });
    restartReply();
    return;
  }

  // ------------------------------------------------------------------ the survey form
  var form = document.getElementById("kiosk-form");
  if (!form) {
    return;
  }
  var screens = Array.prototype.slice.call(form.querySelectorAll(".screen"));
  var back = form.querySelector(".kiosk-back");
  var next = form.querySelector(".kiosk-next");
  var send = form.querySelector(".kiosk-send");
  var progress = form.querySelector(".kiosk-progress");
  var startUrl = form.getAttribute("data-start-url");
  var idleSeconds = Number(form.getAttribute("data-idle-seconds")) || 90;
  var requiredMessage = form.getAttribute("data-required-message");
  var current = 0;

  document.documentElement.classList.add("kiosk-js");

  function show(index, focus) {
    current = Math.max(0, Math.min(index, screens.length - 1));
    screens.forEach(function (screen, i) {
      screen.hidden = i !== current;
    });
    var last = current === screens.length - 1;
    back.hidden = current === 0;
    next.hidden = last;
    send.hidden = !last;
    progress.hidden = false;
    progress.textContent = (current + 1) + " / " + screens.length;
    window.scrollTo(0, 0);
    if (focus) {
      var heading = screens[current].querySelector("h2, [tabindex='-1']");
      if (heading) {
        heading.focus({preventScroll: true});
      }
    }
  }

  function answered(fieldset) {
    return fieldset.querySelector("input:checked") !== null;
  }

  // Required questions of the current screen: say so there, instead of after Send.
  function missingOnCurrent() {
    var missing = [];
    screens[current].querySelectorAll("fieldset[data-required]").forEach(function (fieldset) {
      var note = fieldset.querySelector(".kiosk-missing");
      if (answered(fieldset)) {
        if (note) { note.remove(); }
        fieldset.classList.remove("has-error");
        return;
      }
      missing.push(fieldset);
      fieldset.classList.add("has-error");
      if (!note) {
        note = document.createElement("p");
        note.className = "error kiosk-missing";
        note.textContent = requiredMessage;
        fieldset.querySelector("legend").insertAdjacentElement("afterend", note);
      }
    });
    return missing;
  }

  back.addEventListener("click", function () { show(current - 1, true); });
  next.addEventListener("click", function () {
    var missing = missingOnCurrent();
    if (missing.length) {
      missing[0].scrollIntoView({block: "center"});
      var first = missing[0].querySelector("input");
      if (first) { first.focus({preventScroll: true}); }
      return;
    }
    show(current + 1, true);
  });

  // Links of the error summary lead to a question on another screen.
  document.querySelectorAll(".error-summary a[href^='#q-']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var target = document.getElementById(link.getAttribute("href").slice(1));
      var index = screens.findIndex(function (screen) { return screen.contains(target); });
      if (index >= 0) {
        event.preventDefault();
        show(index, false);
        target.scrollIntoView({block: "center"});
      }
    });
  });

  var sent = false;
  form.addEventListener("submit", function (event) {
    if (offline) {
      event.preventDefault();
      if (!sent) { queueAnswer(); }
      return;
    }
    if (sent) { event.preventDefault(); }  // a double tap posts once
    sent = true;
  });

  // ------------------------------------------------------------------ answers through the queue
  var keyField = form.querySelector("input[name=submission_key]");
  // When this form was shown (the kiosk's clock): what the server's served-at stamp is for a
  // form it serves, so that the integrity rules time a queued answer as any other.
  var startedAt = new Date().toISOString();
  if (offline) {
    keyField.value = offline.newKey();
    offline.whenFull(function (full) {
      // Full: the kiosk says it is offline and takes no more answers, rather than drop any.
      document.querySelector(".kiosk-full").hidden = !full;
      [form, document.querySelector(".kiosk-title"), document.querySelector(".languages")].forEach(
        function (element) { if (element) { element.hidden = full; } });
    });
  }

  function firstMissing() {
    for (var i = 0; i < screens.length; i++) {
      show(i, false);
      var missing = missingOnCurrent();
      if (missing.length) { return missing; }
    }
    return [];
  }

  function postPlainly() {
    HTMLFormElement.prototype.submit.call(form);
  }

  function queueAnswer() {
    var missing = firstMissing();
    if (missing.length) {
      missing[0].scrollIntoView({block: "center"});
      return;
    }
    sent = true;
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (["csrf_token", "submission_key", "served_at"].indexOf(name) < 0) { fields.push([name, String(value)]); }
    });
    var given = new Date().toISOString();
    var record = {key: keyField.value, given_at: given, started_at: startedAt,
                  questionnaire: form.dataset.questionnaire, hash: form.dataset.hash,
                  language: form.dataset.language, fields: fields};
    offline.queue.add(record).then(function () {
      // Online, it goes at once (3 seconds at most); else, or if that fails, it waits.
      return navigator.onLine ? offline.queue.send([record], Object.assign({}, offline.options, {timeoutMs: 3000})) : null;
    }).then(function (outcome) {
      var result = outcome && outcome.results && outcome.results[0];
      if (result && result.refused === "invalid") {
        // The server finds a problem the screens did not: it explains it in the citizen's language.
        return offline.queue.forget(record.key).then(postPlainly);
      }
      goTo(form.dataset.thanksUrl);
      return null;
    }, postPlainly);  // no queue on this device after all: the plain form post
  }

  // --------------------------------------------------------------- forget everything when idle
  function dirty() {
    if (current !== 0 || document.querySelector(".error-summary, .has-error")) {
      return true;
    }
    var filled = Array.prototype.some.call(form.querySelectorAll("textarea"), function (t) {
      return t.value !== "";
    });
    return filled || form.querySelector("input:checked") !== null;
  }

  function clearAll() {
    form.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (input) {
      input.checked = false;
    });
    form.querySelectorAll("textarea, input[type=text]").forEach(function (input) {
      input.value = "";
    });
    show(0, false);
  }

  var idleTimer = null;
  function onIdle() {
    if (!dirty()) {
      restartIdle();
      return;
    }
    clearAll();
    // A fresh page: a new submission key, and no trace of this one in the history.
    goTo(startUrl);
  }
  function restartIdle() {
    window.clearTimeout(idleTimer);
    idleTimer = window.setTimeout(onIdle, idleSeconds * 1000);
  }
  ["pointerdown", "keydown", "input", "change", "scroll", "touchstart"].forEach(function (name) {
    window.addEventListener(name, restartIdle, {passive: true, capture: true});
  });

  // Start where the server found a problem, else on the first screen.
  var problem = form.querySelector(".has-error");
  var startAt = problem ? screens.findIndex(function (screen) { return screen.contains(problem); }) : 0;
  show(startAt < 0 ? 0 : startAt, false);
  restartIdle();
})();
