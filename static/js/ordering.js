/* The ordering page, saved without reloading.
 *
 * Every item has a plain form that works without this script. With it, a
 * change of quantity or tolerance (or the Save button) posts that form with
 * fetch, asking for JSON, and the answer updates the case indicator, the
 * line, the order total and the available funds in place; refusals appear
 * next to the fields. Every 30 seconds, while the page is visible, the case
 * indicators are refreshed from cases.json, so a household sees the cases
 * fill as others order. Anything unexpected falls back to the plain post.
 *
 * On a slow connection a member types on while a save is on its way, so:
 * every save posts the whole form (quantity and extra together); one item
 * has at most one save in flight, and whatever changed meanwhile is sent as
 * soon as it returns, so the last thing typed is what is stored; and an
 * answer fills a box only if the box still holds what that save sent, never
 * overwriting what was typed since.
 */
(function () {
  "use strict";

  var forms = document.querySelectorAll("form[data-order-item]");
  if (!forms.length || !window.fetch || !window.FormData) {
    return;
  }
  var FIELDS = ["quantity", "tolerance"];
  var POLL_MS = 30000;

  function setText(id, text) {
    var element = document.getElementById(id);
    if (element && typeof text === "string") {
      element.textContent = text;
    }
  }

  function typed(form, name) {
    return form.elements[name].value.trim() || "0";
  }

  function values(form) {
    return FIELDS.map(function (name) {
      return typed(form, name);
    }).join("/");
  }

  function say(form, text) {
    var status = form.querySelector("[data-status]");
    if (status) {
      status.textContent = text;
    }
  }

  function describedBy(input, id, add) {
    var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (each) {
      return each && each !== id;
    });
    if (add) {
      ids.push(id);
    }
    if (ids.length) {
      input.setAttribute("aria-describedby", ids.join(" "));
    } else {
      input.removeAttribute("aria-describedby");
    }
  }

  function clearErrors(form) {
    FIELDS.forEach(function (name) {
      var input = form.elements[name];
      var field = input.closest(".field");
      var error = document.getElementById(input.id + "-error");
      if (error) {
        error.remove();
      }
      field.classList.remove("field-error");
      input.removeAttribute("aria-invalid");
      describedBy(input, input.id + "-error", false);
    });
    var itemError = form.querySelector("[data-item-error]");
    itemError.textContent = "";
    itemError.hidden = true;
  }

  function showErrors(form, errors) {
    var first = null;
    Object.keys(errors).forEach(function (name) {
      var input = FIELDS.indexOf(name) >= 0 ? form.elements[name] : null;
      if (!input) {
        var itemError = form.querySelector("[data-item-error]");
        itemError.textContent = errors[name];
        itemError.hidden = false;
        return;
      }
      var error = document.createElement("p");
      error.className = "error";
      error.id = input.id + "-error";
      error.textContent = errors[name];
      input.parentNode.insertBefore(error, input);
      input.closest(".field").classList.add("field-error");
      input.setAttribute("aria-invalid", "true");
      describedBy(input, error.id, true);
      first = first || input;
    });
    if (first) {
      first.focus();
    }
  }

  // *sent* is what the save carried, field by field: a box typed in since keeps its text.
  function update(form, answer, sent) {
    var item = form.closest(".item");
    var indicator = item.querySelector("[data-indicator]");
    if (indicator && indicator.textContent !== answer.indicator) {
      indicator.textContent = answer.indicator;
    }
    form.querySelector("[data-line]").textContent = answer.line;
    FIELDS.forEach(function (name, index) {
      var input = form.elements[name];
      if (input !== document.activeElement && typed(form, name) === sent[index]) {
        input.value = String(answer[name]); // "04" is shown as the 4 that was stored
      }
    });
    item.classList.toggle("item-ordered", answer.quantity > 0 || answer.tolerance > 0);
    setText("order-total", answer.total);
    setText("available-funds", answer.available);
    setText("committed", answer.committed);
  }

  function answerOf(response) {
    return response.json().then(
      function (answer) {
        return { status: response.status, answer: answer };
      },
      function () {
        return { status: response.status, answer: null };
      }
    );
  }

  function save(form) {
    var wanted = values(form);
    if (form.dataset.busy) {
      // Sent once this save returns, with the boxes as they are then.
      form.dataset.again = wanted !== form.dataset.sending ? "1" : "";
      return;
    }
    if (wanted === form.dataset.saved) {
      return; // a change event and a click on Save for the same numbers
    }
    form.dataset.busy = "1";
    form.dataset.sending = wanted;
    form.classList.add("is-saving");
    say(form, "Saving…");
    var sent = wanted.split("/");
    var message = "";
    fetch(form.action, {
      method: "POST",
      body: new FormData(form), // both boxes, as they are now
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(answerOf)
      .then(
        function (result) {
          var typedSince = values(form) !== wanted;
          if (result.status === 200 && result.answer) {
            clearErrors(form);
            update(form, result.answer, sent);
            form.dataset.saved = typedSince ? wanted : values(form);
            message = result.answer.message;
          } else if (result.answer && result.answer.errors) {
            form.dataset.saved = "";
            clearErrors(form);
            if (!typedSince) {
              showErrors(form, result.answer.errors); // else they are about numbers since replaced
            }
          } else {
            form.submit(); // the plain post shows what went wrong
          }
        },
        function () {
          message = "Not saved: check your connection and try again.";
        }
      )
      .then(function () {
        delete form.dataset.busy;
        form.classList.remove("is-saving");
        var again = form.dataset.again;
        form.dataset.again = "";
        if (again && values(form) !== form.dataset.saved) {
          save(form); // what was typed while this save was on its way
        } else {
          say(form, message);
        }
      });
  }

  Array.prototype.forEach.call(forms, function (form) {
    form.dataset.saved = values(form);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save(form);
    });
    form.addEventListener("change", function (event) {
      if (FIELDS.indexOf(event.target.name) >= 0) {
        save(form);
      }
    });
  });

  // The case indicators move as other households order.
  var source = document.querySelector("[data-cases-url]");
  if (!source) {
    return;
  }
  var url = source.getAttribute("data-cases-url");
  var timer = null;

  function refresh() {
    if (document.visibilityState !== "visible") {
      return;
    }
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(
        function (data) {
          if (!data) {
            return;
          }
          data.items.forEach(function (item) {
            var indicator = document.getElementById("indicator-" + item.id);
            // Only a real change, so screen readers announce only news.
            if (indicator && indicator.textContent !== item.indicator) {
              indicator.textContent = item.indicator;
            }
          });
          if (!data.open && timer) {
            clearInterval(timer);
            timer = null;
          }
        },
        function () {}
      );
  }

  timer = setInterval(refresh, POLL_MS);
  document.addEventListener("visibilitychange", refresh);
})();
