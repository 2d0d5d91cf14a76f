"""Signs in to attache's Graph emulator with Microsoft's own libraries, pointed at it the way
docs/emulator.md tells a developer to: MSAL Python's device-code flow, get_accounts(), and
acquire_token_silent() once Graph has refused the first access token as expired; then
azure-identity's DeviceCodeCredential. No proxy, nothing rewritten: the emulator's https
origin is the authority, its own CA (REQUESTS_CA_BUNDLE) the trust.

    sign_in.py IDENTITY_ORIGIN GRAPH_ROOT CLIENT_ID TOKEN_FILE

Prints one JSON object of what was seen (never a token) and writes the access token
acquire_token_silent() returned to TOKEN_FILE (mode 0600), for attache to list messages with.
Exits non-zero, saying why on stderr, at the first thing that is not as against Entra.
"""

import json
import os
import sys
import time

import msal
import requests

SCOPES = ["User.Read", "Mail.ReadWrite"]


def fail(what):
    print("sign_in.py: " + what, file=sys.stderr)
    sys.exit(1)


def approve(identity, user_code):
    # What a person does on the device login page, in a browser: type the code, approve.
    reply = requests.post(identity + "/devicelogin", data={"code": user_code, "action": "approve"}, timeout=30)
    if reply.status_code != 200:
        fail("the device login page answered %d" % reply.status_code)


def graph_me(graph, access_token):
    return requests.get(graph + "/me", headers={"Authorization": "Bearer " + access_token}, timeout=30)


def with_msal(identity, graph, client_id):
    # instance_discovery=False: the one setting a non-Microsoft host needs; without it MSAL
    # asks login.microsoftonline.com whether the authority is known.
    app = msal.PublicClientApplication(client_id, authority=identity + "/organizations", instance_discovery=False)
    flow = app.initiate_device_flow(scopes=SCOPES)
    if "user_code" not in flow:
        fail("initiate_device_flow: %s" % flow.get("error_description", flow))
    approve(identity, flow["user_code"])
    first = app.acquire_token_by_device_flow(flow)
    if "access_token" not in first:
        fail("acquire_token_by_device_flow: %s" % first.get("error_description", first))
    accounts = app.get_accounts()
    if len(accounts) != 1:
        fail("get_accounts() found %d accounts" % len(accounts))
    # Bounded: the emulator was started with tokens that live a few seconds.
    deadline = time.monotonic() + 60
    while True:
        reply = graph_me(graph, first["access_token"])
        if reply.status_code == 401:
            break
        if time.monotonic() > deadline:
            fail("the first access token still worked after a minute")
        time.sleep(0.25)
    expired = reply.json()["error"]["message"]
    silent = app.acquire_token_silent(SCOPES, account=accounts[0])
    if not silent or "access_token" not in silent:
        fail("acquire_token_silent: %s" % (silent and silent.get("error_description", silent)))
    me = graph_me(graph, silent["access_token"])
    return {
        "account": {key: accounts[0].get(key) for key in ("home_account_id", "environment", "realm", "username", "local_account_id", "authority_type")},
        "idTokenClaims": sorted(first.get("id_token_claims", {}).keys()),
        "firstTokenSource": first.get("token_source"),
        "expiredMessage": expired,
        "silentTokenSource": silent.get("token_source"),
        "silentTokenIsNew": silent["access_token"] != first["access_token"],
        "meAfterRefresh": me.status_code,
        "meUser": me.json().get("userPrincipalName") if me.status_code == 200 else None,
    }, app, accounts[0]


def with_azure_identity(identity, graph, client_id):
    from azure.identity import DeviceCodeCredential

    # authority is the host (https only), as for a national cloud; instance discovery off.
    credential = DeviceCodeCredential(
        client_id=client_id, tenant_id="organizations", authority=identity, disable_instance_discovery=True,
        prompt_callback=lambda uri, code, expires: approve(identity, code))
    token = credential.get_token("https://graph.microsoft.com/User.Read")
    return {"me": graph_me(graph, token.token).status_code, "expiresOnInFuture": token.expires_on > time.time()}


def main():
    identity, graph, client_id, token_file = sys.argv[1:5]
    seen, app, account = with_msal(identity, graph, client_id)
    seen["azureIdentity"] = with_azure_identity(identity, graph, client_id)
    # The emulator's tokens live seconds: the one handed to attache is taken last.
    last = app.acquire_token_silent(SCOPES, account=account, force_refresh=True)
    if not last or "access_token" not in last:
        fail("acquire_token_silent(force_refresh=True): %s" % (last and last.get("error_description", last)))
    token = last["access_token"]
    descriptor = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(token)
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
