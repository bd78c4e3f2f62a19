// Byline's campaign report: draws two charts with Chart.js (served by
// Byline from web/static/vendor) from the figures the page embeds in
// <script id="campaign-data">, and wires the Print button (the page's
// Content-Security-Policy allows no inline handlers). Without this script
// the same figures are in the tables below the charts.
(function () {
  "use strict";
  var print = document.getElementById("print-report");
  if (print && window.print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }

  var island = document.getElementById("campaign-data");
  if (!island || typeof window.Chart === "undefined") return;
  var data;
  try {
    data = JSON.parse(island.textContent);
  } catch (e) {
    return;
  }
  if (!data.channels.length && !data.days.length) return;
  var Chart = window.Chart;
  var css = getComputedStyle(document.documentElement);
  Chart.defaults.color = css.getPropertyValue("--muted").trim() || "#5b6570";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  // Okabe-Ito colours, apart for the common colour-vision differences.
  var blue = "#0072B2", orange = "#E69F00", green = "#009E73", vermilion = "#D55E00";

  // Shown first, so that each chart measures the room it has.
  var charts = document.querySelector(".charts");
  if (charts) charts.hidden = false;

  var made = [];
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) made.push(new Chart(canvas, config));
  }

  draw("chart-channels", {
    type: "bar",
    data: {
      labels: data.channels.map(function (c) { return c.channel; }),
      datasets: [
        { label: "Spend", data: data.channels.map(function (c) { return c.spend; }), backgroundColor: vermilion },
        { label: "Revenue", data: data.channels.map(function (c) { return c.revenue; }), backgroundColor: green }
      ]
    },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: "amount" } } } }
  });

  draw("chart-days", {
    type: "line",
    data: {
      labels: data.days.map(function (d) { return d.day; }),
      datasets: [
        { label: "Clicks", yAxisID: "clicks", data: data.days.map(function (d) { return d.clicks; }), borderColor: blue, backgroundColor: blue },
        { label: "ROI to date (%)", yAxisID: "roi", data: data.days.map(function (d) { return d.roi_to_date; }), borderColor: orange, backgroundColor: orange, borderDash: [6, 4], spanGaps: true }
      ]
    },
    options: {
      scales: {
        clicks: { type: "linear", position: "left", beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "clicks" } },
        roi: { type: "linear", position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: "ROI %" } }
      }
    }
  });

  // Printed at the page's width: let each chart fit the paper first
  // (beforeprint for the print dialog; the media query for printing to
  // PDF, which sends no beforeprint).
  // (The print stylesheet gives each chart a fixed size on paper.)
  function fit() { made.forEach(function (c) { c.resize(); }); }
  window.addEventListener("beforeprint", fit);
  window.addEventListener("afterprint", fit);
  var printing = window.matchMedia ? window.matchMedia("print") : null;
  if (printing && printing.addEventListener) printing.addEventListener("change", fit);
})();
