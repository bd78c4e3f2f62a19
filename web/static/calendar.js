// Byline's content calendar: drag a scheduled publication to another day
// to move it there at the same time of day. The drop posts the same form
// the page would (csrf_token and the new wall-clock minute) to
// /profiles/{handle}/publications/{id}/reschedule; on success the page
// reloads, on a refusal the reason Byline gave is shown in place. Without
// this script each item links to its publication, whose form schedules it.
(function () {
  "use strict";
  var grid = document.querySelector("table.calendar[data-handle][data-csrf]");
  if (!grid || !window.fetch || !window.DOMParser) return;
  var alertBox = document.getElementById("calendar-alert");
  var dragged = null;

  function say(text) {
    if (!alertBox) return;
    alertBox.textContent = text;
    alertBox.hidden = false;
  }

  // The reason in a refusal page: its alert, or an error page's message.
  function reason(html, status) {
    try {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var el = doc.querySelector("[role=alert]:not([hidden])") || doc.querySelector("#error-heading + p");
      if (el && el.textContent.trim()) return el.textContent.trim();
    } catch (e) { /* fall through */ }
    return "Byline refused the move (" + status + ").";
  }

  function move(item, date) {
    var body = new URLSearchParams();
    body.set("csrf_token", grid.dataset.csrf);
    body.set("at", date + "T" + item.dataset.time);
    var url = "/profiles/" + encodeURIComponent(grid.dataset.handle) +
      "/publications/" + encodeURIComponent(item.dataset.id) + "/reschedule";
    item.classList.add("moving");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString()
    })
      .then(function (r) {
        if (r.ok) {
          window.location.reload();
          return null;
        }
        return r.text().then(function (html) {
          item.classList.remove("moving");
          say(reason(html, r.status));
        });
      })
      .catch(function () {
        item.classList.remove("moving");
        say("Byline did not answer: the publication was not moved.");
      });
  }

  function clearTargets() {
    grid.querySelectorAll("td.drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
  }

  grid.querySelectorAll('.cal-item[draggable="true"]').forEach(function (item) {
    item.addEventListener("dragstart", function (e) {
      dragged = item;
      item.classList.add("dragging");
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", item.dataset.id);
    });
    item.addEventListener("dragend", function () {
      item.classList.remove("dragging");
      dragged = null;
      clearTargets();
    });
  });

  grid.querySelectorAll("td[data-date]").forEach(function (cell) {
    cell.addEventListener("dragover", function (e) {
      if (!dragged) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "move";
      cell.classList.add("drop-target");
    });
    cell.addEventListener("dragleave", function (e) {
      if (!cell.contains(e.relatedTarget)) cell.classList.remove("drop-target");
    });
    cell.addEventListener("drop", function (e) {
      e.preventDefault();
      clearTargets();
      var item = dragged;
      dragged = null;
      if (!item || cell.dataset.date === item.dataset.date) return;
      move(item, cell.dataset.date);
    });
  });
})();
