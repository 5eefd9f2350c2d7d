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

  // "可能已经公开" (条例第四十四条): as the subject is typed, published catalogue entries like
  // it, from /apply/similar. Quiet on purpose: 300 ms after the last key, only from two
  // characters, a stale answer dropped, any failure (offline, rate limit) just hides the box.
  var SIMILAR_MIN = 2, SIMILAR_MAX = 200, SIMILAR_WAIT = 300;
  var similarTimer = null, similarSeq = 0, similarLast = null;

  function similarBox() {
    return {
      live: document.getElementById("similar-live"),
      box: document.getElementById("similar"),
      list: document.getElementById("similar-list")
    };
  }

  function showSimilar(items) {
    var el = similarBox();
    if (!el.box || !el.list) return;
    while (el.list.firstChild) el.list.removeChild(el.list.firstChild);
    (items || []).forEach(function (it) {
      if (!it || typeof it.url !== "string" || it.url.charAt(0) !== "/") return;
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = it.url;
      a.textContent = it.title;
      // an English page reads the Chinese title in Chinese (the |langattr of the templates)
      if (document.documentElement.lang === "en" && /[\u4e00-\u9fff]/.test(it.title)) a.lang = "zh-CN";
      li.appendChild(a);
      var extra = [];
      if (it.doc_number) extra.push(it.doc_number);
      if (it.issued_on) extra.push((el.list.getAttribute("data-issued") || "") + " " + it.issued_on);
      if (it.repealed) extra.push(el.list.getAttribute("data-repealed") || "");
      if (extra.length) {
        var small = document.createElement("small");
        small.textContent = " " + extra.join(" · ");
        li.appendChild(small);
      }
      el.list.appendChild(li);
    });
    el.box.hidden = !el.list.firstChild;
  }

  function askSimilar(subject) {
    var el = similarBox();
    var q = subject.replace(/^\s+|\s+$/g, "").slice(0, SIMILAR_MAX);
    if (q.length < SIMILAR_MIN) { similarLast = null; showSimilar([]); return; }
    if (q === similarLast) return;
    similarLast = q;
    var seq = ++similarSeq;
    var url = el.live.getAttribute("data-url") + "?q=" + encodeURIComponent(q);
    if (!window.fetch) return;
    window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (items) { if (seq === similarSeq) showSimilar(Array.isArray(items) ? items : []); })
      .catch(function () { if (seq === similarSeq) showSimilar([]); });
  }

  function startSimilar() {
    var subject = document.getElementById("subject");
    var el = similarBox();
    if (!subject || !el.live || !el.box) return;
    // under the subject field, where the applicant is looking
    var field = document.getElementById("field-subject");
    if (field && field.parentNode) field.parentNode.insertBefore(el.live, field.nextSibling);
    subject.addEventListener("input", function () {
      if (similarTimer) window.clearTimeout(similarTimer);
      similarTimer = window.setTimeout(function () { askSimilar(subject.value); }, SIMILAR_WAIT);
    });
    if (subject.value) askSimilar(subject.value);  // back from the review page with a subject
  }

  function start() {
    var method = document.getElementById("delivery_method");
    if (method) method.addEventListener("change", syncDelivery);
    var type = document.getElementById("applicant_type");
    if (type) type.addEventListener("change", syncType);
    syncDelivery();
    syncType();
    startSimilar();
    focusSummary();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
