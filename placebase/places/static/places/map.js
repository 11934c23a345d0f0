// Leaflet maps for places pages: boundaries and points from the page's JSON, with no tile
// server unless one is configured. Progressive enhancement: every map sits beside a table
// carrying the same information, and drawing a custom area also works by pasting GeoJSON.
(function () {
  "use strict";
  if (typeof window.L === "undefined") {
    return;
  }
  var L = window.L;

  var STYLES = {
    main: { color: "#1d70b8", weight: 3, fillOpacity: 0.08 },
    child: { color: "#0b0c0c", weight: 1, dashArray: "4 4", fillOpacity: 0 },
    context: { color: "#505a5f", weight: 1, dashArray: "2 6", fillOpacity: 0 },
    drawn: { color: "#d4351c", weight: 3, fillOpacity: 0.1 }
  };

  function readData(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function makeMap(container, data) {
    container.hidden = false;
    var map = L.map(container, { attributionControl: Boolean(data.tiles && data.tiles.url) });
    if (data.tiles && data.tiles.url) {
      L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution || "", maxZoom: 19 }).addTo(map);
    }
    var layer = L.geoJSON(data.features, {
      style: function (feature) {
        return STYLES[feature.properties.role] || STYLES.child;
      },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 6, color: "#d4351c", weight: 2, fillOpacity: 0.8 });
      },
      onEachFeature: function (feature, item) {
        if (feature.properties && feature.properties.name) {
          item.bindTooltip(feature.properties.name);
        }
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [10, 10] });
    } else {
      map.setView([52.5, -1.5], 6);
    }
    return map;
  }

  function button(text, secondary) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "govuk-button" + (secondary ? " govuk-button--secondary" : "");
    b.textContent = text;
    return b;
  }

  function enableDrawing(map, container) {
    var textarea = document.getElementById(container.getAttribute("data-places-draw"));
    if (!textarea) {
      return;
    }
    var points = [];
    var line = L.polyline([], STYLES.drawn).addTo(map);
    var shape = null;
    var tools = document.createElement("div");
    tools.className = "pb-map-tools";
    var finish = button("Finish shape", false);
    var clear = button("Start again", true);
    var status = document.createElement("p");
    status.className = "govuk-body-s";
    status.setAttribute("aria-live", "polite");
    tools.appendChild(finish);
    tools.appendChild(clear);
    tools.appendChild(status);
    container.parentNode.insertBefore(tools, container.nextSibling);

    function say(text) { status.textContent = text; }

    map.on("click", function (event) {
      if (shape) {
        map.removeLayer(shape);
        shape = null;
      }
      points.push([event.latlng.lng, event.latlng.lat]);
      line.setLatLngs(points.map(function (p) { return [p[1], p[0]]; }));
      say(points.length + " point" + (points.length === 1 ? "" : "s") + " placed.");
    });
    finish.addEventListener("click", function () {
      if (points.length < 3) {
        say("Place at least three points first.");
        return;
      }
      var ring = points.concat([points[0]]);
      var geometry = { type: "Polygon", coordinates: [ring] };
      textarea.value = JSON.stringify(geometry);
      line.setLatLngs([]);
      shape = L.geoJSON(geometry, { style: STYLES.drawn }).addTo(map);
      points = [];
      say("Shape finished and written into the GeoJSON box. Save the area to keep it.");
    });
    clear.addEventListener("click", function () {
      points = [];
      line.setLatLngs([]);
      if (shape) {
        map.removeLayer(shape);
        shape = null;
      }
      say("Cleared. Select points on the map to start again.");
    });
  }

  document.querySelectorAll("[data-places-map]").forEach(function (container) {
    var data = readData(container.getAttribute("data-places-map"));
    if (!data) {
      return;
    }
    var map = makeMap(container, data);
    document.querySelectorAll(".pb-js-only").forEach(function (node) { node.hidden = false; });
    if (container.hasAttribute("data-places-draw")) {
      enableDrawing(map, container);
    }
  });
})();
