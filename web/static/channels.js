// The channels page's test buttons: ask the API and show the channel's own
// answer in place, without leaving the page. Without this script the forms
// post and the page comes back with the same answer.
(function () {
  "use strict";
  document.querySelectorAll("form.channel-test").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var status = document.getElementById(form.dataset.status);
      var button = form.querySelector("button");
      var csrf = form.querySelector("input[name=csrf_token]").value;
      button.disabled = true;
      status.hidden = false;
      status.className = "channel-status notice";
      status.textContent = "Testing…";
      fetch(form.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf, "Accept": "application/json" }
      })
        .then(function (r) {
          return r.json().then(function (body) { return { ok: r.ok, body: body }; });
        })
        .then(function (res) {
          if (!res.ok) {
            status.className = "channel-status alert";
            status.textContent = "The test could not run: " + ((res.body.error && res.body.error.message) || "error");
            return;
          }
          var t = res.body;
          status.className = "channel-status " + (t.ok ? "notice" : "alert");
          status.dataset.ok = String(t.ok);
          status.textContent = (t.ok ? "Passed. " : "Failed. ") + t.status + ": " + t.message;
        })
        .catch(function () {
          status.className = "channel-status alert";
          status.textContent = "The test could not run: no answer from Byline.";
        })
        .finally(function () { button.disabled = false; });
    });
  });
})();
