/* gonghui charts: one helper with the defaults every chart needs.

   <div class="chart" data-chart="bar|hbar|pie" data-source="<json_script id>"
        [data-unit="元|人|户|个|%"] [data-link="<url prefix>"]></div>

   The data is a list of [label, value, query?] rows handed over in a json_script block (no
   inline scripts: the CSP forbids them). The rules, the same on every page:
   - figures are written as the page writes them: thousands separators, whole numbers without
     decimals, money in 元 (never 万元 on a page), the unit after the figure;
   - bar labels always fit: the grid leaves room for the longest label;
   - a pie names every slice with its share, in a legend that never pages (the chart grows
     with it), so no category is hidden;
   - fewer than two categories is not a chart: the figure is shown as a number instead;
   - a click on a bar or slice opens the records behind it (the row's query after data-link). */
(function () {
  "use strict";
  var PALETTE = ["#b3261e", "#e0803a", "#f2c14e", "#5b8e7d", "#3c6e91", "#7a5c99", "#c06c84", "#8d99ae", "#2a9d8f", "#6d597a"];
  var NUMBER = new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 2 });
  var FONT = "12px sans-serif";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function figure(value, unit) {
    var text = NUMBER.format(Number(value) || 0);
    return unit ? text + unit : text;
  }

  var measurer = null;
  function textWidth(text) {
    measurer = measurer || document.createElement("canvas").getContext("2d");
    measurer.font = FONT;
    return Math.ceil(measurer.measureText(String(text)).width);
  }

  function pieOption(data, unit, width) {
    var total = data.reduce(function (s, d) { return s + (Number(d[1]) || 0); }, 0);
    var share = {};
    data.forEach(function (d) {
      var v = Number(d[1]) || 0, pct = total ? Math.round(v * 1000 / total) / 10 : 0;
      // A slice that exists is never "0%", and one that is not all is never "100%".
      share[d[0]] = v > 0 && pct === 0 ? "<0.1" : (v < total && pct === 100 ? ">99.9" : NUMBER.format(pct));
    });
    return {
      color: PALETTE,
      tooltip: { trigger: "item", formatter: function (p) { return p.name + "：" + figure(p.value, unit) + "（" + p.percent + "%）"; } },
      // A plain legend wraps onto more lines instead of paging; renderChart makes room for it.
      legend: { type: "plain", bottom: 0, left: "center", itemWidth: 10, itemHeight: 10, textStyle: { fontSize: 12 },
                formatter: function (name) { return name + " " + share[name] + "%"; } },
      series: [{
        type: "pie", radius: ["35%", "62%"], percentPrecision: 1, center: ["50%", pieCenterY(data, width)], avoidLabelOverlap: true,
        // Slices carry their share; the legend names them (labels outside would be cut on small cards).
        label: { show: true, position: "inside", formatter: function (p) { return p.percent >= 6 ? p.percent + "%" : ""; },
                 color: "#fff", fontSize: 11 },
        data: data.map(function (d) { return { name: d[0], value: d[1] }; })
      }]
    };
  }

  function legendRows(data, width) {
    var usable = Math.max(width - 16, 120), row = 0, rows = 1;
    data.forEach(function (d) {
      var item = 10 + 5 + textWidth(d[0] + " 100%") + 10;
      if (row + item > usable && row > 0) { rows += 1; row = 0; }
      row += item;
    });
    return rows;
  }

  function pieCenterY(data, width) {
    return legendRows(data, width) > 2 ? "40%" : "45%";
  }

  function barOption(kind, data, unit, width) {
    var horizontal = kind === "hbar";
    var cats = data.map(function (d) { return d[0]; });
    var vals = data.map(function (d) { return d[1]; });
    var longest = vals.reduce(function (m, v) { return Math.max(m, textWidth(figure(v, unit))); }, 0);
    var widestCat = cats.reduce(function (m, c) { return Math.max(m, textWidth(c)); }, 0);
    // Room per bar on a vertical chart: labels that would run into each other tilt
    // (categories) or give way to the tooltip (values).
    var slot = horizontal ? Infinity : Math.max(width - 60, 60) / Math.max(cats.length, 1);
    var tilt = !horizontal && widestCat + 6 > slot;
    var valueLabels = horizontal || longest + 4 <= slot;
    var catAxis = { type: "category", data: cats, axisTick: { alignWithLabel: true },
                    axisLabel: { interval: 0, rotate: tilt ? 45 : 0, width: horizontal ? Math.max(80, width * 0.35) : undefined,
                                 overflow: horizontal ? "truncate" : "none" } };
    var valAxis = { type: "value", minInterval: 1, axisLabel: { formatter: function (v) { return NUMBER.format(v); } },
                    splitNumber: horizontal ? 3 : 4 };
    return {
      color: PALETTE,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
                 valueFormatter: function (v) { return figure(v, unit); } },
      // Room for the value labels: right of horizontal bars, above vertical ones.
      grid: { left: 8, right: horizontal ? longest + 16 : 16, top: horizontal || !valueLabels ? 8 : 24, bottom: 4, containLabel: true },
      xAxis: horizontal ? valAxis : catAxis,
      yAxis: horizontal ? Object.assign(catAxis, { inverse: true }) : valAxis,
      series: [{ type: "bar", data: vals, barMaxWidth: 36,
                 label: { show: valueLabels, position: horizontal ? "right" : "top", formatter: function (p) { return figure(p.value, unit); } } }]
    };
  }

  function showFigure(el, data, unit) {
    el.classList.add("chart-figure");
    el.textContent = "";
    var box = document.createElement("div");
    box.className = "text-center";
    var value = document.createElement("div");
    value.className = "fs-3 fw-semibold";
    value.textContent = data.length ? figure(data[0][1], unit) : "";
    var label = document.createElement("div");
    label.className = "text-muted small";
    label.textContent = data.length ? data[0][0] : "";
    box.appendChild(value);
    box.appendChild(label);
    if (data.length && data[0][2] && "link" in el.dataset) {
      var a = document.createElement("a");
      a.href = el.dataset.link + data[0][2];
      a.className = "stretched-link";
      a.setAttribute("aria-label", label.textContent + " 明细");
      box.appendChild(a);
      box.classList.add("position-relative");
    }
    el.appendChild(box);
  }

  function renderChart(el) {
    var data = readJson(el.dataset.source);
    var unit = el.dataset.unit || "";
    var kind = el.dataset.chart;
    var shown = (data || []).filter(function (d) { return Number(d[1]) !== 0; });
    // Twelve months of zeros still say something; a pie of nothing does not.
    if (!data || !data.length || (kind === "pie" && !shown.length)) {
      el.classList.add("d-flex", "align-items-center", "justify-content-center", "text-muted");
      el.textContent = "暂无数据";
      return;
    }
    var existing = typeof echarts !== "undefined" && echarts.getInstanceByDom(el);
    if ((kind === "pie" ? shown.length : data.length) < 2) {
      if (existing) { existing.dispose(); }
      el.classList.add("d-flex", "align-items-center", "justify-content-center");
      showFigure(el, kind === "pie" ? shown : data, unit);
      return;
    }
    if (typeof echarts === "undefined") { return; }
    var width = el.clientWidth || 300;
    var base = Number(el.dataset.baseHeight || (el.dataset.baseHeight = el.clientHeight || 300));
    if (kind === "pie") {
      // The legend never pages: the chart grows by the lines it needs beyond two.
      el.style.height = (base + 20 * Math.max(0, legendRows(shown, width) - 2)) + "px";
    } else if (kind === "hbar") {
      el.style.height = Math.max(base, 28 * data.length + 24) + "px";
    }
    var chart = existing || echarts.init(el);
    chart.resize();
    chart.setOption(kind === "pie" ? pieOption(shown, unit, width) : barOption(kind, data, unit, width), true);
    if ("link" in el.dataset) {
      chart.off("click");
      chart.on("click", function (p) {
        var rows = kind === "pie" ? shown : data;
        var row = rows[p.dataIndex];
        if (row && row[2]) { window.location = el.dataset.link + row[2]; }
      });
    }
  }

  function renderCharts(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(renderChart);
  }

  window.gonghuiCharts = { render: renderCharts, figure: figure };

  document.addEventListener("DOMContentLoaded", function () {
    renderCharts(document);
    var pending = null;
    window.addEventListener("resize", function () {
      // Re-lay out once the window has settled: label room depends on the width.
      clearTimeout(pending);
      pending = setTimeout(function () { renderCharts(document); }, 150);
    });
  });
  document.addEventListener("htmx:afterSettle", function (e) { renderCharts(e.target); });
})();
