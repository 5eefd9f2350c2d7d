// The status lookup form (templates/public/status.html): a 显示 button next to the query code
// shows the code as typed, and hides it again (a toggle button: aria-pressed). Progressive
// enhancement only: without this file the button stays hidden and the form works as before.
// A file of its own, loaded only by that page (the CSP allows no inline script).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-reveal]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-reveal"));
    if (!input) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      button.setAttribute("aria-pressed", String(show));
    });
  });
});
