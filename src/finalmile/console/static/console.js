// finalmile console: live updates pushed by the server, and nothing else that a form can't do.
"use strict";

(function () {
  const live = document.querySelector("[data-live]");
  if (!live || !window.EventSource) return;
  const notices = document.getElementById("live-notices");
  const source = new EventSource("/console/live");

  function say(text) {
    if (!notices) return;
    const item = document.createElement("li");
    item.textContent = text;
    notices.prepend(item);
    while (notices.children.length > 5) notices.lastElementChild.remove();
  }

  source.addEventListener("order", function (message) {
    const change = JSON.parse(message.data);
    document.querySelectorAll('[data-order="' + CSS.escape(change.order_id) + '"]').forEach(
      function (row) {
        row.querySelectorAll("[data-field]").forEach(function (cell) {
          const value = change[cell.dataset.field];
          if (value === undefined) return;
          cell.dataset.value = value;
          const text = cell.querySelector(".text") || cell;
          text.textContent = value.replace(/_/g, " ");
        });
        row.classList.remove("flash");
        void row.offsetWidth;
        row.classList.add("flash");
      }
    );
    say(change.order_id + ": " + change.status.replace(/_/g, " ") +
        (change.billing_status === "confirmed" ? ", billing confirmed" : ""));
  });

  source.addEventListener("signed_out", function () {
    source.close();
    window.location = "/console/login?idle=1&next=" + encodeURIComponent(location.pathname);
  });
})();
