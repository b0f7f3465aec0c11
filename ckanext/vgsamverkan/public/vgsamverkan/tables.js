/* A table wider than the screen says so (issue 39): on a phone a table that is not made
   of stacked rows scrolls sideways inside its box, and nothing showed that it did. Each
   such box gets a line above it with the page's words, and can be scrolled with the
   keyboard (it takes the focus, named by the table's caption). */
(function () {
  "use strict";
  function mark() {
    var hint = document.body.getAttribute("data-vgs-scroll-hint");
    if (!hint) { return; }
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      var said = box.previousElementSibling;
      var has = said && said.classList.contains("vgs-scroll-hint");
      if (wide && !has) {
        var p = document.createElement("p");
        p.className = "vgs-scroll-hint small text-muted";
        p.textContent = hint;
        box.parentNode.insertBefore(p, box);
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        var caption = box.querySelector("caption");
        if (caption) { box.setAttribute("aria-label", caption.textContent.trim()); }
      } else if (!wide && has) {
        said.remove();
      }
    });
  }
  document.addEventListener("DOMContentLoaded", mark);
  window.addEventListener("resize", mark);
})();
