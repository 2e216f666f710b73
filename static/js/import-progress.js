/* Catalogue upload with a progress bar.
 *
 * The form works without this script. With it, the file goes up through
 * XMLHttpRequest (the form's own fields, CSRF token included), a <progress>
 * shows how much has been sent, then "Checking N rows…" while the server
 * reads the file, and the browser goes on to the preview the server names.
 * If anything unexpected happens the form is simply submitted as usual.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-import-progress]");
  if (!form || !window.XMLHttpRequest || !window.FormData) {
    return;
  }
  var input = form.querySelector("input[type=file]");
  var box = form.querySelector(".import-progress");
  var bar = box && box.querySelector("progress");
  var status = box && box.querySelector("[role=status]");
  var button = form.querySelector("button[type=submit]");
  if (!input || !box || !bar || !status) {
    return;
  }
  var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;
  var rows = null;

  function say(text) {
    status.textContent = text;
  }

  function countRows(file) {
    // Counted while the file uploads; quoted line breaks make it an estimate.
    rows = null;
    if (!file.text) {
      return;
    }
    file.text().then(function (text) {
      var lines = text.split(/\r\n|\n|\r/).filter(function (line) {
        return line.trim() !== "";
      });
      rows = Math.max(lines.length - 1, 0);
    }, function () {});
  }

  function showErrors(messages) {
    var old = form.querySelector(".import-errors");
    if (old) {
      old.remove();
    }
    var list = document.createElement("div");
    list.className = "error-summary import-errors";
    list.setAttribute("role", "alert");
    list.tabIndex = -1;
    messages.forEach(function (message) {
      var p = document.createElement("p");
      p.className = "error";
      p.textContent = message;
      list.appendChild(p);
    });
    form.insertBefore(list, form.firstChild);
    list.focus();
  }

  function reset() {
    box.hidden = true;
    if (button) {
      button.disabled = false;
    }
  }

  function plainSubmit() {
    // form.submit() skips this handler, so the ordinary upload takes over.
    reset();
    form.submit();
  }

  form.addEventListener("submit", function (event) {
    var file = input.files && input.files[0];
    if (!file) {
      return; // the server explains what is missing
    }
    if (maxBytes && file.size > maxBytes) {
      return; // the server refuses it with its message, before reading it
    }
    event.preventDefault();
    countRows(file);

    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        bar.value = Math.round((e.loaded / e.total) * 100);
        say("Uploading: " + bar.value + "%");
      }
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = 100;
      bar.removeAttribute("value"); // an indeterminate bar while the server reads
      say(rows === null ? "Checking the rows…" : "Checking " + rows.toLocaleString("en-GB") + " rows…");
    });
    xhr.addEventListener("load", function () {
      var answer = null;
      try {
        answer = JSON.parse(xhr.responseText);
      } catch (ignored) {
        answer = null;
      }
      if (xhr.status === 200 && answer && answer.location) {
        window.location.assign(answer.location);
      } else if (xhr.status === 400 && answer && answer.errors && answer.errors.length) {
        reset();
        showErrors(answer.errors);
      } else {
        plainSubmit();
      }
    });
    xhr.addEventListener("error", plainSubmit);

    box.hidden = false;
    bar.value = 0;
    say("Uploading: 0%");
    if (button) {
      button.disabled = true;
    }
    xhr.send(new FormData(form));
  });
})();
