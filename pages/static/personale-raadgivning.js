// The consultant's area of the staff console: the advisory queue as counts (no texts), the
// next request taken and shown, a note and "Afslut", or "Læg tilbage"; the history of
// finished requests with their notes, each openable; and the advisory part of a
// data-protection request: the requests one address sent, counted, exported as a download
// (named by the audit reference) or erased after a second button naming the address and the
// count. Every text goes into the page as a text node (never as markup); the address goes to
// the API in a POST body only. Signing out clears the address and every result.
// Registers with the console (personale.js).
(function () {
  "use strict";
  var P = window.Personale;
  var $ = P.$, el = P.el, table = P.table, api = P.api, json = P.json, say = P.say;
  var busy = P.busy, action = P.action, dateFormat = P.dateFormat;
  var current = null; // the request on screen: {reference, held}

  var contactText = { email: "E-mail", phone: "Telefon" };

  function failed(report) {
    return P.failedQuietly(function (error) { report(error.message); });
  }

  function when(iso) { return iso ? dateFormat.format(new Date(iso)) : ""; }

  function loadQueue() {
    var target = $("koe-antal");
    return api("GET", "/api/staff/advisory").then(json).then(function (counts) {
      target.textContent = "";
      var waiting = counts.waiting_urgent + counts.waiting_normal;
      var summary = waiting === 0 ? "Der venter ingen henvendelser." :
        waiting + (waiting === 1 ? " henvendelse venter" : " henvendelser venter") +
        " (" + counts.waiting_urgent + " haster).";
      if (counts.in_progress) { summary += " " + counts.in_progress + " er ved at blive behandlet."; }
      target.appendChild(el("p", "", summary));
      var ages = table("koe", "Ventende henvendelser efter alder", ["Ventet", "Haster", "Øvrige"]);
      counts.ages.forEach(function (age) {
        var row = el("tr");
        var label = el("th", "", age.label);
        label.scope = "row";
        row.appendChild(label);
        row.appendChild(el("td", "", String(age.urgent)));
        row.appendChild(el("td", "", String(age.normal)));
        ages.add(row);
      });
      target.appendChild(ages.table);
    }).catch(failed(function (message) { target.textContent = message; }));
  }

  function field(list, label, value) {
    if (value === null || value === undefined || value === "") { return; }
    list.appendChild(el("dt", "", label));
    list.appendChild(el("dd", "", value));
  }

  // The request on screen: held (note, Afslut, Læg tilbage) or finished (read only).
  function show(request) {
    var held = request.status === "leased";
    current = { reference: request.reference, held: held };
    $("henvendelse-overskrift").textContent = "Henvendelse " + request.reference + (request.urgent ? " (haster)" : "");
    var list = $("henvendelse-felter");
    list.textContent = "";
    field(list, "Type", request.kind_text);
    field(list, "Haster", request.urgent ? "Ja" : "Nej");
    field(list, "Modtaget", when(request.received_at));
    field(list, "Navn", request.name);
    field(list, "E-mail", request.email);
    field(list, "Telefon", request.phone);
    field(list, "Foretrækker", contactText[request.contact_preference] || "");
    field(list, "Emne", request.topic);
    if (held) { field(list, "Reserveret til dig indtil", when(request.leased_until)); }
    if (!held) {
      field(list, "Afsluttet", when(request.done_at));
      field(list, "Note", request.note || "(ingen note)");
    }
    $("henvendelse-besked").textContent = request.message;
    $("afslut-form").reset();
    $("afslut-fejl").textContent = "";
    $("note").removeAttribute("aria-invalid");
    $("afslut-form").hidden = !held;
    $("henvendelse").hidden = false;
    $("henvendelse-overskrift").focus();
  }

  function close() {
    $("henvendelse").hidden = true;
    $("henvendelse-felter").textContent = "";
    $("henvendelse-besked").textContent = "";
    current = null;
  }

  function takeNext() {
    var button = $("tag-naeste");
    button.disabled = true;
    api("POST", "/api/staff/advisory/next").then(json).then(function (answer) {
      button.disabled = false;
      say(answer.message);
      if (answer.request) { show(answer.request); }
      return loadQueue();
    }).catch(function (error) {
      button.disabled = false;
      failed(say)(error);
    });
  }

  function finish(event) {
    event.preventDefault();
    if (!current || !current.held) { return; }
    var reference = current.reference;
    var note = $("note").value.trim();
    $("afslut-fejl").textContent = "";
    $("note").removeAttribute("aria-invalid");
    busy(event.target, api("POST", "/api/staff/advisory/" + encodeURIComponent(reference) + "/done", note ? { note: note } : {})
      .then(json).then(function () {
        close();
        say(reference + " er afsluttet.");
        $("tag-naeste").focus();
        loadHistory();
        return loadQueue();
      }).catch(P.failedQuietly(function (error) {
        var noteError = error.fields.filter(function (f) { return f.field === "note"; })[0];
        if (noteError) { $("note").setAttribute("aria-invalid", "true"); $("note").focus(); }
        $("afslut-fejl").textContent = noteError ? noteError.message : error.message;
      })));
  }

  function putBack() {
    if (!current || !current.held) { return; }
    var reference = current.reference;
    api("POST", "/api/staff/advisory/" + encodeURIComponent(reference) + "/release").then(json).then(function () {
      close();
      say(reference + " er lagt tilbage i køen.");
      $("tag-naeste").focus();
      return loadQueue();
    }).catch(failed(function (message) { $("afslut-fejl").textContent = message; }));
  }

  function open(reference) {
    api("GET", "/api/staff/advisory/" + encodeURIComponent(reference)).then(json).then(show)
      .catch(failed(say));
  }

  function loadHistory() {
    var target = $("historik");
    target.textContent = "Henter …";
    return api("GET", "/api/staff/advisory/history").then(json).then(function (data) {
      target.textContent = "";
      if (!data.requests.length) { target.appendChild(el("p", "", "Ingen henvendelser er afsluttet endnu.")); return; }
      var list = table("historik", data.requests.length === 1 ? "Den seneste afsluttede henvendelse"
        : "De seneste " + data.requests.length + " afsluttede henvendelser",
        ["Reference", "Type", "Afsluttet", "Af", "Note", "Handlinger"]);
      data.requests.forEach(function (r) {
        var row = el("tr");
        var what = el("th", "", r.reference + (r.urgent ? " (haster)" : ""));
        what.scope = "row";
        row.appendChild(what);
        [r.kind_text, when(r.done_at)].forEach(function (text) { row.appendChild(el("td", "", text)); });
        row.appendChild(el("td")).appendChild(P.address(r.done_by));
        row.appendChild(el("td", "", r.note || ""));
        var actions = el("td", "handlinger");
        actions.appendChild(action("Vis", "Vis henvendelse " + r.reference, function () { open(r.reference); }));
        row.appendChild(actions);
        list.add(row);
      });
      target.appendChild(list.table);
    }).catch(failed(function (message) { target.textContent = message; }));
  }

  // -- data-protection requests: the requests one address sent ------------------------------

  var asked = null; // the address the second erase button names, while it is shown
  var statusText = { waiting: "venter", leased: "er ved at blive behandlet", done: "afsluttet" };
  // The server decides (email-validator); this catches the obvious at once.
  var LOOKS_LIKE_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

  function addressError(text) {
    var input = $("indsigt-email");
    $("indsigt-email-fejl").textContent = text || "";
    if (!text) { input.removeAttribute("aria-invalid"); return; }
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }

  // The data-protection case picked (the privacy officer's open cases): its address is asked
  // about, every request names the case, and the advisory part of its answer is contributed.
  var privacyCases = {};
  var onCase = null;

  function loadPrivacyCases() {
    return api("GET", "/api/staff/advisory/privacy/cases").then(json).then(function (answer) {
      var list = $("indsigt-sag");
      var keep = onCase ? onCase.case : "";
      privacyCases = {};
      while (list.options.length > 1) { list.remove(1); }
      answer.cases.forEach(function (found) {
        privacyCases[found.case] = found;
        var option = el("option", "", found.case + " · " + found.kind_text + " · " + found.email);
        option.value = found.case;
        list.appendChild(option);
      });
      list.value = privacyCases[keep] ? keep : "";
      pickCase();
    }).catch(failed(answered));
  }

  function pickCase() {
    closeQuestion();
    var was = onCase;
    onCase = privacyCases[$("indsigt-sag").value] || null;
    $("indsigt-email").readOnly = !!onCase;
    if (onCase || was) { $("indsigt-email").value = onCase ? onCase.email : ""; }
    $("indsigt-bidrag").hidden = !onCase;
    addressError("");
  }

  // What a request sends: the case when one is picked, else the address typed.
  function about(email, extra) {
    var body = onCase ? { case: onCase.case } : { email: email };
    Object.keys(extra || {}).forEach(function (key) { body[key] = extra[key]; });
    return body;
  }

  // The requests from the case's address by kind, day and whether finished (never their
  // text) go to the privacy officer's answer; the contents go to the member from here.
  function contribute() {
    if (!onCase) { return; }
    var number = onCase.case;
    asking(api("POST", "/api/staff/advisory/privacy/cases/" + encodeURIComponent(number) + "/contribute").then(json).then(function (given) {
      answered("Bidraget til svaret på sag " + number + ": " + requests(given.requests) +
        " (art, dato og om den er afsluttet; ikke indholdet). Send selv indholdet til personen. Revisionsspor: " + given.reference + ".");
    }));
  }

  // The address typed in (or the case's), or null once the field says what is wrong with it.
  function sender() {
    if (onCase) { addressError(""); return onCase.email; }
    var typed = $("indsigt-email").value.trim();
    addressError("");
    if (!typed) { addressError("Skriv afsenderens e-mailadresse."); }
    else if (typed.length > 254 || !LOOKS_LIKE_EMAIL.test(typed)) { addressError("Indtast en gyldig e-mailadresse."); }
    else { return typed; }
    return null;
  }

  function answered(text) {
    var target = $("indsigt-svar");
    target.textContent = "";
    target.appendChild(el("p", "", text));
  }

  // Buttons off while a request runs (on again before its value is passed on); a refusal on
  // the address goes to the field.
  function asking(promise) {
    var buttons = ["indsigt-soeg", "indsigt-hent", "indsigt-slet", "indsigt-slet-ja", "indsigt-bidrag"].map($);
    buttons.forEach(function (button) { button.disabled = true; });
    var enable = function () { buttons.forEach(function (button) { button.disabled = false; }); };
    return promise.then(function (value) { enable(); return value; }, function (error) {
      enable();
      if (error.message === "signed out") { return; }
      var onAddress = (error.fields || []).filter(function (f) { return f.field === "email"; })[0];
      if (onAddress) { addressError(onAddress.message); } else { answered(error.message); }
    });
  }

  function advisoryHeld(found) {
    return found.areas.filter(function (area) { return area.area === "advisory"; })[0] || { count: 0, kinds: {} };
  }

  function requests(count) { return count === 1 ? "1 henvendelse" : count + " henvendelser"; }

  function searchSender(email) {
    return api("POST", "/api/staff/advisory/privacy/search", about(email)).then(json);
  }

  function searched(event) {
    event.preventDefault();
    closeQuestion();
    var email = sender();
    if (!email) { return; }
    asking(searchSender(email).then(function (found) {
      var held = advisoryHeld(found);
      var parts = Object.keys(held.kinds).map(function (kind) { return held.kinds[kind] + " " + (statusText[kind] || kind); });
      answered((held.count ? requests(held.count) + " fra " + email + ": " + parts.join(", ") + "."
        : "Der er ingen henvendelser fra " + email + ".") + " Revisionsspor: " + found.reference + ".");
    }));
  }

  function exportSender() {
    closeQuestion();
    var email = sender();
    if (!email) { return; }
    asking(api("POST", "/api/staff/advisory/privacy/export", about(email)).then(function (response) {
      return P.download(response, "udtraek.json");
    }).then(function (filename) {
      if (filename) { answered("Udtrækket af henvendelserne fra " + email + " er hentet som " + filename + "."); }
    }));
  }

  // Asks first: a fresh count, then a second button naming the address and the count.
  function askErase() {
    var email = sender();
    if (!email) { return; }
    asking(searchSender(email).then(function (found) {
      var count = advisoryHeld(found).count;
      $("indsigt-advarsel").textContent = (count ? "Vil du slette " + requests(count) + " fra " + email + " med dine noter? "
        : "Der er ingen henvendelser fra " + email + ", men du kan slette alligevel. ") + "Sletningen kan ikke fortrydes.";
      $("indsigt-slet-ja").textContent = "Ja, slet " + requests(count) + " fra " + email;
      asked = email;
      $("indsigt-spoerg").hidden = false;
      return true;
    })).then(function (shown) { if (shown) { $("indsigt-slet-ja").focus(); } });
  }

  function eraseSender() {
    var email = asked;
    if (!email || email !== $("indsigt-email").value.trim()) { closeQuestion(); return; }
    asking(api("POST", "/api/staff/advisory/privacy/erase", about(email, { confirm: true })).then(json).then(function (erased) {
      closeQuestion();
      answered("Slettet: " + requests(erased.erased.advisory || 0) + " fra " + email + ". Revisionsspor: " + erased.reference + ".");
      $("indsigt-email").focus();
      return loadQueue();
    }));
  }

  // The question is gone, and with it the address its button named.
  function closeQuestion() {
    asked = null;
    $("indsigt-spoerg").hidden = true;
    ["indsigt-advarsel", "indsigt-slet-ja"].forEach(function (id) { $(id).textContent = ""; });
  }

  function wireConsultant() {
    $("tag-naeste").addEventListener("click", takeNext);
    $("opdater-koe").addEventListener("click", loadQueue);
    $("afslut-form").addEventListener("submit", finish);
    $("laeg-tilbage").addEventListener("click", putBack);
    $("vis-historik").addEventListener("click", loadHistory);
    $("indsigt-form").addEventListener("submit", searched);
    $("indsigt-hent").addEventListener("click", exportSender);
    $("indsigt-slet").addEventListener("click", askErase);
    $("indsigt-slet-ja").addEventListener("click", eraseSender);
    $("indsigt-slet-fortryd").addEventListener("click", function () { closeQuestion(); $("indsigt-slet").focus(); });
    $("indsigt-email").addEventListener("input", closeQuestion);
    $("indsigt-sag").addEventListener("change", pickCase);
    $("indsigt-sager-opdater").addEventListener("click", loadPrivacyCases);
    $("indsigt-bidrag").addEventListener("click", contribute);
  }

  wireConsultant();
  // The request held when the session ended is shown again after signing in (its note goes
  // back into its form).
  function heldRequest() { return current && current.held ? { reference: current.reference } : null; }

  function showAgain(held) {
    return api("GET", "/api/staff/advisory/" + encodeURIComponent(held.reference)).then(json).then(show);
  }

  P.area("consultant", {
    load: function () { loadPrivacyCases(); return loadQueue(); },
    keep: heldRequest,
    resume: showAgain,
    reset: function () {
      close();
      // A note typed about a request leaves with the one who typed it.
      $("afslut-form").reset();
      $("koe-antal").textContent = "";
      $("historik").textContent = "";
      closeQuestion();
      privacyCases = {};
      while ($("indsigt-sag").options.length > 1) { $("indsigt-sag").remove(1); }
      pickCase();
      $("indsigt-form").reset();
      addressError("");
      $("indsigt-svar").textContent = "";
    }
  });
}());
