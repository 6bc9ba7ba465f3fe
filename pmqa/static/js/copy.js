// A copy button beside text shown once to be copied (a new API token): the Clipboard API where
// the page may use it (https, or the machine itself), else the text selected and copied the
// older way; the outcome is said in words in a status region, which screen readers announce.
// The box holding the button stays hidden without this script: a button must work.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (box) {
    var source = document.getElementById(box.dataset.copy);
    var button = box.querySelector("button");
    var status = box.querySelector("[role=status]");
    if (!source || !button || !status) { return; }

    function say(text) {
      // Emptied first, so that a second copy is announced again.
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
    function selectSource() {
      source.focus();
      source.select();
      source.setSelectionRange(0, source.value.length);
    }
    function copiedTheOldWay() {
      selectSource();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
      return copied;
    }
    function done(copied) {
      if (copied) {
        button.focus();
        say(box.dataset.copied);
      } else {
        selectSource(); // left selected, for Ctrl+C
        say(box.dataset.failed);
      }
    }

    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value).then(
          function () { done(true); },
          function () { done(copiedTheOldWay()); }
        );
      } else {
        done(copiedTheOldWay());
      }
    });
    box.hidden = false;
  });
})();
