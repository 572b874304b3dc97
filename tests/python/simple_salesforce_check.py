"""Drives simple-salesforce (from PyPI) against a sandbox org; prints one JSON report.

simple-salesforce always speaks HTTPS to `<domain>.salesforce.com` and to the instance the
login names. Its `requests` session here carries an adapter that sends those requests to the
sandbox org on loopback over plain HTTP instead, and refuses every other address, so that
nothing leaves the machine.

Environment: SANDBOX_BASE_URL (http://127.0.0.1:PORT), SANDBOX_USERNAME, SANDBOX_PASSWORD,
SANDBOX_SECURITY_TOKEN, and SANDBOX_BULK1=1 to check a Bulk API 1.0 insert too.
Exits 1 when any check fails.
"""

import json
import os
import sys
import traceback
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from simple_salesforce import Salesforce, SalesforceAuthenticationFailed

BASE = os.environ["SANDBOX_BASE_URL"].rstrip("/")
USERNAME = os.environ["SANDBOX_USERNAME"]
PASSWORD = os.environ["SANDBOX_PASSWORD"]
TOKEN = os.environ["SANDBOX_SECURITY_TOKEN"]
VERSION = "59.0"


class ToSandboxOrg(HTTPAdapter):
    """Rewrites the login host and the instance (both HTTPS) to the org's loopback address."""

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        org = urlsplit(BASE)
        if parts.hostname in ("login.salesforce.com", "test.salesforce.com") or (
            parts.hostname == org.hostname and parts.port == org.port
        ):
            rest = parts.path + ("?" + parts.query if parts.query else "")
            request.url = BASE + rest
        else:
            raise RuntimeError(f"refusing a request off loopback: {request.url}")
        return super().send(request, **kwargs)


def session():
    s = requests.Session()
    s.mount("https://", ToSandboxOrg())
    s.mount("http://", ToSandboxOrg())
    return s


checks = []
ctx = {}


def check(name, fn):
    try:
        checks.append({"name": name, "ok": True, "detail": fn() or {}})
    except Exception as err:  # every failure is reported, not raised
        checks.append({"name": name, "ok": False, "error": f"{type(err).__name__}: {err}",
                       "trace": traceback.format_exc(limit=3)})


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def login_soap():
    sf = Salesforce(username=USERNAME, password=PASSWORD, security_token=TOKEN,
                    version=VERSION, session=session())
    expect(sf.session_id, "a session id")
    expect(sf.sf_instance == urlsplit(BASE).netloc, f"instance from serverUrl: {sf.sf_instance}")
    ctx["sf"] = sf
    try:
        Salesforce(username=USERNAME, password=PASSWORD, security_token="WrongToken123",
                   version=VERSION, session=session())
    except SalesforceAuthenticationFailed as err:
        expect(err.code == "INVALID_LOGIN", f"fault code {err.code}")
    else:
        raise AssertionError("a wrong security token was accepted")
    return {"instance": sf.sf_instance}


def query():
    sf = ctx["sf"]
    created = sf.Account.create({"Name": "Seeded by simple-salesforce"})
    expect(created["success"], f"create: {created}")
    result = sf.query(f"SELECT Id, Name FROM Account WHERE Id = '{created['id']}'")
    expect(result["totalSize"] == 1 and result["done"], f"query answer: {result}")
    expect(result["records"][0]["Name"] == "Seeded by simple-salesforce", "the record read back")
    everything = sf.query_all("SELECT Id FROM User")
    expect(everything["totalSize"] >= 1, "query_all follows every page")
    return {"id": created["id"]}


def describe():
    sf = ctx["sf"]
    meta = sf.Account.describe()
    expect(meta["name"] == "Account", f"describe name {meta.get('name')}")
    names = {f["name"] for f in meta["fields"]}
    expect({"Id", "Name", "External_Id__c"} <= names, "fields of Account")
    overall = sf.describe()
    expect(any(o["name"] == "Contact" for o in overall["sobjects"]), "global describe")
    return {"fields": len(names)}


def bulk1_insert():
    sf = ctx["sf"]
    rows = [{"Name": f"Bulk row {i}"} for i in range(5)]
    results = sf.bulk.Account.insert(rows, batch_size=2)
    expect(len(results) == 5 and all(r["success"] for r in results), f"bulk results: {results}")
    ids = "', '".join(r["id"] for r in results)
    found = sf.query(f"SELECT Name FROM Account WHERE Id IN ('{ids}')")
    expect(found["totalSize"] == 5, f"the inserted rows are there: {found['totalSize']}")
    return {"inserted": 5}


def main():
    check("login_soap", login_soap)
    if "sf" in ctx:
        check("query", query)
        check("describe", describe)
        if os.environ.get("SANDBOX_BULK1") == "1":
            check("bulk1_insert", bulk1_insert)
    failed = [c for c in checks if not c["ok"]]
    print(json.dumps({"ok": not failed, "checks": checks}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
