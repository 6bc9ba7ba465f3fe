// The idle timeout's warning: shortly before the server would log the session out, offer to
// stay logged in; once it has, say so and keep the page as it is (its text stays).
// The server knows best how long is left (another tab may have been busy): it is asked each
// time before the warning is shown. Asking is not activity.
(function () {
  "use strict";
  var box = document.getElementById("idle-warning");
  if (!box || !window.fetch) { return; }
  var statusUrl = box.dataset.statusUrl;
  var warning = Number(box.dataset.warning) * 1000;
  var stay = box.querySelector("form[data-idle-stay]");
  var timer = null;

  function texts(state) {
    box.querySelectorAll("[data-idle-text]").forEach(function (element) {
      element.hidden = element.dataset.idleText !== state;
    });
    stay.hidden = state !== "warn";
  }
  function show(state) {
    texts(state);
    var wasHidden = box.hidden;
    box.hidden = false;
    if (wasHidden && state === "warn") { stay.querySelector("button").focus(); }
  }
  function schedule(seconds) {
    window.clearTimeout(timer);
    var left = seconds * 1000;
    if (left <= 0) { show("expired"); return; }
    if (left > warning) {
      box.hidden = true;
      timer = window.setTimeout(ask, left - warning);
    } else {
      show("warn");
      timer = window.setTimeout(ask, left + 1000);
    }
  }
  function answer(response) {
    if (!response.ok) { throw new Error("status " + response.status); }
    return response.json().then(function (data) {
      if (data.expired) { window.clearTimeout(timer); show("expired"); } else { schedule(data.remaining); }
    });
  }
  function ask() {
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(answer)
      .catch(function () { timer = window.setTimeout(ask, 30000); });
  }
  // The CSRF token from its cookie (Django's own way for scripts): the page carries none of
  // its own here, so that the part of the page the server caches stays the same.
  function csrfToken() {
    var found = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return found ? decodeURIComponent(found[1]) : "";
  }
  stay.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(statusUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: new FormData(stay)
    }).then(answer).catch(function () { window.clearTimeout(timer); timer = window.setTimeout(ask, 5000); });
  });
  // A page's own requests (autosave) are activity too; the server is asked when it matters.
  schedule(Number(box.dataset.remaining));
})();
