// The card page of auto-pay: save the card with Stripe.js (confirmCardSetup, which runs any
// 3-D Secure check), then post back so the server reads the saved card from the processor.
(function () {
  "use strict";
  var root = document.getElementById("card-setup");
  if (!root || typeof Stripe === "undefined") {
    return;
  }
  var stripe = Stripe(root.dataset.key);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var form = document.getElementById("card-form");
  var button = document.getElementById("save-button");
  var errors = document.getElementById("card-errors");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errors.hidden = true;
    stripe
      .confirmCardSetup(root.dataset.secret, { payment_method: { card: card } })
      .then(function (result) {
        if (result.error) {
          errors.textContent = result.error.message || "The card was not saved. Try again.";
          errors.hidden = false;
          button.disabled = false;
        } else {
          document.getElementById("card-saved").submit();
        }
      });
  });
})();
