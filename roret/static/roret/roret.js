// Small behaviours that pages ask for by data attribute, so no page needs an inline script or an
// on...= handler (the Content-Security-Policy forbids both):
//   data-roret-print              a button that prints the page;
//   data-roret-copy-to="ID"       a radio or checkbox that, when chosen, puts its value into the
//                                 field with that id (e.g. the offer picked from the proposal table).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var printer = event.target.closest("[data-roret-print]");
    if (printer) {
      window.print();
    }
  });
  document.addEventListener("change", function (event) {
    var source = event.target;
    var targetId = source.getAttribute && source.getAttribute("data-roret-copy-to");
    if (targetId && source.checked) {
      var target = document.getElementById(targetId);
      if (target) {
        target.value = source.value;
        target.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
  });
})();
