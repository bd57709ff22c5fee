// The staff console (/personale/): sign-in against Cognito's own API (InitiateAuth with the
// password; a first-time new password; setting up and answering TOTP), then the areas of the
// user's groups. The ID token goes to the staff API as a bearer token. Tokens are kept in
// this tab's sessionStorage only (never in an address, never in a cookie). The ID token lives
// five minutes and is renewed in the background with the refresh token (REFRESH_TOKEN_AUTH)
// a minute before it expires; a renewal Cognito refuses (signed out everywhere, removed,
// disabled) or signing out here ends the session. Each role's area is a script of its own
// (personale-<area>.js) that registers with Personale.area(group, {load, reset}).
(function () {
  "use strict";
  var STORE = "personale.session";
  var config = null;
  var pending = null; // a sign-in in progress: {username, session}
  var expiryTimer = null;
  var areas = {}; // group -> {load(), reset()}, registered by each area's script
  // Counts sign-outs: an answer to a request made before the last one is not shown (it
  // would put a person's data into a page nobody is signed in to).
  var generation = 0;

  var areaText = { secretariat: "Sekretariatet", editor: "Redaktøren", consultant: "Lederkonsulenten", privacy_officer: "Databeskyttelse" };
  var dateFormat = { format: function (date) { return window.danskTid.time(date); } }; // tid.js

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  // An e-mail address that may wrap after its @ and before each dot (<wbr>), never elsewhere
  // unless it is longer than a whole line (the style sheet's .adresse).
  function address(text) {
    var node = el("span", "adresse");
    var part = "";
    String(text || "").split("").forEach(function (letter) {
      if (letter === "." && part) { node.appendChild(document.createTextNode(part)); node.appendChild(el("wbr")); part = ""; }
      part += letter;
      if (letter === "@") { node.appendChild(document.createTextNode(part)); node.appendChild(el("wbr")); part = ""; }
    });
    if (part) { node.appendChild(document.createTextNode(part)); }
    return node;
  }

  // A table with its caption (text, or a node) and column headings; rows go in with add(),
  // which gives each cell its column's heading as data-label: on a phone the table is stacked
  // rows of "heading: value" (style.css). The ARIA roles keep it a table for screen readers
  // however it is displayed (some browsers drop a table's roles when it is display: block).
  function table(className, caption, headings) {
    var node = el("table", className);
    node.setAttribute("role", "table");
    var title = el("caption");
    title.appendChild(typeof caption === "string" ? document.createTextNode(caption) : caption);
    node.appendChild(title);
    var head = el("tr");
    head.setAttribute("role", "row");
    headings.forEach(function (text) {
      var cell = el("th", "", text);
      cell.scope = "col";
      cell.setAttribute("role", "columnheader");
      head.appendChild(cell);
    });
    var thead = el("thead");
    thead.setAttribute("role", "rowgroup");
    thead.appendChild(head);
    node.appendChild(thead);
    var body = el("tbody");
    body.setAttribute("role", "rowgroup");
    node.appendChild(body);
    function add(row) {
      row.setAttribute("role", "row");
      Array.prototype.forEach.call(row.children, function (cell, index) {
        var header = cell.tagName === "TH";
        cell.setAttribute("role", header ? "rowheader" : "cell");
        if (!header && headings[index]) { cell.setAttribute("data-label", headings[index]); }
      });
      body.appendChild(row);
      return row;
    }
    return { table: node, body: body, add: add };
  }

  function action(text, label, handler) {
    var button = el("button", "sekundaer", text);
    button.type = "button";
    button.setAttribute("aria-label", label);
    button.addEventListener("click", handler);
    return button;
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

  // Renewed this long before the ID token expires.
  var RENEW_BEFORE = 60 * 1000;
  var renewing = null; // the renewal under way: every request waits for the same one

  // The session kept in this tab: its tokens, whether or not the ID token is still valid
  // (an expired one is renewed with the refresh token).
  function kept() {
    try {
      var value = JSON.parse(sessionStorage.getItem(STORE) || "null");
      return value && value.idToken ? value : null;
    } catch (e) { return null; }
  }


  function keep(result) {
    var before = kept();
    var value = { idToken: result.IdToken, accessToken: result.AccessToken, expiresAt: Date.now() + (result.ExpiresIn || 0) * 1000,
                  refreshToken: result.RefreshToken || (before && before.refreshToken) || null };
    sessionStorage.setItem(STORE, JSON.stringify(value));
    return value;
  }

  // New ID and access tokens from the refresh token; Cognito refuses once the user signed out
  // everywhere (the refresh token is revoked), was removed or disabled: the session ends.
  function renew() {
    var value = kept();
    if (!value || !value.refreshToken || !config) { return Promise.reject(new Error("no refresh token")); }
    if (!renewing) {
      var made = generation;
      renewing = cognito("InitiateAuth", { AuthFlow: "REFRESH_TOKEN_AUTH", ClientId: config.clientId, AuthParameters: { REFRESH_TOKEN: value.refreshToken } })
        .then(function (answer) {
          if (made !== generation) { throw new Error("signed out"); }
          var session = keep(answer.AuthenticationResult || {});
          plan(session);
          return session;
        })
        .finally(function () { renewing = null; });
    }
    return renewing;
  }

  // A valid session: the one kept, or renewed when its ID token expires within a minute.
  function valid() {
    var value = kept();
    if (value && value.expiresAt - RENEW_BEFORE > Date.now()) { return Promise.resolve(value); }
    return renew();
  }

  function plan(session) {
    if (expiryTimer) { clearTimeout(expiryTimer); }
    expiryTimer = setTimeout(function () {
      renew().catch(function (error) {
        if (error.message !== "signed out") { signOut(ENDED); }
      });
    }, Math.max(session.expiresAt - RENEW_BEFORE - Date.now(), 0));
  }

  var ENDED = "Din session er udløbet, eller din adgang er ændret. Log ind igen.";

  // Passwords, codes and the TOTP key typed or shown while signing in leave the page.
  function forgetSignIn() {
    ["log-ind-form", "ny-adgangskode-form", "mfa-opsaetning-form", "mfa-form"].forEach(function (id) { $(id).reset(); });
    $("mfa-noegle").textContent = "";
  }

  function signOut(message) {
    var value = kept();
    generation += 1;
    sessionStorage.removeItem(STORE);
    if (expiryTimer) { clearTimeout(expiryTimer); expiryTimer = null; }
    if (value && value.accessToken && config) {
      // Ends the session at Cognito too (its tokens can no longer be refreshed).
      cognito("GlobalSignOut", { AccessToken: value.accessToken }).catch(function () {});
    }
    Object.keys(areas).forEach(function (group) { if (areas[group].reset) { areas[group].reset(); } });
    $("bruger").textContent = "";
    $("omraader").textContent = "";
    pending = null;
    forgetSignIn();
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
      forgetSignIn();
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
    var made = generation;
    return valid().catch(function () {
      if (made === generation) { signOut(ENDED); }
      throw new Error("signed out");
    }).then(function (session) {
      if (made !== generation) { throw new Error("signed out"); }
      var headers = { Authorization: "Bearer " + session.idToken };
      if (body !== undefined) { headers["Content-Type"] = "application/json"; }
      return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "omit", cache: "no-store" });
    }).then(function (response) {
      if (made !== generation) { throw new Error("signed out"); }
      if (response.status === 401) {
        signOut(ENDED);
        throw new Error("signed out");
      }
      response.generation = made;
      return response;
    });
  }

  // The body of an answer of this session: one read while the user signed out is dropped.
  function current(response, body) {
    return body.then(function (data) {
      if (response.generation !== generation) { throw new Error("signed out"); }
      return data;
    });
  }

  function blob(response) { return current(response, response.blob()); }

  function json(response) {
    return current(response, response.json().catch(function () { return {}; })).then(function (data) {
      if (!response.ok) {
        var error = new Error(data.message || "Det lykkedes ikke. Prøv igen om lidt.");
        error.fields = data.errors || [];
        error.code = data.code;
        throw error;
      }
      return data;
    });
  }

  // A file handed to the browser to keep, under this name (a link of the blob's own, gone
  // once used).
  function save(blob, filename) {
    var link = el("a");
    link.href = URL.createObjectURL(blob);
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
    return filename;
  }

  // An answer of the staff API kept as a file under the name it gives (Content-Disposition),
  // else `fallback`; resolves with that name. An error answer is refused as by json().
  function download(response, fallback) {
    if (!response.ok) { return json(response); }
    var named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    return blob(response).then(function (data) { return save(data, named ? named[1] : fallback); });
  }

  function start(session) {
    plan(session);
    api("GET", "/api/staff/me").then(json).then(function (me) {
      $("bruger").textContent = "";
      $("bruger").appendChild(address(me.email));
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
      me.groups.forEach(function (group) { if (areas[group]) { areas[group].load(me); } });
    }).catch(function (error) {
      if (error.message !== "signed out") { signOut("Det lykkedes ikke at hente dine oplysninger. Log ind igen."); }
    });
  }

  // -- start ----------------------------------------------------------------------------------

  // What every area's script uses: the signed-in API call, its JSON answer (an error carries
  // the API's message and per-field errors), the page's building blocks and the status line.
  function failedQuietly(report) {
    return function (error) { if (error && error.message !== "signed out") { report(error); } };
  }

  window.Personale = {
    area: function (group, handlers) { areas[group] = handlers; },
    api: api, json: json, blob: blob, el: el, table: table, address: address, say: say, busy: busy, action: action,
    failedQuietly: failedQuietly, dateFormat: dateFormat, $: $, save: save, download: download
  };

  wireSignIn();
  // The area scripts (deferred, after this one) have registered by the time the document is
  // parsed.
  document.addEventListener("DOMContentLoaded", function () {
    fetch("/personale/config.json", { cache: "no-store" }).then(function (response) {
      if (!response.ok) { throw new Error(); }
      return response.json();
    }).then(function (loaded) {
      config = loaded;
      // A kept session whose ID token expired is renewed first (start asks for a valid one).
      var session = kept();
      if (session && (session.expiresAt > Date.now() || session.refreshToken)) { start(session); } else { sessionStorage.removeItem(STORE); show("log-ind"); }
    }).catch(function () {
      say("Personalesiderne kan ikke logge ind lige nu. Prøv igen om lidt.");
    });
  });
}());
