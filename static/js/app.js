// Only what htmx cannot do: the live indicator, the turn clock, refresh on reconnect, and drafts.
(function () {
  "use strict";

  function setLive(state, label) {
    var pill = document.getElementById("live-pill");
    if (!pill) return;
    pill.dataset.liveState = state;
    pill.querySelector(".live-label").textContent = label;
  }

  function refreshPanels() {
    document.querySelectorAll("[data-panel]").forEach(function (el) { htmx.trigger(el, "refresh"); });
  }

  // On every (re)connect the server says which version of the exercise it is at. If the page was
  // rendered at an older version, an event was missed (before connecting, or while away): refresh.
  document.body.addEventListener("htmx:sseOpen", function (ev) {
    setLive("live", "Live");
    var root = document.querySelector("[data-live-root]");
    var source = ev.detail && ev.detail.source;
    if (!root || !source || source.__helloBound) return;
    source.__helloBound = true;
    source.addEventListener("hello", function (msg) {
      var version;
      try { version = JSON.parse(msg.data).version; } catch (e) { return; }
      var seen = parseInt(root.dataset.version || "0", 10);
      if (version > seen) refreshPanels();
      root.dataset.version = String(version);
    });
  });
  // Every doorbell carries the version it announces; remember it so a reconnect does not refresh twice.
  document.body.addEventListener("htmx:sseBeforeMessage", function (ev) {
    var root = document.querySelector("[data-live-root]");
    try {
      var v = JSON.parse(ev.detail.data).version;
      if (root && v > parseInt(root.dataset.version || "0", 10)) root.dataset.version = String(v);
    } catch (e) { /* keep-alives and hello carry no version to keep */ }
  });
  document.body.addEventListener("htmx:sseError", function () { setLive("down", "Reconnecting"); });

  // Turn clocks count down locally between refreshes; the server stays the source of truth.
  function tick() {
    document.querySelectorAll("[data-seconds-left]").forEach(function (el) {
      var left = parseInt(el.dataset.secondsLeft, 10);
      if (isNaN(left)) return;
      if (left > 0) el.dataset.secondsLeft = String(left - 1);
      var m = Math.floor(Math.max(left, 0) / 60), s = Math.max(left, 0) % 60;
      el.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      el.classList.toggle("clock-low", left <= 60);
    });
  }
  tick();
  setInterval(tick, 1000);

  // Drafts: every form with data-draft-key keeps its fields in localStorage until the server saves it.
  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.type !== "hidden" && el.type !== "submit" && !el.disabled;
    });
  }
  function restoreDrafts(root) {
    root.querySelectorAll("form[data-draft-key]").forEach(function (form) {
      var key = "draft:" + form.dataset.draftKey;
      if (form.hasAttribute("data-draft-saved")) { localStorage.removeItem(key); return; }
      var saved = localStorage.getItem(key);
      if (!saved) return;
      try { saved = JSON.parse(saved); } catch (e) { return; }
      fields(form).forEach(function (el) { if (el.name in saved) el.value = saved[el.name]; });
      form.classList.add("has-draft");
    });
  }
  document.body.addEventListener("input", function (ev) {
    var form = ev.target.closest && ev.target.closest("form[data-draft-key]");
    if (!form) return;
    var data = {};
    fields(form).forEach(function (el) { data[el.name] = el.value; });
    localStorage.setItem("draft:" + form.dataset.draftKey, JSON.stringify(data));
  });
  restoreDrafts(document);
  document.body.addEventListener("htmx:afterSwap", function (ev) { restoreDrafts(ev.detail.elt.parentNode || document); });
})();

// Drafts, continued: ticked boxes (message recipients) in a draft form survive a reload and a swap too.
// The draft code above keeps each field's value; a checkbox's state is its `checked`, kept here.
(function () {
  "use strict";
  function boxes(form) { return form.querySelectorAll("input[type=checkbox][name]"); }
  function restoreChecks(root) {
    root.querySelectorAll("form[data-draft-key]").forEach(function (form) {
      var key = "draft-checks:" + form.dataset.draftKey;
      if (form.hasAttribute("data-draft-saved")) { localStorage.removeItem(key); return; }
      var saved = localStorage.getItem(key);
      if (!saved) return;
      try { saved = JSON.parse(saved); } catch (e) { return; }
      boxes(form).forEach(function (el) { if (el.name in saved) el.checked = !!saved[el.name]; });
    });
  }
  document.body.addEventListener("change", function (ev) {
    var el = ev.target;
    if (!el || el.type !== "checkbox" || !el.closest) return;
    var form = el.closest("form[data-draft-key]");
    if (!form) return;
    var data = {};
    boxes(form).forEach(function (b) { data[b.name] = b.checked; });
    localStorage.setItem("draft-checks:" + form.dataset.draftKey, JSON.stringify(data));
  });
  restoreChecks(document);

  // A refused htmx request (4xx) swaps nothing; say why beside the form, and keep what was typed.
  document.body.addEventListener("htmx:responseError", function (ev) {
    var xhr = ev.detail.xhr, elt = ev.detail.elt;
    if (!xhr || xhr.status >= 500 || !elt) return;
    var type = xhr.getResponseHeader("Content-Type") || "";
    var text = type.indexOf("text/plain") === 0 ? xhr.responseText : "This could not be saved (" + xhr.status + "). Your text is kept; reload the page and try again.";
    var form = elt.closest("form") || elt;
    var note = form.querySelector("[data-refusal]");
    if (!note) {
      note = document.createElement("p");
      note.className = "alert alert-error";
      note.setAttribute("role", "alert");
      note.setAttribute("data-refusal", "");
      form.insertBefore(note, form.firstChild);
    }
    note.textContent = text;
  });
  document.body.addEventListener("htmx:afterSwap", function (ev) { restoreChecks(ev.detail.elt.parentNode || document); });
})();
