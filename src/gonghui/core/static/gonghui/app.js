/* gonghui front-end glue: charts from json_script data, confirmations, htmx hooks.
   No inline scripts anywhere (the CSP forbids them): pages hand data over in
   <script type="application/json"> blocks that this file reads. */
(function () {
  "use strict";
  var PALETTE = ["#b3261e", "#e0803a", "#f2c14e", "#5b8e7d", "#3c6e91", "#7a5c99", "#c06c84", "#8d99ae", "#2a9d8f", "#6d597a"];

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function chartOption(kind, data, width) {
    if (kind === "pie") {
      return {
        color: PALETTE,
        tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
        legend: { type: "scroll", bottom: 0 },
        // Narrow cards keep only the legend: outside labels would be cut to nothing.
        series: [{ type: "pie", radius: ["35%", "65%"], label: { show: width > 360 },
                   data: data.map(function (d) { return { name: d[0], value: d[1] }; }) }]
      };
    }
    var horizontal = kind === "hbar";
    var cats = data.map(function (d) { return d[0]; });
    var vals = data.map(function (d) { return d[1]; });
    var catAxis = { type: "category", data: cats, axisLabel: { interval: 0, rotate: horizontal ? 0 : (cats.length > 6 ? 30 : 0) } };
    var valAxis = { type: "value", minInterval: 1 };
    return {
      color: PALETTE,
      tooltip: { trigger: "axis" },
      grid: { left: 12, right: 24, top: 16, bottom: 8, containLabel: true },
      xAxis: horizontal ? valAxis : catAxis,
      yAxis: horizontal ? Object.assign(catAxis, { inverse: true }) : valAxis,
      series: [{ type: "bar", data: vals, label: { show: true, position: horizontal ? "right" : "top" } }]
    };
  }

  function renderCharts(root) {
    if (typeof echarts === "undefined") { return; }
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      var data = readJson(el.dataset.source);
      if (!data || !data.length) {
        el.classList.add("d-flex", "align-items-center", "justify-content-center", "text-muted");
        el.textContent = "暂无数据";
        return;
      }
      var chart = echarts.getInstanceByDom(el) || echarts.init(el);
      chart.setOption(chartOption(el.dataset.chart, data, el.clientWidth));
      // Rows are [label, value, query]: a click opens the records behind the figure.
      if ("link" in el.dataset) {
        chart.off("click");
        chart.on("click", function (p) {
          var row = data[p.dataIndex];
          if (row && row[2]) { window.location = el.dataset.link + row[2]; }
        });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    renderCharts(document);
    window.addEventListener("resize", function () {
      document.querySelectorAll("[data-chart]").forEach(function (el) {
        var c = typeof echarts !== "undefined" && echarts.getInstanceByDom(el);
        if (c) { c.resize(); }
      });
    });
  });
  document.addEventListener("htmx:afterSettle", function (e) { renderCharts(e.target); });

  // <form data-confirm="…"> asks before submitting (deactivations, revocations).
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  }, true);

  // Pickers: <input data-autosubmit> submits its form on change (filters).
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-autosubmit]")) { e.target.form.requestSubmit(); }
  });
})();
