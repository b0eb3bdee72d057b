// The day's routes on a Leaflet map: tiles only when the server names a tile server, otherwise a
// plain background; one colour and a numbered list per route (the list says the same as the map).
"use strict";

(function () {
  const planning = document.querySelector("form[data-planning]");
  if (planning) {
    planning.addEventListener("submit", function () {
      const shown = planning.querySelector(".planning-progress");
      const bar = shown.querySelector("progress");
      shown.hidden = false;
      planning.querySelector("button").disabled = true;
      const started = Date.now();
      setInterval(function () { bar.value = Math.min(bar.max, (Date.now() - started) / 1000); }, 200);
    });
  }
  const element = document.getElementById("map");
  const source = document.getElementById("route-data");
  if (!element || !source || !window.L) return;
  const plan = JSON.parse(source.textContent);
  const colours = ["#1f4e79", "#a40e26", "#116329", "#7d4e00", "#6639ba", "#0a7a8a"];
  const map = L.map(element, { attributionControl: Boolean(element.dataset.tiles) });
  if (element.dataset.tiles) {
    L.tileLayer(element.dataset.tiles, { maxZoom: 18 }).addTo(map);
  }
  const bounds = [];
  (plan.sites || []).forEach(function (site) {
    L.circleMarker([site.lat, site.lon], { radius: 9, color: "#000", fillOpacity: 1 })
      .bindTooltip("Pharmacy " + site.site_id).addTo(map);
    bounds.push([site.lat, site.lon]);
  });
  (plan.routes || []).forEach(function (route, index) {
    const colour = colours[index % colours.length];
    const site = (plan.sites || [])[0];
    const line = site ? [[site.lat, site.lon]] : [];
    route.stops.forEach(function (stop) {
      if (stop.lat === null || stop.lon === null) return;
      line.push([stop.lat, stop.lon]);
      bounds.push([stop.lat, stop.lon]);
      L.circleMarker([stop.lat, stop.lon], { radius: 7, color: colour, fillOpacity: 0.9 })
        .bindTooltip(route.driver_id + " #" + stop.sequence + " " + stop.order_id, { permanent: false })
        .addTo(map);
    });
    if (line.length > 1) L.polyline(line, { color: colour, weight: 3 }).addTo(map);
  });
  if (bounds.length) map.fitBounds(bounds, { padding: [30, 30] });
  else map.setView([39.8, -98.6], 4);
})();
