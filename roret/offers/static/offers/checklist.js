// A long list of checkboxes made usable: a filter field narrows the list as one types, and a count
// says how many are ticked. Without JavaScript the whole list shows, in a scrolling box.
(function () {
  "use strict";
  function setUp(box) {
    var filter = box.querySelector("[data-checklist-filter]");
    var count = box.querySelector("[data-checklist-count]");
    var items = Array.prototype.slice.call(box.querySelectorAll("li[data-text]"));
    var template = count ? (document.documentElement.lang === "en" ? "{n} chosen" : "{n} valgt") : "";
    function recount() {
      if (!count) { return; }
      var n = box.querySelectorAll("input[type=checkbox]:checked").length;
      count.textContent = template.replace("{n}", n);
    }
    function narrow() {
      var words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      items.forEach(function (item) {
        var text = item.getAttribute("data-text");
        var checked = item.querySelector("input").checked;
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        item.hidden = !(match || checked);
      });
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
