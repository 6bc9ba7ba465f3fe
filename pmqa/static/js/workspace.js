// Forms that save themselves: live character counts, and what the autosave is doing.
(function () {
  "use strict";
  function count(area) {
    var out = area.parentNode.querySelector("[data-count]");
    if (out) { out.textContent = area.value.length.toLocaleString(); }
  }
  document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
    area.addEventListener("input", function () { count(area); });
    count(area);
  });
  // The one form of the page that saves itself (the workspace's answers, a review, a report).
  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }
  var pending = false;
  // What the last autosave sent (every field but the version and the CSRF token): an answer
  // to it covers the form only if nothing has been typed since it left.
  var sent = null;
  function typed() {
    var parts = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "version" || name === "csrfmiddlewaretoken") { return; }
      parts.push(name + "=" + (typeof value === "string" ? value : value.name));
    });
    return parts.join("&");
  }
  function say(text, state) {
    var status = document.getElementById("save-status");
    if (status) { status.textContent = text; status.className = "save-status " + state; }
  }
  form.addEventListener("input", function () { pending = true; keepDraft(); say(form.dataset.msgUnsaved, "pending"); });
  form.addEventListener("change", function () { pending = true; keepDraft(); });
  document.body.addEventListener("htmx:beforeRequest", function () { say(form.dataset.msgSaving, "pending"); });
  // htmx puts the answer's own class back on the status line once the swap settles: a save
  // answered after more was typed must not look saved meanwhile.
  document.body.addEventListener("htmx:afterSettle", function () {
    var status = document.getElementById("save-status");
    if (pending && status && status.classList.contains("saved")) { status.className = "save-status pending"; }
  });
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    // An expired session answers with the login page: keep the form, say what happened.
    var url = event.detail.xhr && event.detail.xhr.responseURL;
    if (url && url.indexOf("/accounts/login") !== -1) {
      event.detail.shouldSwap = false;
      event.detail.isError = true;
      say(form.dataset.msgLogin, "invalid");
    }
  });
  // A busy database (503) or a lost connection is retried with a growing pause; the text stays
  // in the form meanwhile. Any other failure is said to be an error, not "offline".
  var retryDelay = 0;
  var retryTimer = null;
  var RETRYABLE = [0, 408, 429, 502, 503, 504];
  function retryLater(xhr) {
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 3000, 30000);
    var asked = xhr && parseInt(xhr.getResponseHeader("Retry-After") || "", 10);
    var delay = asked > 0 ? Math.max(retryDelay, Math.min(asked * 1000, 60000)) : retryDelay;
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(function () { htmx.trigger(form, "change"); }, delay);
  }
  // What is typed and not saved yet is also kept in this tab's session storage (gone when the
  // tab closes), so that reloading the page during an outage loses nothing: the page puts it
  // back and saves it. Kept per page and per person; a save that goes through clears it.
  var DRAFT_HOURS = 1;
  var draftKey = "pmqa-draft:" + (document.body.dataset.user || "") + ":" + window.location.pathname;
  function storage() {
    try { return window.sessionStorage; } catch (error) { return null; }
  }
  function keepDraft() {
    var store = storage();
    if (!store) { return; }
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || typeof value !== "string") { return; }
      fields.push([name, value]);
    });
    try {
      store.setItem(draftKey, JSON.stringify({ at: Date.now(), fields: fields }));
    } catch (error) { /* storage full: the form still holds the text */ }
  }
  function dropDraft() {
    var store = storage();
    if (store) { store.removeItem(draftKey); }
  }
  function restoreDraft() {
    var store = storage();
    var kept = store && store.getItem(draftKey);
    if (!kept) { return false; }
    var fields;
    try {
      var draft = JSON.parse(kept);
      // A draft from long ago was left on purpose (the page asked before leaving).
      if (!draft || Date.now() - draft.at > DRAFT_HOURS * 3600000) { dropDraft(); return false; }
      fields = draft.fields;
    } catch (error) { dropDraft(); return false; }
    var values = {};
    fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    var changed = false;
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      // The version stays the page's: a save on an older one is compared, never overwrites.
      if (!name || name === "version" || name === "csrfmiddlewaretoken" || element.type === "file") { return; }
      var wanted = values[name] || [];
      if (element.type === "checkbox" || element.type === "radio") {
        var on = wanted.indexOf(element.value) !== -1;
        if (element.checked !== on) { element.checked = on; changed = true; }
      } else if (element.tagName === "SELECT" && element.multiple) {
        Array.prototype.forEach.call(element.options, function (option) {
          var on = wanted.indexOf(option.value) !== -1;
          if (option.selected !== on) { option.selected = on; changed = true; }
        });
      } else if (wanted.length) {
        var value = wanted.shift();
        if (element.value !== value) { element.value = value; changed = true; }
      }
    });
    if (!changed) { dropDraft(); }
    return changed;
  }
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var url = xhr && xhr.responseURL;
    if (url && url.indexOf("/accounts/login") !== -1) { return; }
    if (event.detail.successful) {
      retryDelay = 0;
      // The server has answered (saved, refused a value, or kept the text beside a newer
      // version): the copy for a reload is needed again only for what was typed since.
      if (event.detail.elt === form && sent !== null && typed() !== sent) { keepDraft(); } else { dropDraft(); }
      // Someone else saved first: the answer is the comparison, put in its own box.
      if (xhr.getResponseHeader("HX-Retarget") === "#conflict") {
        say(form.dataset.msgConflict, "invalid");
        var box = document.getElementById("conflict");
        if (box && box.scrollIntoView) { box.scrollIntoView({ block: "start" }); }
        return;
      }
      // Only a save that went through clears the warning on leaving: "not saved" and "saved,
      // except …" answer 200 too, and their text is not safe yet.
      if (!/class="save-status saved"/.test(xhr.responseText || "")) { return; }
      if (event.detail.elt === form && sent !== null && typed() !== sent) {
        // Typed while this save was on its way: that text is not saved yet. It goes now
        // (queued behind this request), and the warning on leaving stays until it is saved.
        say(form.dataset.msgUnsaved, "pending");
        htmx.trigger(form, "change");
        return;
      }
      pending = false;
      return;
    }
    if (!xhr || RETRYABLE.indexOf(xhr.status) !== -1) {
      say(form.dataset.msgOffline, "invalid");
      retryLater(xhr);
      return;
    }
    say(form.dataset.msgError, "invalid");
  });
  // A button pressed while an autosave is on its way (a box ticked, then "save and go on") waits
  // for it: the form then carries the version that autosave made, not the one before it.
  var inFlight = 0;
  var waitingSubmitter = null;
  var leaving = false;
  form.addEventListener("htmx:beforeRequest", function (event) {
    // Once the form itself is being sent, an autosave still armed by the last keystroke
    // would arrive after it with the old page's text: it is dropped.
    if (leaving) { event.preventDefault(); return; }
    inFlight += 1;
    if (event.detail.elt === form) { sent = typed(); }
  });
  form.addEventListener("htmx:afterRequest", function () {
    inFlight = Math.max(0, inFlight - 1);
    if (inFlight === 0 && waitingSubmitter) {
      var submitter = waitingSubmitter;
      waitingSubmitter = null;
      window.setTimeout(function () {
        if (form.requestSubmit) { form.requestSubmit(submitter); } else if (submitter) { submitter.click(); } else { form.submit(); }
      }, 0);
    }
  });
  form.addEventListener("submit", function (event) {
    if (inFlight > 0) {
      event.preventDefault();
      waitingSubmitter = event.submitter || null;
      return;
    }
    leaving = true;
    window.clearTimeout(retryTimer);
    pending = false;
    // Sent whole: if it fails, the browser's own back button has the text (the 503 page says so).
    dropDraft();
  });
  // Choosing a version in the comparison box ("keep theirs", a link, or "save mine", a form
  // of its own) is leaving on purpose: the text in the form is kept on the server (that is
  // what the box compares), so leaving asks nothing.
  // Nor is the text kept for a reload: the person has chosen which version stays.
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("#conflict [data-choice]")) { pending = false; dropDraft(); }
  });
  document.addEventListener("submit", function (event) {
    if (event.target.closest && event.target.closest("#conflict")) { pending = false; dropDraft(); }
  });
  // What the page still lacks is redrawn by each save: a list the person opened stays open.
  document.body.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    var fragment = event.detail.fragment;
    if (!target || target.id !== "missing" || !fragment || !fragment.querySelector) { return; }
    var was = target.querySelector("details");
    var now = fragment.querySelector("details");
    if (was && now && was.open) { now.open = true; }
  });
  // A refused value is marked on its field, its message beside it, as the page drawn by the
  // server marks it; a field a later save accepted is unmarked. The status line's list of
  // refused values (#field-errors, redrawn with each answer) says which and where.
  function tokens(element, name) {
    return (element.getAttribute(name) || "").split(/\s+/).filter(Boolean);
  }
  function describe(element, id, add) {
    var ids = tokens(element, "aria-describedby").filter(function (each) { return each !== id; });
    if (add) { ids.push(id); }
    if (ids.length) { element.setAttribute("aria-describedby", ids.join(" ")); } else { element.removeAttribute("aria-describedby"); }
  }
  function markFields(list) {
    var wanted = {};
    var invalid = {};
    list.querySelectorAll("[data-message-id]").forEach(function (item) {
      var fields = (item.dataset.fields || "").split(" ").filter(Boolean);
      wanted[item.dataset.messageId] = { fields: fields, after: item.dataset.after, text: item.dataset.beside };
      fields.forEach(function (id) { invalid[id] = true; });
    });
    // Unmark what is no longer refused: its message goes, and every reference to it.
    form.querySelectorAll("[data-field-error]").forEach(function (message) {
      if (wanted[message.id]) { return; }
      form.querySelectorAll("[aria-describedby]").forEach(function (element) {
        if (tokens(element, "aria-describedby").indexOf(message.id) !== -1) { describe(element, message.id, false); }
      });
      message.remove();
    });
    form.querySelectorAll('[aria-invalid="true"]').forEach(function (element) {
      if (!invalid[element.id]) { element.removeAttribute("aria-invalid"); }
    });
    Object.keys(wanted).forEach(function (id) {
      var mark = wanted[id];
      var message = document.getElementById(id);
      if (!message) {
        var anchor = document.getElementById(mark.after || mark.fields[0]);
        if (!anchor) { return; }
        // After a text box's character count, which belongs to the box.
        if (anchor.nextElementSibling && anchor.nextElementSibling.classList.contains("counter")) { anchor = anchor.nextElementSibling; }
        message = document.createElement(mark.after ? "p" : "span");
        message.id = id;
        message.className = "error-text";
        message.setAttribute("data-field-error", "");
        anchor.insertAdjacentElement("afterend", message);
      }
      message.textContent = mark.text;
      mark.fields.forEach(function (fieldId) {
        var field = document.getElementById(fieldId);
        if (!field) { return; }
        field.setAttribute("aria-invalid", "true");
        describe(field, id, true);
      });
    });
  }
  if (form.hasAttribute("data-field-marks")) {
    var shownList = document.getElementById("field-errors");
    document.body.addEventListener("htmx:afterSwap", function () {
      var list = document.getElementById("field-errors");
      if (list && list !== shownList) { shownList = list; markFields(list); }
    });
  }
  window.addEventListener("beforeunload", function (event) {
    if (pending) { event.preventDefault(); event.returnValue = ""; }
  });
  if (restoreDraft()) {
    pending = true;
    say(form.dataset.msgRestored, "pending");
    // Sent once htmx has taken the form over (it does on DOMContentLoaded, after this script).
    var saveRestored = function () { window.setTimeout(function () { htmx.trigger(form, "change"); }, 0); };
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", saveRestored); } else { saveRestored(); }
  }
})();
