// Listening's charts. The pages show every figure as a table without
// JavaScript; this draws them with Chart.js (served by Byline from
// web/static/vendor) from the JSON each page embeds in
// <script id="listening-data">.
(function () {
  "use strict";
  var island = document.getElementById("listening-data");
  if (!island || typeof window.Chart === "undefined") return;
  var data;
  try {
    data = JSON.parse(island.textContent);
  } catch (e) {
    return;
  }
  var Chart = window.Chart;
  var css = getComputedStyle(document.documentElement);
  Chart.defaults.color = css.getPropertyValue("--muted").trim() || "#5b6570";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  // Okabe and Ito's colours stay apart for the common colour-vision
  // differences.
  var palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];
  var charts = document.querySelector(".charts");
  if (charts) charts.hidden = false;
  var label = function (d) { return d.date.slice(5); };

  var desk = document.getElementById("chart-topics");
  if (desk && data.topics) {
    var days = data.topics.length ? data.topics[0].days.map(label) : [];
    new Chart(desk, {
      type: "line",
      data: {
        labels: days,
        datasets: data.topics.map(function (t, i) {
          var colour = palette[i % palette.length];
          return { label: t.name, data: t.days.map(function (d) { return d.posts; }), borderColor: colour, backgroundColor: colour, tension: 0.2, pointRadius: 2 };
        })
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "posts" } } } }
    });
  }

  var one = document.getElementById("chart-topic");
  if (one && data.days) {
    new Chart(one, {
      type: "bar",
      data: {
        labels: data.days.map(label),
        datasets: [
          { label: "Posts", data: data.days.map(function (d) { return d.posts; }), backgroundColor: palette[0], yAxisID: "count" },
          { label: "People", data: data.days.map(function (d) { return d.people; }), backgroundColor: palette[5], yAxisID: "count" },
          { type: "line", label: "Negative (%)", data: data.days.map(function (d) { return d.posts ? Math.round(1000 * d.negative / d.posts) / 10 : null; }), borderColor: palette[3], backgroundColor: palette[3], spanGaps: true, yAxisID: "share" }
        ]
      },
      options: {
        scales: {
          count: { position: "left", beginAtZero: true, ticks: { precision: 0 } },
          share: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: "% negative" } }
        }
      }
    });
  }
})();
