// Lists the upcoming forums and their sessions from the public API.
(function () {
  "use strict";
  var target = document.getElementById("forums");
  var statusText = { open: "Ledige pladser", full: "Fuldt – venteliste", closed: "Tilmelding lukket", cancelled: "Aflyst" };
  var dateFormat = new Intl.DateTimeFormat("da-DK", { dateStyle: "full", timeStyle: "short", timeZone: "Europe/Copenhagen" });

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function render(forums) {
    target.textContent = "";
    if (!forums.length) { target.appendChild(el("p", "", "Der er ingen kommende forum lige nu.")); return; }
    forums.forEach(function (forum) {
      var box = el("article", "forum");
      box.appendChild(el("h3", "", forum.title));
      box.appendChild(el("p", "", forum.description));
      forum.sessions.forEach(function (s) {
        var row = el("div", "session");
        row.appendChild(el("span", "", s.city + " – " + dateFormat.format(new Date(s.starts_at))));
        var status = statusText[s.status] || s.status;
        if (s.status === "open") { status += ": " + s.seats_left; }
        row.appendChild(el("span", "status", status));
        box.appendChild(row);
      });
      target.appendChild(box);
    });
  }

  fetch("/api/forums", { headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
    .then(function (data) { render(data.forums); })
    .catch(function () { target.textContent = "Forummene kunne ikke hentes. Prøv igen om lidt."; });
})();
