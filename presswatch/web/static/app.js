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

// the topics page's query preview follows what is typed (the form works without this)
document.addEventListener("DOMContentLoaded", () => {
  const input = document.getElementById("preview-q");
  const since = document.getElementById("preview-since");
  const result = document.getElementById("preview-result");
  if (!input || !since || !result) {
    return;
  }
  let timer = null;
  let asked = 0;
  const refresh = () => {
    const number = ++asked;
    const params = new URLSearchParams({ q: input.value, since: since.value });
    fetch(`/topics/preview?${params}`, { headers: { Accept: "text/html" } })
      .then((response) => response.text())
      .then((html) => {
        if (number === asked) {  // an answer to an older query arrives too late to show
          result.innerHTML = html;
          result.dataset.query = input.value;
        }
      });
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
  since.addEventListener("change", refresh);
});
