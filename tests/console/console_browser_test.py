#!/usr/bin/python3
"""The administrator's console (issue 17) in a real headless Chromium, against a real
`xrca serve --admin-listen` on a fresh root authority with issued certificates.

Browser: sign-in, the overview, a certificate search, revoking a RAC with its confirmation,
adding a principal (token shown once), the log filter and its verification; a screenshot of each
page goes to the artefact directory. Security, over plain HTTP: a POST without the CSRF token is
403 and changes nothing; the cookie's flags; a principal named <script>alert(1)</script> shows
as text; a `user` token cannot sign in; CSP and X-Frame-Options refuse framing.

What the console did is checked independently, with the CLI on the same store (certs list,
principal list, log). serve and the browser are stopped also on failure.

usage: console_browser_test.py XRCA_BINARY ARTEFACT_DIR
"""
import http.client
import json
import os
import queue
import ssl
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

XRCA = None
ARTEFACTS = None
BOB = "S-1-5-21-1004336348-1177238915-682003330-1001"
SCRIPT_NAME = "<script>alert(1)</script>"


def run(*args, check=True):
    r = subprocess.run([XRCA, *args], capture_output=True, text=True, timeout=120)
    if check and r.returncode != 0:
        raise AssertionError(f"xrca {' '.join(args)} failed ({r.returncode}): {r.stdout}{r.stderr}")
    return r


class Serve:
    """`xrca serve` with the console; its printed lines are the synchronisation (no sleeps)."""

    def __init__(self, data, pw, extra=()):
        self.proc = subprocess.Popen(
            [XRCA, "--data", data, "serve", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
             "--password-file", pw, "--threads", "4", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 60
        self.console = None
        seen = []
        while self.console is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("serve printed no console line: " + "".join(seen))
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError("serve stopped: " + "".join(seen))
            seen.append(line)
            service = re.search(r"serving .* on http://127\.0\.0\.1:(\d+)/_wmcs", line)
            if service:
                self.service_port = int(service.group(1))
            m = re.search(r"administrator's console on (https?://127\.0\.0\.1:(\d+))/admin/", line)
            if m:
                self.console, self.port = m.group(1), int(m.group(2))

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


class Http:
    """A cookie-keeping client for the console over plain HTTP (no browser)."""

    def __init__(self, port, user_agent="console-test", tls=False):
        self.port = port
        self.cookie = None
        self.user_agent = user_agent
        self.tls = tls
        self.last_set_cookie = None

    def request(self, method, path, fields=None, raw_body=None, content_type=None):
        if self.tls:  # the test's own self-signed certificate
            c = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=30,
                                            context=ssl._create_unverified_context())
        else:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"User-Agent": self.user_agent}
        body = raw_body
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if content_type:
            headers["Content-Type"] = content_type
        if self.cookie:
            headers["Cookie"] = "xrca_console=" + self.cookie
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        text = r.read().decode("utf-8")
        set_cookie = r.getheader("Set-Cookie")
        if set_cookie:
            self.last_set_cookie = set_cookie
            m = re.match(r"xrca_console=([0-9a-f]*);", set_cookie)
            self.cookie = m.group(1) if m and m.group(1) else None
        c.close()
        return r, text

    def csrf(self, path):
        r, text = self.request("GET", path)
        m = re.search(r'name="csrf" value="([0-9a-f]{64})"', text)
        if not m:
            raise AssertionError(f"no CSRF field on {path} ({r.status}): {text[:300]}")
        return m.group(1)

    def sign_in(self, token):
        csrf = self.csrf("/admin/login")
        return self.request("POST", "/admin/login", {"csrf": csrf, "token": token})


class ConsoleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="xrca-console-")
        cls.data = os.path.join(cls.dir, "r")
        cls.pw = os.path.join(cls.dir, "pw")
        with open(os.open(cls.pw, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write("correct-horse-battery\n")
        x = lambda *a: run("--data", cls.data, *a, "--password-file", cls.pw)
        x("init", "--role", "root", "--name", "console-test", "--url", "https://r.example.test/_wmcs", "--self-enroll")
        run("client", "init", "--dir", os.path.join(cls.dir, "m"), "--password-file", cls.pw)
        spc = os.path.join(cls.dir, "spc.xml")
        x("issue", "machine", "--public-key", os.path.join(cls.dir, "m", "machine.pub.xml"), "-o", spc)
        x("issue", "rac", "--spc-chain", spc, "--email", "alice@example.test", "-o", os.path.join(cls.dir, "a.xml"))
        x("issue", "rac", "--spc-chain", spc, "--email", "bob@example.test", "--user-id", BOB,
          "-o", os.path.join(cls.dir, "b.xml"))
        principal = lambda *a: json.loads(run("--data", cls.data, "principal", "add", *a, "--json").stdout)["token"]
        cls.admin_token = principal("boss", "--role", "admin")
        cls.user_token = principal("carol", "--role", "user", "--email", "carol@example.test")
        os.makedirs(ARTEFACTS, exist_ok=True)
        cls.serve = None
        cls.driver = None
        try:
            cls.serve = Serve(cls.data, cls.pw)
            options = webdriver.ChromeOptions()
            options.binary_location = "/usr/bin/chromium"
            for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                      "--disable-gpu"):
                options.add_argument(a)
            cls.driver = webdriver.Chrome(service=ChromeService("/usr/bin/chromedriver"), options=options)
            cls.driver.set_page_load_timeout(60)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.driver:
                cls.driver.quit()
        finally:
            if cls.serve:
                cls.serve.stop()
            shutil.rmtree(cls.dir, ignore_errors=True)

    # --- helpers -------------------------------------------------------------------------------
    def go(self, path):
        self.driver.get(self.serve.console + path)

    def shot(self, name):
        self.driver.save_screenshot(os.path.join(ARTEFACTS, name + ".png"))

    def wait_for(self, by, what):
        return WebDriverWait(self.driver, 30).until(expected_conditions.presence_of_element_located((by, what)))

    def browser_sign_in(self):
        self.go("/admin/login")
        if self.driver.find_elements(By.CSS_SELECTOR, "form.signout"):
            return  # signed in by an earlier test: the sign-in page sends it on to the overview
        self.driver.find_element(By.ID, "token").send_keys(self.admin_token)
        self.driver.find_element(By.ID, "sign-in").click()
        self.wait_for(By.CSS_SELECTOR, "form.signout")

    def log_entries(self):
        return json.loads(run("--data", self.data, "log", "--json").stdout)

    # --- the browser ---------------------------------------------------------------------------
    def test_1_sign_in_and_overview(self):
        self.go("/admin/")  # not signed in: sent to the sign-in page
        self.wait_for(By.ID, "token")
        self.shot("sign-in")
        self.browser_sign_in()
        self.assertEqual(self.driver.current_url, self.serve.console + "/admin/")
        body = self.driver.find_element(By.TAG_NAME, "body").text
        self.assertIn("console-test", body)
        self.assertIn("slc days left", body.lower())  # the card's label is styled in capitals
        self.assertIn("healthy", body)
        self.assertIn("Server-Licensor-Certificate", body)
        self.shot("overview")
        # The sign-in is in the log with the admin principal as the caller.
        self.assertTrue(any(e["operation"] == "ConsoleSignIn" and e["outcome"] == "accepted" and
                            e["caller"].startswith("admin:boss") for e in self.log_entries()))

    def test_2_certificate_search_and_revoke(self):
        self.browser_sign_in()
        self.go("/admin/certificates")
        Select(self.driver.find_element(By.ID, "kind")).select_by_value("rac")
        self.driver.find_element(By.ID, "user").send_keys(BOB)
        self.driver.find_element(By.ID, "search").click()
        self.wait_for(By.ID, "results")
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#results tbody tr")
        self.assertEqual(len(rows), 1, self.driver.find_element(By.ID, "results").text)
        self.assertIn(BOB, rows[0].text)
        self.shot("certificates")
        expected = json.loads(run("--data", self.data, "certs", "list", "--kind", "rac", "--user", BOB,
                                  "--json").stdout)
        self.assertEqual(len(expected), 1)
        rac_id = expected[0]["id"]
        rows[0].find_element(By.TAG_NAME, "a").click()
        verdict = self.wait_for(By.ID, "verdict")
        self.assertIn("signature verifies", verdict.text)
        self.shot("certificate")
        self.driver.find_element(By.ID, "reason").send_keys("laptop lost")
        self.driver.find_element(By.ID, "revoke").click()
        self.wait_for(By.ID, "confirm-revoke")
        self.assertIn(rac_id, self.driver.find_element(By.TAG_NAME, "main").text)
        # Nothing is revoked before the confirmation.
        self.assertEqual(json.loads(run("--data", self.data, "certs", "list", "--revoked", "--json").stdout), [])
        self.shot("revoke-confirm")
        self.driver.find_element(By.ID, "confirm-revoke").click()
        self.wait_for(By.CSS_SELECTOR, "p.notice.ok")
        self.assertIn("Revoked", self.driver.find_element(By.CSS_SELECTOR, "p.notice.ok").text)
        revoked = json.loads(run("--data", self.data, "certs", "list", "--revoked", "--json").stdout)
        self.assertEqual([c["id"] for c in revoked], [rac_id])
        self.assertTrue(any(e["operation"] == "Revoke" and e["outcome"] == "accepted" and
                            e["caller"].startswith("admin:boss") for e in self.log_entries()))
        self.shot("revoked")

    def test_3_add_principal_token_once(self):
        self.browser_sign_in()
        self.go("/admin/principals")
        self.driver.find_element(By.ID, "name").send_keys("dave")
        Select(self.driver.find_element(By.ID, "role")).select_by_value("user")
        self.driver.find_element(By.ID, "email").send_keys("dave@example.test")
        self.driver.find_element(By.ID, "add").click()
        token = self.wait_for(By.ID, "new-token").text
        self.assertTrue(token.startswith("xrca_"), token)
        self.shot("principals")
        listed = json.loads(run("--data", self.data, "principal", "list", "--json").stdout)
        self.assertIn("dave", [p["name"] for p in listed])
        self.go("/admin/principals")  # shown once: not on the next visit
        self.wait_for(By.ID, "add-principal")
        self.assertEqual(self.driver.find_elements(By.ID, "new-token"), [])
        self.assertNotIn(token, self.driver.page_source)

    def test_4_log_filter_and_verification(self):
        self.browser_sign_in()
        self.go("/admin/log")
        op = self.wait_for(By.ID, "operation")
        op.send_keys("PrincipalAdd")
        self.driver.find_element(By.ID, "verify").click()
        self.wait_for(By.ID, "log-entries")
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#log-entries tbody tr")
        self.assertGreaterEqual(len(rows), 2)
        for row in rows:
            self.assertEqual(row.find_elements(By.TAG_NAME, "td")[2].text, "PrincipalAdd")
        self.assertIn("intact", self.driver.find_element(By.CSS_SELECTOR, "p.notice.ok").text)
        self.shot("log")
        # The other pages render for the signed-in admin.
        # Traffic for the activity page: the service's revocation list, fetched five times.
        for _ in range(5):
            c = http.client.HTTPConnection("127.0.0.1", self.serve.service_port, timeout=30)
            c.request("GET", "/_wmcs/revocation/RevocationList.xml")
            self.assertEqual(c.getresponse().status, 200)
            c.close()
        for path, name, marker in (("/admin/trust", "trust", "add-trust"),
                                   ("/admin/revocation", "revocation", "publish"),
                                   ("/admin/activity", "activity", "rate-chart")):
            self.go(path)
            self.wait_for(By.ID, marker)
            self.shot(name)
        totals = self.driver.find_element(By.TAG_NAME, "table").text
        self.assertRegex(totals, r"RevocationList (\d+)")
        self.assertGreaterEqual(int(re.search(r"RevocationList (\d+)", totals).group(1)), 5)
        self.assertEqual(len(self.driver.find_elements(By.CSS_SELECTOR, "#rate-chart polyline")), 1)
        self.go("/admin/revocation")
        self.driver.find_element(By.ID, "publish").click()
        # The fetches above published a list already: publishing now finds it current.
        self.assertRegex(self.wait_for(By.CSS_SELECTOR, "p.notice.ok").text, r"published|current")
        self.assertIn("minutes", self.driver.find_element(By.ID, "list-age").text)

    def test_5_script_name_shows_as_text(self):
        self.browser_sign_in()
        self.go("/admin/principals")
        self.wait_for(By.ID, "name").send_keys(SCRIPT_NAME)
        self.driver.find_element(By.ID, "email").send_keys("eve@example.test")
        self.driver.find_element(By.ID, "add").click()
        self.wait_for(By.CSS_SELECTOR, "p.notice.error")  # refused: not a principal name
        # The refused request is in the log, its inputs naming the principal: shown as text.
        self.go("/admin/log?operation=PrincipalAdd&outcome=refused")
        entries = self.wait_for(By.ID, "log-entries")
        self.assertIn(SCRIPT_NAME, entries.text)
        self.assertEqual(self.driver.find_elements(By.TAG_NAME, "script"), [])
        self.shot("log-script-name")

    def test_6_sign_out(self):
        self.browser_sign_in()
        self.driver.find_element(By.CSS_SELECTOR, "form.signout button").click()
        self.wait_for(By.ID, "token")
        self.go("/admin/principals")
        self.wait_for(By.ID, "token")  # signed out: back at the sign-in page

    # --- security over plain HTTP ----------------------------------------------------------------
    def test_security_headers_and_cookie(self):
        client = Http(self.serve.port)
        r, _ = client.request("GET", "/admin/login")
        self.assertEqual(r.status, 200)
        csp = r.getheader("Content-Security-Policy")
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertIn("style-src 'self'", csp)
        self.assertEqual(r.getheader("X-Frame-Options"), "DENY")
        cookie = r.getheader("Set-Cookie")
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        self.assertNotIn("Secure", cookie)  # plain HTTP here; HTTPS adds it (docs/console.md)
        r, _ = client.sign_in(self.admin_token)
        self.assertEqual(r.status, 303)
        signed_in = r.getheader("Set-Cookie")
        self.assertIn("HttpOnly", signed_in)
        self.assertIn("SameSite=Strict", signed_in)
        r, text = client.request("GET", "/admin/static/console.css")
        self.assertEqual(r.getheader("Content-Type"), "text/css; charset=utf-8")
        self.assertIn("frame-ancestors 'none'", r.getheader("Content-Security-Policy"))

    def test_secure_cookie_over_https(self):
        key, cert = os.path.join(self.dir, "tls.key"), os.path.join(self.dir, "tls.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True, timeout=60)
        os.chmod(key, 0o600)
        serve = Serve(self.data, self.pw, ("--tls-cert", cert, "--tls-key", key))
        try:
            self.assertTrue(serve.console.startswith("https://"), serve.console)
            client = Http(serve.port, tls=True)
            r, _ = client.sign_in(self.admin_token)
            self.assertEqual(r.status, 303)
            for flag in ("Secure", "HttpOnly", "SameSite=Strict"):
                self.assertIn(flag, client.last_set_cookie)
            r, text = client.request("GET", "/admin/")
            self.assertEqual(r.status, 200)
            self.assertIn("console-test", text)
        finally:
            serve.stop()

    def test_post_without_csrf_is_refused(self):
        client = Http(self.serve.port)
        self.assertEqual(client.sign_in(self.admin_token)[0].status, 303)
        before = run("--data", self.data, "principal", "list", "--json").stdout
        r, text = client.request("POST", "/admin/principals",
                                 {"action": "add", "name": "mallory", "role": "admin", "email": ""})
        self.assertEqual(r.status, 403, text)
        self.assertIn("CSRF", text)
        r, text = client.request("POST", "/admin/principals",
                                 {"action": "add", "name": "mallory", "role": "admin", "csrf": "0" * 64})
        self.assertEqual(r.status, 403, text)
        self.assertEqual(run("--data", self.data, "principal", "list", "--json").stdout, before)
        # With the token the same form works: the 403 was the token's doing.
        csrf = client.csrf("/admin/principals")
        r, text = client.request("POST", "/admin/principals",
                                 {"action": "add", "name": "frank", "role": "enroll", "csrf": csrf})
        self.assertEqual(r.status, 200, text)
        self.assertIn('id="new-token"', text)

    def test_trust_upload_and_download(self):
        client = Http(self.serve.port)
        self.assertEqual(client.sign_in(self.admin_token)[0].status, 303)
        csrf = client.csrf("/admin/trust")
        with open(os.path.join(self.dir, "m", "machine.pub.xml"), "rb") as f:
            key = f.read()
        boundary = "----console-test-boundary"
        parts = [(b'Content-Disposition: form-data; name="%s"\r\n\r\n' % n.encode()) + v.encode()
                 for n, v in (("csrf", csrf), ("action", "add-trust"), ("purpose", "rac-issuer"),
                              ("label", "partner <RACs>"))]
        parts.append(b'Content-Disposition: form-data; name="key"; filename="machine.pub.xml"\r\n'
                     b"Content-Type: text/xml\r\n\r\n" + key)
        body = b"".join(b"--" + boundary.encode() + b"\r\n" + p + b"\r\n" for p in parts) + \
            b"--" + boundary.encode() + b"--\r\n"
        r, text = client.request("POST", "/admin/trust", raw_body=body,
                                 content_type="multipart/form-data; boundary=" + boundary)
        self.assertEqual(r.status, 200, text)
        self.assertIn("Now trusting", text)
        self.assertIn("partner &lt;RACs&gt;", text)
        trusted = json.loads(run("--data", self.data, "trust", "list", "--json").stdout)
        self.assertEqual([(t["purpose"], t["label"]) for t in trusted], [("rac-issuer", "partner <RACs>")])
        # A certificate's document, as issued, for download.
        cert = json.loads(run("--data", self.data, "certs", "list", "--kind", "machine", "--json").stdout)[0]
        r, text = client.request("GET", "/admin/certificates/" + urllib.parse.quote(cert["id"]) + "?download=1")
        self.assertEqual(r.status, 200)
        self.assertIn("attachment", r.getheader("Content-Disposition"))
        shown = json.loads(run("--data", self.data, "certs", "show", cert["id"], "--json").stdout)
        self.assertEqual(text, shown["document"])

    def test_user_token_cannot_sign_in(self):
        client = Http(self.serve.port)
        r, text = client.sign_in(self.user_token)
        self.assertEqual(r.status, 403, text)
        r, _ = client.request("GET", "/admin/")
        self.assertEqual(r.status, 303)
        self.assertEqual(r.getheader("Location"), "/admin/login")
        r, _ = Http(self.serve.port).sign_in("xrca_not-a-token")
        self.assertEqual(r.status, 403)
        refusals = [e for e in self.log_entries() if e["operation"] == "ConsoleSignIn" and e["outcome"] == "refused"]
        self.assertTrue(any("carol" in e["reason"] for e in refusals), refusals)

    def test_script_in_request_is_escaped(self):
        client = Http(self.serve.port, user_agent=SCRIPT_NAME)
        self.assertEqual(client.sign_in(self.admin_token)[0].status, 303)
        csrf = client.csrf("/admin/principals")
        r, text = client.request("POST", "/admin/principals",
                                 {"action": "add", "name": SCRIPT_NAME, "role": "user", "csrf": csrf})
        self.assertEqual(r.status, 400, text)
        r, text = client.request("GET", "/admin/log?operation=PrincipalAdd&since=")
        self.assertEqual(r.status, 200)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", text)
        self.assertNotIn(SCRIPT_NAME, text)
        self.assertNotIn("<script", text)


if __name__ == "__main__":
    XRCA, ARTEFACTS = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"])
