// The consultant's area of the staff console: the advisory queue as counts (no texts), the
// next request taken and shown, a note and "Afslut", or "Læg tilbage"; the history of
// finished requests with their notes, each openable. Every text of a request goes into the
// page as a text node (never as markup). Registers with the console (personale.js).
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
        ages.body.appendChild(row);
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
    if (held) { field(list, "Din indtil", when(request.leased_until)); }
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
      var list = table("historik", "De seneste " + data.requests.length + " afsluttede henvendelser",
        ["Reference", "Type", "Afsluttet", "Af", "Note", "Handlinger"]);
      data.requests.forEach(function (r) {
        var row = el("tr");
        var what = el("th", "", r.reference + (r.urgent ? " (haster)" : ""));
        what.scope = "row";
        row.appendChild(what);
        [r.kind_text, when(r.done_at), r.done_by || "", r.note || ""].forEach(function (text) {
          row.appendChild(el("td", "", text));
        });
        var actions = el("td", "handlinger");
        actions.appendChild(action("Vis", "Vis henvendelse " + r.reference, function () { open(r.reference); }));
        row.appendChild(actions);
        list.body.appendChild(row);
      });
      target.appendChild(list.table);
    }).catch(failed(function (message) { target.textContent = message; }));
  }

  function wireConsultant() {
    $("tag-naeste").addEventListener("click", takeNext);
    $("opdater-koe").addEventListener("click", loadQueue);
    $("afslut-form").addEventListener("submit", finish);
    $("laeg-tilbage").addEventListener("click", putBack);
    $("vis-historik").addEventListener("click", loadHistory);
  }

  wireConsultant();
  P.area("consultant", {
    load: loadQueue,
    reset: function () {
      close();
      $("koe-antal").textContent = "";
      $("historik").textContent = "";
    }
  });
}());
