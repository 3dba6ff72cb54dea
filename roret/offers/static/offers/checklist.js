// A long list of checkboxes made usable: a filter field narrows the list as one types (by a term's
// name or its group's), and a line says which are ticked. Without JavaScript the whole list shows,
// in a scrolling box.
(function () {
  "use strict";
  var danish = document.documentElement.lang !== "en";
  function setUp(box) {
    var filter = box.querySelector("[data-checklist-filter]");
    var count = box.querySelector("[data-checklist-count]");
    var list = box.querySelector(".roret-checklist-items");
    var items = Array.prototype.slice.call(box.querySelectorAll("li[data-text]"));
    function recount() {
      if (!count) { return; }
      var names = Array.prototype.map.call(box.querySelectorAll("input[type=checkbox]:checked"), function (input) {
        return box.querySelector("label[for='" + input.id + "']").textContent.trim();
      });
      count.textContent = names.length ? (danish ? "Valgt: " : "Chosen: ") + names.join(", ")
                                       : (danish ? "Ingen valgt" : "None chosen");
    }
    function narrow() {
      var words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      items.forEach(function (item) {
        var text = item.getAttribute("data-text");
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        item.hidden = !(match || item.querySelector("input").checked);
      });
      if (list) { list.scrollTop = 0; }
    }
    if (filter) {
      filter.hidden = false;
      filter.addEventListener("input", narrow);
      filter.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); } });
    }
    box.addEventListener("change", recount);
    recount();
  }
  document.querySelectorAll("[data-checklist]").forEach(setUp);
})();
