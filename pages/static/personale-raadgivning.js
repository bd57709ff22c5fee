// The consultant's area of the staff console: the advisory queue as counts (no texts), the
// next request taken and shown; "Mine åbne henvendelser" (leased from any device, or on
// "afventer svar"; open, extend, put back, take up again); a request with mailto:/tel: links
// (the reference in the subject, nothing the person wrote), a note and "Afslut", "Afventer
// svar" with a follow-up date, "Læg tilbage", a tie to an earlier request; the history of
// finished requests with their notes, each openable and reopenable, searched by reference; and the advisory part of a
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
      if (counts.on_hold) {
        summary += " " + counts.on_hold + " afventer svar" + (counts.due ? " (" + counts.due + " med opfølgning nu)." : ".");
      }
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

  // A field whose value is a node (a link, a button).
  function fieldNode(list, label, node) {
    list.appendChild(el("dt", "", label));
    list.appendChild(el("dd")).appendChild(node);
  }

  function link(href, text) {
    var a = el("a", "", text);
    a.href = href;
    return a;
  }

  // Contact links hold the address or number and the reference, never anything the person
  // wrote.
  function mailto(request) {
    return "mailto:" + encodeURIComponent(request.email).replace(/%40/g, "@") + "?subject=" +
      encodeURIComponent("Din henvendelse til lederkonsulenten (" + request.reference + ")");
  }

  function tel(phone) { return "tel:" + String(phone).replace(/[^0-9+]/g, ""); }

  function path(reference, action) {
    return "/api/staff/advisory/" + encodeURIComponent(reference) + (action ? "/" + action : "");
  }

  // "til kl. 14.35" today; another day with its date.
  function leaseEnd(iso) {
    var end = new Date(iso);
    var today = window.danskTid.date(new Date(), { weekday: false }) === window.danskTid.date(end, { weekday: false });
    return today ? "til kl. " + window.danskTid.clock(end) : "til " + when(iso);
  }

  // A Copenhagen day "2027-01-12" as "tirsdag den 12. januar 2027".
  function day(iso) { return window.danskTid.date(window.danskTid.fromWall(iso, "12:00")); }

  function mineStatus(r) {
    if (r.status === "leased") { return "Reserveret til dig " + leaseEnd(r.leased_until); }
    if (r.due) { return "Afventer svar: opfølgning nu (" + day(r.follow_up_on) + ")"; }
    return "Afventer svar, opfølgning " + day(r.follow_up_on);
  }

  function loadMine() {
    var target = $("mine");
    return api("GET", "/api/staff/advisory/mine").then(json).then(function (data) {
      target.textContent = "";
      if (!data.requests.length) { target.appendChild(el("p", "", "Du har ingen åbne henvendelser.")); return; }
      var list = table("mine", data.requests.length === 1 ? "Din åbne henvendelse" : "Dine " + data.requests.length + " åbne henvendelser",
        ["Reference", "Type", "Status", "Handlinger"]);
      data.requests.forEach(function (r) {
        var row = el("tr", r.due ? "forfalden" : "");
        var what = el("th", "", r.reference + (r.urgent ? " (haster)" : ""));
        what.scope = "row";
        row.appendChild(what);
        row.appendChild(el("td", "", r.kind_text));
        row.appendChild(el("td", "", mineStatus(r)));
        var actions = el("td", "handlinger");
        actions.appendChild(action("Åbn", "Åbn henvendelse " + r.reference, function () { open(r.reference); }));
        if (r.status === "leased") {
          actions.appendChild(action("Forlæng", "Forlæng reservationen af " + r.reference, function () { extend(r.reference); }));
        } else {
          actions.appendChild(action("Genoptag", "Genoptag henvendelse " + r.reference, function () { reopen(r.reference); }));
        }
        actions.appendChild(action("Læg tilbage", "Læg tilbage i køen: " + r.reference, function () { putBack(r.reference); }));
        row.appendChild(actions);
        list.add(row);
      });
      target.appendChild(list.table);
    }).catch(failed(function (message) { target.textContent = message; }));
  }

  // One after the other: one warm function answers both (two at once may start a second).
  function refresh() { return loadQueue().then(loadMine); }

  function fieldError(id, text) {
    var input = $(id);
    $(id + "-fejl").textContent = text || "";
    if (text) { input.setAttribute("aria-invalid", "true"); input.focus(); } else { input.removeAttribute("aria-invalid"); }
  }

  function clearErrors() {
    $("afslut-fejl").textContent = "";
    $("note").removeAttribute("aria-invalid");
    fieldError("opfoelgning", "");
    fieldError("tidligere", "");
  }

  // The earlier request and the later ones, each openable.
  function related(list, label, references) {
    if (!references.length) { return; }
    var holder = el("span");
    references.forEach(function (reference) {
      holder.appendChild(document.createTextNode(reference + " "));
      holder.appendChild(action("Vis", "Vis henvendelse " + reference, function () { open(reference); }));
      holder.appendChild(document.createTextNode(" "));
    });
    fieldNode(list, label, holder);
  }

  // The request on screen: held (leased or on hold: note, finish, hold, put back, tie) or
  // finished (read only, reopen).
  function show(request) {
    var held = request.status === "leased" || request.status === "on_hold";
    current = { reference: request.reference, held: held };
    $("henvendelse-overskrift").textContent = "Henvendelse " + request.reference + (request.urgent ? " (haster)" : "");
    var list = $("henvendelse-felter");
    list.textContent = "";
    field(list, "Type", request.kind_text);
    field(list, "Haster", request.urgent ? "Ja" : "Nej");
    field(list, "Modtaget", when(request.received_at));
    field(list, "Navn", request.name);
    if (request.email) { fieldNode(list, "E-mail", link(mailto(request), request.email)); }
    if (request.phone) { fieldNode(list, "Telefon", link(tel(request.phone), request.phone)); }
    field(list, "Foretrækker", contactText[request.contact_preference] || "");
    field(list, "Emne", request.topic);
    if (request.status === "leased") {
      field(list, "Status", "Reserveret til dig " + leaseEnd(request.leased_until));
      current.status = list.lastChild; // an extension changes it in place
    }
    if (request.status === "on_hold") { field(list, "Status", "Afventer svar, opfølgning " + day(request.follow_up_on)); }
    related(list, "Følger op på", request.follow_up_of ? [request.follow_up_of] : []);
    related(list, "Opfølgninger", request.follow_ups || []);
    if (request.status === "done") {
      field(list, "Afsluttet", when(request.done_at));
    }
    if (!held) { field(list, "Note", request.note || "(ingen note)"); }
    $("henvendelse-besked").textContent = request.message;
    $("afslut-form").reset();
    clearErrors();
    if (held && request.note) { $("note").value = request.note; }
    if (request.follow_up_on) { $("opfoelgning").value = request.follow_up_on; }
    $("forlaeng").hidden = request.status !== "leased";
    $("genoptag").hidden = request.status !== "on_hold";
    $("afslut-form").hidden = !held;
    $("henvendelse-genaabn").hidden = request.status !== "done";
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
      return refresh();
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
    clearErrors();
    busy(event.target, api("POST", path(reference, "done"), note ? { note: note } : {})
      .then(json).then(function () {
        close();
        say(reference + " er afsluttet.");
        $("tag-naeste").focus();
        loadHistory();
        return refresh();
      }).catch(P.failedQuietly(function (error) {
        var noteError = error.fields.filter(function (f) { return f.field === "note"; })[0];
        if (noteError) { $("note").setAttribute("aria-invalid", "true"); $("note").focus(); }
        $("afslut-fejl").textContent = noteError ? noteError.message : error.message;
      })));
  }

  // A change from the list or the request on screen: said in the status line, or beside the
  // form when the request is on screen.
  function reported(reference) {
    return failed(function (message) {
      if (current && current.reference === reference) { $("afslut-fejl").textContent = message; } else { say(message); }
    });
  }

  function putBack(reference) {
    reference = typeof reference === "string" ? reference : current && current.held && current.reference;
    if (!reference) { return; }
    api("POST", path(reference, "release")).then(json).then(function () {
      if (current && current.reference === reference) { close(); }
      say(reference + " er lagt tilbage i køen.");
      $("tag-naeste").focus();
      return refresh();
    }).catch(reported(reference));
  }

  function extend(reference) {
    reference = typeof reference === "string" ? reference : current && current.reference;
    if (!reference) { return; }
    api("POST", path(reference, "extend")).then(json).then(function (answer) {
      say(reference + " er reserveret til dig " + leaseEnd(answer.leased_until) + ".");
      if (current && current.reference === reference && current.status) {
        current.status.textContent = "Reserveret til dig " + leaseEnd(answer.leased_until);
      }
      return loadMine();
    }).catch(reported(reference));
  }

  function reopen(reference) {
    reference = typeof reference === "string" ? reference : current && current.reference;
    if (!reference) { return; }
    api("POST", path(reference, "reopen")).then(json).then(function (answer) {
      say(reference + " er genåbnet og reserveret til dig " + leaseEnd(answer.leased_until) + ".");
      return open(reference).then(refresh);
    }).catch(reported(reference));
  }

  function hold() {
    if (!current || !current.held) { return; }
    var reference = current.reference;
    var followUp = $("opfoelgning").value;
    var note = $("note").value.trim();
    clearErrors();
    if (!followUp) { fieldError("opfoelgning", "Vælg datoen, hvor du vil følge op."); return; }
    var body = { follow_up_on: followUp };
    if (note) { body.note = note; }
    api("POST", path(reference, "waiting"), body).then(json).then(function (answer) {
      close();
      say(reference + " afventer svar. Fra " + day(answer.follow_up_on) + " står den øverst i dine åbne henvendelser.");
      $("mine-overskrift").focus();
      return refresh();
    }).catch(P.failedQuietly(function (error) {
      var fields = error.fields || [];
      var onDate = fields.filter(function (f) { return f.field === "follow_up_on"; })[0];
      var onNote = fields.filter(function (f) { return f.field === "note"; })[0];
      if (onDate) { fieldError("opfoelgning", onDate.message); }
      else if (onNote) { $("note").setAttribute("aria-invalid", "true"); $("note").focus(); $("afslut-fejl").textContent = onNote.message; }
      else { $("afslut-fejl").textContent = error.message; }
    }));
  }

  function tie() {
    if (!current || !current.held) { return; }
    var reference = current.reference;
    var earlier = $("tidligere").value.trim().toUpperCase();
    clearErrors();
    if (!earlier) { fieldError("tidligere", "Skriv referencen på den tidligere henvendelse."); return; }
    api("POST", path(reference, "link"), { earlier: earlier }).then(json).then(function () {
      say(reference + " er knyttet til " + earlier + " som opfølgning.");
      return open(reference);
    }).catch(P.failedQuietly(function (error) {
      var onEarlier = (error.fields || []).filter(function (f) { return f.field === "earlier"; })[0];
      if (onEarlier) { fieldError("tidligere", onEarlier.message); } else { $("afslut-fejl").textContent = error.message; }
    }));
  }

  function open(reference) {
    return api("GET", path(reference)).then(json).then(show).catch(failed(say));
  }

  var statusWords = { waiting: "Venter i køen", leased: "Er ved at blive behandlet", on_hold: "Afventer svar", done: "Afsluttet" };

  function search(event) {
    event.preventDefault();
    var typed = $("soeg-reference").value.trim().toUpperCase();
    var target = $("soeg-svar");
    target.textContent = "";
    fieldError("soeg-reference", "");
    if (!typed) { fieldError("soeg-reference", "Skriv en reference, fx LR-7K3Q-9P."); return; }
    busy(event.target, api("GET", path(typed, "related")).then(json).then(function (data) {
      var list = table("soeg", "Henvendelser med eller knyttet til " + typed, ["Reference", "Type", "Status", "Afsluttet", "Handlinger"]);
      data.requests.forEach(function (r) {
        var row = el("tr");
        var note = r.follow_up_of ? " (opfølgning på " + r.follow_up_of + ")" : "";
        var what = el("th", "", r.reference + note);
        what.scope = "row";
        row.appendChild(what);
        [r.kind_text, statusWords[r.status] || r.status, r.done_at ? when(r.done_at) : ""].forEach(function (text) { row.appendChild(el("td", "", text)); });
        var actions = el("td", "handlinger");
        actions.appendChild(action("Vis", "Vis henvendelse " + r.reference, function () { open(r.reference); }));
        if (r.status === "done") {
          actions.appendChild(action("Genåbn", "Genåbn henvendelse " + r.reference, function () { reopen(r.reference); }));
        }
        row.appendChild(actions);
        list.add(row);
      });
      target.appendChild(list.table);
    }).catch(P.failedQuietly(function (error) {
      var onReference = (error.fields || []).filter(function (f) { return f.field === "reference"; })[0];
      if (onReference) { fieldError("soeg-reference", onReference.message); }
      else if (error.code === "unknown_reference") { fieldError("soeg-reference", "Der findes ingen henvendelse med referencen " + typed + "."); }
      else { target.textContent = error.message; }
    })));
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
        actions.appendChild(action("Genåbn", "Genåbn henvendelse " + r.reference, function () { reopen(r.reference); }));
        row.appendChild(actions);
        list.add(row);
      });
      target.appendChild(list.table);
    }).catch(failed(function (message) { target.textContent = message; }));
  }

  function wireDesk() {
    $("forlaeng").addEventListener("click", extend);
    $("genoptag").addEventListener("click", reopen);
    $("genaabn").addEventListener("click", reopen);
    $("afventer").addEventListener("click", hold);
    $("knyt").addEventListener("click", tie);
    $("soeg-form").addEventListener("submit", search);
  }

  // -- data-protection requests: the requests one address sent ------------------------------

  var asked = null; // the address the second erase button names, while it is shown
  var statusText = { waiting: "venter", leased: "er ved at blive behandlet", on_hold: "afventer svar", done: "afsluttet" };
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
      // The address field and its error change only when the picked case is gone: the list
      // arriving after a search (the area's load) must not wipe that search's field error.
      if (keep && !privacyCases[keep]) { pickCase(); } else if (keep) { onCase = privacyCases[keep]; }
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
  wireDesk();
  // The request held when the session ended is shown again after signing in (its note goes
  // back into its form).
  function heldRequest() { return current && current.held ? { reference: current.reference } : null; }

  function showAgain(held) {
    return api("GET", "/api/staff/advisory/" + encodeURIComponent(held.reference)).then(json).then(show);
  }

  P.area("consultant", {
    load: function () { loadPrivacyCases(); return refresh(); },
    keep: heldRequest,
    resume: showAgain,
    reset: function () {
      close();
      $("mine").textContent = "";
      $("soeg-form").reset();
      $("soeg-svar").textContent = "";
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
