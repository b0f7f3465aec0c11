/* Binding acts are confirmed before they are sent (issue 21).
   A form with data-vgs-confirm="<consequence>" opens the page's modal <dialog> instead of
   being sent; "yes" sends it with confirmed=yes (and the button that was pressed), "no"
   or Escape closes the dialog and gives the focus back to that button. Without this
   script the server asks on a confirmation page (views/_confirm.py). */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var opener = event.submitter || (form.querySelector && form.querySelector("[type='submit']"));
    // a button may name its own consequence (the bulk form: approve or reject)
    var source = opener && opener.hasAttribute("data-vgs-confirm") ? opener : form;
    var message = source.getAttribute && source.getAttribute("data-vgs-confirm");
    var dialog = document.getElementById("vgs-confirm-dialog");
    if (!message || !dialog || typeof dialog.showModal !== "function") { return; }
    var confirmed = form.querySelector("input[name='confirmed']");
    if (!confirmed || confirmed.value === "yes") { return; }
    // a required field left empty: the server names it before anything is asked (issue 39)
    var empty = Array.prototype.some.call(form.querySelectorAll("[required]"), function (field) {
      return !field.disabled && !String(field.value || "").trim();
    });
    if (empty) { return; }
    event.preventDefault();
    // a form that acts on the ticked rows (the bulk decisions) asks nothing with none
    // ticked: it says so instead, where the reader is (issue 39)
    var none = form.getAttribute("data-vgs-none");
    if (none && !form.querySelector("input[name='items']:checked")) {
      var said = document.getElementById(form.getAttribute("data-vgs-none-at"));
      if (said) { said.textContent = none; said.hidden = false; said.focus(); }
      return;
    }
    document.getElementById("vgs-confirm-text").textContent = message;
    document.getElementById("vgs-confirm-yes").textContent = source.getAttribute("data-vgs-confirm-yes");
    dialog.returnValue = "";
    dialog.addEventListener("close", function closed() {
      dialog.removeEventListener("close", closed);
      if (dialog.returnValue === "yes") {
        confirmed.value = "yes";
        if (typeof form.requestSubmit === "function") { form.requestSubmit(opener || undefined); }
        else { form.submit(); }
      } else if (opener) {
        opener.focus();
      }
    });
    dialog.showModal();
    document.getElementById("vgs-confirm-no").focus();
  });
})();
