// The administrator's area of the staff console: the staff list (address, roles, status,
// whether the authenticator app is set up, the last sign-in in Danish time) with a button per
// task, the invitation with its roles, a role editor, a question before whatever cannot be
// undone (a reset, disabling, removal), and the audit of every change. Addresses go to the API
// in the body of a POST only. Registers with the console (personale.js).
(function () {
  "use strict";
  var P = window.Personale;
  var $ = P.$, el = P.el, api = P.api, json = P.json;

  var ROOT = "/api/staff/staff";
  var roleText = { secretariat: "Sekretariatet", editor: "Redaktøren", consultant: "Lederkonsulenten",
                   privacy_officer: "Databeskyttelse", administrator: "Administrator" };
  var ROLES = Object.keys(roleText);
  var actionText = { invite: "Inviteret", resend: "Invitation sendt igen", add_group: "Rolle tilføjet",
                     remove_group: "Rolle fjernet", reset_password: "Adgangskode nulstillet",
                     reset_authenticator: "Godkendelsesapp nulstillet", disable: "Spærret",
                     enable: "Adgang givet igen", remove: "Fjernet" };
  var ROUGH_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  var staff = []; // the list as last loaded
  var asked = null; // the task waiting for "Ja": {path, email}
  var editing = null; // the person whose roles are being changed

  function tell(text) {
    $("adm-status").textContent = text || "";
    $("adm-status").hidden = !text;
  }

  // What the API answered, with the emulator's temporary password where it sent no email.
  function told(done) {
    tell(done.message + (done.temporary_password ? " Lokalt sendes ingen e-mail; midlertidig adgangskode: " + done.temporary_password : ""));
    return done;
  }

  function refused(error) {
    if (error.message === "signed out") { return; }
    tell(error.message);
  }

  function checkboxes(holder, prefix, chosen) {
    holder.textContent = "";
    ROLES.forEach(function (role) {
      var line = el("div"), box = el("input"), label = el("label", "", roleText[role]);
      box.type = "checkbox";
      box.id = prefix + "-" + role;
      box.value = role;
      box.checked = chosen.indexOf(role) >= 0;
      label.htmlFor = box.id;
      line.appendChild(box);
      line.appendChild(label);
      holder.appendChild(line);
    });
  }

  function checked(holder) {
    return Array.prototype.filter.call(holder.querySelectorAll("input[type=checkbox]"), function (box) { return box.checked; })
      .map(function (box) { return box.value; });
  }

  function statusText(person) {
    if (!person.enabled) { return "Spærret"; }
    if (person.status === "invited") { return "Inviteret"; }
    if (person.status === "reset_required") { return "Skal vælge ny adgangskode"; }
    return "Aktiv";
  }

  function personButtons(person) {
    var cell = el("td", "personale-knapper"), who = person.email;
    function add(text, handler) { cell.appendChild(P.action(text, text + ": " + who, handler)); }
    if (person.enabled && person.status === "invited") { add("Send invitation igen", function () { change("/resend", who); }); }
    add("Skift roller", function () { editRoles(person); });
    if (person.enabled && person.status !== "invited") {
      add("Nulstil adgangskode", function () {
        ask("/password/reset", who, "Vil du nulstille adgangskoden for " + who + "? Den nuværende adgangskode holder op med at virke, personen bliver logget ud og får en kode pr. e-mail til at vælge en ny.", "Ja, nulstil adgangskoden");
      });
    }
    if (person.mfa) {
      add("Nulstil godkendelsesapp", function () {
        ask("/authenticator/reset", who, "Vil du nulstille godkendelsesappen for " + who + "? Personen bliver logget ud og skal sætte en ny app op ved næste login.", "Ja, nulstil godkendelsesappen");
      });
    }
    if (person.enabled) {
      add("Spær", function () {
        ask("/disable", who, "Vil du spærre " + who + "? Personen bliver logget ud og kan ikke logge ind, før du giver adgang igen.", "Ja, spær " + who);
      });
    } else {
      add("Giv adgang igen", function () { change("/enable", who); });
    }
    add("Fjern", function () {
      ask("/remove", who, "Vil du fjerne " + who + " fra personalesiderne? Personen bliver logget ud og slettet. Det kan ikke fortrydes; skal personen have adgang igen, skal vedkommende inviteres på ny.", "Ja, fjern " + who);
    });
    return cell;
  }

  function lastSignIn(person) {
    return person.last_sign_in ? window.danskTid.time(new Date(person.last_sign_in)) : "Ikke oplyst";
  }

  function showList() {
    var target = $("adm-liste");
    target.textContent = "";
    if (!staff.length) { target.appendChild(el("p", "", "Ingen har adgang endnu.")); return; }
    var rows = P.table("personale-liste", "Alle med adgang til personalesiderne",
      ["E-mail", "Roller", "Status", "Godkendelsesapp", "Sidst logget ind", "Handlinger"]);
    staff.forEach(function (person) {
      var row = el("tr"), who = el("th");
      who.scope = "row";
      who.appendChild(P.address(person.email));
      row.appendChild(who);
      row.appendChild(el("td", "", person.groups.map(function (g) { return roleText[g] || g; }).join(", ") || "Ingen roller"));
      row.appendChild(el("td", "", statusText(person)));
      row.appendChild(el("td", "", person.mfa ? "Godkendelsesapp sat op" : "Godkendelsesapp ikke sat op"));
      row.appendChild(el("td", "", lastSignIn(person)));
      row.appendChild(personButtons(person));
      rows.add(row);
    });
    target.appendChild(rows.table);
  }

  function loadList() {
    return api("GET", ROOT).then(json).then(function (answer) {
      staff = answer.staff;
      showList();
    });
  }

  function loadTrail() {
    var target = $("adm-spor");
    return api("GET", ROOT + "/audit").then(json).then(function (trail) {
      target.textContent = "";
      if (!trail.changes.length) { target.appendChild(el("p", "", "Ingen ændringer endnu.")); return; }
      var rows = P.table("spor", "De nyeste ændringer, nyeste først", ["Tidspunkt", "Ændring", "Person", "Roller", "Udført af"]);
      trail.changes.forEach(function (entry) {
        var row = el("tr"), when = el("th", "", window.danskTid.time(new Date(entry.at)));
        when.scope = "row";
        row.appendChild(when);
        row.appendChild(el("td", "", actionText[entry.action] || entry.action));
        row.appendChild(el("td")).appendChild(P.address(entry.email));
        row.appendChild(el("td", "", entry.groups.map(function (g) { return roleText[g] || g; }).join(", ")));
        row.appendChild(el("td")).appendChild(P.address(entry.by));
        rows.add(row);
      });
      target.appendChild(rows.table);
    });
  }

  function reload() {
    return Promise.all([loadList(), loadTrail()]).catch(P.failedQuietly(function (error) { tell(error.message); }));
  }

  function change(path, email) {
    closeAsk();
    return api("POST", ROOT + path, { email: email }).then(json).then(told).then(reload).catch(refused);
  }

  function ask(path, email, question, yes) {
    closeRoles();
    asked = { path: path, email: email };
    $("adm-advarsel").textContent = question;
    $("adm-ja").textContent = yes;
    $("adm-spoerg").hidden = false;
    $("adm-ja").focus();
  }

  function closeAsk() {
    asked = null;
    $("adm-spoerg").hidden = true;
    $("adm-advarsel").textContent = "";
    $("adm-ja").textContent = "";
  }

  function editRoles(person) {
    closeAsk();
    editing = person;
    $("adm-roller-person").textContent = "Roller for " + person.email;
    $("adm-roller-form-fejl").textContent = "";
    checkboxes($("adm-roller-valg"), "adm-skift", person.groups);
    $("adm-roller-form").hidden = false;
    $("adm-roller-valg").querySelector("input").focus();
  }

  function closeRoles() {
    editing = null;
    $("adm-roller-form").hidden = true;
    $("adm-roller-valg").textContent = "";
  }

  // Each role added, then each taken away, one request each; the messages are shown together.
  function saveRoles() {
    var person = editing, chosen = checked($("adm-roller-valg"));
    if (!person) { return Promise.resolve(); }
    var steps = [];
    chosen.forEach(function (role) { if (person.groups.indexOf(role) < 0) { steps.push(["/groups/add", role]); } });
    person.groups.forEach(function (role) { if (chosen.indexOf(role) < 0) { steps.push(["/groups/remove", role]); } });
    if (!steps.length) { closeRoles(); tell("Rollerne for " + person.email + " er uændrede."); return Promise.resolve(); }
    var messages = [];
    return steps.reduce(function (done, step) {
      return done.then(function () {
        return api("POST", ROOT + step[0], { email: person.email, group: step[1] }).then(json)
          .then(function (answer) { messages.push(answer.message); });
      });
    }, Promise.resolve()).then(function () {
      closeRoles();
      tell(messages.join(" "));
      return reload();
    }).catch(function (error) {
      if (error.message === "signed out") { return; }
      $("adm-roller-form-fejl").textContent = messages.concat([error.message]).join(" ");
      return reload();
    });
  }

  function fieldErrors(fields) {
    var email = "", roles = "";
    (fields || []).forEach(function (f) {
      if (f.field === "email") { email = f.message; }
      if (f.field === "groups") { roles = f.message; }
    });
    $("adm-email-fejl").textContent = email;
    $("adm-roller-fejl").textContent = roles;
    if (email) { $("adm-email").setAttribute("aria-invalid", "true"); } else { $("adm-email").removeAttribute("aria-invalid"); }
    if (email) { $("adm-email").focus(); } else if (roles) { $("adm-roller").querySelector("input").focus(); }
    return email || roles;
  }

  function invite(event) {
    event.preventDefault();
    var email = $("adm-email").value.trim(), roles = checked($("adm-roller")), local = [];
    if (!email) { local.push({ field: "email", message: "Skriv personens e-mailadresse." }); }
    else if (email.length > 254 || !ROUGH_EMAIL.test(email)) { local.push({ field: "email", message: "Indtast en gyldig e-mailadresse." }); }
    if (!roles.length) { local.push({ field: "groups", message: "Vælg mindst én rolle." }); }
    if (fieldErrors(local)) { return; }
    P.busy(event.target, api("POST", ROOT, { email: email, groups: roles }).then(json).then(function (done) {
      told(done);
      $("adm-inviter-form").reset();
      return reload();
    }).catch(function (error) {
      if (error.message === "signed out") { return; }
      if (!fieldErrors(error.fields)) { tell(error.message); }
    }));
  }

  function wire() {
    checkboxes($("adm-roller"), "adm-rolle", []);
    $("adm-inviter-form").addEventListener("submit", invite);
    $("adm-ja").addEventListener("click", function () { if (asked) { change(asked.path, asked.email); } });
    $("adm-fortryd").addEventListener("click", closeAsk);
    $("adm-roller-form").addEventListener("submit", function (event) { event.preventDefault(); P.busy(event.target, saveRoles()); });
    $("adm-roller-fortryd").addEventListener("click", closeRoles);
    $("adm-opdater").addEventListener("click", reload);
  }

  wire();
  P.area("administrator", {
    load: reload,
    reset: function () {
      closeAsk();
      closeRoles();
      staff = [];
      $("adm-inviter-form").reset();
      fieldErrors([]);
      tell("");
      $("adm-liste").textContent = "";
      $("adm-spor").textContent = "";
    }
  });
}());
