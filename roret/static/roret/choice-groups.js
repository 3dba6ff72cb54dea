// A multiple choice among many FFB terms, grouped under their FFB heading in <details>
// (visitation/_choice_groups.html), made quicker to use: a filter field narrows the groups to the
// terms whose name holds every typed word (a ticked term always stays in sight) and opens the
// groups that hold a match, and a line says how many are ticked. Without JavaScript the groups
// open and close by hand and the filter field stays hidden; the checkboxes are the same either way.
(function () {
  "use strict";
  var danish = document.documentElement.lang !== "en";
  function setUp(box) {
    var tools = box.querySelector("[data-choice-tools]");
    var filter = box.querySelector("[data-choice-filter]");
    var count = box.querySelector("[data-choice-count]");
    var groups = Array.prototype.slice.call(box.querySelectorAll("[data-choice-group]"));
    var openedByHand = groups.map(function (g) { return g.open; });
    function recount() {
      var n = box.querySelectorAll("input[type=checkbox]:checked").length;
      count.textContent = danish ? (n === 0 ? "Ingen valgt" : n + " valgt") : (n === 0 ? "None chosen" : n + " chosen");
    }
    function narrow() {
      var words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      groups.forEach(function (group, i) {
        var heading = group.querySelector("summary").textContent.toLowerCase();
        var shown = 0;
        group.querySelectorAll("li[data-text]").forEach(function (item) {
          var text = item.getAttribute("data-text") + " " + heading;
          var match = words.every(function (w) { return text.indexOf(w) !== -1; });
          item.hidden = !(match || item.querySelector("input").checked);
          if (!item.hidden) { shown += 1; }
        });
        group.hidden = shown === 0;
        group.open = words.length ? shown > 0 : openedByHand[i] || !!group.querySelector("input:checked");
      });
    }
    if (filter) {
      tools.hidden = false;
      filter.addEventListener("input", narrow);
      filter.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); } });
    }
    groups.forEach(function (group, i) {
      group.addEventListener("toggle", function () { if (!filter || !filter.value.trim()) { openedByHand[i] = group.open; } });
    });
    box.addEventListener("change", recount);
    recount();
  }
  document.querySelectorAll("[data-choice-groups]").forEach(setUp);
})();
