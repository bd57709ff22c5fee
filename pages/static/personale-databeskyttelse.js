// The privacy officer's area of the staff console: what is held about an address per area
// (counts, no contents), the export as a JSON download, erasure (asked first, naming the
// address and what will go) and the audit trail. The address goes to the API in the body of
// a POST only, never in an address; the downloaded file is named by the audit reference.
// Signing out clears the address and every result from the page.
// Registers with the console (personale.js).
(function () {
  "use strict";
  var P = window.Personale;
  var $ = P.$, el = P.el, table = P.table, api = P.api, json = P.json, say = P.say;
  var dateFormat = P.dateFormat;

  var areaText = { forums: "Lederforum: tilmeldinger", newsletter: "Nyhedsbrevet", advisory: "Henvendelser til lederkonsulenten" };
  var kindText = {
    confirmed: "bekræftet", waitlisted: "på venteliste", cancelled: "afmeldt", unconfirmed: "ikke bekræftet af ejeren",
    pending: "afventer bekræftelse", subscribed: "abonnerer", unsubscribed: "afmeldt", suppressed: "spærret", held: "andet"
  };
  var actionText = { search: "Søgning", export: "Udtræk", erase: "Sletning" };
  // The server decides (email-validator); this catches the obvious at once.
  var ROUGH_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

  function fieldError(message) {
    $("db-email-fejl").textContent = message || "";
    if (message) {
      $("db-email").setAttribute("aria-invalid", "true");
      $("db-email").focus();
    } else {
      $("db-email").removeAttribute("aria-invalid");
    }
  }

  // The address in the field, or null after telling what is wrong with it.
  function address() {
    var value = $("db-email").value.trim();
    fieldError("");
    if (!value) { fieldError("Skriv personens e-mailadresse."); return null; }
    if (value.length > 254 || !ROUGH_EMAIL.test(value)) { fieldError("Indtast en gyldig e-mailadresse."); return null; }
    return value;
  }

  function refused(error) {
    if (error.message === "signed out") { return; }
    var field = (error.fields || []).filter(function (f) { return f.field === "email"; })[0];
    if (field) { fieldError(field.message); } else { say(error.message); }
  }

  function working(on) {
    ["db-soeg", "db-hent", "db-slet", "db-slet-ja"].forEach(function (id) { $(id).disabled = on; });
  }

  function run(promise) {
    working(true);
    return promise.then(function (value) { working(false); return value; },
      function (error) { working(false); refused(error); });
  }

  function kinds(held) {
    return Object.keys(held.kinds).map(function (kind) {
      return held.kinds[kind] + " " + (kindText[kind] || kind);
    }).join(", ");
  }

  function total(found) {
    return found.areas.reduce(function (sum, held) { return sum + held.count; }, 0);
  }

  function showFound(email, found) {
    var target = $("db-resultat");
    target.textContent = "";
    var about = document.createDocumentFragment();
    about.appendChild(document.createTextNode("Oplysninger om "));
    about.appendChild(P.address(email));
    var held = table("fundet", about, ["Område", "Antal", "Heraf"]);
    found.areas.forEach(function (area) {
      var row = el("tr");
      var name = el("th", "", areaText[area.area] || area.area);
      name.scope = "row";
      row.appendChild(name);
      row.appendChild(el("td", "", String(area.count)));
      row.appendChild(el("td", "", kinds(area)));
      held.add(row);
    });
    found.not_searched.forEach(function (gap) {
      var row = el("tr");
      var name = el("th", "", areaText[gap.area] || gap.area);
      name.scope = "row";
      row.appendChild(name);
      row.appendChild(el("td", "", "Ikke søgt"));
      // The reason is told once above the form (advisory: the consultant answers it).
      row.appendChild(el("td", "", gap.area === "advisory" ? "Besvares af lederkonsulenten" : gap.reason));
      held.add(row);
    });
    target.appendChild(held.table);
    target.appendChild(el("p", "", total(found) ? "Revisionsspor: " + found.reference + "."
      : "Der findes ingen oplysninger om adressen i de områder, der er søgt i. Revisionsspor: " + found.reference + "."));
    $("db-fundet-overskrift").textContent = "Resultat af søgningen";
    $("db-fundet").hidden = false;
    $("db-fundet-overskrift").focus();
  }

  function search(email) {
    return api("POST", "/api/staff/privacy/search", { email: email }).then(json);
  }

  function download() {
    var email = address();
    if (!email) { return; }
    run(api("POST", "/api/staff/privacy/export", { email: email }).then(function (response) {
      return P.download(response, "udtraek.json").then(function (filename) {
        say("Udtrækket er hentet som " + filename + ".");
        return loadTrail();
      });
    }));
  }

  // Asks first: a fresh search, then a second button that names the address and the counts.
  function askErase() {
    var email = address();
    if (!email) { return; }
    run(search(email).then(function (found) {
      var parts = found.areas.map(function (a) { return (areaText[a.area] || a.area) + ": " + a.count; });
      $("db-advarsel").textContent = "Vil du slette alle oplysninger om " + email + "? " +
        (total(found) ? "Det gælder " + parts.join(", ") + ". " : "Der blev ikke fundet noget, men du kan slette alligevel. ") +
        "En plads på et kommende møde gives videre til den første på ventelisten. Henvendelser til lederkonsulenten slettes ikke her: det gør lederkonsulenten i sit eget område. Sletningen kan ikke fortrydes.";
      $("db-slet-ja").textContent = "Ja, slet alt om " + email;
      $("db-slet-ja").dataset.email = email;
      $("db-spoerg").hidden = false;
      $("db-slet-ja").focus();
      return loadTrail();
    }));
  }

  function erase() {
    var email = $("db-slet-ja").dataset.email;
    if (!email || email !== $("db-email").value.trim()) { closeAsk(); return; }
    run(api("POST", "/api/staff/privacy/erase", { email: email, confirm: true }).then(json).then(function (erased) {
      closeAsk();
      say(""); // an earlier line ("Udtrækket er hentet som …") is about data now erased
      var parts = Object.keys(erased.erased).map(function (area) { return (areaText[area] || area) + ": " + erased.erased[area]; });
      var target = $("db-resultat");
      target.textContent = "";
      target.appendChild(el("p", "", "Slettet om " + email + ": " + parts.join(", ") + ". Revisionsspor: " + erased.reference + "."));
      erased.not_searched.forEach(function (gap) {
        target.appendChild(el("p", "besked", (areaText[gap.area] || gap.area) + " er ikke slettet: " + gap.reason));
      });
      $("db-fundet-overskrift").textContent = "Resultat af sletningen";
      $("db-fundet").hidden = false;
      $("db-fundet-overskrift").focus();
      return loadTrail();
    }));
  }

  function closeAsk() {
    $("db-spoerg").hidden = true;
    $("db-advarsel").textContent = "";
    $("db-slet-ja").textContent = "";
    delete $("db-slet-ja").dataset.email;
  }

  function counts(entry) {
    var parts = Object.keys(entry.counts).map(function (area) { return (areaText[area] || area) + ": " + entry.counts[area]; });
    entry.not_searched.forEach(function (area) { parts.push((areaText[area] || area) + ": ikke søgt"); });
    return parts.join(", ");
  }

  function loadTrail() {
    var target = $("db-spor");
    return api("GET", "/api/staff/privacy/audit").then(json).then(function (trail) {
      target.textContent = "";
      if (!trail.requests.length) { target.appendChild(el("p", "", "Ingen anmodninger endnu.")); return; }
      var rows = table("spor", "De nyeste anmodninger, nyeste først",
        ["Tidspunkt", "Handling", "Udført af", "Antal pr. område", "Reference"]);
      trail.requests.forEach(function (entry) {
        var row = el("tr");
        var when = el("th", "", dateFormat.format(new Date(entry.at)));
        when.scope = "row";
        row.appendChild(when);
        row.appendChild(el("td", "", actionText[entry.action] || entry.action));
        row.appendChild(el("td")).appendChild(P.address(entry.by));
        [counts(entry), entry.reference].forEach(function (text) { row.appendChild(el("td", "", text)); });
        rows.add(row);
      });
      target.appendChild(rows.table);
    }).catch(P.failedQuietly(function (error) { target.textContent = error.message; }));
  }

  function wirePrivacy() {
    $("db-form").addEventListener("submit", function (event) {
      event.preventDefault();
      closeAsk();
      var email = address();
      if (!email) { return; }
      run(search(email).then(function (found) {
        showFound(email, found);
        return loadTrail();
      }));
    });
    $("db-hent").addEventListener("click", function () { closeAsk(); download(); });
    $("db-slet").addEventListener("click", askErase);
    $("db-slet-ja").addEventListener("click", erase);
    $("db-slet-fortryd").addEventListener("click", function () { closeAsk(); $("db-slet").focus(); });
    $("db-email").addEventListener("input", closeAsk);
    $("db-opdater").addEventListener("click", loadTrail);
  }

  wirePrivacy();
  P.area("privacy_officer", {
    load: loadTrail,
    reset: function () {
      closeAsk();
      $("db-form").reset();
      fieldError("");
      $("db-resultat").textContent = "";
      $("db-fundet").hidden = true;
      $("db-spor").textContent = "";
      working(false);
    }
  });
}());
