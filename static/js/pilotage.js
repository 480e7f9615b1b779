/* labelml — charts of the steering dashboards (UNML, ARML), drawn with the vendored Chart.js 4
   (static/vendor/chartjs). The figures come from the page's JSON block (#pilotage-data, written
   by Django's json_script); every chart has its data table next to it, so nothing is lost
   without this script. No inline script, no eval: compatible with a strict CSP. */
(function () {
  "use strict";

  // One colour per workflow state, in workflow order (campagnes.models.Dossier.Statut).
  var ETAT_COLOURS = {
    autoevaluation: "#8fb3e0",
    plan_amelioration: "#4f7fc0",
    audit_a_planifier: "#f2c46d",
    audit_planifie: "#e6a23c",
    audit_en_cours: "#c77c0e",
    reponse_structure: "#a77bca",
    en_commission: "#6d4a9c",
    labellise: "#1e7a46",
    labellise_sous_reserve: "#6cbf8a",
    ajourne: "#e07b6f",
    refuse: "#b42318"
  };
  var BLUE = "#1d3f72";
  var ORANGE = "#e67e22";
  var RED = "#b42318";
  var GREEN = "#1e7a46";

  function titleTooltip(data) {
    // Criteria and sections are labelled by code on the axis; the tooltip gives the title.
    return {
      callbacks: {
        title: function (items) {
          if (!items.length) return "";
          var i = items[0].dataIndex;
          var title = data.titles && data.titles[i];
          return title ? data.labels[i] + " — " + title : data.labels[i];
        }
      }
    };
  }

  // The self-assessment's scale (1 to 4) and the audit's (1 to 5) differ: each mean is placed on
  // its own scale, from 0 % (its lowest level) to 100 % (its highest), so that both series share
  // one honest axis; the tooltip and the table give the exact mean on its scale.
  var SCALES = { autoevaluation: [1, 4], audit: [1, 5] };

  function onScale(values, range) {
    return values.map(function (v) {
      return v === null || v === undefined
        ? null
        : Math.round(((v - range[0]) / (range[1] - range[0])) * 1000) / 10;
    });
  }

  function levelsConfig(data) {
    var raw = { 0: data.autoevaluation, 1: data.audit };
    var ranges = { 0: SCALES.autoevaluation, 1: SCALES.audit };
    var tooltip = titleTooltip(data);
    tooltip.callbacks.label = function (item) {
      var value = raw[item.datasetIndex][item.dataIndex];
      if (value === null || value === undefined) return item.dataset.label + " : non évalué";
      return item.dataset.label + " : " + String(value).replace(".", ",") + " sur " +
        ranges[item.datasetIndex][1] + " (" + String(item.parsed.y).replace(".", ",") + " %)";
    };
    return {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: "Auto-évaluation (échelle 1–4)",
            data: onScale(data.autoevaluation, SCALES.autoevaluation), backgroundColor: BLUE },
          { label: "Évaluation externe (échelle 1–5)",
            data: onScale(data.audit, SCALES.audit), backgroundColor: ORANGE }
        ]
      },
      options: {
        scales: {
          y: { min: 0, max: 100, position: "left",
               title: { display: true, text: "Position sur l'échelle (0 % = niveau le plus bas, 100 % = le plus haut)" },
               ticks: { stepSize: 25, callback: function (v) { return v + " %"; } } }
        },
        plugins: { legend: { position: "bottom" }, tooltip: tooltip }
      }
    };
  }

  var BUILDERS = {
    statuts: function (data) {
      return {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [{
            label: "Dossiers",
            data: data.values,
            backgroundColor: data.codes.map(function (c) { return ETAT_COLOURS[c] || BLUE; })
          }]
        },
        options: {
          indexAxis: "y",
          plugins: { legend: { display: false } },
          scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }
        }
      };
    },
    regions: function (data) {
      return {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: data.datasets.map(function (d) {
            return { label: d.label, data: d.data, backgroundColor: ETAT_COLOURS[d.code] || BLUE };
          })
        },
        options: {
          indexAxis: "y",
          scales: {
            x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
            y: { stacked: true }
          },
          plugins: { legend: { position: "bottom" } }
        }
      };
    },
    semaines: function (data) {
      function line(label, values, colour) {
        return { label: label, data: values, borderColor: colour, backgroundColor: colour,
                 tension: 0.2, pointRadius: 2 };
      }
      return {
        type: "line",
        data: {
          labels: data.labels.map(function (iso) {
            return new Date(iso + "T00:00:00").toLocaleDateString("fr-FR",
              { day: "numeric", month: "short" });
          }),
          datasets: [
            line("Auto-évaluations soumises (cumul)", data.autoevaluations, BLUE),
            line("Rapports d'évaluation validés (cumul)", data.audits, ORANGE),
            line("Décisions de la commission (cumul)", data.decisions, GREEN)
          ]
        },
        options: {
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
          plugins: { legend: { position: "bottom" } }
        }
      };
    },
    sections: levelsConfig,
    criteres: levelsConfig,
    ecarts: function (data) {
      return {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            { label: "Écarts majeurs", data: data.majeurs, backgroundColor: RED },
            { label: "Écarts mineurs", data: data.mineurs, backgroundColor: ORANGE }
          ]
        },
        options: {
          indexAxis: "y",
          scales: {
            x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
            y: { stacked: true }
          },
          plugins: { legend: { position: "bottom" }, tooltip: titleTooltip(data) }
        }
      };
    }
  };

  function draw() {
    var source = document.getElementById("pilotage-data");
    if (!source || typeof window.Chart === "undefined") return;
    var all = JSON.parse(source.textContent);
    var Chart = window.Chart;
    Chart.defaults.locale = "fr-FR";
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = "#1f2328";
    Chart.defaults.maintainAspectRatio = false;
    // Respect the reader's "reduce motion" setting.
    if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
      Chart.defaults.animation = false;
    }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var kind = canvas.getAttribute("data-chart");
      var build = BUILDERS[kind];
      if (!build || !all[kind]) return;
      // Horizontal bar charts grow with their number of rows (regions).
      var box = canvas.parentElement;
      var rows = box && parseInt(box.getAttribute("data-rows") || "0", 10);
      if (rows > 0) box.style.height = Math.max(160, 26 * rows + 90) + "px";
      new Chart(canvas, build(all[kind]));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
