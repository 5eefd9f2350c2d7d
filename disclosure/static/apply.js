// The online application (issue 16): public/apply.html and public/apply_review.html only.
// Progressive enhancement: without this file the pages work the same, the first field with an
// error has the autofocus attribute, and the required marks are the server's.
(function () {
  "use strict";

  // After a failed submission the error summary takes focus, so a screen reader reads it and
  // a keyboard user tabs straight into its links (autofocus on a field is the no-script way).
  function focusSummary() {
    var box = document.getElementById("error-summary") || document.querySelector("main .errors");
    if (!box) return;
    if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "-1");
    box.focus();
  }

  // E-mail and address are required only for delivery by e-mail / by mail: their * and
  // required state follow the chosen delivery method.
  var WHEN = { email: "email", address: "mail" };
  function syncDelivery() {
    var method = document.getElementById("delivery_method");
    if (!method) return;
    Object.keys(WHEN).forEach(function (id) {
      var input = document.getElementById(id);
      var box = document.getElementById("field-" + id);
      if (!input || !box) return;
      var need = method.value === WHEN[id];
      var star = box.querySelector("label .required");
      if (star) star.hidden = !need;
      input.required = need;
      if (need) input.setAttribute("aria-required", "true");
      else input.removeAttribute("aria-required");
    });
  }

  // The name field is a person's name or an organisation's: autofill follows the type.
  function syncType() {
    var type = document.getElementById("applicant_type");
    var name = document.getElementById("name");
    if (!type || !name) return;
    var org = type.value && type.value !== "natural_person";
    name.setAttribute("autocomplete", org ? "organization" : "name");
  }

  function start() {
    var method = document.getElementById("delivery_method");
    if (method) method.addEventListener("change", syncDelivery);
    var type = document.getElementById("applicant_type");
    if (type) type.addEventListener("change", syncType);
    syncDelivery();
    syncType();
    focusSummary();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
