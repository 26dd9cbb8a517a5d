// Only what htmx cannot do: the live indicator, the turn clock, refresh on reconnect, and drafts.
(function () {
  "use strict";

  function setLive(state, label) {
    var pill = document.getElementById("live-pill");
    if (!pill) return;
    pill.dataset.liveState = state;
    pill.querySelector(".live-label").textContent = label;
  }

  var opened = 0;
  document.body.addEventListener("htmx:sseOpen", function () {
    opened += 1;
    setLive("live", "Live");
    // After a reconnect, refresh every panel so an event missed while away costs nothing.
    if (opened > 1) {
      document.querySelectorAll("[data-panel]").forEach(function (el) { htmx.trigger(el, "refresh"); });
    }
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
