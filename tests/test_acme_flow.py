"""acme-flow: challenges of an externally made order, held here and served on the public route."""

from __future__ import annotations

import secrets

import webtest

from peter_sslers import main

ADMIN = "/.well-known/admin"


def _challenge():
    token = secrets.token_urlsafe(32)
    return token, f"{token}.{secrets.token_urlsafe(32)}"


def test_create_serve_edit_deactivate(testapp):
    t1, k1 = _challenge()
    t2, k2 = _challenge()
    lines = f"# from my ACME client\nflow-a.example.com {t1} {k1}\nflow-b.example.com {t2} {k2}\n"
    data = testapp.post(ADMIN + "/acme-flow/new.json", {"challenges": lines, "note": "external"}).json["acme_flow"]
    assert [c["domain_name"] for c in data["challenges"]] == ["flow-a.example.com", "flow-b.example.com"]
    assert testapp.get(f"/.well-known/acme-challenge/{t1}").text == k1
    base = f"{ADMIN}/acme-flow/{data['id']}"
    t3, k3 = _challenge()
    added = testapp.post(base + "/add-challenge.json", {"domain_name": "flow-c.example.com", "token": t3,
                                                        "keyauthorization": k3}).json
    assert testapp.get(f"/.well-known/acme-challenge/{t3}").text == k3
    t4, k4 = _challenge()
    testapp.post(base + "/edit-challenge.json", {"acme_challenge_id": added["acme_challenge_id"], "token": t4,
                                                 "keyauthorization": k4})
    testapp.get(f"/.well-known/acme-challenge/{t3}", status=404)
    assert testapp.get(f"/.well-known/acme-challenge/{t4}").text == k4
    focus = testapp.get(base + ".json").json["acme_flow"]
    assert len(focus["challenges"]) == 3 and focus["is_active"]
    assert "flow-c.example.com" in testapp.get(base).text
    testapp.post(base + "/deactivate.json")
    testapp.get(f"/.well-known/acme-challenge/{t1}", status=404)
    testapp.post(base + "/deactivate.json", status=409)
    testapp.post(base + "/add-challenge.json", {"domain_name": "x.example.com", "token": t1, "keyauthorization": k1},
                 status=409)
    assert [f["id"] for f in testapp.get(ADMIN + "/acme-flows.json").json["acme_flows"]][0] == data["id"]
    testapp.get(ADMIN + "/acme-flows")


def test_bad_input(testapp):
    token, keyauth = _challenge()
    for lines, hint in (
        ("", "one line"),
        ("only-two parts", "three parts"),
        (f"not_a_domain {token} {keyauth}", "challenges"),
        (f"ok.example.com bad/token {keyauth}", "base64url"),
        (f"ok.example.com {token} wrong.{token}", "TOKEN.THUMBPRINT"),
        (f"ok.example.com {token} {keyauth}\nok.example.com {token} {keyauth}", "twice"),
    ):
        res = testapp.post(ADMIN + "/acme-flow/new.json", {"challenges": lines}, status=400)
        assert "challenges" in res.json["form_errors"] and (hint in str(res.json)), (lines, res.json)
    testapp.post(ADMIN + "/acme-flow/new.json", {"challenges": f"a.example.com {token} {keyauth}",
                                                 "challenge_type": "tls-alpn-01"}, status=400)


def test_pages_and_forms(testapp):
    assert testapp.get(ADMIN + "/acme-flow/new.json").json["result"] == "instructions"
    assert "domain token keyauthorization" in testapp.get(ADMIN + "/acme-flow/new").text
    token, keyauth = _challenge()
    res = testapp.post(ADMIN + "/acme-flow/new", {"challenges": f"html.example.com {token} {keyauth}"}, status=303)
    page = res.follow()
    assert "Done: new acme-flow" in page.text
    base = res.location.split("?")[0].replace("http://peter-sslers.example", "")
    for action in ("add-challenge", "edit-challenge", "deactivate"):
        assert testapp.get(f"{base}/{action}.json").json["result"] == "instructions"
        testapp.get(f"{base}/{action}")
    testapp.post(base + "/edit-challenge.json", {"acme_challenge_id": "999999", "token": token, "keyauthorization": keyauth},
                 status=404)
    res = testapp.post(base + "/deactivate", status=303)
    assert "Done: deactivate" in res.follow().text


def test_acme_flow_off(app_settings_raw):
    app = webtest.TestApp(main({}, **{**app_settings_raw, "enable_acme_flow": "false"}))
    app.get(ADMIN + "/acme-flows", status=404)
    app.get(ADMIN + "/index.json", status=200)
