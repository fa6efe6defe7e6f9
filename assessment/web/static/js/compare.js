/* The compare chooser, improved where scripts run: the list narrows as a name is typed,
   and ticking more agencies than allowed says so at once. Without it the form works the
   same through "Filter the list" and "Compare". */
(function () {
  "use strict";
  var form = document.getElementById("compare-form");
  if (!form) { return; }
  var max = parseInt(form.getAttribute("data-max"), 10);
  var name = form.querySelector("input[name=name]");
  var items = form.querySelectorAll(".compare__choices .choice");
  var message = document.getElementById("too-many");
  var count = document.getElementById("chosen-count");

  function narrow() {
    var text = name.value.trim().toLowerCase();
    items.forEach(function (item) {
      item.hidden = text !== "" && item.getAttribute("data-name").indexOf(text) === -1;
    });
  }

  function recount() {
    var ticked = form.querySelectorAll("input[name=agency]:checked").length +
      form.querySelectorAll("input[type=hidden][name=agency]").length;
    count.textContent = String(ticked);
    message.textContent = ticked > max
      ? "Choose at most " + max + " agencies to compare; " + ticked + " are chosen. Untick " +
        (ticked - max) + "."
      : "";
  }

  if (name) { name.addEventListener("input", narrow); }
  form.addEventListener("change", recount);
})();
