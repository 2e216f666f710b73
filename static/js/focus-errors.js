// After a form comes back with errors, move focus to the summary of what to fix,
// so screen readers announce it and keyboard users start there. Pages work without it.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) {
    if (!summary.hasAttribute("tabindex")) {
      summary.setAttribute("tabindex", "-1");
    }
    summary.focus();
  }
})();
