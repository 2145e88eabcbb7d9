// report.html's own script: draws the summary, the recovery curves and the originals with
// uPlot, and builds the table of every run, all from the JSON block the Java report wrote.
// Each chart sets data-points to the points it drew (reference lines excluded), which the
// browser test compares with the data-expected count the Java side computed.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948',
    '#b07aa1', '#ff9da7', '#9c755f', '#6b6b6b'];

  function colour(i) { return PALETTE[i % PALETTE.length]; }
  function dash(i) { return i < PALETTE.length ? undefined : [8, 4]; }

  // series {x: [], y: []} on one shared, sorted x axis; missing values are null
  function align(series) {
    var seen = {};
    series.forEach(function (s) { s.x.forEach(function (v) { seen[v] = true; }); });
    var x = Object.keys(seen).map(Number).sort(function (a, b) { return a - b; });
    var at = {};
    x.forEach(function (v, i) { at[v] = i; });
    var cols = series.map(function (s) {
      var y = new Array(x.length).fill(null);
      s.x.forEach(function (v, j) { y[at[v]] = s.y[j]; });
      return y;
    });
    return [x].concat(cols);
  }

  // the points uPlot drew: non-null values of the shown data series (refs excluded)
  function drawn(u, refs) {
    var n = 0;
    for (var i = 1; i < u.series.length; i++) {
      if (refs[i] || !u.series[i].show) { continue; }
      u.data[i].forEach(function (v) { if (v != null && isFinite(v)) { n++; } });
    }
    return n;
  }

  function width(el) { return Math.max(320, el.clientWidth || 600); }

  function levelSeries(name, y, xs, stroke, pattern) {
    if (y == null || xs.length === 0) { return null; }
    var lo = Math.min.apply(null, xs), hi = Math.max.apply(null, xs);
    return {x: lo === hi ? [lo] : [lo, hi], y: lo === hi ? [y] : [y, y], name: name,
      stroke: stroke, dash: pattern};
  }

  // lines per series plus dashed horizontal reference lines; returns the uPlot
  function lineChart(el, title, xLabel, yLabel, series, levels, logX) {
    var xs = [];
    series.forEach(function (s) { xs = xs.concat(s.x); });
    var refs = levels.map(function (l) {
      return levelSeries(l.name, l.y, xs, l.stroke, l.dash);
    }).filter(function (l) { return l !== null; });
    var all = series.concat(refs);
    var isRef = [false].concat(series.map(function () { return false; }),
      refs.map(function () { return true; }));
    var opts = {
      title: title, width: width(el), height: 340,
      scales: {x: {time: false, distr: logX ? 3 : 1}, y: {auto: true}},
      axes: [{label: xLabel}, {label: yLabel, size: 60}],
      series: [{label: xLabel}].concat(series.map(function (s, i) {
        return {label: s.name, stroke: colour(i), dash: dash(i), width: 2, spanGaps: true,
          points: {show: s.x.length < 40, size: 5}};
      }), refs.map(function (r) {
        return {label: r.name, stroke: r.stroke, dash: r.dash, width: 1.5, spanGaps: true,
          points: {show: false}};
      })),
      hooks: {draw: [function (u) { el.setAttribute('data-points', String(drawn(u, isRef))); }]}
    };
    el.innerHTML = '';
    return new uPlot(opts, align(all), el);
  }

  function summary() {
    var s = data.summary;
    s.panels.forEach(function (p) {
      var el = document.getElementById(p.id);
      var lows = [], highs = [];
      p.series.forEach(function (ser) {
        ser.lo.forEach(function (v) { if (v != null) { lows.push(v); } });
        ser.hi.forEach(function (v) { if (v != null) { highs.push(v); } });
      });
      var lo = lows.length ? Math.min.apply(null, lows) : 1;
      var hi = highs.length ? Math.max.apply(null, highs) : 10;
      var isRef = p.series.map(function () { return false; }).concat([false]);
      var whiskers = function (u) {
        var ctx = u.ctx, r = window.devicePixelRatio || 1;
        ctx.save();
        ctx.lineWidth = 1.5 * r;
        p.series.forEach(function (ser, k) {
          if (!u.series[k + 1].show) { return; }
          ctx.strokeStyle = colour(k);
          ser.x.forEach(function (xv, j) {
            if (ser.lo[j] == null || ser.hi[j] == null) { return; }
            var cx = u.valToPos(xv, 'x', true);
            var y0 = u.valToPos(ser.lo[j], 'y', true), y1 = u.valToPos(ser.hi[j], 'y', true);
            ctx.beginPath();
            ctx.moveTo(cx, y0); ctx.lineTo(cx, y1);
            ctx.moveTo(cx - 4 * r, y0); ctx.lineTo(cx + 4 * r, y0);
            ctx.moveTo(cx - 4 * r, y1); ctx.lineTo(cx + 4 * r, y1);
            ctx.stroke();
          });
        });
        ctx.restore();
        el.setAttribute('data-points', String(drawn(u, isRef)));
      };
      var opts = {
        title: p.title, width: Math.max(300, Math.min(width(el), 620)), height: 300,
        scales: {x: {time: false, range: function (u, mn, mx) { return [mn - 0.5, mx + 0.5]; }},
          // whole decades, so that the log axis is labelled 100, 1000, 10000
          y: {distr: 3, log: 10, range: function () {
            return [Math.pow(10, Math.floor(Math.log10(lo))),
              Math.pow(10, Math.ceil(Math.log10(hi * 1.0001)))];
          }}},
        axes: [{label: 'wiped block L', incrs: [1, 2, 5, 10]},
          {label: 'examples to recover', size: 60}],
        series: [{label: 'block'}].concat(p.series.map(function (ser, k) {
          return {label: ser.name, stroke: colour(k), width: 2, spanGaps: false,
            points: {show: true, size: 7, fill: colour(k)}};
        })),
        hooks: {draw: [whiskers]}
      };
      new uPlot(opts, align(p.series), el);
    });
  }

  function curves() {
    var views = data.curves.views;
    var viewSel = document.getElementById('curve-view');
    var seedSel = document.getElementById('curve-seed');
    var el = document.getElementById('curve-chart');
    var plot = null;
    if (views.length === 0) { el.setAttribute('data-points', '0'); return; }
    views.forEach(function (v, i) { viewSel.add(new Option(v.label, String(i))); });
    function seeds() {
      seedSel.innerHTML = '';
      views[+viewSel.value].seeds.forEach(function (s, i) {
        seedSel.add(new Option(String(s.seed), String(i)));
      });
    }
    function draw() {
      var v = views[+viewSel.value], s = v.seeds[+seedSel.value];
      if (plot) { plot.destroy(); }
      plot = lineChart(el, v.label + ', seed ' + s.seed, 'examples seen',
        'validation loss (nats/token)', s.series.map(function (c) {
          return {x: c.x, y: c.y, name: c.name + (c.verdict === 'RECOVERED' ? '' : ' (' +
            c.verdict.toLowerCase() + ')')};
        }), [{name: 'target', y: s.target, stroke: '#222', dash: [6, 4]},
          {name: 'L*', y: s.lossStar, stroke: '#888', dash: [2, 3]}], true);
    }
    viewSel.addEventListener('change', function () { seeds(); draw(); });
    seedSel.addEventListener('change', draw);
    seeds();
    draw();
  }

  function originals() {
    var charts = data.originals.charts;
    var sel = document.getElementById('original-view');
    var el = document.getElementById('originals-chart');
    var plot = null;
    if (charts.length === 0) { el.setAttribute('data-points', '0'); return; }
    charts.forEach(function (c, i) { sel.add(new Option(c.label, String(i))); });
    function draw() {
      var c = charts[+sel.value];
      if (plot) { plot.destroy(); }
      plot = lineChart(el, 'Originals, ' + c.label, 'examples seen',
        'validation loss (nats/token)', c.series,
        [{name: 'L* (mean over seeds)', y: c.lossStar, stroke: '#888', dash: [2, 3]},
          {name: 'loss floor', y: c.floor, stroke: '#222', dash: [6, 4]}], true);
    }
    sel.addEventListener('change', draw);
    draw();
  }

  function runs() {
    var table = document.getElementById('runs-table');
    var cols = data.runs.columns, rows = data.runs.rows;
    var head = document.createElement('tr');
    var body = table.tBodies[0];
    var order = {col: -1, asc: true};
    cols.forEach(function (c, i) {
      var th = document.createElement('th');
      th.textContent = c;
      th.title = 'sort by ' + c;
      th.addEventListener('click', function () { sort(i); });
      head.appendChild(th);
    });
    table.tHead.appendChild(head);
    var trs = rows.map(function (r) {
      var tr = document.createElement('tr');
      r.forEach(function (v) {
        var td = document.createElement('td');
        td.textContent = v;
        tr.appendChild(td);
      });
      tr.dataset.text = r.join(' ').toLowerCase();
      return tr;
    });
    trs.forEach(function (tr) { body.appendChild(tr); });
    table.setAttribute('data-points', String(trs.length));
    var count = document.getElementById('runs-count');
    var filter = document.getElementById('runs-filter');
    function apply() {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      trs.forEach(function (tr) {
        var ok = words.every(function (w) { return tr.dataset.text.indexOf(w) >= 0; });
        tr.hidden = !ok;
        shown += ok ? 1 : 0;
      });
      count.textContent = shown + ' of ' + trs.length + ' runs';
      table.setAttribute('data-shown', String(shown));
    }
    function key(tr, i) {
      var t = tr.cells[i].textContent, n = parseFloat(t);
      return t !== '' && isFinite(n) && String(n).length > 0 && /^[-+0-9.eE]+$/.test(t) ? n : t;
    }
    function sort(i) {
      order.asc = order.col === i ? !order.asc : true;
      order.col = i;
      trs.sort(function (a, b) {
        var x = key(a, i), y = key(b, i), c;
        if (typeof x === 'number' && typeof y === 'number') { c = x - y; }
        else { c = String(x).localeCompare(String(y)); }
        return order.asc ? c : -c;
      });
      trs.forEach(function (tr) { body.appendChild(tr); });
      Array.prototype.forEach.call(head.cells, function (th, j) {
        th.className = j === i ? (order.asc ? 'asc' : 'desc') : '';
      });
    }
    filter.addEventListener('input', apply);
    apply();
  }

  function downloads() {
    var csv = new Blob([data.csv], {type: 'text/csv;charset=utf-8'});
    document.getElementById('download-csv').href = URL.createObjectURL(csv);
    var objects = data.runs.rows.map(function (r) {
      var o = {};
      data.runs.columns.forEach(function (c, i) { o[c] = r[i]; });
      return o;
    });
    var json = new Blob([JSON.stringify(objects, null, 1)], {type: 'application/json'});
    document.getElementById('download-json').href = URL.createObjectURL(json);
  }

  summary();
  curves();
  runs();
  originals();
  downloads();
  document.body.setAttribute('data-ready', 'true');
}());
