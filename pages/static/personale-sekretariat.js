// The secretariat's area of the staff console: forums and sessions with seats taken, waiting
// and left; forums and sessions created and changed in forms (one session form for a new
// session, a copy and a change), a session never registered for deleted (asked first); a
// session's participants and their spreadsheet; one participant registered (who phoned or
// wrote), cancelled, moved to another session of the forum or sent their email again; a
// message to the session's participants (previewed first); close, reopen and cancel (asked
// first). Registers with the console (personale.js).
(function () {
  "use strict";
  var P = window.Personale;
  var $ = P.$, el = P.el, table = P.table, api = P.api, json = P.json, say = P.say;
  var busy = P.busy, action = P.action, dateFormat = P.dateFormat;
  var current = null; // the session whose participants or cancel form is open
  var forumOf = {}; // each session's forum (its sessions are where a participant can move)
  var chosen = null; // the participant being cancelled or moved

  var statusText = { open: "Åben", full: "Fuldt booket", closed: "Lukket", cancelled: "Aflyst" };
  var participantStatus = { confirmed: "Bekræftet", waitlisted: "På venteliste", cancelled: "Afmeldt" };
  var roleText = { area_leader: "Områdeleder", cluster_leader: "Klyngeleder", district_leader: "Distriktsleder", other_leader_of_leaders: "Anden leder af ledere", administration: "Ansat i forvaltningen", other: "Andet" };

  function loadForums() {
    var target = $("forum-liste");
    return api("GET", "/api/staff/forums").then(json).then(function (data) {
      target.textContent = "";
      forumOf = {};
      if (!data.forums.length) { target.appendChild(el("p", "", "Der er ingen lederforummer endnu. Opret et med knappen Nyt forum, eller indlæs kataloget herunder.")); }
      data.forums.forEach(function (forum) {
        var block = target.appendChild(el("div", "forum-blok"));
        block.dataset.forum = forum.id;
        var sessions = table("moeder", forum.title,
          ["Møde", "Pladser taget", "Venteliste", "Ledige", "Status", "Handlinger"]);
        forum.sessions.forEach(function (s) { forumOf[s.id] = forum; sessions.add(sessionRow(s)); });
        if (forum.sessions.length) { block.appendChild(sessions.table); } else {
          block.appendChild(el("h3", "forum-titel", forum.title));
          block.appendChild(el("p", "", "Forummet har ingen møder endnu."));
        }
        var actions = block.appendChild(el("p", "handlinger"));
        actions.appendChild(action("Nyt møde", "Nyt møde: " + forum.title, function () { openSession("new", forum, null); }));
        actions.appendChild(action("Ret forum", "Ret forum: " + forum.title, function () { openForum(forum); }));
      });
    }).catch(function (error) {
      if (error.message !== "signed out") { say(error.message); }
    });
  }

  function counted(number, one, many) { return number + " " + (number === 1 ? one : many); }

  function sessionName(s) { return s.city + ", " + dateFormat.format(new Date(s.starts_at)); }

  function sessionRow(s) {
    var row = el("tr");
    row.dataset.session = s.id;
    var what = el("th", "", sessionName(s));
    what.scope = "row";
    row.appendChild(what);
    row.appendChild(el("td", "", s.seats_taken + " af " + s.capacity));
    row.appendChild(el("td", "", String(s.waiting)));
    row.appendChild(el("td", "", String(s.seats_left)));
    row.appendChild(el("td", "", statusText[s.status] || s.status));
    var actions = el("td", "handlinger");
    actions.appendChild(action("Deltagere", "Deltagere: " + sessionName(s), function () { openParticipants(s); }));
    if (s.status !== "cancelled") {
      var closing = s.status !== "closed";
      actions.appendChild(action(closing ? "Luk tilmelding" : "Åbn tilmelding",
        (closing ? "Luk tilmelding: " : "Åbn tilmelding: ") + sessionName(s),
        function () { setOpen(s, !closing); }));
      if (!s.deletable) {
        actions.appendChild(action("Aflys", "Aflys: " + sessionName(s), function () { openCancel(s); }));
      }
    }
    if (s.status !== "cancelled") {
      actions.appendChild(action("Ret mødet", "Ret mødet: " + sessionName(s), function () { openSession("edit", forumOf[s.id], s); }));
    }
    actions.appendChild(action("Kopiér", "Kopiér: " + sessionName(s), function () { openSession("copy", forumOf[s.id], s); }));
    if (s.deletable) {
      actions.appendChild(action("Slet", "Slet: " + sessionName(s), function () { openDelete(s); }));
    }
    row.appendChild(actions);
    return row;
  }

  function setOpen(s, open) {
    api("POST", "/api/staff/sessions/" + encodeURIComponent(s.id) + (open ? "/reopen" : "/close"))
      .then(json).then(function (updated) {
        say((open ? "Tilmeldingen er åbnet: " : "Tilmeldingen er lukket: ") + sessionName(updated) + ".");
        return loadForums();
      }).catch(function (error) { if (error.message !== "signed out") { say(error.message); } });
  }

  function openParticipants(s) {
    hideForms();
    current = s;
    closeWrite();
    tell("");
    $("tilmeld-form").reset();
    clearRegisterErrors();
    $("deltagere-overskrift").textContent = "Deltagere: " + sessionName(s);
    $("deltagere").hidden = false;
    $("deltagere-overskrift").focus();
    return loadParticipants(s);
  }

  function loadParticipants(s) {
    var target = $("deltager-liste");
    $("flyt").hidden = true;
    $("afmeld").hidden = true;
    chosen = null;
    target.textContent = "Henter deltagere …";
    attendance(null);
    return api("GET", "/api/staff/sessions/" + encodeURIComponent(s.id) + "/participants").then(json).then(function (data) {
      target.textContent = "";
      attendance(s, data);
      if (!data.participants.length) { target.appendChild(el("p", "", "Ingen tilmeldte endnu.")); return; }
      var list = table("deltagere", data.summary,
        ["Status", "Navn", "E-mail", "Telefon", "Stilling", "Arbejdsplads", "Medlemsnr.", "Særlige behov", "Handlinger"]);
      var shared = 0;
      data.participants.forEach(function (p) {
        var row = el("tr");
        var status = participantStatus[p.status] || p.status;
        if (p.waitlist_position) { status += " (nr. " + p.waitlist_position + ")"; }
        // A member number two registrations give: shown to look into, never refused.
        var number = (p.member_number || "") + (p.member_number_shared ? " – bruges af flere tilmeldte" : "");
        if (p.member_number_shared) { shared += 1; }
        [status, p.name, p.email, p.phone_display || "", roleText[p.role] || p.role, p.workplace, number, p.needs || ""].forEach(function (text, index) {
          var cell = row.appendChild(el("td", "", index === 2 ? null : text));
          if (index === 2) { cell.appendChild(P.address(text)); }
          if (index === 3) { cell.className = "telefon"; } // "20 11 22 33" on one line
        });
        var actions = row.appendChild(el("td", "handlinger"));
        if (p.status !== "cancelled") {
          actions.appendChild(action("Afmeld", "Afmeld: " + p.name, function () { openCancelOne(p); }));
          if (moveTargets(s).length) {
            actions.appendChild(action("Flyt", "Flyt: " + p.name, function () { openMove(p); }));
          }
          var again = actions.appendChild(action("Send bekræftelse igen", "Send bekræftelse igen: " + p.name, function () { resendOne(p, again); }));
        }
        list.add(row);
      });
      if (shared) {
        target.appendChild(el("p", "besked", "OBS: " + shared + " tilmeldinger har samme medlemsnummer som en anden. Se kolonnen Medlemsnr. og tjek, om det er den rigtige person."));
      }
      target.appendChild(list.table);
    }).catch(function (error) { if (error.message !== "signed out") { target.textContent = error.message; } });
  }

  // -- one participant: register, cancel, move ----------------------------------------------

  var registerFields = { name: "tilmeld-navn", email: "tilmeld-email", phone: "tilmeld-telefon", role: "tilmeld-stilling", workplace: "tilmeld-arbejdsplads", member_number: "tilmeld-medlemsnummer", needs: "tilmeld-behov", asked_by: "tilmeld-henvendt" };

  function clearRegisterErrors() {
    $("tilmeld-fejl").textContent = "";
    Object.keys(registerFields).forEach(function (field) {
      $(registerFields[field]).removeAttribute("aria-invalid");
      $(registerFields[field] + "-fejl").textContent = "";
    });
  }

  function showRegisterErrors(error) {
    var first = null, other = [];
    (error.fields || []).forEach(function (f) {
      var id = registerFields[f.field];
      if (!id) { other.push(f.message); return; }
      $(id).setAttribute("aria-invalid", "true");
      $(id + "-fejl").textContent = f.message;
      first = first || $(id);
    });
    $("tilmeld-fejl").textContent = first ? (other.join(" ") || "Ret de markerede felter.") : (other.join(" ") || error.message);
    if (first) { first.focus(); }
  }

  function register(event) {
    event.preventDefault();
    var s = current;
    if (!s) { return; }
    clearRegisterErrors();
    var body = {};
    Object.keys(registerFields).forEach(function (field) {
      var value = $(registerFields[field]).value.trim();
      body[field] = value === "" && ["phone", "member_number", "needs"].indexOf(field) >= 0 ? null : value;
    });
    busy(event.target, api("POST", "/api/staff/sessions/" + encodeURIComponent(s.id) + "/registrations", body)
      .then(json).then(function (answer) {
        $("tilmeld-form").reset();
        var told = answer.status === "waitlisted" ? "er sat på ventelisten som nr. " + answer.waitlist_position : "er tilmeldt";
        say(body.name + " " + told + " (" + sessionName(s) + ") og får en mail om det.");
        if (current === s) { loadParticipants(s); }
        return loadForums();
      }).catch(P.failedQuietly(showRegisterErrors)));
  }

  // The other sessions of the forum a participant can be moved to (not cancelled or closed).
  function moveTargets(s) {
    var forum = forumOf[s.id];
    return forum ? forum.sessions.filter(function (other) {
      return other.id !== s.id && (other.status === "open" || other.status === "full");
    }) : [];
  }

  function openCancelOne(p) {
    chosen = p;
    $("flyt").hidden = true;
    $("afmeld-fejl").textContent = "";
    $("afmeld-spoergsmaal").textContent = "Vil du afmelde " + p.name + " fra " + sessionName(current) + "? Personen får en mail om afmeldingen, og den første på ventelisten får pladsen.";
    $("afmeld").hidden = false;
    $("afmeld-overskrift").focus();
  }

  function cancelOne(event) {
    event.preventDefault();
    var p = chosen, s = current;
    if (!p || !s) { return; }
    busy(event.target, api("POST", "/api/staff/registrations/" + encodeURIComponent(p.id) + "/cancel")
      .then(json).then(function () {
        say(p.name + " er afmeldt fra " + sessionName(s) + ".");
        if (current === s) { loadParticipants(s); }
        return loadForums();
      }).catch(P.failedQuietly(function (error) { $("afmeld-fejl").textContent = error.message; })));
  }

  function openMove(p) {
    chosen = p;
    $("afmeld").hidden = true;
    $("flyt-fejl").textContent = "";
    var select = $("flyt-moede");
    select.textContent = "";
    moveTargets(current).forEach(function (other) {
      var option = el("option", "", sessionName(other) + (other.status === "full" ? " (fuldt booket: venteliste)" : " (" + other.seats_left + " ledige)"));
      option.value = other.id;
      select.appendChild(option);
    });
    $("flyt-overskrift").textContent = "Flyt " + p.name + " til et andet møde";
    $("flyt").hidden = false;
    $("flyt-overskrift").focus();
  }

  function moveOne(event) {
    event.preventDefault();
    var p = chosen, s = current, target = $("flyt-moede").value;
    if (!p || !s || !target) { return; }
    var found = moveTargets(s).filter(function (o) { return o.id === target; })[0];
    var name = found ? sessionName(found) : target;
    busy(event.target, api("POST", "/api/staff/registrations/" + encodeURIComponent(p.id) + "/move", { session_id: target })
      .then(json).then(function (answer) {
        var where = answer.status === "waitlisted" ? "ventelisten som nr. " + answer.waitlist_position + " til " + name : name;
        say(p.name + " er flyttet til " + where + " og får en mail om det.");
        if (current === s) { loadParticipants(s); }
        return loadForums();
      }).catch(P.failedQuietly(function (error) {
        $("flyt-fejl").textContent = error.fields && error.fields.length ? error.fields[0].message : error.message;
      })));
  }

  // A line under the participant list's buttons: what was just sent.
  function tell(text) {
    var line = $("deltager-status");
    line.textContent = text || "";
    line.hidden = !text;
  }

  // The button is held while its request is under way (the server sends one email per
  // click within two minutes anyway).
  function hold(button, promise) {
    button.disabled = true;
    return promise.then(function () { button.disabled = false; }, function () { button.disabled = false; });
  }

  function resendOne(p, button) {
    var s = current;
    tell("");
    hold(button, api("POST", "/api/staff/registrations/" + encodeURIComponent(p.id) + "/resend")
      .then(json).then(function () {
        tell((p.status === "waitlisted" ? "Mailen om pladsen på ventelisten er sendt igen til " : "Bekræftelsen er sendt igen til ") + p.name + " (" + p.email + ").");
      }).catch(P.failedQuietly(function (error) {
        tell(error.message);
        if (current === s) { loadParticipants(s); }  // e.g. cancelled meanwhile
      })));
  }

  // -- a message to the session's participants ----------------------------------------------

  var writeFields = { subject: "skriv-emne", text: "skriv-tekst", include_waiting: "skriv-venteliste" };

  function clearWriteErrors() {
    $("skriv-fejl").textContent = "";
    ["subject", "text"].forEach(function (field) {
      $(writeFields[field]).removeAttribute("aria-invalid");
      $(writeFields[field] + "-fejl").textContent = "";
    });
  }

  function showWriteErrors(error) {
    var first = null, other = [];
    (error.fields || []).forEach(function (f) {
      var id = writeFields[f.field];
      if (!id || f.field === "include_waiting") { other.push(f.message); return; }
      $(id).setAttribute("aria-invalid", "true");
      $(id + "-fejl").textContent = f.message;
      first = first || $(id);
    });
    $("skriv-fejl").textContent = first ? (other.join(" ") || "Ret de markerede felter.") : (other.join(" ") || error.message);
    if (first) { first.focus(); }
  }

  function writeBody() {
    return { subject: $("skriv-emne").value.trim(), text: $("skriv-tekst").value.trim(), include_waiting: $("skriv-venteliste").checked };
  }

  function openWrite() {
    if (!current) { return; }
    $("flyt").hidden = true;
    $("afmeld").hidden = true;
    tell("");
    unpreview();
    $("skriv").hidden = false;
    $("skriv-overskrift").focus();
  }

  function closeWrite() {
    $("skriv-form").reset();
    clearWriteErrors();
    unpreview();
    $("skriv").hidden = true;
  }

  // What is sent is what was previewed: a change hides the preview until it is shown again.
  function unpreview() {
    $("skriv-forhaand").hidden = true;
    $("skriv-vis").hidden = false;
  }

  function previewWrite() {
    var s = current, body = writeBody();
    if (!s) { return; }
    clearWriteErrors();
    hold($("skriv-vis"), api("POST", "/api/staff/sessions/" + encodeURIComponent(s.id) + "/messages/preview", body)
      .then(json).then(function (mail) {
        if (current !== s) { return; }
        $("skriv-modtagere").textContent = mail.recipients
          ? "Sendes til " + counted(mail.recipients, "person", "personer") + (body.include_waiting ? " (tilmeldte og ventende)." : " (tilmeldte).")
          : "Der er ingen at sende til." + (body.include_waiting ? "" : " Sæt kryds ved »Også dem på ventelisten« for at skrive til dem, der venter.");
        $("skriv-mail-emne").textContent = mail.subject;
        $("skriv-mail-tekst").textContent = mail.text;
        $("skriv-send").hidden = !mail.recipients;
        $("skriv-forhaand").hidden = false;
        $("skriv-vis").hidden = true;
        (mail.recipients ? $("skriv-send") : $("skriv-modtagere")).focus();
      }).catch(P.failedQuietly(showWriteErrors)));
  }

  function sendWrite(event) {
    event.preventDefault();
    var s = current, body = writeBody();
    if (!s || $("skriv-forhaand").hidden) { return; }
    busy(event.target, api("POST", "/api/staff/sessions/" + encodeURIComponent(s.id) + "/messages", body)
      .then(json).then(function (answer) {
        closeWrite();
        tell("Sendt til " + counted(answer.recipients, "person", "personer") + ": »" + body.subject + "«.");
        $("skriv-aabn").focus();
      }).catch(P.failedQuietly(function (error) { unpreview(); showWriteErrors(error); })));
  }

  function downloadCsv() {
    if (!current) { return; }
    var s = current;
    api("GET", "/api/staff/sessions/" + encodeURIComponent(s.id) + "/participants?format=csv").then(function (response) {
      if (!response.ok) { throw new Error("Regnearket kunne ikke hentes. Prøv igen om lidt."); }
      return P.blob(response);
    }).then(function (blob) {
      P.save(blob, "deltagere-" + s.id + ".csv");
    }).catch(function (error) { if (error.message !== "signed out") { say(error.message); } });
  }

  function openCancel(s) {
    hideForms();
    current = s;
    $("aflys-form").reset();
    $("aflys-fejl").textContent = "";
    $("aflys-spoerg").hidden = true;
    $("aflys-videre").hidden = false;
    $("aflys-moede").textContent = "Mødet: " + sessionName(s) + ". Aflysningen kan ikke fortrydes.";
    $("aflys").hidden = false;
    $("aflys-overskrift").focus();
  }

  // -- forums and sessions in forms -------------------------------------------------------------

  // Each field's errors next to it (the API's per-field answer); the rest in the form's own
  // line. `fields`: the API's field name -> [the id of its error line, its inputs' ids].
  function clearErrors(fields, general) {
    $(general).textContent = "";
    Object.keys(fields).forEach(function (name) {
      $(fields[name][0]).textContent = "";
      fields[name][1].forEach(function (id) { $(id).removeAttribute("aria-invalid"); });
    });
  }

  function showErrors(fields, general, error) {
    var first = null, other = [];
    (error.fields || []).forEach(function (f) {
      var known = fields[f.field];
      if (!known) { other.push(f.message); return; }
      $(known[0]).textContent = f.message;
      known[1].forEach(function (id) { $(id).setAttribute("aria-invalid", "true"); });
      first = first || $(known[1][0]);
    });
    $(general).textContent = first ? (other.join(" ") || "Ret de markerede felter.") : (other.join(" ") || error.message);
    if (first) { first.focus(); }
  }

  function hideForms() {
    ["forum-redigering", "moede-redigering", "slet", "aflys", "deltagere"].forEach(function (id) { $(id).hidden = true; });
  }

  var forumFields = { title: ["forum-titel-fejl", ["forum-titel"]], description: ["forum-beskrivelse-fejl", ["forum-beskrivelse"]], audience: ["forum-maalgruppe-fejl", ["forum-maalgruppe"]] };
  var editedForum = null; // the forum being changed (null: a new one)

  function openForum(forum) {
    hideForms();
    editedForum = forum;
    $("forum-form").reset();
    clearErrors(forumFields, "forum-fejl");
    $("forum-overskrift").textContent = forum ? "Ret forum: " + forum.title : "Nyt forum";
    $("forum-gem").textContent = forum ? "Gem ændringerne" : "Opret forummet";
    if (forum) {
      $("forum-titel").value = forum.title;
      $("forum-beskrivelse").value = forum.description || "";
      $("forum-maalgruppe").value = forum.audience;
    }
    $("forum-redigering").hidden = false;
    $("forum-overskrift").focus();
  }

  function saveForum(event) {
    event.preventDefault();
    clearErrors(forumFields, "forum-fejl");
    var forum = editedForum;
    var body = { title: $("forum-titel").value.trim(), description: $("forum-beskrivelse").value.trim(), audience: $("forum-maalgruppe").value };
    if (!body.title) {
      showErrors(forumFields, "forum-fejl", { fields: [{ field: "title", message: "Skriv forummets titel." }] });
      return;
    }
    var call = forum ? api("PUT", "/api/staff/forums/" + encodeURIComponent(forum.id), body) : api("POST", "/api/staff/forums", body);
    var created = false;
    busy(event.target, call.then(function (response) { created = response.status === 201; return json(response); }).then(function (answer) {
      $("forum-redigering").hidden = true;
      editedForum = null;
      say(forum ? "Forummet »" + body.title + "« er gemt." :
        created ? "Forummet »" + body.title + "« er oprettet (id: " + answer.id + "). Opret nu dets møder med knappen Nyt møde." :
        "Forummet »" + body.title + "« fandtes allerede med netop de oplysninger (id: " + answer.id + "). Der er ikke oprettet et nyt.");
      return loadForums();
    }).catch(P.failedQuietly(function (error) { showErrors(forumFields, "forum-fejl", error); })));
  }

  // The session form: a new session of a forum, a copy of a session (a new one with its
  // fields, to change the city or the date), or a change of a session (shown before saved).
  var sessionFields = {
    city: ["moede-by-fejl", ["moede-by"]], venue: ["moede-sted-fejl", ["moede-sted"]],
    starts_at: ["moede-start-fejl", ["moede-dato", "moede-start"]], ends_at: ["moede-slut-fejl", ["moede-slut"]],
    registration_deadline: ["moede-frist-fejl", ["moede-frist-dato", "moede-frist-tid"]],
    capacity: ["moede-pladser-fejl", ["moede-pladser"]]
  };
  var sessionForm = null; // { mode: "new" | "copy" | "edit", forum, session, previewed }

  // A time as the API gives it (ISO 8601 in Danish time, with its offset): its date and its
  // time of day as the date and time fields take them.
  function dayOf(iso) { return iso ? iso.slice(0, 10) : ""; }
  function clockOf(iso) { return iso ? iso.slice(11, 16) : ""; }

  function openSession(mode, forum, s) {
    hideForms();
    sessionForm = { mode: mode, forum: forum, session: s };
    $("moede-form").reset();
    clearErrors(sessionFields, "moede-fejl");
    $("moede-samme-dag").hidden = true;
    $("moede-aendringer").hidden = true;
    $("moede-overskrift").textContent = mode === "edit" ? "Ret mødet: " + sessionName(s) :
      mode === "copy" ? "Nyt møde som kopi af " + sessionName(s) : "Nyt møde i " + forum.title;
    $("moede-gem").textContent = mode === "edit" ? "Se ændringer" : "Opret mødet";
    if (s) {
      $("moede-by").value = s.city;
      $("moede-sted").value = s.venue;
      $("moede-dato").value = dayOf(s.starts_at);
      $("moede-start").value = clockOf(s.starts_at);
      $("moede-slut").value = clockOf(s.ends_at);
      $("moede-frist-dato").value = dayOf(s.registration_deadline);
      $("moede-frist-tid").value = clockOf(s.registration_deadline);
      $("moede-pladser").value = String(s.capacity);
    } else {
      $("moede-start").value = "09:30";
      $("moede-slut").value = "15:30";
      $("moede-frist-tid").value = "12:00";
    }
    showTimes();
    $("moede-redigering").hidden = false;
    $("moede-overskrift").focus();
  }

  // The chosen times written out in Danish under their fields ("Mødet holdes onsdag den 4.
  // marts 2099 kl. 09.30–15.30."), whatever format the browser shows its date fields in.
  function showTimes() {
    var day = $("moede-dato").value, start = $("moede-start").value, end = $("moede-slut").value;
    var from = day && start ? window.danskTid.fromWall(day, start) : null;
    var to = day && end ? window.danskTid.fromWall(day, end) : null;
    $("moede-tid-vist").textContent = from ? "Mødet holdes " + (to && to > from ? window.danskTid.span(from, to) : dateFormat.format(from)) + "." : "";
    var deadline = $("moede-frist-dato").value && $("moede-frist-tid").value ?
      window.danskTid.fromWall($("moede-frist-dato").value, $("moede-frist-tid").value) : null;
    $("moede-frist-vist").textContent = deadline ? "Tilmeldingen lukker " + dateFormat.format(deadline) + "." : "";
  }

  // The form's fields as the API takes them (times in Danish time without an offset), or
  // null with each empty field told.
  function sessionBody() {
    var missing = [];
    function need(value, field, message) { if (!value) { missing.push({ field: field, message: message }); } return value; }
    var day = need($("moede-dato").value, "starts_at", "Vælg mødets dato og starttid.");
    var start = need($("moede-start").value, "starts_at", "Vælg mødets dato og starttid.");
    var end = need($("moede-slut").value, "ends_at", "Vælg mødets sluttid.");
    var deadlineDay = need($("moede-frist-dato").value, "registration_deadline", "Vælg sidste dag og klokkeslæt for tilmelding.");
    var deadlineTime = need($("moede-frist-tid").value, "registration_deadline", "Vælg sidste dag og klokkeslæt for tilmelding.");
    var city = need($("moede-by").value.trim(), "city", "Skriv byen, mødet holdes i.");
    var seats = need($("moede-pladser").value.trim(), "capacity", "Skriv, hvor mange pladser der er.");
    if (seats && !/^[0-9]+$/.test(seats)) { missing.push({ field: "capacity", message: "Skriv antallet af pladser som et helt tal, fx 30." }); }
    if (missing.length) {
      showErrors(sessionFields, "moede-fejl", { fields: missing });
      return null;
    }
    return {
      city: city, venue: $("moede-sted").value.trim(),
      starts_at: day + "T" + start, ends_at: day + "T" + end,
      registration_deadline: deadlineDay + "T" + deadlineTime, capacity: parseInt(seats, 10)
    };
  }

  function saveSession(event) {
    event.preventDefault();
    var open = sessionForm;
    if (!open) { return; }
    clearErrors(sessionFields, "moede-fejl");
    var body = sessionBody();
    if (!body) { return; }
    if (open.mode === "edit") { changeSession(event.target, open, body); return; }
    var forum = open.forum;
    if (!$("moede-samme-dag").hidden && $("moede-samme-dag-ok").checked) { body.same_day_ok = true; }
    var created = false;
    var when = window.danskTid.fromWall(body.starts_at.slice(0, 10), body.starts_at.slice(11));
    var named = "Mødet i " + body.city + (when ? " " + dateFormat.format(when) : "");
    busy(event.target, api("POST", "/api/staff/forums/" + encodeURIComponent(forum.id) + "/sessions", body)
      .then(function (response) { created = response.status === 201; return json(response); }).then(function (answer) {
        $("moede-redigering").hidden = true;
        sessionForm = null;
        say(created ? named + " er oprettet i »" + forum.title + "« (id: " + answer.id + "). Tilmeldingen er åben." :
          named + " fandtes allerede med netop de oplysninger (id: " + answer.id + "). Der er ikke oprettet et nyt.");
        return loadForums();
      }).catch(P.failedQuietly(function (error) {
        if (error.code === "same_city_and_day") {
          $("moede-samme-dag-besked").textContent = error.message;
          $("moede-samme-dag-ok").checked = false;
          $("moede-samme-dag").hidden = false;
          $("moede-samme-dag-ok").focus();
          return;
        }
        showErrors(sessionFields, "moede-fejl", error);
      })));
  }

  // A change of a session: first what it changes and who will be told (nothing saved),
  // then, with the same fields, saved and told. Any field changed after the preview is
  // previewed again before anything is saved.
  function changeSession(form, open, body) {
    var s = open.session, key = JSON.stringify(body);
    var path = "/api/staff/sessions/" + encodeURIComponent(s.id);
    if (open.previewed !== key) {
      busy(form, api("POST", path + "/changes/preview", body).then(json).then(function (preview) {
        if (sessionForm !== open) { return; }
        var list = $("moede-aendringer-liste");
        list.textContent = "";
        if (preview.changes.length) {
          var changes = table("aendringer", "Det ændres", ["Felt", "Før", "Efter"]);
          preview.changes.forEach(function (c) {
            var row = el("tr"), what = el("th", "", c.label);
            what.scope = "row";
            row.appendChild(what);
            row.appendChild(el("td", "", c.before || "(tomt)"));
            row.appendChild(el("td", "", c.after || "(tomt)"));
            changes.add(row);
          });
          list.appendChild(changes.table);
          open.previewed = key;
          $("moede-gem").textContent = preview.told && (preview.confirmed || preview.waiting) ? "Gem og giv besked" : "Gem ændringerne";
        }
        $("moede-besked-om").textContent = preview.summary;
        $("moede-aendringer").hidden = false;
        $("moede-besked-om").focus();
      }).catch(P.failedQuietly(function (error) { showErrors(sessionFields, "moede-fejl", error); })));
      return;
    }
    busy(form, api("PUT", path, body).then(json).then(function (answer) {
      $("moede-redigering").hidden = true;
      sessionForm = null;
      say("Ændringen af mødet " + sessionName(s) + " er gemt" + (answer.told ? ", og " + counted(answer.told, "person", "personer") + " får besked på mail." : "."));
      return loadForums();
    }).catch(P.failedQuietly(function (error) { showErrors(sessionFields, "moede-fejl", error); })));
  }

  // A field changed after the preview: previewed again before anything is saved.
  function previewAgain() {
    if (!sessionForm || sessionForm.mode !== "edit" || !sessionForm.previewed) { return; }
    sessionForm.previewed = null;
    $("moede-aendringer").hidden = true;
    $("moede-gem").textContent = "Se ændringer";
  }

  var deleting = null; // the session asked about

  function openDelete(s) {
    hideForms();
    deleting = s;
    $("slet-fejl").textContent = "";
    $("slet-spoergsmaal").textContent = "Vil du slette mødet " + sessionName(s) + "? Ingen har været tilmeldt. Mødet forsvinder fra listen og fra foreningens side, og det kan ikke fortrydes.";
    $("slet").hidden = false;
    $("slet-overskrift").focus();
  }

  function deleteSession(event) {
    event.preventDefault();
    var s = deleting;
    if (!s) { return; }
    busy(event.target, api("DELETE", "/api/staff/sessions/" + encodeURIComponent(s.id)).then(function (response) {
      if (response.status === 204) { return null; }
      return json(response);
    }).then(function () {
      $("slet").hidden = true;
      deleting = null;
      say("Mødet " + sessionName(s) + " er slettet.");
      return loadForums();
    }).catch(P.failedQuietly(function (error) { $("slet-fejl").textContent = error.message; })));
  }

  // The catalogue file, read in the page and sent as text: first what it would change (the
  // API's Danish lines, nothing written), then, on "Indlæs", the import of the same text. The
  // API validates it as the CLI does; its errors name the forum or session and the field.
  var MAX_FILE = 14 * 1024;
  var previewed = null; // {filename, text, sameDay} of the file whose changes are shown

  function catalogueErrors(lines, focus) {
    var errors = $("katalog-fejl"), list = el("ul");
    lines.forEach(function (line) { list.appendChild(el("li", "", line)); });
    errors.appendChild(list);
    $("katalog-fil").setAttribute("aria-invalid", "true");
    (focus || $("katalog-fil")).focus();
  }

  function clearCatalogue() {
    previewed = null;
    $("katalog-fejl").textContent = "";
    $("katalog-samme-dag-fejl").textContent = "";
    $("katalog-fil").removeAttribute("aria-invalid");
    $("katalog-samme-dag-ok").removeAttribute("aria-invalid");
    $("katalog-aendringer").hidden = true;
    $("katalog-se-knap").hidden = false;
  }

  function refused(error) {
    catalogueErrors(error.fields.length ? error.fields.map(function (f) { return f.message; }) : [error.message]);
  }

  function previewCatalogue(event) {
    event.preventDefault();
    var input = $("katalog-fil");
    var file = input.files && input.files[0];
    clearCatalogue();
    if (!file) { catalogueErrors(["Vælg en katalogfil."]); return; }
    if (file.size > MAX_FILE) { catalogueErrors(["Filen er for stor (højst 14 KB). Del den i flere filer, og indlæs dem hver for sig."]); return; }
    var chosen = { filename: file.name };
    busy(event.target, file.text().then(function (text) {
      chosen.text = text;
      return api("POST", "/api/staff/forums/import/preview", { filename: file.name, text: text });
    }).then(json).then(function (preview) {
      var lines = $("katalog-linjer"), warnings = $("katalog-samme-dag-tekst");
      lines.textContent = "";
      warnings.textContent = "";
      preview.lines.filter(function (line) { return line.indexOf("Obs: ") !== 0; }).forEach(function (line) {
        lines.appendChild(el("li", "", line));
      });
      preview.same_day.forEach(function (warning) { warnings.appendChild(el("p", "", warning.text)); });
      chosen.sameDay = preview.same_day.length > 0;
      $("katalog-samme-dag").hidden = !chosen.sameDay;
      $("katalog-samme-dag-ok").checked = false;
      $("katalog-indlaes").hidden = preview.changes_nothing;
      $("katalog-fortryd").textContent = preview.changes_nothing ? "Luk" : "Fortryd";
      previewed = chosen;
      $("katalog-se-knap").hidden = true;
      $("katalog-aendringer").hidden = false;
      $("katalog-aendringer-overskrift").focus();
    }).catch(P.failedQuietly(refused)));
  }

  function importCatalogue() {
    if (!previewed) { return; }
    var chosen = previewed, button = $("katalog-indlaes"), sameDayOk = $("katalog-samme-dag-ok");
    $("katalog-fejl").textContent = "";
    $("katalog-samme-dag-fejl").textContent = "";
    sameDayOk.removeAttribute("aria-invalid");
    if (chosen.sameDay && !sameDayOk.checked) {
      $("katalog-samme-dag-fejl").textContent = "Sæt kryds, hvis det er et ekstra møde samme dag. Ellers ret mødets id i filen, og vælg den igen.";
      sameDayOk.setAttribute("aria-invalid", "true");
      sameDayOk.focus();
      return;
    }
    button.disabled = true;
    api("POST", "/api/staff/forums/import", { filename: chosen.filename, text: chosen.text, same_day_ok: chosen.sameDay && sameDayOk.checked })
      .then(json).then(function (result) {
        button.disabled = false;
        $("katalog-form").reset();
        clearCatalogue();
        say("Kataloget er indlæst: " + counted(result.forums, "lederforum", "lederforummer") + " og " + counted(result.sessions, "møde", "møder") + ".");
        return loadForums();
      }).catch(function (error) {
        button.disabled = false;
        P.failedQuietly(refused)(error);
      });
  }

  function downloadTemplate() {
    api("GET", "/api/staff/forums/import/template").then(function (response) {
      return P.download(response, "katalog-skabelon.yaml");
    }).catch(function (error) { if (error.message !== "signed out") { say(error.message); } });
  }

  // -- the printable attendance list --------------------------------------------------------

  // The attendance list of the open session, for paper (the page's print layout: style.css
  // prints this alone): the forum, place and time, and the confirmed participants by name
  // (Danish order: æ, ø, å last) with their workplace and an empty column to sign in. Only
  // what the door needs: no e-mail, phone or member number goes on paper. Built with every
  // participant list, so the browser's own Print prints it too; emptied with the list.
  var byName = new Intl.Collator("da");

  function attendance(s, data) {
    var target = $("udskrift");
    target.textContent = "";
    $("udskriv").disabled = !s;
    if (!s) { return; }
    var forum = forumOf[s.id];
    var confirmed = data.participants.filter(function (p) { return p.status === "confirmed"; })
      .sort(function (a, b) { return byName.compare(a.name, b.name); });
    target.appendChild(el("h2", "", "Deltagerliste"));
    target.appendChild(el("h3", "", forum ? forum.title : ""));
    var facts = el("dl", "felter");
    [["Sted", s.city + ", " + s.venue], ["Tid", window.danskTid.span(s.starts_at, s.ends_at)],
     ["Tilmeldte", String(confirmed.length)]].forEach(function (fact) {
      facts.appendChild(el("dt", "", fact[0]));
      facts.appendChild(el("dd", "", fact[1]));
    });
    target.appendChild(facts);
    var list = el("table", "underskrifter");
    list.appendChild(el("caption", "", "Skriv under, når du er mødt"));
    var head = list.appendChild(el("thead")).appendChild(el("tr"));
    ["Navn", "Arbejdsplads", "Underskrift"].forEach(function (text) {
      var cell = head.appendChild(el("th", "", text));
      cell.scope = "col";
    });
    var body = list.appendChild(el("tbody"));
    confirmed.forEach(function (p) {
      var row = body.appendChild(el("tr"));
      row.appendChild(el("td", "", p.name));
      row.appendChild(el("td", "", p.workplace));
      row.appendChild(el("td", "underskrift"));
    });
    target.appendChild(list);
    if (!confirmed.length) { target.appendChild(el("p", "", "Ingen bekræftede deltagere endnu.")); }
    target.appendChild(el("p", "udskrevet", "Udskrevet " + dateFormat.format(new Date()) + "."));
  }

  function printAttendance() {
    if ($("udskrift").hasChildNodes()) { window.print(); }
  }

  // -- after signing in again -------------------------------------------------------------

  // What was open when the session ended (a session's participant list or its cancel form),
  // kept in memory by the console and opened again for the same user, so the text being
  // written goes back where it was.
  function openView() {
    if (!current) { return null; }
    if (!$("aflys").hidden) { return { session: current.id, view: "cancel" }; }
    if (!$("deltagere").hidden) { return { session: current.id, view: "participants" }; }
    return null;
  }

  function reopen(view) {
    var forum = forumOf[view.session];
    var s = forum && forum.sessions.filter(function (other) { return other.id === view.session; })[0];
    if (!s) { return null; }
    if (view.view === "cancel") { openCancel(s); return null; }
    return openParticipants(s);
  }

  function wireSecretariat() {
    $("nyt-forum").addEventListener("click", function () { openForum(null); });
    $("forum-form").addEventListener("submit", saveForum);
    $("forum-fortryd").addEventListener("click", function () { $("forum-redigering").hidden = true; editedForum = null; });
    $("moede-form").addEventListener("submit", saveSession);
    ["moede-dato", "moede-start", "moede-slut", "moede-frist-dato", "moede-frist-tid"].forEach(function (id) {
      $(id).addEventListener("input", showTimes);
    });
    $("moede-form").addEventListener("input", previewAgain);
    $("moede-fortryd").addEventListener("click", function () { $("moede-redigering").hidden = true; sessionForm = null; });
    $("slet-form").addEventListener("submit", deleteSession);
    $("slet-fortryd").addEventListener("click", function () { $("slet").hidden = true; deleting = null; });
    $("udskriv").addEventListener("click", printAttendance);
    $("skriv-aabn").addEventListener("click", openWrite);
    $("skriv-vis").addEventListener("click", previewWrite);
    $("skriv-form").addEventListener("submit", sendWrite);
    $("skriv-fortryd").addEventListener("click", closeWrite);
    ["skriv-emne", "skriv-tekst", "skriv-venteliste"].forEach(function (id) {
      $(id).addEventListener(id === "skriv-venteliste" ? "change" : "input", unpreview);
    });
    $("katalog-form").addEventListener("submit", previewCatalogue);
    $("katalog-indlaes").addEventListener("click", importCatalogue);
    $("katalog-fortryd").addEventListener("click", function () { clearCatalogue(); $("katalog-fil").focus(); });
    // Another file (or the same one chosen again) is previewed again before it is imported.
    $("katalog-fil").addEventListener("change", clearCatalogue);
    $("hent-skabelon").addEventListener("click", downloadTemplate);
    $("hent-csv").addEventListener("click", downloadCsv);
    $("luk-deltagere").addEventListener("click", function () { $("deltagere").hidden = true; attendance(null); });
    $("tilmeld-form").addEventListener("submit", register);
    $("afmeld-form").addEventListener("submit", cancelOne);
    $("flyt-form").addEventListener("submit", moveOne);
    $("afmeld-fortryd").addEventListener("click", function () { $("afmeld").hidden = true; chosen = null; });
    $("flyt-fortryd").addEventListener("click", function () { $("flyt").hidden = true; chosen = null; });
    $("aflys-fortryd").addEventListener("click", function () { $("aflys").hidden = true; });
    // Asks first: the reason, then a second button that names what will happen.
    $("aflys-videre").addEventListener("click", function () {
      var reason = $("aarsag").value.trim();
      $("aflys-fejl").textContent = "";
      $("aarsag").removeAttribute("aria-invalid");
      if (reason.length < 3) {
        $("aflys-fejl").textContent = "Skriv en begrundelse til deltagerne.";
        $("aarsag").setAttribute("aria-invalid", "true");
        $("aarsag").focus();
        return;
      }
      var s = current;
      // The email itself, rendered by the server from the template it will send.
      busy($("aflys-form"), api("POST", "/api/staff/sessions/" + encodeURIComponent(s.id) + "/cancel/preview", { reason: reason })
        .then(json).then(function (mail) {
          if (current !== s || $("aarsag").value.trim() !== reason) { return; }
          $("aflys-advarsel").textContent = "Vil du aflyse " + sessionName(s) + "? Alle " + (s.seats_taken + s.waiting) + " tilmeldte og ventende får mailen herunder. Det kan ikke fortrydes.";
          $("aflys-mail-emne").textContent = mail.subject;
          $("aflys-mail-tekst").textContent = mail.text;
          $("aflys-spoerg").hidden = false;
          $("aflys-videre").hidden = true;
          $("aflys-ja").focus();
        }).catch(function (error) {
          if (error.message === "signed out") { return; }
          $("aflys-fejl").textContent = error.fields && error.fields.length ? error.fields[0].message : error.message;
        }));
    });
    // A changed reason is previewed again before anything is sent.
    $("aarsag").addEventListener("input", function () {
      $("aflys-spoerg").hidden = true;
      $("aflys-videre").hidden = false;
    });
    $("aflys-form").addEventListener("submit", function (event) {
      event.preventDefault();
      if ($("aflys-spoerg").hidden) { return; }
      var s = current;
      busy(event.target, api("POST", "/api/staff/sessions/" + encodeURIComponent(s.id) + "/cancel", { reason: $("aarsag").value.trim() })
        .then(json).then(function (answer) {
          $("aflys").hidden = true;
          say(sessionName(s) + " er aflyst; " + counted(answer.cancelled, "deltager", "deltagere") + " får besked.");
          return loadForums();
        }).catch(function (error) {
          if (error.message === "signed out") { return; }
          $("aflys-fejl").textContent = error.fields.length ? error.fields[0].message : error.message;
        }));
    });
  }

  wireSecretariat();
  P.area("secretariat", {
    load: loadForums,
    keep: openView,
    resume: reopen,
    reset: function () {
      $("forum-liste").textContent = "";
      $("deltager-liste").textContent = "";
      attendance(null);
      $("katalog-form").reset();
      clearCatalogue();
      $("deltagere").hidden = true;
      $("aflys").hidden = true;
      $("flyt").hidden = true;
      $("afmeld").hidden = true;
      $("tilmeld-form").reset();
      $("forum-redigering").hidden = true;
      $("moede-redigering").hidden = true;
      $("slet").hidden = true;
      $("forum-form").reset();
      $("moede-form").reset();
      editedForum = null;
      sessionForm = null;
      deleting = null;
      closeWrite();
      tell("");
      current = null;
      chosen = null;
      forumOf = {};
    }
  });
}());
