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
  form.addEventListener("input", function () { pending = true; say(form.dataset.msgUnsaved, "pending"); });
  form.addEventListener("change", function () { pending = true; });
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
  function retryLater() {
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 3000, 30000);
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(function () { htmx.trigger(form, "change"); }, retryDelay);
  }
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var url = xhr && xhr.responseURL;
    if (url && url.indexOf("/accounts/login") !== -1) { return; }
    if (event.detail.successful) {
      retryDelay = 0;
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
    if (!xhr || xhr.status === 0 || xhr.status === 503) {
      say(form.dataset.msgOffline, "invalid");
      retryLater();
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
  });
  // Choosing a version in the comparison box ("keep theirs", a link, or "save mine", a form
  // of its own) is leaving on purpose: the text in the form is kept on the server (that is
  // what the box compares), so leaving asks nothing.
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("#conflict [data-choice]")) { pending = false; }
  });
  document.addEventListener("submit", function (event) {
    if (event.target.closest && event.target.closest("#conflict")) { pending = false; }
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
})();
