// Only what htmx cannot do: the live indicator, the turn clock, refresh on reconnect, drafts, and keeping what
// a person is doing through a live swap. The words shown come from the page (data-* attributes rendered with
// {% translate %}), so they are in the reader's language.

// The live indicator, refresh on reconnect, and the turn clock.
(function () {
  "use strict";

  // label: which data-label-* of #live-pill holds the words ("live", "reconnecting", "seat-changed").
  function setLive(state, label) {
    var pill = document.getElementById("live-pill");
    if (!pill) return;
    pill.dataset.liveState = state;
    var words = pill.getAttribute("data-label-" + label);
    if (words) pill.querySelector(".live-label").textContent = words;
  }

  // A page with one refresher ([data-live-refresh]) asks once for every panel; others refresh each panel.
  function refreshPanels() {
    var one = document.querySelector("[data-live-refresh]");
    if (one) { htmx.trigger(one, "refresh"); return; }
    document.querySelectorAll("[data-panel]").forEach(function (el) { htmx.trigger(el, "refresh"); });
  }
  // The refresher tells the server which doorbell rang, so the answer holds only the panels it changed.
  document.body.addEventListener("htmx:configRequest", function (ev) {
    var t = ev.detail.triggeringEvent;
    if (ev.target.hasAttribute("data-live-refresh") && t && t.type.indexOf("sse:") === 0) {
      ev.detail.parameters.event = t.type.slice(4);
    }
  });

  // On every (re)connect the server says which version of the exercise it is at. If the page was
  // rendered at an older version, an event was missed (before connecting, or while away): refresh.
  document.body.addEventListener("htmx:sseOpen", function (ev) {
    setLive("live", "live");
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
    // A doorbell for other teams only (a message between them) reaches a team's stream as "changed":
    // nothing to fetch, but the page is at that version now.
    source.addEventListener("changed", function (msg) {
      var v;
      try { v = JSON.parse(msg.data).version; } catch (e) { return; }
      if (v > parseInt(root.dataset.version || "0", 10)) root.dataset.version = String(v);
    });
    // A team's stream ends with seat_lost when this browser no longer holds a seat on the team
    // (moved, left or removed): stop listening and go to the seat page, which says where they are now.
    source.addEventListener("seat_lost", function () {
      source.close();
      setLive("down", "seat-changed");
      if (root.dataset.seatUrl) window.location.assign(root.dataset.seatUrl);
    });
  });
  // Every doorbell carries the version it announces; remember it so a reconnect does not refresh twice.
  // (Panels listen with hx-trigger="sse:…", which fires htmx:sseMessage, not htmx:sseBeforeMessage.)
  function eventVersion(ev) {
    try { return JSON.parse(ev.data).version; } catch (e) { return undefined; }
  }
  document.body.addEventListener("htmx:sseMessage", function (ev) {
    var root = document.querySelector("[data-live-root]");
    var v = eventVersion(ev.detail || {});
    if (root && v > parseInt(root.dataset.version || "0", 10)) root.dataset.version = String(v);
  });
  document.body.addEventListener("htmx:sseError", function () { setLive("down", "reconnecting"); });

  // Turn clocks count down locally between refreshes; the server stays the source of truth.
  // Under a minute left, the order forms say so ([data-deadline-warning]).
  function tick() {
    var least = null;
    document.querySelectorAll("[data-seconds-left]").forEach(function (el) {
      var left = parseInt(el.dataset.secondsLeft, 10);
      if (isNaN(left)) return;
      if (left > 0) el.dataset.secondsLeft = String(left - 1);
      var m = Math.floor(Math.max(left, 0) / 60), s = Math.max(left, 0) % 60;
      el.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      el.classList.toggle("clock-low", left <= 60);
      least = least === null ? left : Math.min(least, left);
    });
    document.querySelectorAll("[data-deadline-warning]").forEach(function (el) {
      el.hidden = !(least !== null && least <= 60);
    });    // Crisis clocks carry their end as a time (the panel is rendered once for a whole team and kept).
    var now = Date.now() / 1000;
    document.querySelectorAll("[data-ends-at]").forEach(function (el) {
      var left = Math.max(0, Math.round(parseFloat(el.dataset.endsAt) - now));
      if (isNaN(left)) return;
      var m = Math.floor(left / 60), s = left % 60;
      el.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      el.classList.toggle("clock-low", left <= 30);
    });
  }
  tick();
  setInterval(tick, 1000);
  document.body.addEventListener("htmx:afterSwap", tick);  // a swapped-in clock shows m:ss at once
  document.body.addEventListener("htmx:oobAfterSwap", tick);
})();

// Drafts: nothing typed is lost to a reload, a live swap or a refused save.
(function () {
  "use strict";
  // Every form with data-draft-key keeps what was typed in localStorage until the server saves it, through
  // a reload and a live swap. Fields keep their value under "draft:<key>"; fields sharing a name (three
  // reasons) are kept as name, name#2, name#3. Ticked boxes (message recipients) and a chosen card keep
  // their `checked` under "draft-checks:<key>" (a radio by name and value). The draft also remembers the
  // revision it was started from ([data-draft-base]), so a teammate's save in between is noticed.
  function fields(form, withDisabled) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.type !== "hidden" && el.type !== "submit" && (withDisabled || !el.disabled);
    });
  }
  function keyed(form, withDisabled) {
    var seen = {}, out = [];
    fields(form, withDisabled).forEach(function (el) {
      seen[el.name] = (seen[el.name] || 0) + 1;
      out.push([seen[el.name] > 1 ? el.name + "#" + seen[el.name] : el.name, el]);
    });
    return out;
  }
  function served(el) {
    // What the server rendered into a field (not what has been typed since).
    if (el.tagName === "SELECT") {
      var opt = Array.prototype.find.call(el.options, function (o) { return o.defaultSelected; });
      return opt ? opt.value : (el.options[0] ? el.options[0].value : "");
    }
    return el.defaultValue;
  }
  function differs(form, saved) {
    return keyed(form, true).some(function (pair) {
      return pair[0] in saved && (saved[pair[0]] || "") !== (served(pair[1]) || "");
    });
  }
  function shownText(el) {
    if (el.tagName === "SELECT") {
      var opt = Array.prototype.find.call(el.options, function (o) { return o.value === el.value; });
      return el.value ? (opt ? opt.textContent.trim() : el.value) : "—";
    }
    return el.value || "—";
  }
  function showUnsent(form, saved) {
    // The turn locked with this draft unsaved: show what it held, read-only, and say it was not submitted.
    var box = form.querySelector("[data-unsent]");
    if (!box) return;
    keyed(form, true).forEach(function (pair) {
      var dd = box.querySelector('[data-unsent-field="' + pair[0] + '"]');
      if (!dd || !(pair[0] in saved)) return;
      var probe = pair[1].cloneNode(true);
      probe.value = saved[pair[0]];
      dd.textContent = shownText(probe);
    });
    box.hidden = false;
  }
  function stored(key) {
    var saved = localStorage.getItem(key);
    if (!saved) return null;
    try { return JSON.parse(saved); } catch (e) { return null; }
  }
  function boxes(form) { return form.querySelectorAll("input[type=checkbox][name], input[type=radio][name]"); }
  function boxKey(el) { return el.type === "radio" ? el.name + "=" + el.value : el.name; }
  function restoreValues(form) {
    var key = "draft:" + form.dataset.draftKey;
    var saved = stored(key);
    if (!saved) return;
    if (!differs(form, saved)) {
      if (!form.hasAttribute("data-locked")) localStorage.removeItem(key);
      return;  // the draft says what the server shows: nothing is pending
    }
    if (form.hasAttribute("data-locked")) { showUnsent(form, saved); return; }
    var base = form.querySelector("[data-draft-base]");
    if (base && saved.__base !== undefined && String(saved.__base) !== base.value) {
      // A teammate saved this form since the player started typing: keep their base revision (a
      // plain save is then refused and shows both versions) and say so beside the form.
      base.value = String(saved.__base);
      var note = form.querySelector("[data-order-changed]");
      if (note) { note.hidden = false; form.classList.add("has-live-conflict"); }
    }
    var active = document.activeElement, start = active && active.selectionStart, end = active && active.selectionEnd;
    keyed(form).forEach(function (pair) { if (pair[0] in saved) pair[1].value = saved[pair[0]]; });
    if (active && form.contains(active) && start !== null && start !== undefined && active.setSelectionRange) {
      try { active.setSelectionRange(start, end); } catch (e) { /* not a text field */ }
    }
    form.classList.add("has-draft");
  }
  function restoreChecks(form) {
    var saved = stored("draft-checks:" + form.dataset.draftKey);
    if (!saved) return;
    boxes(form).forEach(function (el) { if (boxKey(el) in saved) el.checked = !!saved[boxKey(el)]; });
  }
  function restoreDrafts(root) {
    root.querySelectorAll("form[data-draft-key]").forEach(function (form) {
      if (form.hasAttribute("data-draft-saved")) {
        localStorage.removeItem("draft:" + form.dataset.draftKey);
        localStorage.removeItem("draft-checks:" + form.dataset.draftKey);
        return;
      }
      restoreValues(form);
      restoreChecks(form);
    });
  }
  document.body.addEventListener("input", function (ev) {
    var form = ev.target.closest && ev.target.closest("form[data-draft-key]");
    if (!form) return;
    var data = {};
    keyed(form).forEach(function (pair) { data[pair[0]] = pair[1].value; });
    var base = form.querySelector("[data-draft-base]");
    if (base) data.__base = base.value;
    localStorage.setItem("draft:" + form.dataset.draftKey, JSON.stringify(data));
  });
  document.body.addEventListener("change", function (ev) {
    var el = ev.target;
    if (!el || (el.type !== "checkbox" && el.type !== "radio") || !el.closest) return;
    var form = el.closest("form[data-draft-key]");
    if (!form) return;
    var data = {};
    boxes(form).forEach(function (b) { data[boxKey(b)] = b.checked; });
    localStorage.setItem("draft-checks:" + form.dataset.draftKey, JSON.stringify(data));
  });
  restoreDrafts(document);
  document.body.addEventListener("htmx:afterSwap", function (ev) { restoreDrafts(ev.detail.elt.parentNode || document); });
})();

// A refused htmx request (4xx) swaps nothing; say why beside the form, and keep what was typed.
(function () {
  "use strict";
  document.body.addEventListener("htmx:responseError", function (ev) {
    var xhr = ev.detail.xhr, elt = ev.detail.elt;
    if (!xhr || xhr.status >= 500 || !elt) return;
    var type = xhr.getResponseHeader("Content-Type") || "";
    var text = type.indexOf("text/plain") === 0 ? xhr.responseText
      : (document.body.dataset.refusedText || "").replace("{status}", xhr.status);
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
})();

// "Saved by you at 14:02": the order forms are rendered once for the whole team, so each page shows the
// note only on what its own player saved last ([data-saved-by] against the page's [data-viewer]).
(function () {
  "use strict";
  function showOwnSaves() {
    var root = document.querySelector("[data-viewer]");
    var me = root ? root.dataset.viewer : "";
    document.querySelectorAll("[data-saved-by]").forEach(function (el) {
      el.hidden = !me || el.dataset.savedBy !== me;
    });
  }
  showOwnSaves();
  document.body.addEventListener("htmx:afterSwap", showOwnSaves);
  document.body.addEventListener("htmx:oobAfterSwap", showOwnSaves);
})();

// Results banner: when a turn is published, the turn-status panel (at the top, refreshed on the same
// doorbell as the results) carries "Turn N results are in". It stays in view until the player reads
// the results or puts it off; which turn they have seen is kept on this computer.
(function () {
  "use strict";
  function seen(b) { return parseInt(localStorage.getItem(b.dataset.seenKey) || "0", 10); }
  function showBanners() {
    document.querySelectorAll("[data-results-banner]").forEach(function (b) {
      b.hidden = parseInt(b.dataset.turn, 10) <= seen(b);
    });
  }
  document.body.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-results-go], [data-results-dismiss]");
    if (!btn) return;
    var b = btn.closest("[data-results-banner]");
    if (!b) return;
    localStorage.setItem(b.dataset.seenKey, b.dataset.turn);
    b.hidden = true;
    var target = btn.hasAttribute("data-results-go") && document.getElementById("last-result");
    if (target) {
      ev.preventDefault();
      target.scrollIntoView({behavior: "smooth", block: "start"});
      target.setAttribute("tabindex", "-1");
      target.focus({preventScroll: true});
    }
  });
  showBanners();
  document.body.addEventListener("htmx:afterSwap", showBanners);
})();

// A live swap (a panel refreshed by a doorbell, or pushed over the team's stream) must not undo what the
// person is in the middle of: a section they opened or closed (<details> with an id) stays so, fields they
// have typed into outside a draft form keep their text, and the field they were in keeps the focus.
// A swap answering their own submit is left alone: that answer is the new truth.
(function () {
  "use strict";
  var kept = null;
  function isLive(detail) {
    var elt = detail.requestConfig && detail.requestConfig.elt;
    if (!elt) return true;  // pushed over the stream (an out-of-band swap with no request)
    return elt === detail.target || elt.hasAttribute("data-live-refresh") || elt.hasAttribute("data-panel");
  }
  function edited(f) {
    if (f.type === "checkbox" || f.type === "radio") return f.checked !== f.defaultChecked;
    if (f.tagName === "SELECT") {
      return Array.prototype.some.call(f.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    return f.value !== f.defaultValue;
  }
  function remember(target) {
    var state = {open: {}, fields: {}, focus: null};
    target.querySelectorAll("details[id]").forEach(function (d) { state.open[d.id] = d.open; });
    target.querySelectorAll("input[id], select[id], textarea[id]").forEach(function (f) {
      if (f.type === "hidden" || (f.form && f.form.hasAttribute("data-draft-key")) || !edited(f)) return;
      state.fields[f.id] = (f.type === "checkbox" || f.type === "radio") ? {checked: f.checked} : {value: f.value};
    });
    var active = document.activeElement;
    if (active && active.id && target.contains(active)) state.focus = active.id;
    return state;
  }
  function restore(state) {
    Object.keys(state.open).forEach(function (id) {
      var d = document.getElementById(id);
      if (d && d.tagName === "DETAILS") d.open = state.open[id];
    });
    Object.keys(state.fields).forEach(function (id) {
      var f = document.getElementById(id), v = state.fields[id];
      if (!f) return;
      if ("checked" in v) f.checked = v.checked; else f.value = v.value;
    });
    var focus = state.focus && document.getElementById(state.focus);
    if (focus && document.activeElement !== focus) focus.focus({preventScroll: true});
  }
  function before(ev) {
    var target = ev.detail.target;
    if (!target || !isLive(ev.detail)) return;
    var state = remember(target);
    kept = kept || {open: {}, fields: {}, focus: null, clearing: false};
    Object.assign(kept.open, state.open);
    Object.assign(kept.fields, state.fields);
    kept.focus = kept.focus || state.focus;
  }
  // One response can swap several elements (out-of-band first, then the target): restore after each,
  // and forget once the whole swap is done.
  function after() {
    if (!kept) return;
    restore(kept);
    if (!kept.clearing) {
      kept.clearing = true;
      setTimeout(function () { kept = null; }, 0);
    }
  }
  document.body.addEventListener("htmx:beforeSwap", before);
  document.body.addEventListener("htmx:oobBeforeSwap", before);
  document.body.addEventListener("htmx:afterSwap", after);
  document.body.addEventListener("htmx:oobAfterSwap", after);
})();

// The language selector (templates/includes/language_select.html): picking a language submits its form, so
// the page comes back in that language at the same place; its button is only for browsers without script.
(function () {
  "use strict";
  document.querySelectorAll("form[data-lang-form]").forEach(function (form) {
    var select = form.querySelector("select[name=language]");
    var button = form.querySelector(".lang-go");
    if (!select) return;
    if (button) button.hidden = true;
    select.addEventListener("change", function () {
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    });
  });
})();
