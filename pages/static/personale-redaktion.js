// The editor's area of the staff console: the newsletter's issues (drafts, approved with their
// time, sent with their statistics); writing an issue in Markdown with a live preview of the
// email as a subscriber gets it (rendered by the API, shown in a sandboxed frame that runs no
// script); a test to the editor's own address; approval for the next scheduled send or a
// Danish time of its own (asked first), the date and time of that scheduled send shown before
// and after; withdrawing an approval until sending begins. Drafts are saved on the server as
// they are written (a pause in typing, and leaving the page) and can be deleted; any issue can
// be copied to a new draft; "send now" names the number of subscribers first; an issue can be
// left out of the public archive. While an issue is being sent, the list follows it. Registers
// with the console (personale.js).
(function () {
  "use strict";
  var P = window.Personale;
  var $ = P.$, el = P.el, table = P.table, api = P.api, json = P.json, say = P.say;
  var busy = P.busy, action = P.action, dateFormat = P.dateFormat;
  var BASE = "/api/staff/newsletter/issues";
  // "tirsdag den 5. januar 2027 kl. 08.00", as the office writes times.
  var longFormat = { format: function (at) { return window.danskTid.time(at); } };
  var current = null; // the issue as last saved or opened: {id, subject, status, send_at, ...}
  var saved = null; // {id, subject, markdown} of the form when it was last saved or opened
  var previewTimer = null, previewSeq = 0;
  var subscribers = null; // confirmed subscribers, as the list last said
  var known = []; // the issues as the list last showed them
  var autosaveTimer = null, saving = null, saveAgain = false, followTimer = null;
  var AUTOSAVE_AFTER = 1500, FOLLOW_EVERY = 4000;

  // 1234 -> "1.234", as Danes write numbers.
  function number(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "."); }

  // "alle 1.234 abonnenter" ("1 abonnent", "0 abonnenter (…)"), as the list last counted them.
  function everyone() {
    if (subscribers === null) { return "alle abonnenter"; }
    if (subscribers === 0) { return "0 abonnenter (ingen har bekræftet deres tilmelding endnu)"; }
    if (subscribers === 1) { return "1 abonnent"; }
    return "alle " + number(subscribers) + " abonnenter";
  }

  function clock(at) {
    var local = new Date(at.getTime());
    var parts = window.danskTid.time(local).split(" kl. ");
    return parts.length > 1 ? parts[1] : window.danskTid.time(local);
  }

  var statusText = { draft: "Kladde", approved: "Godkendt", sending: "Sendes nu", sent: "Sendt" };
  var fieldInput = { issue_id: "nummer-id", subject: "nummer-emne", markdown: "nummer-tekst" };

  function when(issue) {
    if (issue.status === "draft") { return ""; }
    if (issue.send_at) { return dateFormat.format(new Date(issue.send_at)); }
    if (issue.status !== "approved") { return ""; }
    return issue.scheduled_send ? dateFormat.format(new Date(issue.scheduled_send)) + ", med planen" : "Næste planlagte udsendelse";
  }

  // How an approval for the schedule reads: "med næste planlagte udsendelse, tirsdag den 5.
  // januar 2027 kl. 08.00 (dansk tid)", or without the time when the schedule's is unknown.
  function withSchedule(issue) {
    return "med næste planlagte udsendelse" + (issue && issue.scheduled_send ? ", " + longFormat.format(new Date(issue.scheduled_send)) + " (dansk tid)" : "");
  }

  function approvedText(issue) {
    if (issue.send_at) { return "Godkendt: sendes " + longFormat.format(new Date(issue.send_at)) + " (dansk tid). Du kan trække godkendelsen tilbage indtil da."; }
    return "Godkendt: sendes " + withSchedule(issue) + ". Du kan trække godkendelsen tilbage indtil da.";
  }

  function failed(target) {
    return P.failedQuietly(function (error) {
      if (target) { target.textContent = error.message; } else { say(error.message); }
    });
  }

  // -- the list of issues -----------------------------------------------------------------

  function overview(data) {
    var line = $("redaktion-overblik");
    subscribers = data.subscribers;
    line.textContent = number(data.subscribers) + (data.subscribers === 1 ? " bekræftet abonnent" : " bekræftede abonnenter") + ". " +
      (data.next_scheduled_send ? "Næste planlagte udsendelse: " + longFormat.format(new Date(data.next_scheduled_send)) + " (dansk tid)." : "Der er ingen planlagt udsendelse.");
    line.hidden = false;
  }

  // While an issue is being sent (or its own time has come), the list is read again every few
  // seconds: its status and statistics follow the sending.
  function follow(issues) {
    if (followTimer) { clearTimeout(followTimer); followTimer = null; }
    var now = Date.now();
    var moving = issues.some(function (i) { return i.status === "sending" || (i.status === "approved" && i.send_at && new Date(i.send_at).getTime() <= now); });
    if (moving) {
      followTimer = setTimeout(function () {
        followTimer = null;
        if (!$("editor").hidden) { loadIssues(); }
      }, FOLLOW_EVERY);
    }
  }

  function loadIssues() {
    var target = $("numre-liste");
    return api("GET", BASE).then(json).then(function (data) {
      overview(data);
      known = data.issues;
      follow(data.issues);
      if (current) {
        var shown = data.issues.filter(function (i) { return i.id === current.id; })[0];
        if (shown && (shown.status !== current.status || shown.sent !== current.sent)) {
          current = Object.assign({}, current, shown);
          showApproval(current);
        }
      }
      target.textContent = "";
      if (!data.issues.length) { target.appendChild(el("p", "", "Der er ingen numre endnu. Skriv det første herunder.")); return; }
      var list = table("numre", "Nyhedsbrevets numre",
        ["Nummer", "Status", "Udsendelse", "Modtagere", "Sendt", "Fejlet", "Afvist", "Spamklager", "Afmeldt", "Handlinger"]);
      data.issues.forEach(function (issue) { list.add(issueRow(issue)); });
      target.appendChild(list.table);
    }).catch(failed());
  }

  function issueRow(issue) {
    var row = el("tr");
    row.dataset.issue = issue.id;
    var what = el("th", "", issue.subject + " (" + issue.id + ")");
    what.scope = "row";
    row.appendChild(what);
    var sentYet = issue.status === "sending" || issue.status === "sent";
    [statusText[issue.status] || issue.status, when(issue),
     sentYet ? String(issue.recipients) : "", sentYet ? String(issue.sent) : "",
     sentYet ? String(issue.failed) : "", sentYet ? String(issue.bounced) : "",
     sentYet ? String(issue.complained) : "", sentYet ? String(issue.unsubscribed) : ""
    ].forEach(function (text) { row.appendChild(el("td", "", text)); });
    var actions = el("td", "handlinger");
    actions.appendChild(action(issue.status === "draft" ? "Rediger" : "Vis",
      (issue.status === "draft" ? "Rediger: " : "Vis: ") + issue.subject, function () { openIssue(issue.id); }));
    if (issue.status !== "draft") {
      actions.appendChild(action("Kopiér", "Kopiér til en ny kladde: " + issue.subject, function (event) { duplicate(issue, event.currentTarget); }));
    }
    row.appendChild(actions);
    return row;
  }

  // -- the form -------------------------------------------------------------------------------

  function formValues() {
    return { id: $("nummer-id").value.trim(), subject: $("nummer-emne").value.trim(), markdown: $("nummer-tekst").value };
  }

  function dirty() {
    var now = formValues();
    return !saved || now.id !== saved.id || now.subject !== saved.subject || now.markdown.trim() !== saved.markdown.trim();
  }

  function clearErrors() {
    $("nummer-fejl").textContent = "";
    Object.keys(fieldInput).forEach(function (field) { $(fieldInput[field]).removeAttribute("aria-invalid"); });
  }

  function showErrors(error) { P.showFieldErrors(error, fieldInput, "nummer-fejl"); }

  function fill(issue) {
    current = issue;
    saved = { id: issue.id, subject: issue.subject, markdown: issue.markdown };
    $("nummer-id").value = issue.id;
    $("nummer-emne").value = issue.subject;
    $("nummer-tekst").value = issue.markdown;
    var editable = issue.status === "draft";
    ["nummer-id", "nummer-emne", "nummer-tekst"].forEach(function (id) { $(id).readOnly = !editable; });
    $("nummer-id").readOnly = true; // an existing issue keeps its id
    $("gem-kladde").hidden = !editable;
    $("slet-kladde").hidden = !editable;
    $("slet-spoerg").hidden = true;
    $("gemt-status").textContent = editable ? "Kladden gemmes af sig selv, mens du skriver." : "";
    $("redigering-overskrift").textContent = (editable ? "Rediger: " : "Vis: ") + issue.subject;
    showApproval(issue);
    preview();
  }

  function openIssue(id) {
    stopAutosave();
    clearErrors();
    api("GET", BASE + "/" + encodeURIComponent(id)).then(json).then(function (issue) {
      fill(issue);
      $("redigering-overskrift").focus();
    }).catch(failed());
  }

  function newIssue(focus) {
    stopAutosave();
    current = null;
    saved = null;
    $("nummer-form").reset();
    ["nummer-id", "nummer-emne", "nummer-tekst"].forEach(function (id) { $(id).readOnly = false; });
    $("gem-kladde").hidden = false;
    $("slet-kladde").hidden = true;
    $("slet-spoerg").hidden = true;
    $("gemt-status").textContent = "Kladden gemmes af sig selv, mens du skriver.";
    $("redigering-overskrift").textContent = "Skriv et nummer";
    clearErrors();
    showApproval(null);
    preview();
    if (focus === true) { $("nummer-id").focus(); }
  }

  function save(event) {
    event.preventDefault();
    stopAutosave();
    clearErrors();
    var values = withId();
    busy($("nummer-form"), api("PUT", BASE + "/" + encodeURIComponent(values.id), draftBody(values))
      .then(json).then(function (issue) {
        fill(issue);
        savedAt(new Date());
        say("Kladden " + issue.id + " er gemt.");
        return loadIssues();
      }).catch(P.failedQuietly(showErrors)));
  }

  // -- saved as it is written ---------------------------------------------------------------

  // An id from the subject ("Nyt fra foreningen" -> "nyt-fra-foreningen-k3"), put in the form,
  // when the editor left it empty; the two random characters keep it from meeting another.
  function withId() {
    var values = formValues();
    if (values.id) { return values; }
    var slug = values.subject.toLowerCase().replace(/æ/g, "ae").replace(/ø/g, "oe").replace(/å/g, "aa")
      .normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 50).replace(/-+$/, "");
    values.id = (slug.length > 1 ? slug : "nummer") + "-" + Math.random().toString(36).slice(2, 4).replace(/[^a-z0-9]/g, "x");
    $("nummer-id").value = values.id;
    return values;
  }

  function editable() { return !$("nummer-tekst").readOnly; }

  // A save of the draft on screen replaces it only (a draft deleted meanwhile, here or in
  // another tab, answers 409 and stays deleted); the first save creates it.
  function draftBody(values) {
    var body = { subject: values.subject, markdown: values.markdown };
    if (current && current.id === values.id) { body.replace = true; }
    return body;
  }

  function savedAt(at) { $("gemt-status").textContent = "Gemt kl. " + clock(at) + "."; }

  function stopAutosave() {
    if (autosaveTimer) { clearTimeout(autosaveTimer); autosaveTimer = null; }
  }

  function scheduleAutosave() {
    stopAutosave();
    if (!editable()) { return; }
    autosaveTimer = setTimeout(autosave, AUTOSAVE_AFTER);
  }

  // One save at a time; what was written meanwhile is saved right after. The form is not
  // refilled (the editor is still writing): only what was saved is remembered.
  function autosave() {
    autosaveTimer = null;
    var values = formValues();
    if (!editable() || !values.subject || !values.markdown.trim() || !dirty()) { return Promise.resolve(); }
    if (saving) { saveAgain = true; return saving; }
    values = withId();
    $("nummer-id").readOnly = true;
    $("gemt-status").textContent = "Gemmer …";
    var first = !current;
    saving = api("PUT", BASE + "/" + encodeURIComponent(values.id), draftBody(values))
      .then(json).then(function (issue) {
        current = issue;
        saved = { id: values.id, subject: values.subject, markdown: values.markdown };
        $("slet-kladde").hidden = false;
        $("redigering-overskrift").textContent = "Rediger: " + issue.subject;
        savedAt(new Date());
        showApproval(issue);
        clearErrors();
        if (first) { return loadIssues(); }
      }).catch(P.failedQuietly(function (error) {
        if (!current) { $("nummer-id").readOnly = false; }
        $("gemt-status").textContent = "Ikke gemt.";
        showErrors(error);
      })).then(function () {
        saving = null;
        if (saveAgain) { saveAgain = false; return autosave(); }
      });
    return saving;
  }

  // Leaving the page (or its tab going to the background) saves what is not saved yet; the
  // request outlives the page.
  function saveOnLeaving(event) {
    if (document.visibilityState === "hidden" || event.type === "pagehide") {
      var values = formValues();
      if (editable() && dirty() && !$("editor").hidden && values.subject && values.markdown.trim()) {
        stopAutosave();
        values = withId();
        P.leaving("PUT", BASE + "/" + encodeURIComponent(values.id), draftBody(values));
        saved = { id: values.id, subject: values.subject, markdown: values.markdown };
      }
    }
  }

  // -- delete, copy, send now, the archive ----------------------------------------------------

  function askDelete() {
    if (!current) { return; }
    $("slet-advarsel").textContent = "Vil du slette kladden »" + current.subject + "« (" + current.id + ")? Den kan ikke gendannes.";
    $("slet-spoerg").hidden = false;
    $("slet-ja").focus();
  }

  function deleteDraft() {
    var issue = current, button = $("slet-ja");
    stopAutosave();
    saveAgain = false;
    button.disabled = true;
    // A save under way reaches the server before the delete.
    Promise.resolve(saving).then(function () {
      return api("DELETE", BASE + "/" + encodeURIComponent(issue.id));
    }).then(json).then(function () {
      newIssue();
      say("Kladden " + issue.id + " er slettet.");
      return loadIssues();
    }).catch(P.failedQuietly(function (error) {
      $("slet-spoerg").hidden = true;
      $("nummer-fejl").textContent = error.message;
    })).then(function () { button.disabled = false; });
  }

  // The copy's id: the first of "<id>-kopi", "<id>-kopi-2", … the list does not hold, sent
  // with the request (asking again answers the same copy).
  function copyId(id) {
    var taken = {};
    known.forEach(function (i) { taken[i.id] = true; });
    for (var n = 1; n < 100; n++) {
      var suffix = n === 1 ? "-kopi" : "-kopi-" + n;
      var candidate = id.slice(0, 63 - suffix.length).replace(/-+$/, "") + suffix;
      if (!taken[candidate]) { return candidate; }
    }
    return null;
  }

  function duplicate(issue, button) {
    stopAutosave();
    if (button) { button.disabled = true; }
    var body = {};
    var wanted = copyId(issue.id);
    if (wanted) { body.id = wanted; }
    api("POST", BASE + "/" + encodeURIComponent(issue.id) + "/duplicate", body).then(json).then(function (copy) {
      fill(copy);
      say("»" + issue.subject + "« er kopieret til en ny kladde: " + copy.id + ".");
      $("redigering-overskrift").focus();
      return loadIssues();
    }).catch(failed()).then(function () { if (button) { button.disabled = false; } });
  }

  function askSendNow() {
    $("godkend-fejl").textContent = "";
    if (!current || dirty()) { $("godkend-fejl").textContent = "Gem kladden først."; return; }
    $("send-nu-advarsel").textContent = "Send »" + current.subject + "« (" + current.id + ") nu til " + everyone() + "? Udsendelsen kan ikke trækkes tilbage, når den er begyndt.";
    $("send-nu-spoerg").hidden = false;
    $("godkend-spoerg").hidden = true;
    $("send-nu-ja").focus();
  }

  function sendNow() {
    var issue = current, button = $("send-nu-ja");
    button.disabled = true;
    api("POST", BASE + "/" + encodeURIComponent(issue.id) + "/send-now").then(json).then(function (started) {
      current = Object.assign({}, current, started);
      fill(Object.assign({}, current, { markdown: saved.markdown }));
      say(issue.id + " sendes nu til " + everyone() + ".");
      $("godkendelse-overskrift").focus();
      return loadIssues();
    }).catch(P.failedQuietly(function (error) {
      $("send-nu-spoerg").hidden = true;
      $("godkend-fejl").textContent = error.message;
    })).then(function () { button.disabled = false; });
  }

  function archiveChoice() {
    var box = $("i-arkivet"), issue = current, shown = box.checked;
    if (!issue) { return; }
    box.disabled = true;
    api("PUT", BASE + "/" + encodeURIComponent(issue.id) + "/archive", { in_archive: shown }).then(json).then(function (changed) {
      current = Object.assign({}, current, changed);
      say(shown ? issue.id + " vises i arkivet på hjemmesiden, når det er sendt." : issue.id + " vises ikke i arkivet på hjemmesiden.");
    }).catch(P.failedQuietly(function (error) {
      box.checked = !shown;
      say(error.message);
    })).then(function () { box.disabled = false; });
  }

  function sendTest() {
    clearErrors();
    if (!current || dirty()) {
      $("nummer-fejl").textContent = "Gem kladden først, så prøven viser det, du har skrevet.";
      return;
    }
    var button = $("send-proeve");
    button.disabled = true;
    api("POST", BASE + "/" + encodeURIComponent(current.id) + "/test").then(json).then(function (answer) {
      say("En prøve af " + current.id + " er sendt til " + answer.to + ".");
    }).catch(failed($("nummer-fejl"))).then(function () { button.disabled = false; });
  }

  // -- the live preview -----------------------------------------------------------------------

  function schedulePreview() {
    if (previewTimer) { clearTimeout(previewTimer); }
    previewTimer = setTimeout(preview, 500);
  }

  function preview() {
    var values = formValues(), frame = $("eksempel"), status = $("eksempel-status");
    var seq = ++previewSeq;
    if (!values.subject || !values.markdown.trim()) {
      frame.srcdoc = "";
      status.textContent = "Skriv emne og tekst for at se mailen.";
      return;
    }
    api("POST", "/api/staff/newsletter/preview", { subject: values.subject, markdown: values.markdown })
      .then(json).then(function (shown) {
        if (seq !== previewSeq) { return; } // a newer preview is on its way
        frame.srcdoc = shown.html; // the sandbox runs no script and has no origin of its own
        status.textContent = "Emne: " + shown.subject;
      }).catch(P.failedQuietly(function (error) {
        if (seq !== previewSeq) { return; }
        status.textContent = "Eksemplet kan ikke vises: " + (error.fields && error.fields.length ? error.fields[0].message : error.message);
      }));
  }

  // -- approval and withdrawal ------------------------------------------------------------

  function showApproval(issue) {
    var section = $("godkendelse");
    section.hidden = !issue;
    if (!issue) { return; }
    $("godkend-spoerg").hidden = true;
    $("send-nu-spoerg").hidden = true;
    $("godkend-videre").hidden = false;
    $("godkend-fejl").textContent = "";
    $("i-arkivet").checked = issue.in_archive !== false;
    var draft = issue.status === "draft", approved = issue.status === "approved";
    $("godkend-valg").hidden = !(draft || approved);
    $("traek-tilbage").hidden = !approved;
    $("godkend-videre").textContent = approved ? "Skift tidspunkt …" : "Godkend …";
    var text = {
      draft: "Kladde: ikke godkendt endnu.",
      approved: approvedText(issue),
      sending: "Sendes nu: " + number(issue.sent) + " af " + number(issue.recipients) + " sendt, " + number(issue.failed) + " fejlet. Udsendelsen kan ikke trækkes tilbage.",
      sent: "Sendt til " + number(issue.recipients) + (issue.recipients === 1 ? " modtager: " : " modtagere: ") + number(issue.sent) + " sendt, " + number(issue.failed) + " fejlet, " + number(issue.bounced) + " afvist, " + number(issue.complained) + " spamklager, " + number(issue.unsubscribed) + " afmeldt siden."
    }[issue.status];
    $("godkendelse-status").textContent = text || "";
    $("plan-tidspunkt").textContent = issue.scheduled_send ? ": " + longFormat.format(new Date(issue.scheduled_send)) + " (dansk tid)" : "";
  }

  function chosenTime() {
    if (!$("hvornaar-eget").checked) { return { send_at: null, text: withSchedule(current) }; }
    var day = $("send-dato").value, time = $("send-tid").value;
    if (!day || !time) { return { error: "Vælg dato og klokkeslæt (dansk tid)." }; }
    var at = window.danskTid.fromWall(day, time);
    if (at && at <= new Date()) { return { error: window.danskTid.time(at) + " er allerede passeret; vælg et tidspunkt frem i tiden (dansk tid)." }; }
    return { send_at: day + " " + time, text: at ? window.danskTid.time(at) + " (dansk tid)" : day + " kl. " + time + " (dansk tid)" };
  }

  function askApproval() {
    $("godkend-fejl").textContent = "";
    if (!current || dirty()) { $("godkend-fejl").textContent = "Gem kladden først."; return; }
    var chosen = chosenTime();
    if (chosen.error) {
      $("godkend-fejl").textContent = chosen.error;
      (!$("send-dato").value ? $("send-dato") : $("send-tid")).focus();
      return;
    }
    $("godkend-advarsel").textContent = "Vil du godkende »" + current.subject + "« (" + current.id + ")? Det sendes " + chosen.text + " til " + everyone() + ". Du kan trække godkendelsen tilbage, indtil udsendelsen begynder.";
    $("godkend-spoerg").hidden = false;
    $("send-nu-spoerg").hidden = true;
    $("godkend-videre").hidden = true;
    $("godkend-ja").focus();
  }

  function approve() {
    var chosen = chosenTime(), issue = current, button = $("godkend-ja");
    button.disabled = true;
    api("POST", BASE + "/" + encodeURIComponent(issue.id) + "/approve", { send_at: chosen.send_at }).then(json).then(function (approved) {
      current = Object.assign({}, current, approved);
      fill(Object.assign({}, current, { markdown: saved.markdown })); // read-only from now on
      say(issue.id + " er godkendt og sendes " + (approved.send_at ? longFormat.format(new Date(approved.send_at)) + " (dansk tid)" : withSchedule(approved)) + ".");
      $("godkendelse-overskrift").focus();
      return loadIssues();
    }).catch(P.failedQuietly(function (error) {
      $("godkend-spoerg").hidden = true;
      $("godkend-videre").hidden = false;
      $("godkend-fejl").textContent = error.fields && error.fields.length ? error.fields[0].message : error.message;
    })).then(function () { button.disabled = false; });
  }

  function withdraw() {
    var issue = current, button = $("traek-tilbage");
    button.disabled = true;
    api("POST", BASE + "/" + encodeURIComponent(issue.id) + "/withdraw").then(json).then(function (withdrawn) {
      current = Object.assign({}, current, withdrawn);
      fill(Object.assign({}, current, { markdown: saved.markdown }));
      say("Godkendelsen af " + issue.id + " er trukket tilbage; nummeret er en kladde igen.");
      $("godkendelse-overskrift").focus();
      return loadIssues();
    }).catch(P.failedQuietly(function (error) {
      $("godkend-fejl").textContent = error.message;
      return loadIssues();
    })).then(function () { button.disabled = false; });
  }

  function wireEditor() {
    $("nummer-form").addEventListener("submit", save);
    $("nyt-nummer").addEventListener("click", function () { newIssue(true); });
    $("send-proeve").addEventListener("click", sendTest);
    ["nummer-id", "nummer-emne", "nummer-tekst"].forEach(function (id) {
      $(id).addEventListener("input", scheduleAutosave);
    });
    $("nummer-emne").addEventListener("input", schedulePreview);
    $("nummer-tekst").addEventListener("input", schedulePreview);
    document.addEventListener("visibilitychange", saveOnLeaving);
    window.addEventListener("pagehide", saveOnLeaving);
    $("slet-kladde").addEventListener("click", askDelete);
    $("slet-ja").addEventListener("click", deleteDraft);
    $("slet-fortryd").addEventListener("click", function () { $("slet-spoerg").hidden = true; $("slet-kladde").focus(); });
    $("send-nu").addEventListener("click", askSendNow);
    $("send-nu-ja").addEventListener("click", sendNow);
    $("send-nu-fortryd").addEventListener("click", function () { $("send-nu-spoerg").hidden = true; $("send-nu").focus(); });
    $("i-arkivet").addEventListener("change", archiveChoice);
    $("kopier-nummer").addEventListener("click", function (event) { if (current) { duplicate(current, event.currentTarget); } });
    ["hvornaar-plan", "hvornaar-eget"].forEach(function (id) {
      $(id).addEventListener("change", function () { $("eget-tidspunkt").hidden = !$("hvornaar-eget").checked; });
    });
    $("godkend-videre").addEventListener("click", askApproval);
    $("godkend-ja").addEventListener("click", approve);
    $("godkend-fortryd").addEventListener("click", function () {
      $("godkend-spoerg").hidden = true;
      $("godkend-videre").hidden = false;
      $("godkend-videre").focus();
    });
    $("traek-tilbage").addEventListener("click", withdraw);
  }

  // -- Abonnenter: the subscriber list (search, add one, unsubscribe one, import a file) -------

  var SUBSCRIBERS = "/api/staff/newsletter/subscribers";
  var IMPORT_MAX = 1024 * 1024; // the API reads a file of up to 1 MB (some 10,000 rows)
  var subscriberQuery = "";
  var importChosen = null; // {filename, text} of the file last previewed
  var subscriberInput = { email: "abonnent-email", name: "abonnent-navn", role: "abonnent-rolle", consent_date: "abonnent-samtykke-dato", consent_source: "abonnent-samtykke-kilde" };
  var skippedText = { subscribed: "er allerede tilmeldt", invited: "er allerede inviteret og får ikke en mail igen", suppressed: "er spærret (afvist eller spamklage)", left: "har afmeldt sig", changed_meanwhile: "blev ændret undervejs" };

  function people(number, one, many) { return number + " " + (number === 1 ? one : many); }

  // "importeret · samtykke 1. februar 2024 · kilde: Medlemssystemet"
  function consentText(subscriber) {
    var c = subscriber.consent, parts = [c.how_text];
    if (c.at) { parts.push((c.confirmed_by_owner ? "bekræftet " : "samtykke ") + window.danskTid.date(c.at, { weekday: false })); }
    if (c.version) { parts.push("samtykketekst " + c.version); }
    if (c.source) { parts.push("kilde: " + c.source); }
    if (!c.at && subscriber.status === "pending") { parts.push("venter på bekræftelse"); }
    return parts.join(" · ");
  }

  function loadSubscribers() {
    var target = $("abonnent-liste");
    return api("GET", SUBSCRIBERS + "?q=" + encodeURIComponent(subscriberQuery)).then(json).then(function (data) {
      target.textContent = "";
      var shown = data.subscribers.length;
      var found = subscriberQuery ? people(data.count, "abonnent", "abonnenter") + " med »" + subscriberQuery + "« i adressen" : people(data.count, "abonnent", "abonnenter") + " i alt";
      target.appendChild(el("p", "", found + (shown < data.count ? " (de første " + shown + " vises; søg mere præcist)." : ".")));
      if (!shown) { return; }
      var list = table("abonnenter", "Abonnenter", ["E-mail", "Navn", "Status", "Samtykke", "Handlinger"]);
      data.subscribers.forEach(function (subscriber) { list.add(subscriberRow(subscriber)); });
      target.appendChild(list.table);
    }).catch(failed(target));
  }

  function subscriberRow(subscriber) {
    var row = el("tr");
    row.dataset.email = subscriber.email;
    var who = el("th");
    who.scope = "row";
    who.appendChild(P.address(subscriber.email));
    row.appendChild(who);
    [subscriber.name || "", subscriber.status_text, consentText(subscriber)].forEach(function (text) { row.appendChild(el("td", "", text)); });
    var actions = el("td", "handlinger");
    if (subscriber.status === "subscribed" || subscriber.status === "pending") {
      actions.appendChild(action("Afmeld", "Afmeld " + subscriber.email, function () { askUnsubscribe(subscriber, actions); }));
    }
    row.appendChild(actions);
    return row;
  }

  function askUnsubscribe(subscriber, cell) {
    cell.textContent = "";
    cell.appendChild(el("p", "", "Afmeld " + subscriber.email + "? Der sendes ikke flere nyhedsbreve til adressen, og personalet kan ikke tilføje den igen."));
    var yes = action("Ja, afmeld", "Ja, afmeld " + subscriber.email, function () {
      yes.disabled = true;
      api("POST", SUBSCRIBERS + "/unsubscribe", { email: subscriber.email }).then(json).then(function () {
        say(subscriber.email + " er afmeldt nyhedsbrevet.");
        return loadSubscribers();
      }).catch(failed());
    });
    var no = action("Fortryd", "Fortryd afmelding af " + subscriber.email, function () { loadSubscribers(); });
    cell.appendChild(yes);
    cell.appendChild(no);
    yes.focus();
  }

  function searchSubscribers(event) {
    event.preventDefault();
    subscriberQuery = $("abonnent-soeg").value.trim();
    busy($("abonnent-soeg-form"), loadSubscribers());
  }

  function clearSubscriberErrors() {
    $("abonnent-ny-fejl").textContent = "";
    Object.keys(subscriberInput).forEach(function (field) { $(subscriberInput[field]).removeAttribute("aria-invalid"); });
  }

  function addSubscriber(event) {
    event.preventDefault();
    clearSubscriberErrors();
    var body = {
      email: $("abonnent-email").value.trim(), name: $("abonnent-navn").value.trim(), role: $("abonnent-rolle").value,
      consent_date: $("abonnent-samtykke-dato").value || null, consent_source: $("abonnent-samtykke-kilde").value.trim() || null
    };
    busy($("abonnent-ny-form"), api("POST", SUBSCRIBERS, body).then(json).then(function (answer) {
      var email = answer.subscriber.email;
      say({
        invited: email + " har fået en mail og bliver tilmeldt, når tilmeldingen er bekræftet.",
        subscribed: email + " er tilmeldt med det dokumenterede samtykke.",
        already_subscribed: email + " er allerede tilmeldt.",
        already_invited: email + " er allerede inviteret og får ikke en mail igen."
      }[answer.outcome] || "");
      $("abonnent-ny-form").reset();
      subscriberQuery = email;
      $("abonnent-soeg").value = email;
      return loadSubscribers();
    }).catch(P.failedQuietly(function (error) {
      P.showFieldErrors(error, subscriberInput, "abonnent-ny-fejl");
    })));
  }

  // The office's file as it is: UTF-8 (with or without a byte order mark), else Windows-1252,
  // which older Danish systems write.
  function fileText(file) {
    return file.arrayBuffer().then(function (bytes) {
      try { return new TextDecoder("utf-8", { fatal: true }).decode(bytes); } catch (e) { return new TextDecoder("windows-1252").decode(bytes); }
    });
  }

  function clearImport() {
    $("abonnent-import-fejl").textContent = "";
    $("abonnent-fil").removeAttribute("aria-invalid");
    $("abonnent-import-resultat").hidden = true;
    $("abonnent-import-se").hidden = false;
    importChosen = null;
  }

  function importErrors(lines, heading) {
    var target = $("abonnent-import-fejl");
    target.textContent = "";
    if (heading) { target.appendChild(el("p", "", heading)); }
    var list = el("ul");
    lines.forEach(function (line) { list.appendChild(el("li", "", line)); });
    target.appendChild(lines.length === 1 && !heading ? el("p", "", lines[0]) : list);
    $("abonnent-fil").setAttribute("aria-invalid", "true");
  }

  function importLines(result, done) {
    var lines = [people(result.rows, "række", "rækker") + " i filen."];
    lines.push(people(result.subscribed, "person", "personer") + (done ? " er tilmeldt" : " bliver tilmeldt") + " med det dokumenterede samtykke.");
    lines.push(people(result.invited, "person", "personer") + (done ? " har fået" : " får") + " en mail og bekræfter selv.");
    if (result.skipped) {
      var why = Object.keys(result.skipped_because).map(function (reason) { return result.skipped_because[reason] + " " + (skippedText[reason] || reason); });
      lines.push(people(result.skipped, "række", "rækker") + (done ? " er sprunget over: " : " springes over: ") + why.join(", ") + ".");
    }
    return lines;
  }

  function previewImport(event) {
    event.preventDefault();
    var input = $("abonnent-fil"), file = input.files && input.files[0];
    clearImport();
    if (!file) { importErrors(["Vælg en CSV-fil."]); return; }
    if (file.size > IMPORT_MAX) { importErrors(["Filen er for stor (højst 1 MB, omkring 10.000 rækker). Del den i flere filer, og importér dem hver for sig."]); return; }
    var chosen = { filename: file.name };
    busy(event.target, fileText(file).then(function (text) {
      chosen.text = text;
      return api("POST", SUBSCRIBERS + "/import", { filename: file.name, text: text, preview: true });
    }).then(json).then(function (result) {
      if (result.refused.length) {
        importErrors(result.refused.map(function (r) { return "Linje " + r.line + ": " + r.message; }),
          "Filen kan ikke importeres, og intet er gemt. Ret " + (result.refused.length === 1 ? "linjen" : "linjerne") + " herunder, og vælg filen igen:");
        return;
      }
      var lines = $("abonnent-import-linjer");
      lines.textContent = "";
      importLines(result, false).forEach(function (line) { lines.appendChild(el("li", "", line)); });
      var nothing = !result.subscribed && !result.invited;
      if (nothing) { lines.appendChild(el("li", "", "Filen tilføjer ingen.")); }
      $("abonnent-importer").hidden = nothing;
      $("abonnent-import-fortryd").textContent = nothing ? "Luk" : "Fortryd";
      chosen.preview = result;
      importChosen = chosen;
      $("abonnent-import-se").hidden = true;
      $("abonnent-import-resultat").hidden = false;
      $("abonnent-import-resultat-overskrift").focus();
    }).catch(P.failedQuietly(function (error) {
      importErrors(error.fields && error.fields.length ? error.fields.map(function (f) { return f.message; }) : [error.message]);
    })));
  }

  // An answer that may come from an import stopped part-way (the function's time ran out, the
  // connection broke): sent again, it carries on where it stopped, since every row's write is
  // idempotent and a repeat adds nobody twice.
  function unfinished(error) {
    return error.message !== "signed out" && !(error.fields && error.fields.length) &&
      (!error.code || /internal|unavailable|timeout/.test(error.code));
  }

  function runImport() {
    if (!importChosen) { return; }
    var chosen = importChosen, button = $("abonnent-importer"), attempts = 0;
    button.disabled = true;
    function attempt() {
      attempts += 1;
      return api("POST", SUBSCRIBERS + "/import", { filename: chosen.filename, text: chosen.text }).then(json).catch(function (error) {
        if (attempts < 6 && unfinished(error)) {
          say("Importen tager lidt tid og fortsætter …");
          return attempt();
        }
        throw error;
      });
    }
    attempt().then(function (result) {
      button.disabled = false;
      if (!result.imported) {
        importErrors(result.refused.map(function (r) { return "Linje " + r.line + ": " + r.message; }), "Filen kan ikke importeres, og intet er gemt:");
        return;
      }
      $("abonnent-import-form").reset();
      clearImport();
      // Carried on after a stop, the last answer counts only its own part: the preview's
      // figures are what the import did.
      say("Listen er importeret. " + importLines(attempts > 1 ? chosen.preview : result, true).join(" "));
      subscriberQuery = "";
      $("abonnent-soeg").value = "";
      return loadSubscribers();
    }).catch(P.failedQuietly(function (error) {
      button.disabled = false;
      importErrors([error.message + " Importér filen igen for at gøre importen færdig; ingen tilføjes to gange."]);
    }));
  }

  function wireSubscribers() {
    $("abonnent-soeg-form").addEventListener("submit", searchSubscribers);
    $("abonnent-ny-form").addEventListener("submit", addSubscriber);
    $("abonnent-import-form").addEventListener("submit", previewImport);
    $("abonnent-fil").addEventListener("change", clearImport);
    $("abonnent-importer").addEventListener("click", runImport);
    $("abonnent-import-fortryd").addEventListener("click", function () {
      $("abonnent-import-form").reset();
      clearImport();
      $("abonnent-fil").focus();
    });
  }

  function resetSubscribers() {
    $("abonnent-liste").textContent = "";
    $("abonnent-ny-form").reset();
    $("abonnent-import-form").reset();
    clearImport();
    subscriberQuery = "";
  }

  wireEditor();
  wireSubscribers();
  // The draft open when the session ended is opened again after signing in; what was being
  // written in it is then put back over it by the console.
  function openDraft() { return current && current.status === "draft" ? { issue: current.id } : null; }

  function reopenDraft(open) {
    return api("GET", BASE + "/" + encodeURIComponent(open.issue)).then(json).then(fill);
  }

  P.area("editor", {
    load: function () { newIssue(); return Promise.all([loadIssues(), loadSubscribers()]); },
    keep: openDraft,
    resume: reopenDraft,
    reset: function () {
      stopAutosave();
      if (followTimer) { clearTimeout(followTimer); followTimer = null; }
      $("redaktion-overblik").hidden = true;
      $("numre-liste").textContent = "";
      $("nummer-form").reset();
      $("eksempel").srcdoc = "";
      $("godkendelse").hidden = true;
      resetSubscribers();
      current = null;
      saved = null;
    }
  });
}());
