// Behaviour every page shares, kept out of the HTML: the Content-Security-Policy allows no
// inline script or event handler.
(function () {
  "use strict";
  // A select that applies itself when changed (the language); without script, its form's
  // own button does the same.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
