// Small progressive enhancements; every page works without JavaScript.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Selecting a filter on the policy browser submits the form at once.
  document.querySelectorAll("form.filters select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // Upload form: send the files with the bearer token typed by the user (never stored).
  var upload = document.getElementById("upload-form");
  if (upload) {
    upload.addEventListener("submit", function (event) {
      event.preventDefault();
      var out = document.getElementById("upload-result");
      var data = new FormData();
      Array.prototype.forEach.call(upload.querySelector("input[type=file]").files, function (file) {
        data.append("files", file);
      });
      var token = upload.querySelector("input[name=token]").value;
      out.textContent = "…";
      fetch("/api/ingest", { method: "POST", body: data, headers: { "Authorization": "Bearer " + token } })
        .then(function (response) { return response.json().then(function (body) { return [response.status, body]; }); })
        .then(function (pair) { out.textContent = pair[0] + " " + JSON.stringify(pair[1], null, 2); })
        .catch(function (error) { out.textContent = String(error); });
    });
  }
});
