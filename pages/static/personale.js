// The staff console (/personale/): sign-in against Cognito's own API (InitiateAuth with the
// password; a first-time new password; setting up and answering TOTP), then the areas of the
// user's groups. The ID token goes to the staff API as a bearer token. Tokens are kept in
// this tab's sessionStorage only (never in an address, never in a cookie); signing out or the
// token's expiry ends the session.
(function () {
  "use strict";
  var STORE = "personale.session";
  var config = null;
  var pending = null; // a sign-in in progress: {username, session}
  var expiryTimer = null;
  var current = null; // the session whose participants or cancel form is open

  var statusText = { open: "Åben", full: "Fuldt booket", closed: "Lukket", cancelled: "Aflyst" };
  var participantStatus = { confirmed: "Bekræftet", waitlisted: "På venteliste", cancelled: "Afmeldt" };
  var roleText = { area_leader: "Områdeleder", cluster_leader: "Klyngeleder", district_leader: "Distriktsleder", other_leader_of_leaders: "Anden leder af ledere", administration: "Ansat i forvaltningen", other: "Andet" };
  var areaText = { secretariat: "Sekretariatet", editor: "Redaktøren", consultant: "Lederkonsulenten", privacy_officer: "Databeskyttelse" };
  var dateFormat = new Intl.DateTimeFormat("da-DK", { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/Copenhagen" });

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  // A table with its caption and column headings; its rows go into the returned tbody.
  function table(className, caption, headings) {
    var node = el("table", className);
    node.appendChild(el("caption", "", caption));
    var head = el("tr");
    headings.forEach(function (text) {
      var cell = el("th", "", text);
      cell.scope = "col";
      head.appendChild(cell);
    });
    var thead = el("thead");
    thead.appendChild(head);
    node.appendChild(thead);
    var body = el("tbody");
    node.appendChild(body);
    return { table: node, body: body };
  }

  function show(id) {
    ["log-ind", "ny-adgangskode", "mfa-opsaetning", "mfa", "konsol"].forEach(function (section) {
      $(section).hidden = section !== id;
    });
    var first = $(id).querySelector("input");
    if (first) { first.focus(); }
  }

  function say(text) {
    var line = $("konsol-status");
    line.textContent = text || "";
    line.hidden = !text;
  }

  // -- the session --------------------------------------------------------------------------

  function stored() {
    try {
      var value = JSON.parse(sessionStorage.getItem(STORE) || "null");
      return value && value.idToken && value.expiresAt > Date.now() ? value : null;
    } catch (e) { return null; }
  }

  function keep(result) {
    var value = { idToken: result.IdToken, accessToken: result.AccessToken, expiresAt: Date.now() + (result.ExpiresIn || 0) * 1000 };
    sessionStorage.setItem(STORE, JSON.stringify(value));
    return value;
  }

  function signOut(message) {
    var value = stored();
    sessionStorage.removeItem(STORE);
    if (expiryTimer) { clearTimeout(expiryTimer); expiryTimer = null; }
    if (value && value.accessToken && config) {
      // Ends the session at Cognito too (its tokens can no longer be refreshed).
      cognito("GlobalSignOut", { AccessToken: value.accessToken }).catch(function () {});
    }
    $("forum-liste").textContent = "";
    $("deltager-liste").textContent = "";
    $("log-ind-form").reset();
    show("log-ind");
    say(message);
  }

  // -- Cognito -------------------------------------------------------------------------------

  function cognito(target, body) {
    return fetch(config.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService." + target },
      body: JSON.stringify(body),
      credentials: "omit",
      cache: "no-store"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.message || data.Message || "");
          error.code = String(data.__type || data.code || "").split("#").pop();
          throw error;
        }
        return data;
      });
    });
  }

  var cognitoErrors = {
    NotAuthorizedException: "Forkert e-mail eller adgangskode.",
    UserNotFoundException: "Forkert e-mail eller adgangskode.",
    InvalidPasswordException: "Adgangskoden opfylder ikke kravene: mindst 14 tegn med store og små bogstaver, tal og specialtegn.",
    CodeMismatchException: "Koden passer ikke. Prøv igen med den kode, appen viser nu.",
    EnableSoftwareTokenMFAException: "Koden passer ikke. Prøv igen med den kode, appen viser nu.",
    ExpiredCodeException: "Koden er udløbet. Prøv igen med den kode, appen viser nu.",
    PasswordResetRequiredException: "Din adgangskode skal nulstilles. Kontakt sekretariatet.",
    TooManyRequestsException: "For mange forsøg. Vent lidt, og prøv igen.",
    LimitExceededException: "For mange forsøg. Vent lidt, og prøv igen.",
    TooManyFailedAttemptsException: "For mange forsøg. Vent lidt, og prøv igen."
  };

  function failed(field) {
    return function (error) {
      if (error && error.code === "NotAuthorizedException" && pending && /session/i.test(error.message)) {
        pending = null;
        show("log-ind");
        $("log-ind-fejl").textContent = "Det tog for lang tid. Log ind igen.";
        return;
      }
      $(field).textContent = (error && cognitoErrors[error.code]) || "Det lykkedes ikke. Prøv igen om lidt.";
    };
  }

  // Where the sign-in goes next: tokens, or the challenge Cognito asks for.
  function next(answer) {
    if (answer.AuthenticationResult) {
      pending = null;
      start(keep(answer.AuthenticationResult));
      return null;
    }
    pending.session = answer.Session;
    var parameters = answer.ChallengeParameters || {};
    if (parameters.USER_ID_FOR_SRP) { pending.username = parameters.USER_ID_FOR_SRP; }
    if (answer.ChallengeName === "NEW_PASSWORD_REQUIRED") { show("ny-adgangskode"); return null; }
    if (answer.ChallengeName === "SOFTWARE_TOKEN_MFA") { show("mfa"); return null; }
    if (answer.ChallengeName === "MFA_SETUP") {
      return cognito("AssociateSoftwareToken", { Session: pending.session }).then(function (setup) {
        pending.session = setup.Session;
        $("mfa-noegle").textContent = setup.SecretCode;
        show("mfa-opsaetning");
      });
    }
    show("log-ind");
    $("log-ind-fejl").textContent = "Denne måde at logge ind på understøttes ikke. Kontakt sekretariatet.";
    return null;
  }

  function respond(challenge, responses) {
    responses.USERNAME = pending.username;
    return cognito("RespondToAuthChallenge", { ChallengeName: challenge, ClientId: config.clientId, Session: pending.session, ChallengeResponses: responses });
  }

  function busy(form, promise) {
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    return promise.then(function () { button.disabled = false; }, function () { button.disabled = false; });
  }

  function wireSignIn() {
    $("log-ind-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var email = $("email").value.trim(), password = $("adgangskode").value;
      $("log-ind-fejl").textContent = "";
      if (!email || !password) { $("log-ind-fejl").textContent = "Skriv din e-mail og din adgangskode."; return; }
      pending = { username: email, session: null };
      say("");
      busy(event.target, cognito("InitiateAuth", { AuthFlow: "USER_PASSWORD_AUTH", ClientId: config.clientId, AuthParameters: { USERNAME: email, PASSWORD: password } })
        .then(next).catch(failed("log-ind-fejl")));
    });
    $("ny-adgangskode-form").addEventListener("submit", function (event) {
      event.preventDefault();
      $("ny-adgangskode-fejl").textContent = "";
      if ($("ny").value !== $("gentag").value) { $("ny-adgangskode-fejl").textContent = "De to adgangskoder er ikke ens."; return; }
      busy(event.target, respond("NEW_PASSWORD_REQUIRED", { NEW_PASSWORD: $("ny").value })
        .then(next).catch(failed("ny-adgangskode-fejl")));
    });
    $("mfa-opsaetning-form").addEventListener("submit", function (event) {
      event.preventDefault();
      $("mfa-opsaetning-fejl").textContent = "";
      busy(event.target, cognito("VerifySoftwareToken", { Session: pending.session, UserCode: $("mfa-ny-kode").value.trim(), FriendlyDeviceName: "Personalesiderne" })
        .then(function (verified) {
          pending.session = verified.Session;
          return respond("MFA_SETUP", {});
        }).then(next).catch(failed("mfa-opsaetning-fejl")));
    });
    $("mfa-form").addEventListener("submit", function (event) {
      event.preventDefault();
      $("mfa-fejl").textContent = "";
      busy(event.target, respond("SOFTWARE_TOKEN_MFA", { SOFTWARE_TOKEN_MFA_CODE: $("mfa-kode").value.trim() })
        .then(next).catch(failed("mfa-fejl")));
    });
    $("log-ud").addEventListener("click", function () { signOut("Du er logget ud."); });
  }

  // -- the staff API ----------------------------------------------------------------------

  function api(method, path, body) {
    var session = stored();
    if (!session) {
      signOut("Din session er udløbet. Log ind igen.");
      return Promise.reject(new Error("signed out"));
    }
    var headers = { Authorization: "Bearer " + session.idToken };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "omit", cache: "no-store" })
      .then(function (response) {
        if (response.status === 401) {
          signOut("Din session er udløbet. Log ind igen.");
          throw new Error("signed out");
        }
        return response;
      });
  }

  function json(response) {
    return response.json().catch(function () { return {}; }).then(function (data) {
      if (!response.ok) {
        var error = new Error(data.message || "Det lykkedes ikke. Prøv igen om lidt.");
        error.fields = data.errors || [];
        throw error;
      }
      return data;
    });
  }

  function start(session) {
    if (expiryTimer) { clearTimeout(expiryTimer); }
    expiryTimer = setTimeout(function () { signOut("Din session er udløbet. Log ind igen."); }, Math.max(session.expiresAt - Date.now(), 0));
    api("GET", "/api/staff/me").then(json).then(function (me) {
      $("bruger").textContent = me.email;
      var menu = $("omraader");
      menu.textContent = "";
      document.querySelectorAll(".omraade").forEach(function (area) { area.hidden = true; });
      me.groups.forEach(function (group) {
        var item = el("li"), link = el("a", "", areaText[group] || group);
        link.href = "#" + group;
        item.appendChild(link);
        menu.appendChild(item);
        $(group).hidden = false;
      });
      $("ingen-omraader").hidden = me.groups.length > 0;
      show("konsol");
      $("konsol-overskrift").focus();
      if (me.groups.indexOf("secretariat") >= 0) { loadForums(); }
    }).catch(function (error) {
      if (error.message !== "signed out") { signOut("Det lykkedes ikke at hente dine oplysninger. Log ind igen."); }
    });
  }

  // -- the secretariat ----------------------------------------------------------------------

  function loadForums() {
    var target = $("forum-liste");
    return api("GET", "/api/staff/forums").then(json).then(function (data) {
      target.textContent = "";
      if (!data.forums.length) { target.appendChild(el("p", "", "Der er ingen forum endnu. Indlæs kataloget med leaders forums import.")); }
      data.forums.forEach(function (forum) {
        var sessions = table("moeder", forum.title,
          ["Møde", "Pladser taget", "Venteliste", "Ledige", "Status", "Handlinger"]);
        forum.sessions.forEach(function (s) { sessions.body.appendChild(sessionRow(s)); });
        target.appendChild(sessions.table);
      });
    }).catch(function (error) {
      if (error.message !== "signed out") { say(error.message); }
    });
  }

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
      actions.appendChild(action("Aflys", "Aflys: " + sessionName(s), function () { openCancel(s); }));
    }
    row.appendChild(actions);
    return row;
  }

  function action(text, label, handler) {
    var button = el("button", "sekundaer", text);
    button.type = "button";
    button.setAttribute("aria-label", label);
    button.addEventListener("click", handler);
    return button;
  }

  function setOpen(s, open) {
    api("POST", "/api/staff/sessions/" + encodeURIComponent(s.id) + (open ? "/reopen" : "/close"))
      .then(json).then(function (updated) {
        say((open ? "Tilmeldingen er åbnet: " : "Tilmeldingen er lukket: ") + sessionName(updated) + ".");
        return loadForums();
      }).catch(function (error) { if (error.message !== "signed out") { say(error.message); } });
  }

  function openParticipants(s) {
    current = s;
    $("aflys").hidden = true;
    var target = $("deltager-liste");
    target.textContent = "Henter deltagere …";
    $("deltagere-overskrift").textContent = "Deltagere: " + sessionName(s);
    $("deltagere").hidden = false;
    $("deltagere-overskrift").focus();
    api("GET", "/api/staff/sessions/" + encodeURIComponent(s.id) + "/participants").then(json).then(function (data) {
      target.textContent = "";
      if (!data.participants.length) { target.appendChild(el("p", "", "Ingen tilmeldte endnu.")); return; }
      var list = table("deltagere", data.participants.length + " tilmeldinger",
        ["Status", "Navn", "E-mail", "Telefon", "Stilling", "Arbejdsplads", "Særlige behov"]);
      data.participants.forEach(function (p) {
        var row = el("tr");
        var status = participantStatus[p.status] || p.status;
        if (p.waitlist_position) { status += " (nr. " + p.waitlist_position + ")"; }
        [status, p.name, p.email, p.phone || "", roleText[p.role] || p.role, p.workplace, p.needs || ""].forEach(function (text) {
          row.appendChild(el("td", "", text));
        });
        list.body.appendChild(row);
      });
      target.appendChild(list.table);
    }).catch(function (error) { if (error.message !== "signed out") { target.textContent = error.message; } });
  }

  function downloadCsv() {
    if (!current) { return; }
    var s = current;
    api("GET", "/api/staff/sessions/" + encodeURIComponent(s.id) + "/participants?format=csv").then(function (response) {
      if (!response.ok) { throw new Error("Regnearket kunne ikke hentes. Prøv igen om lidt."); }
      return response.blob();
    }).then(function (blob) {
      var link = el("a");
      link.href = URL.createObjectURL(blob);
      link.download = "deltagere-" + s.id + ".csv";
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
    }).catch(function (error) { if (error.message !== "signed out") { say(error.message); } });
  }

  function openCancel(s) {
    current = s;
    $("deltagere").hidden = true;
    $("aflys-form").reset();
    $("aflys-fejl").textContent = "";
    $("aflys-spoerg").hidden = true;
    $("aflys-videre").hidden = false;
    $("aflys-moede").textContent = "Mødet: " + sessionName(s) + ". Aflysningen kan ikke fortrydes.";
    $("aflys").hidden = false;
    $("aflys-overskrift").focus();
  }

  function wireSecretariat() {
    $("hent-csv").addEventListener("click", downloadCsv);
    $("luk-deltagere").addEventListener("click", function () { $("deltagere").hidden = true; });
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
      $("aflys-advarsel").textContent = "Vil du aflyse " + sessionName(s) + "? Alle " + (s.seats_taken + s.waiting) + " tilmeldte og ventende får en mail med begrundelsen. Det kan ikke fortrydes.";
      $("aflys-spoerg").hidden = false;
      $("aflys-videre").hidden = true;
      $("aflys-ja").focus();
    });
    $("aflys-form").addEventListener("submit", function (event) {
      event.preventDefault();
      if ($("aflys-spoerg").hidden) { return; }
      var s = current;
      busy(event.target, api("POST", "/api/staff/sessions/" + encodeURIComponent(s.id) + "/cancel", { reason: $("aarsag").value.trim() })
        .then(json).then(function (answer) {
          $("aflys").hidden = true;
          say(sessionName(s) + " er aflyst; " + answer.cancelled + " deltagere får besked.");
          return loadForums();
        }).catch(function (error) {
          if (error.message === "signed out") { return; }
          $("aflys-fejl").textContent = error.fields.length ? error.fields[0].message : error.message;
        }));
    });
  }

  // -- start ----------------------------------------------------------------------------------

  wireSignIn();
  wireSecretariat();
  fetch("/personale/config.json", { cache: "no-store" }).then(function (response) {
    if (!response.ok) { throw new Error(); }
    return response.json();
  }).then(function (loaded) {
    config = loaded;
    var session = stored();
    if (session) { start(session); } else { sessionStorage.removeItem(STORE); show("log-ind"); }
  }).catch(function () {
    say("Personalesiderne kan ikke logge ind lige nu. Prøv igen om lidt.");
  });
}());
