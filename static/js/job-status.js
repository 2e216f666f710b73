/* A job's status page, updated in place.
 *
 * Without this script the page reloads itself every few seconds (a refresh
 * in <noscript>). With it, the page asks the run's JSON address instead,
 * moves the <progress> bar and the text beside it, and loads the page once
 * more when the run has finished, to show its result. If a request fails the
 * page is simply loaded again, as it would be without the script.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-job-status]");
  if (!box || !window.fetch) {
    return;
  }
  var address = box.getAttribute("data-job-status");
  var interval = parseInt(box.getAttribute("data-job-interval"), 10) || 2000;
  var bar = box.querySelector("progress");
  var label = box.querySelector("[data-job-field=status_label]");
  var text = box.querySelector("[data-job-field=text]");

  function show(state) {
    if (bar && state.total !== null) {
      bar.max = state.total || 1;
      bar.value = state.total ? state.done : 1;
      bar.textContent = state.text;
    }
    if (label && label.textContent !== state.status_label) {
      label.textContent = state.status_label;
    }
    var said = state.finished ? state.text : state.text + ". This page updates itself.";
    if (text && text.textContent !== said) {
      text.textContent = said;
    }
  }

  function look() {
    window
      .fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (state.finished) {
          window.location.replace(state.page);
        } else {
          window.setTimeout(look, interval);
        }
      })
      .catch(function () {
        window.setTimeout(function () {
          window.location.reload();
        }, interval);
      });
  }

  window.setTimeout(look, interval);
})();
