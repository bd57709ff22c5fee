// The privacy officer's area of the staff console: data-protection cases (opened in a form,
// picked from the list of open ones, closed), and under the picked case what is held about
// its address per area (counts, no contents), the export as a JSON download, erasure (asked
// first, naming the address and what will go), the correction of the person's details, the
// answer to the member (the server's Danish page, shown here and printed alone by the print
// style sheet) and the audit trail. Every request names the case, never the address, in its
// body; the downloaded file is named by the audit reference. Signing out clears the address
// and every result from the page.
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
  var actionText = { search: "Søgning", export: "Udtræk", erase: "Sletning", correct: "Rettelse",
    answer: "Svar til medlemmet", contribute: "Lederkonsulentens bidrag" };
  var caseFields = { email: "db-ny-email", kind: "db-ny-art", received_on: "db-ny-modtaget", note: "db-ny-note" };
  var correctFields = { name: "db-ret-navn", phone: "db-ret-telefon", workplace: "db-ret-arbejdsplads", member_number: "db-ret-medlemsnummer" };
  var cases = {};   // the open cases by number, as last listed
  var picked = null; // the case worked on
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

  // The picked case's address (the field shows it, read-only), or null after saying that a
  // case is picked first.
  function address() {
    fieldError("");
    if (!picked) { say("Vælg en sag først."); $("db-sag").focus(); return null; }
    return picked.email;
  }

  // What each request sends: the case, never the address.
  function asked(extra) {
    var body = { case: picked.case };
    Object.keys(extra || {}).forEach(function (key) { body[key] = extra[key]; });
    return body;
  }

  function refused(error) {
    if (error.message === "signed out") { return; }
    var field = (error.fields || []).filter(function (f) { return f.field === "email"; })[0];
    if (field) { fieldError(field.message); } else { say(error.message); }
  }

  function working(on) {
    ["db-soeg", "db-hent", "db-slet", "db-slet-ja", "db-svar-vis", "db-sag-afslut", "db-ret-gem"].forEach(function (id) { $(id).disabled = on; });
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
    return api("POST", "/api/staff/privacy/search", asked()).then(json);
  }

  function download() {
    var email = address();
    if (!email) { return; }
    run(api("POST", "/api/staff/privacy/export", asked()).then(function (response) {
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
    if (!email || !picked || email !== picked.email) { closeAsk(); return; }
    run(api("POST", "/api/staff/privacy/erase", asked({ confirm: true })).then(json).then(function (erased) {
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
        ["Tidspunkt", "Sag", "Handling", "Udført af", "Antal pr. område", "Reference"]);
      trail.requests.forEach(function (entry) {
        var row = el("tr");
        var when = el("th", "", dateFormat.format(new Date(entry.at)));
        when.scope = "row";
        row.appendChild(when);
        row.appendChild(el("td", "", entry.case || "Uden sag"));
        row.appendChild(el("td", "", actionText[entry.action] || entry.action));
        row.appendChild(el("td")).appendChild(P.address(entry.by));
        [counts(entry), entry.reference].forEach(function (text) { row.appendChild(el("td", "", text)); });
        rows.add(row);
      });
      target.appendChild(rows.table);
    }).catch(P.failedQuietly(function (error) { target.textContent = error.message; }));
  }


  // -- cases ---------------------------------------------------------------------------------

  // Errors on a form's fields (by the API's field name), the first one focused; the rest of
  // the refusal said in the console's line.
  function showErrors(fields, error) {
    clearErrors(fields);
    if (error.message === "signed out") { return; }
    var first = null;
    var other = [];
    (error.fields || []).forEach(function (f) {
      var id = fields[f.field];
      if (!id) { other.push(f.message); return; }
      $(id + "-fejl").textContent = f.message;
      $(id).setAttribute("aria-invalid", "true");
      first = first || $(id);
    });
    if (first) { first.focus(); }
    if (other.length || !first) { say(other.join(" ") || error.message); }
  }

  function clearErrors(fields) {
    Object.keys(fields).forEach(function (name) {
      $(fields[name] + "-fejl").textContent = "";
      $(fields[name]).removeAttribute("aria-invalid");
    });
  }

  function today() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  function caseLabel(found) {
    return found.case + " · " + found.kind_text + " · " + found.email + " · modtaget " + found.received_text;
  }

  // The open cases in the list (the picked one stays picked while it is open).
  function loadCases(pick) {
    return api("GET", "/api/staff/privacy/cases").then(json).then(function (answer) {
      var list = $("db-sag");
      var keep = pick || (picked && picked.case) || "";
      cases = {};
      while (list.options.length > 1) { list.remove(1); }
      answer.cases.forEach(function (found) {
        cases[found.case] = found;
        var option = el("option", "", caseLabel(found));
        option.value = found.case;
        list.appendChild(option);
      });
      list.value = cases[keep] ? keep : "";
      choose(cases[keep] || null);
    }).catch(P.failedQuietly(function (error) { say(error.message); }));
  }

  // Work on this case (or none): its address in the read-only field, its results cleared.
  function choose(found) {
    var changed = !picked || !found || picked.case !== found.case;
    picked = found;
    if (changed) {
      closeAsk();
      closeAnswer();
      $("db-resultat").textContent = "";
      $("db-fundet").hidden = true;
      $("db-ret-form").reset();
      clearErrors(correctFields);
      $("db-ret-svar").textContent = "";
    }
    $("db-arbejde").hidden = !found;
    $("db-email").readOnly = true;
    $("db-email").value = found ? found.email : "";
    if (!found) { return; }
    $("db-arbejde-overskrift").textContent = "Sag " + found.case + ": " + found.kind_text;
    // The letter answers a request for access only.
    $("db-svar-vis").hidden = found.kind !== "access";
    $("db-sag-om").textContent = "Modtaget " + found.received_text + ", oprettet af " + found.opened_by +
      (found.note ? ". Bemærkning: " + found.note : "") + ".";
  }

  function openCase(event) {
    event.preventDefault();
    clearErrors(caseFields);
    var body = { email: $("db-ny-email").value.trim(), kind: $("db-ny-art").value,
      received_on: $("db-ny-modtaget").value, note: $("db-ny-note").value.trim() || null };
    if (!body.email) { showErrors(caseFields, { fields: [{ field: "email", message: "Skriv personens e-mailadresse." }] }); return; }
    if (body.email.length > 254 || !ROUGH_EMAIL.test(body.email)) { showErrors(caseFields, { fields: [{ field: "email", message: "Indtast en gyldig e-mailadresse." }] }); return; }
    if (!body.received_on) { showErrors(caseFields, { fields: [{ field: "received_on", message: "Vælg datoen, anmodningen kom." }] }); return; }
    $("db-ny-opret").disabled = true;
    api("POST", "/api/staff/privacy/cases", body).then(json).then(function (answer) {
      $("db-ny-opret").disabled = false;
      $("db-ny-form").reset();
      $("db-ny-modtaget").value = today();
      return loadCases(answer.case.case).then(function () {
        say("Sag " + answer.case.case + " (" + answer.case.kind_text + ") er åben.");
        $("db-arbejde-overskrift").focus();
        return loadTrail();
      });
    }).catch(function (error) { $("db-ny-opret").disabled = false; showErrors(caseFields, error); });
  }

  function closeCase() {
    if (!picked) { return; }
    var number = picked.case;
    run(api("POST", "/api/staff/privacy/cases/" + encodeURIComponent(number) + "/close").then(json).then(function () {
      say("Sag " + number + " er afsluttet.");
      return loadCases("").then(function () { $("db-sag").focus(); return loadTrail(); });
    }));
  }

  // -- correction ----------------------------------------------------------------------------

  function correct(event) {
    event.preventDefault();
    if (!picked) { return; }
    clearErrors(correctFields);
    $("db-ret-svar").textContent = "";
    var body = {};
    Object.keys(correctFields).forEach(function (name) {
      var value = $(correctFields[name]).value.trim();
      if (value) { body[name] = value; }
    });
    // The phone removed: sent empty (a number typed beside it is not sent).
    if ($("db-ret-telefon-slet").checked) { body.phone = ""; }
    if (!Object.keys(body).length) {
      showErrors(correctFields, { fields: [{ field: "name", message: "Skriv mindst én oplysning, der skal rettes." }] });
      return;
    }
    working(true);
    api("POST", "/api/staff/privacy/cases/" + encodeURIComponent(picked.case) + "/correct", body).then(json).then(function (done) {
      working(false);
      $("db-ret-svar").textContent = done.changed ?
        "Rettet i " + (done.areas.forums || 0) + " tilmelding" + (done.areas.forums === 1 ? "" : "er") + " og " +
          (done.areas.newsletter ? "tilmeldingen til nyhedsbrevet" : "ingen tilmelding til nyhedsbrevet") + ". Revisionsspor: " + done.reference + "." :
        "Der var intet at rette: oplysningerne er allerede sådan. Revisionsspor: " + done.reference + ".";
      return loadTrail();
    }).catch(function (error) { working(false); showErrors(correctFields, error); });
  }

  // -- the answer to the member --------------------------------------------------------------

  // The server's page, its article taken into the console (no script runs from it; the
  // print style sheet prints it alone).
  function showAnswer() {
    if (!picked) { return; }
    run(api("GET", "/api/staff/privacy/cases/" + encodeURIComponent(picked.case) + "/answer").then(function (response) {
      if (!response.ok) { return json(response); }
      return P.blob(response).then(function (data) { return data.text(); }).then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var article = page.querySelector("main.svar article");
        var target = $("db-svar");
        target.textContent = "";
        if (article) { target.appendChild(demoted(document.importNode(article, true))); }
        $("db-svar-omraade").hidden = false;
        $("db-svar-overskrift").focus();
        return loadTrail();
      });
    }));
  }

  // The letter's headings under the area's own (h1 to h4, h2 to h5, h3 to h6).
  function demoted(article) {
    Array.prototype.slice.call(article.querySelectorAll("h1, h2, h3")).forEach(function (heading) {
      var lower = el("h" + (Number(heading.tagName.charAt(1)) + 3), heading.className);
      while (heading.firstChild) { lower.appendChild(heading.firstChild); }
      heading.replaceWith(lower);
    });
    return article;
  }

  function closeAnswer() {
    $("db-svar").textContent = "";
    $("db-svar-omraade").hidden = true;
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
    $("db-opdater").addEventListener("click", loadTrail);
    $("db-ny-form").addEventListener("submit", openCase);
    $("db-ny-modtaget").value = today();
    $("db-sag").addEventListener("change", function () { choose(cases[$("db-sag").value] || null); });
    $("db-sager-opdater").addEventListener("click", function () { loadCases(); });
    $("db-sag-afslut").addEventListener("click", closeCase);
    $("db-ret-form").addEventListener("submit", correct);
    $("db-svar-vis").addEventListener("click", showAnswer);
    $("db-svar-udskriv").addEventListener("click", function () { window.print(); });
    $("db-svar-luk").addEventListener("click", function () { closeAnswer(); $("db-svar-vis").focus(); });
    $("db-email").readOnly = true;
  }

  wirePrivacy();
  P.area("privacy_officer", {
    load: function () { return loadCases().then(loadTrail); },
    reset: function () {
      closeAsk();
      choose(null);
      cases = {};
      while ($("db-sag").options.length > 1) { $("db-sag").remove(1); }
      $("db-ny-form").reset();
      $("db-ny-modtaget").value = today();
      clearErrors(caseFields);
      $("db-form").reset();
      fieldError("");
      $("db-resultat").textContent = "";
      $("db-fundet").hidden = true;
      $("db-spor").textContent = "";
      working(false);
    }
  });
}());
