// Choropleth maps of participation per 1,000 residents. Progressive enhancement: the same
// figures are in the table beside the map, which is all a browser without JavaScript shows.
// No tile server is needed: the boundaries themselves are the map.
(function () {
  "use strict";
  var COLOURS = {
    "0": "#f3f2f1", "1": "#d2e2f1", "2": "#8eb8dc", "3": "#4a8fc7", "4": "#1d70b8",
    "5": "#003078", "hidden": "#ffffff"
  };

  function draw(container) {
    var source = document.getElementById(container.getAttribute("data-map-source"));
    if (!source || typeof window.L === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    if (!data.features || !data.features.length) { return; }
    container.hidden = false;
    var map = window.L.map(container, { attributionControl: true, zoomSnap: 0.25 });
    var tiles = container.getAttribute("data-tiles");
    if (tiles) {
      window.L.tileLayer(tiles, { maxZoom: 18, attribution: container.getAttribute("data-tiles-attribution") || "" }).addTo(map);
    }
    var layer = window.L.geoJSON(data, {
      style: function (feature) {
        var band = feature.properties.band;
        return {
          color: "#0b0c0c", weight: 1, fillOpacity: 0.85,
          fillColor: COLOURS[band] || COLOURS["0"],
          dashArray: band === "hidden" ? "4 3" : null
        };
      },
      onEachFeature: function (feature, shape) {
        shape.bindTooltip(feature.properties.name + ": " + feature.properties.shown);
      }
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [10, 10] });
  }

  function start() {
    var maps = document.querySelectorAll("[data-map-source]");
    for (var i = 0; i < maps.length; i++) { draw(maps[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
