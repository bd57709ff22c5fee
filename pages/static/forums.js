// The forum list (index.html) and the session a registration is for (tilmelding.html), both
// from the public API.
(function () {
  "use strict";
  var statusText = { open: "Ledige pladser", full: "Fuldt – der er venteliste", closed: "Tilmelding lukket", cancelled: "Aflyst" };
  var tid = window.danskTid;

  // Registration is open until the deadline (the API says "closed" after it; a page opened
  // before the deadline knows it too).
  function closed(session) {
    return session.status === "closed" || session.status === "cancelled" ||
      new Date(session.registration_deadline) < new Date();
  }

  // The deadline of a session still open; a closed or cancelled one says so in its status
  // line only (the secretariat may close it long before the deadline).
  function deadline(session) {
    return closed(session) ? "" : "Tilmelding senest " + tid.time(session.registration_deadline) + ".";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function when(session) {
    return tid.span(session.starts_at, session.ends_at);
  }

  function seats(session) {
    if (closed(session) && session.status !== "cancelled") { return statusText.closed; }
    var text = statusText[session.status] || session.status;
    return session.status === "open" ? text + ": " + session.seats_left : text;
  }

  function renderList(target, forums) {
    target.textContent = "";
    if (!forums.length) { target.appendChild(el("p", "", "Der er ingen kommende møder lige nu.")); return; }
    forums.forEach(function (forum) {
      var box = el("article", "forum");
      box.appendChild(el("h3", "", forum.title));
      box.appendChild(el("p", "", forum.description));
      if (forum.audience === "leaders_and_administration") {
        box.appendChild(el("p", "status", "Også for ansatte i forvaltningen."));
      }
      forum.sessions.forEach(function (s) {
        var row = el("div", "session");
        var place = el("div");
        place.appendChild(el("strong", "", s.city));
        place.appendChild(document.createTextNode(" – " + when(s)));
        if (s.venue) { place.appendChild(el("div", "status", s.venue)); }
        place.appendChild(el("div", "status", seats(s)));
        if (!closed(s)) { place.appendChild(el("div", "frist", deadline(s))); }
        row.appendChild(place);
        if (!closed(s) && (s.status === "open" || s.status === "full")) {
          var link = el("a", "knap", s.status === "open" ? "Tilmeld dig" : "Skriv dig på ventelisten");
          link.href = "/tilmelding.html?session=" + encodeURIComponent(s.id);
          link.setAttribute("aria-label", link.textContent + ": " + forum.title + ", " + s.city);
          row.appendChild(link);
        }
        box.appendChild(row);
      });
      target.appendChild(box);
    });
  }

  function renderSession(target, forums) {
    var id = new URLSearchParams(window.location.search).get("session");
    var form = document.querySelector("form[data-endpoint]");
    var found = null;
    forums.forEach(function (forum) {
      forum.sessions.forEach(function (s) { if (s.id === id) { found = { forum: forum, session: s }; } });
    });
    target.textContent = "";
    if (!found || closed(found.session)) {
      form.hidden = true;
      if (found) {
        target.appendChild(el("h2", "", found.forum.title));
        target.appendChild(el("p", "", found.session.city + " – " + when(found.session)));
      }
      target.appendChild(el("p", "besked", found
        ? (found.session.status === "cancelled" ? "Mødet er aflyst." : "Der er lukket for tilmelding til dette møde.")
        : "Vi kan ikke finde mødet. Vælg det igen fra listen over møder."));
      return;
    }
    var s = found.session;
    target.appendChild(el("h2", "", found.forum.title));
    target.appendChild(el("p", "", s.city + (s.venue ? ", " + s.venue : "") + " – " + when(s)));
    target.appendChild(el("p", "frist", deadline(s)));
    target.appendChild(el("p", "status", s.status === "full"
      ? "Mødet er fuldt. Tilmelder du dig, kommer du på ventelisten og får besked, hvis du får en plads."
      : seats(s)));
    if (found.forum.audience !== "leaders_and_administration") {
      var admin = form.querySelector("option[value=administration]");
      if (admin) { admin.remove(); }
    }
  }

  var list = document.getElementById("forums");
  var detail = document.getElementById("session-detaljer");
  var target = list || detail;
  if (!target) { return; }
  fetch("/api/forums", { headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
    .then(function (data) { (list ? renderList : renderSession)(target, data.forums); })
    .catch(function () { target.textContent = "Møderne kunne ikke hentes. Prøv igen om lidt."; });
})();
