// Behaviour every page shares, kept out of the HTML: the Content-Security-Policy allows no
// inline script or event handler.
(function () {
  "use strict";
  // A select that applies itself when changed (the language); without script, its form's
  // own button does the same.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    // requestSubmit, not submit: the form's submit event (and its current token, below) too.
    select.addEventListener("change", function () {
      if (select.form.requestSubmit) { select.form.requestSubmit(); } else { select.form.submit(); }
    });
  });
  // Logging in again (in another tab, after the session ended) gives the session a new CSRF
  // secret, and this page's forms still hold the token of the old one: what they sent was
  // refused. Every form sent from the page, by htmx or by the browser, carries the current
  // token, read from Django's cookie when it is sent.
  function currentToken() {
    var found = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return found ? decodeURIComponent(found[1]) : "";
  }
  // A page shown to one person sends nothing once another is logged in, in another tab: it
  // would be saved under their name (pmqa/accounts/tabs.py). Logging out stays possible.
  function shownToSomeoneElse() {
    var mine = document.body.dataset.user;
    var found = document.cookie.match(/(?:^|;\s*)pmqa_user=([^;]+)/);
    return Boolean(mine && found && found[1] !== mine);
  }
  function refuse(event) {
    event.preventDefault();
    if (event.stopImmediatePropagation) { event.stopImmediatePropagation(); }
    var notice = document.getElementById("other-user");
    if (notice) {
      notice.hidden = false;
      if (notice.scrollIntoView) { notice.scrollIntoView({ block: "nearest" }); }
    }
  }
  document.addEventListener("submit", function (event) {
    var action = event.target.getAttribute ? event.target.getAttribute("action") || "" : "";
    if (shownToSomeoneElse() && !/\/logout\/$/.test(action)) { refuse(event); return; }
    var token = currentToken();
    if (!token || !event.target.querySelectorAll) { return; }
    event.target.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
      input.value = token;
    });
  }, true);
  // A form whose answer takes a while (logging in: the password's hash; publishing: the
  // report's files) says so at once and is sent once only. Its buttons are not disabled,
  // which would drop the pressed button's name and value from what is sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.dataset || form.dataset.busy === undefined) { return; }
    if (form.getAttribute("aria-busy") === "true") { event.preventDefault(); return; }
    form.setAttribute("aria-busy", "true");
    var status = form.querySelector(".busy-status");
    if (status) { status.hidden = false; status.textContent = form.dataset.busy; }
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (button) {
      button.setAttribute("aria-disabled", "true");
    });
  });
  // Back to the page from the browser's history: ready to be sent again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[aria-busy=true]").forEach(function (form) {
      form.removeAttribute("aria-busy");
      var status = form.querySelector(".busy-status");
      if (status) { status.hidden = true; }
      form.querySelectorAll("[aria-disabled=true]").forEach(function (button) {
        button.removeAttribute("aria-disabled");
      });
    });
  });
  document.addEventListener("htmx:configRequest", function (event) {
    if (shownToSomeoneElse()) { refuse(event); return; }
    var token = currentToken();
    // Not for requests whose parameters go in the address (GET, and DELETE in htmx 2).
    if (!token || event.detail.verb === "get" || event.detail.useUrlParams) { return; }
    event.detail.headers["X-CSRFToken"] = token;
    event.detail.parameters.csrfmiddlewaretoken = token;
  });
})();
