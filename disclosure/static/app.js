// Progressive enhancement only: every page works without this file.
// 适老化: font size and high contrast, remembered per browser (localStorage). Loaded in <head>
// without defer, so the remembered choice applies before the first paint; the rest waits for
// DOMContentLoaded.
(function () {
  var root = document.documentElement;
  function apply() {
    var font = localStorage.getItem("disclosure.font") || "standard";
    var contrast = localStorage.getItem("disclosure.contrast") === "1";
    root.classList.remove("font-large", "font-xlarge");
    if (font !== "standard") root.classList.add("font-" + font);
    root.classList.toggle("high-contrast", contrast);
    document.querySelectorAll("[data-font]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-font") === font));
    });
    document.querySelectorAll("[data-contrast]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(contrast));
    });
  }
  try { apply(); } catch (e) { /* storage disabled: keep the defaults */ }
  document.addEventListener("DOMContentLoaded", function () {
    apply();
    document.querySelectorAll("[data-font]").forEach(function (b) {
      b.addEventListener("click", function () {
        localStorage.setItem("disclosure.font", b.getAttribute("data-font")); apply();
      });
    });
    document.querySelectorAll("[data-contrast]").forEach(function (b) {
      b.addEventListener("click", function () {
        var on = localStorage.getItem("disclosure.contrast") === "1";
        localStorage.setItem("disclosure.contrast", on ? "0" : "1"); apply();
      });
    });
  });
})();

document.addEventListener("DOMContentLoaded", function () {
  var type = document.getElementById("applicant_type");
  function sync() {
    if (!type) return;
    var person = type.value === "natural_person", org = type.value && !person;
    document.querySelectorAll(".person-only").forEach(function (el) { el.hidden = org; });
    document.querySelectorAll(".org-only").forEach(function (el) { el.hidden = person; });
  }
  if (type) { type.addEventListener("change", sync); sync(); }
  // Dates and tracking numbers do not wrap (.nowrap): a table wider than the screen (a phone)
  // is put in a box that scrolls sideways, instead of the whole page. Only such a table: the
  // others keep their place in the page. The box can be focused, so the keyboard scrolls it.
  function boxWideTables() {
    document.querySelectorAll("main table").forEach(function (table) {
      var parent = table.parentElement;
      if (parent.classList.contains("table-scroll")) return;
      var style = getComputedStyle(parent);
      var room = parent.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      if (table.getBoundingClientRect().width <= room + 1) return;
      var box = document.createElement("div");
      box.className = "table-scroll";
      box.setAttribute("tabindex", "0");
      parent.insertBefore(box, table);
      box.appendChild(table);
    });
  }
  boxWideTables();
  window.addEventListener("resize", boxWideTables);
  document.querySelectorAll(".js-print").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
});
