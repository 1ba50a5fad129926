// presswatch review page: small progressive enhancements; every page works without them.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // times arrive in UTC; show them in the reader's own time zone
  const format = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
  });
  for (const element of document.querySelectorAll("time[datetime]")) {
    const moment = new Date(element.getAttribute("datetime"));
    if (!Number.isNaN(moment.getTime())) {
      element.title = element.textContent;
      element.textContent = format.format(moment);
    }
  }
  // on a wide screen the filters have room to stay open
  const filters = document.querySelector("details.more-filters");
  if (filters && window.matchMedia("(min-width: 900px)").matches) {
    filters.open = true;
  }
});
