// Byline's help-desk dashboard charts. The page shows every figure as a
// table without JavaScript; this draws the same figures with Chart.js
// (web/static/vendor/chart.umd.min.js, served by Byline) from the JSON
// the page embeds in <script id="dashboard-data">.
(function () {
  "use strict";
  var island = document.getElementById("dashboard-data");
  if (!island || typeof window.Chart === "undefined") return;
  var data;
  try {
    data = JSON.parse(island.textContent);
  } catch (e) {
    return;
  }
  var Chart = window.Chart;
  var css = getComputedStyle(document.documentElement);
  var muted = css.getPropertyValue("--muted").trim() || "#5b6570";
  Chart.defaults.color = muted;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  // Colours that stay apart for readers with the common colour-vision
  // differences (Okabe and Ito).
  var blue = "#0072B2", orange = "#E69F00", green = "#009E73",
      vermilion = "#D55E00", purple = "#CC79A7", sky = "#56B4E9";

  var weeks = data.weeks.map(function (w) { return w.week; });
  var hours = function (s) { return s === null ? null : Math.round(s / 36) / 100; };

  // Shown first, so that each chart measures the room it has.
  var charts = document.querySelector(".charts");
  if (charts) charts.hidden = false;

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  }

  draw("chart-backlog", {
    type: "bar",
    data: {
      labels: data.backlog.map(function (b) { return b.status.replace("_", " "); }),
      datasets: [{ label: "Tickets", data: data.backlog.map(function (b) { return b.count; }), backgroundColor: blue }]
    },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });

  draw("chart-volume", {
    type: "bar",
    data: {
      labels: weeks,
      datasets: [
        { label: "Opened", data: data.weeks.map(function (w) { return w.opened; }), backgroundColor: blue },
        { label: "Solves", data: data.weeks.map(function (w) { return w.solved; }), backgroundColor: green },
        { label: "Deflections", data: data.weeks.map(function (w) { return w.deflections; }), backgroundColor: orange }
      ]
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });

  draw("chart-times", {
    type: "line",
    data: {
      labels: weeks,
      datasets: [
        { label: "First response, median (h)", data: data.weeks.map(function (w) { return hours(w.first_response.median_seconds); }), borderColor: blue, backgroundColor: blue, spanGaps: true },
        { label: "First response, 90th pct. (h)", data: data.weeks.map(function (w) { return hours(w.first_response.p90_seconds); }), borderColor: sky, backgroundColor: sky, borderDash: [6, 4], spanGaps: true },
        { label: "Resolution, median (h)", data: data.weeks.map(function (w) { return hours(w.resolution.median_seconds); }), borderColor: vermilion, backgroundColor: vermilion, spanGaps: true },
        { label: "Resolution, 90th pct. (h)", data: data.weeks.map(function (w) { return hours(w.resolution.p90_seconds); }), borderColor: purple, backgroundColor: purple, borderDash: [6, 4], spanGaps: true }
      ]
    },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: "business hours" } } } }
  });

  draw("chart-quality", {
    type: "line",
    data: {
      labels: weeks,
      datasets: [
        { label: "SLA kept (%)", yAxisID: "share", data: data.weeks.map(function (w) { return w.sla.attainment === null ? null : Math.round(w.sla.attainment * 1000) / 10; }), borderColor: green, backgroundColor: green, spanGaps: true },
        { label: "Average rating (1-5)", yAxisID: "rating", data: data.weeks.map(function (w) { return w.satisfaction.average === null ? null : Math.round(w.satisfaction.average * 100) / 100; }), borderColor: orange, backgroundColor: orange, spanGaps: true }
      ]
    },
    options: {
      scales: {
        share: { type: "linear", position: "left", min: 0, max: 100, title: { display: true, text: "%" } },
        rating: { type: "linear", position: "right", min: 1, max: 5, grid: { drawOnChartArea: false }, title: { display: true, text: "rating" } }
      }
    }
  });

})();
