// The opportunities map: points from the page's JSON, drawn with Leaflet and no tile server.
// Progressive enhancement: the list beside it carries the same information.
(function () {
  "use strict";
  var container = document.getElementById("opportunity-map");
  var source = document.getElementById("opportunity-points");
  if (!container || !source || typeof window.L === "undefined") {
    return;
  }
  var L = window.L;
  var data = JSON.parse(source.textContent);
  if (!data.points.length) {
    return;
  }
  container.hidden = false;
  var map = L.map(container, { attributionControl: false });
  var markers = [];
  if (data.centre) {
    markers.push(L.circleMarker([data.centre.lat, data.centre.lon],
      { radius: 8, color: "#0b0c0c", weight: 3, fillOpacity: 0.2 }).bindTooltip("Your postcode"));
  }
  data.points.forEach(function (point) {
    var marker = L.circleMarker([point.lat, point.lon],
      { radius: 7, color: "#1d70b8", weight: 2, fillOpacity: 0.8 });
    marker.bindTooltip(point.title);
    marker.on("click", function () { window.location.href = point.href; });
    markers.push(marker);
  });
  var group = L.featureGroup(markers).addTo(map);
  map.fitBounds(group.getBounds(), { padding: [20, 20], maxZoom: 15 });
})();
