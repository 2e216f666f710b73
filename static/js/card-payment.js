// The card payment page: confirm the card with Stripe.js, then wait for the webhook.
// The balance changes only when the server has posted the payment, so after the card
// is accepted the page says "pending" and asks the server until the payment is paid.
(function () {
  "use strict";
  var root = document.getElementById("card-payment");
  if (!root || typeof Stripe === "undefined") {
    return;
  }
  // A payment on a co-op's own Stripe account (Connect) is confirmed on that account.
  var stripe = root.dataset.account
    ? Stripe(root.dataset.key, { stripeAccount: root.dataset.account })
    : Stripe(root.dataset.key);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var form = document.getElementById("card-form");
  var button = document.getElementById("pay-button");
  var errors = document.getElementById("card-errors");
  var pending = document.getElementById("payment-pending");

  function showError(message) {
    errors.textContent = message || "The card payment did not go through. Try again.";
    errors.hidden = false;
    button.disabled = false;
  }

  function waitForConfirmation() {
    form.hidden = true;
    pending.hidden = false;
    var tries = 0;
    function ask() {
      tries += 1;
      fetch(root.dataset.statusUrl, { headers: { Accept: "application/json" } })
        .then(function (answer) { return answer.json(); })
        .then(function (payment) {
          if (payment.status === "succeeded" || payment.status === "failed") {
            window.location.reload();
          } else if (tries < 60) {
            window.setTimeout(ask, 1000);
          }
        })
        .catch(function () {
          if (tries < 60) {
            window.setTimeout(ask, 2000);
          }
        });
    }
    ask();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errors.hidden = true;
    stripe
      .confirmCardPayment(root.dataset.secret, { payment_method: { card: card } })
      .then(function (result) {
        if (result.error) {
          showError(result.error.message);
        } else {
          waitForConfirmation();
        }
      });
  });
})();
