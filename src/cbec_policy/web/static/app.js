// Small progressive enhancements; every page works without JavaScript.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Selecting a filter on the policy browser submits the form at once.
  document.querySelectorAll("form.filters select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
