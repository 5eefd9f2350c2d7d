// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  var type = document.getElementById("applicant_type");
  function sync() {
    if (!type) return;
    var person = type.value === "natural_person", org = type.value && !person;
    document.querySelectorAll(".person-only").forEach(function (el) { el.hidden = org; });
    document.querySelectorAll(".org-only").forEach(function (el) { el.hidden = person; });
  }
  if (type) { type.addEventListener("change", sync); sync(); }
  document.querySelectorAll(".js-print").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
});
