// Draws the page's points on a Leaflet map. Progressive enhancement only: the list on the
// page holds the same information, and without this script nothing is lost.
(function () {
  "use strict";
  var box = document.querySelector("[data-map]");
  if (!box || !window.L) { return; }
  var data = document.getElementById(box.getAttribute("data-map"));
  var points = data ? JSON.parse(data.textContent) : [];
  if (!points.length) { return; }
  var map = window.L.map(box, { scrollWheelZoom: false });
  var tiles = box.getAttribute("data-tiles");
  if (tiles) {
    window.L.tileLayer(tiles, { maxZoom: 19, attribution: "Map data © OpenStreetMap contributors" }).addTo(map);
  }
  var colours = { spare: "#00703c", over_used: "#d4351c" };
  var bounds = [];
  points.forEach(function (p) {
    var marker = window.L.circleMarker([p.lat, p.lon], {
      radius: 8, weight: 2, color: "#0b0c0c", fillColor: colours[p.usage] || "#1d70b8", fillOpacity: 0.9
    }).addTo(map);
    var popup = document.createElement("div");
    if (p.href) {
      var link = document.createElement("a");
      link.className = "govuk-link";
      link.href = p.href;
      link.textContent = p.name;
      popup.appendChild(link);
    } else {
      popup.textContent = p.name;
    }
    marker.bindPopup(popup);
    bounds.push([p.lat, p.lon]);
  });
  if (bounds.length === 1) {
    map.setView(bounds[0], 15);
  } else {
    map.fitBounds(bounds, { padding: [20, 20] });
  }
})();
