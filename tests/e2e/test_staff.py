"""The staff console's users through `make run`: one demo user per group printed as
`staff ROLE: EMAIL PASSWORD`, each able to sign in with what was printed; and `leaders staff
invite | list | remove` against the runtime's emulator, the invited person signing in with the
temporary password (a new password first) and a removed one no longer."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any

from shared.platform.names import STAFF_GROUPS
from tests.e2e.conftest import Running
from tests.support.staff import totp_code


def cognito(runtime: Running, target: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Cognito's API at the endpoint the pages read from /personale/config.json, as the
    browser calls it."""
    config = runtime.json("GET", "/personale/config.json")[1]
    request = urllib.request.Request(
        config["endpoint"], data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/x-amz-json-1.1",
                 "X-Amz-Target": f"AWSCognitoIdentityProviderService.{target}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def sign_in(runtime: Running, email: str, password: str) -> tuple[int, dict[str, Any]]:
    client = runtime.json("GET", "/personale/config.json")[1]["clientId"]
    return cognito(runtime, "InitiateAuth", {
        "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
        "AuthParameters": {"USERNAME": email, "PASSWORD": password}})


def test_make_run_prints_one_demo_user_per_group_who_can_sign_in(runtime: Running) -> None:
    printed = re.findall(r"^staff (\w+): (\S+@\S+) (\S+)$", runtime.output.read_text(),
                         re.MULTILINE)
    assert sorted(role for role, _, _ in printed) == sorted(STAFF_GROUPS)
    for role, email, password in printed:
        status, answer = sign_in(runtime, email, password)
        assert status == 200, answer
        token = answer["AuthenticationResult"]["IdToken"]
        status, _, data = runtime.request("GET", "/api/staff/me",
                                          headers={"Authorization": f"Bearer {token}"})
        assert (status, json.loads(data)) == (200, {"email": email, "groups": [role]})


def test_invite_list_and_remove_with_the_cli(runtime: Running) -> None:
    email = "ny.medarbejder@example.dk"
    printed = runtime.leaders("staff", "invite", email, "--role", "editor")
    temporary = re.search(r"midlertidig adgangskode: (\S+)", printed)
    assert temporary, printed
    assert email in runtime.leaders("staff", "list")
    listed = [line for line in runtime.leaders("staff", "list").splitlines() if email in line]
    assert "editor" in listed[0] and "inviteret" in listed[0]
    status, challenge = sign_in(runtime, email, temporary.group(1))
    assert status == 200 and challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    client = runtime.json("GET", "/personale/config.json")[1]["clientId"]
    chosen = "Min-Egen-Adgangskode-2027"
    status, answer = cognito(runtime, "RespondToAuthChallenge", {
        "ChallengeName": "NEW_PASSWORD_REQUIRED", "ClientId": client,
        "Session": challenge["Session"],
        "ChallengeResponses": {"USERNAME": email, "NEW_PASSWORD": chosen}})
    # The pool requires TOTP: the first sign-in sets up the app, as the pages do.
    assert status == 200 and answer["ChallengeName"] == "MFA_SETUP", answer
    status, setup = cognito(runtime, "AssociateSoftwareToken", {"Session": answer["Session"]})
    assert status == 200
    status, wrong = cognito(runtime, "VerifySoftwareToken", {
        "Session": setup["Session"], "UserCode": "000000" if totp_code(
            setup["SecretCode"]) != "000000" else "111111"})
    assert status == 400 and wrong["__type"].endswith("CodeMismatchException")
    status, verified = cognito(runtime, "VerifySoftwareToken", {
        "Session": setup["Session"], "UserCode": totp_code(setup["SecretCode"])})
    assert (status, verified["Status"]) == (200, "SUCCESS")
    status, answer = cognito(runtime, "RespondToAuthChallenge", {
        "ChallengeName": "MFA_SETUP", "ClientId": client, "Session": verified["Session"],
        "ChallengeResponses": {"USERNAME": email}})
    assert status == 200 and "AuthenticationResult" in answer, answer
    # From now on every sign-in asks for the app's code.
    status, challenge = sign_in(runtime, email, chosen)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    status, answer = cognito(runtime, "RespondToAuthChallenge", {
        "ChallengeName": "SOFTWARE_TOKEN_MFA", "ClientId": client,
        "Session": challenge["Session"],
        "ChallengeResponses": {"USERNAME": email,
                               "SOFTWARE_TOKEN_MFA_CODE": totp_code(setup["SecretCode"])}})
    assert status == 200 and "AuthenticationResult" in answer, answer
    # Inviting again adds a role; it creates nobody twice, and prints no password (the
    # person keeps theirs).
    printed = runtime.leaders("staff", "invite", email, "--role", "secretariat")
    assert "adgangskode" not in printed and "har nu også rollen Sekretariatet" in printed
    listed = [line for line in runtime.leaders("staff", "list").splitlines() if email in line]
    assert len(listed) == 1 and "secretariat" in listed[0] and "aktiv" in listed[0]
    assert "fjernet" in runtime.leaders("staff", "remove", email)
    assert email not in runtime.leaders("staff", "list")
    assert sign_in(runtime, email, chosen)[0] == 400
