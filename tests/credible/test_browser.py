"""The web page of ``hurwicz serve`` (issue #14, section 5), end to end in a real headless
Chromium driven over the DevTools protocol: a participant makes a key, checks the rules' hash,
commits, reveals and keeps receipts in the page; an observer verifies the transcript in the page;
dishonest transcripts and rewritten rules are reported; in a witnessed round (two real
``hurwicz witness`` processes) the page reveals only after a quorum-cosigned phase entry
and names forged cosignatures and last-look commits as ``hurwicz verify`` does. The bytes
the page computes (RFC 8785 canonical JSON, SHA-256, Ed25519 signatures and cosignatures,
RFC 6962 roots) are cross-checked against hurwicz.credible.

Known answers: RFC 8785 §3.2.2 (the example object and its canonical form), §3.2.3 (member
sorting by UTF-16 code units) and Appendix B (IEEE 754 doubles and their canonical text); the
Certificate Transparency roots of the 8 reference leaves (as in test_merkle_keys.py).

Needs Debian's ``chromium`` (``.ci/run`` installs it when it runs as root with apt-get);
without it the tests skip, saying how to enable them.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from hurwicz.core.errors import InputError
from hurwicz.credible.canonical import canonical_bytes, commitment, loads
from hurwicz.credible.client import read_state
from hurwicz.credible.clock import parse_time, utc_now
from hurwicz.credible.keys import generate_key, load_private, private_hex, public_hex, sign
from hurwicz.credible.merkle import merkle_root
from hurwicz.credible.receipts import receipt_problems, sign_tree_head
from hurwicz.credible.rules import round_id
from hurwicz.credible.state import signed_commit, signed_reveal
from hurwicz.credible.verify import verify_transcript

from .conftest import Proxy, ServerProcess

# the Certificate Transparency reference leaves and the RFC 6962 roots of their prefixes
CT_LEAVES = [bytes.fromhex(h) for h in [
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f"]]
CT_ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
HINT = "install Debian's chromium (apt-get install chromium) to run the browser tests"


def chromium_executable() -> str | None:
    """``HURWICZ_CHROMIUM``, else the first Chromium on PATH."""
    given = os.environ.get("HURWICZ_CHROMIUM")
    if given:
        return given
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


# --- a small DevTools protocol client -------------------------------------------------------
class Chromium:
    """A headless Chromium process and a DevTools websocket to it."""

    def __init__(self, executable: str, profile: str) -> None:
        from websockets.sync.client import connect

        self.proc = subprocess.Popen(
            [executable, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--remote-debugging-port=0", f"--user-data-dir={profile}",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True)
        found: list[str] = []
        ready = threading.Event()

        def drain() -> None:  # read stderr for the websocket address, then keep draining it
            for line in self.proc.stderr:
                match = re.search(r"DevTools listening on (ws://\S+)", line)
                if match and not found:
                    found.append(match[1])
                    ready.set()
            ready.set()

        threading.Thread(target=drain, daemon=True).start()
        if not ready.wait(30) or not found:
            self.close()
            raise RuntimeError("chromium did not print its DevTools address")
        # (entered as a context manager: closed in close())
        self.ws = connect(found[0], max_size=None, open_timeout=30).__enter__()
        self.next_id = 0
        self.version = self.send("Browser.getVersion")["product"]

    def send(self, method: str, params: dict[str, Any] | None = None,
             session: str | None = None, timeout: float = 30) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method,
                                   "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            answer = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Page:
    """A tab in its own browser context (own local storage), with downloads to ``downloads``."""

    def __init__(self, browser: Chromium, downloads: Path) -> None:
        self.browser, self.downloads = browser, downloads
        downloads.mkdir(parents=True, exist_ok=True)
        self.context = browser.send("Target.createBrowserContext")["browserContextId"]
        browser.send("Browser.setDownloadBehavior", {
            "behavior": "allow", "downloadPath": str(downloads),
            "browserContextId": self.context})
        target = browser.send("Target.createTarget", {"url": "about:blank",
                                                      "browserContextId": self.context})
        self.session = browser.send("Target.attachToTarget", {
            "targetId": target["targetId"], "flatten": True})["sessionId"]
        self.send("Page.enable")
        self.send("Runtime.enable")

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, self.session)

    def open(self, url: str) -> None:
        self.send("Page.navigate", {"url": url})
        self.wait("document.body && document.body.dataset.ready === '1'")

    def eval(self, expression: str) -> Any:
        answer = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                "returnByValue": True})
        if "exceptionDetails" in answer:
            details = answer["exceptionDetails"]
            raise AssertionError(f"{expression[:80]}: "
                                 f"{details.get('exception', {}).get('description', details)}")
        return answer["result"].get("value")

    def wait(self, expression: str, timeout: float = 15) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = self.eval(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {expression}; log: "
                                     f"{self.text('log')}")
            time.sleep(0.05)

    def text(self, element_id: str) -> str:
        return self.eval(f"document.getElementById({element_id!r}).textContent")

    def state(self, element_id: str) -> str:
        return self.eval(f"document.getElementById({element_id!r}).dataset.state")

    def click(self, element_id: str) -> None:
        self.eval(f"document.getElementById({element_id!r}).click()")

    def fill(self, element_id: str, value: str) -> None:
        self.eval(f"document.getElementById({element_id!r}).value = {json.dumps(value)}")

    def choose_file(self, element_id: str, path: Path) -> None:
        root = self.send("DOM.getDocument")["root"]["nodeId"]
        node = self.send("DOM.querySelector", {"nodeId": root,
                                               "selector": f"#{element_id}"})["nodeId"]
        self.send("DOM.setFileInputFiles", {"nodeId": node, "files": [str(path)]})

    def download(self, element_id: str, timeout: float = 15) -> Path:
        before = set(self.downloads.iterdir())
        self.click(element_id)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            new = [p for p in set(self.downloads.iterdir()) - before
                   if not p.name.endswith(".crdownload")]
            if new:
                time.sleep(0.05)  # renamed into place: complete
                return new[0]
            time.sleep(0.05)
        raise AssertionError(f"no download from #{element_id}")

    def close(self) -> None:
        self.browser.send("Target.disposeBrowserContext", {"browserContextId": self.context})


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    executable = chromium_executable()
    if executable is None:
        pytest.skip(HINT)
    pytest.importorskip("websockets.sync.client", reason="the browser tests talk to Chromium "
                        "with the websockets package (pip install -e '.[test]')")
    browser = Chromium(executable, str(tmp_path_factory.mktemp("chromium-profile")))
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def web_server(tmp_path_factory):
    proc = ServerProcess(tmp_path_factory.mktemp("web") / "server.db").start()
    yield proc
    proc.stop()


@pytest.fixture
def page(chromium, tmp_path):
    tab = Page(chromium, tmp_path / "downloads")
    yield tab
    tab.close()


def create_round(server: ServerProcess, commit_in: float = 8.0) -> dict[str, Any]:
    answer = httpx.post(server.url + "/v1/rounds", headers={
        "authorization": f"Bearer {server.token}"}, json={
        "mechanism": "auction.second_price", "params": {"reserve": 1},
        "commit_deadline": f"+{commit_in}s", "reveal_deadline": "+120s",
        "title": "web page round"})
    assert answer.status_code == 201, answer.text
    return answer.json()


def post(server: ServerProcess, rid: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.post(f"{server.url}/v1/rounds/{rid}/{kind}s", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


# --- the page and its files -------------------------------------------------------------------
def test_page_and_static_files_are_served_with_a_strict_policy(web_server) -> None:
    index = httpx.get(web_server.url + "/")
    assert index.status_code == 200 and index.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in index.headers["content-security-policy"]
    assert '<script src="/static/app.js"' in index.text
    script = httpx.get(web_server.url + "/static/app.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "http://" not in script.text and "https://" not in script.text  # nothing from afar
    missing = httpx.get(web_server.url + "/static/../server.py")
    assert missing.status_code == 404
    assert httpx.get(web_server.url + "/static/nope.js").json()["error"]["field"] == "path"
    paths = httpx.get(web_server.url + "/openapi.json").json()["paths"]
    assert "/" not in paths and not any(p.startswith("/static") for p in paths)


# --- the same bytes as Python -----------------------------------------------------------------
RFC8785_EXAMPLE = ('{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, '
                   '0.000000000000000000000000001], "string": '
                   '"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
                   ' "literals": [null, true, false]}')
RFC8785_EXPECTED = ('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,'
                    '1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')
RFC8785_SORTING = ('{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter '
                   'Dalet With Dagesh", "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", '
                   '"\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}')
# RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text
RFC8785_NUMBERS = {
    "0000000000000000": "0", "8000000000000000": "0", "0000000000000001": "5e-324",
    "8000000000000001": "-5e-324", "7fefffffffffffff": "1.7976931348623157e+308",
    "ffefffffffffffff": "-1.7976931348623157e+308", "4340000000000000": "9007199254740992",
    "c340000000000000": "-9007199254740992", "4430000000000000": "295147905179352830000",
    "44b52d02c7e14af5": "9.999999999999997e+22", "44b52d02c7e14af6": "1e+23",
    "44b52d02c7e14af7": "1.0000000000000001e+23", "444b1ae4d6e2ef4e": "999999999999999700000",
    "444b1ae4d6e2ef4f": "999999999999999900000", "444b1ae4d6e2ef50": "1e+21",
    "3eb0c6f7a0b5ed8c": "9.999999999999997e-7", "3eb0c6f7a0b5ed8d": "0.000001",
    "41b3de4355555553": "333333333.3333332", "41b3de4355555554": "333333333.33333325",
    "41b3de4355555555": "333333333.3333333", "41b3de4355555556": "333333333.3333334",
    "41b3de4355555557": "333333333.33333343", "becbf647612f3696": "-0.0000033333333333333333",
    "43143ff3c1cb0959": "1424953923781206.2",
}


def random_documents(count: int, seed: int = 14) -> list[Any]:
    """JSON documents with awkward numbers (random bit patterns), strings (controls, quotes,
    astral characters, U+2028) and keys, nested a few levels."""
    rng = random.Random(seed)
    alphabet = ["a", "Z", "\"", "\\", "/", "\n", "\x00", "\x1f", "\x7f", "é", "€", "\u2028",
                "\ufb33", "😀", "𝄞", " ", "1"]

    def text() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))

    def number() -> float | int:
        while True:
            x = struct.unpack(">d", rng.getrandbits(64).to_bytes(8, "big"))[0]
            if x == x and abs(x) != float("inf"):
                break
        return rng.choice([x, rng.randint(-2**53, 2**53), rng.random() * 10 ** rng.randint(-8, 25)])

    def value(depth: int) -> Any:
        kind = rng.randint(0, 6 if depth < 4 else 3)
        if kind == 0:
            return rng.choice([None, True, False])
        if kind in (1, 2):
            return number()
        if kind == 3:
            return text()
        if kind == 4:
            return [value(depth + 1) for _ in range(rng.randint(0, 4))]
        return {text(): value(depth + 1) for _ in range(rng.randint(0, 4))}

    return [value(0) for _ in range(count)]


def js_canonical(page: Page, text: str) -> str:
    """The page's canonical text of a JSON text (read by the page's own reader)."""
    return page.eval(f"hurwicz.canonicalText(hurwicz.parseJSON({json.dumps(text)}))")


def refused(page: Page, expression: str) -> bool:
    """Whether evaluating ``expression`` in the page throws."""
    return page.eval(f"(() => {{ try {{ {expression}; return false }} catch (e) {{ return true }}"
                     " })()")


def test_page_computes_the_same_bytes_as_python(chromium, page, web_server) -> None:
    page.open(web_server.url + "/")
    # RFC 8785's own examples
    js = js_canonical(page, RFC8785_EXAMPLE)
    assert js == RFC8785_EXPECTED == canonical_bytes(loads(RFC8785_EXAMPLE)).decode()
    js_sorted = js_canonical(page, RFC8785_SORTING)
    keys = [k for k, _ in json.loads(js_sorted, object_pairs_hook=list)]
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "😀", "\ufb33"]
    assert js_sorted == canonical_bytes(loads(RFC8785_SORTING)).decode()
    doubles = {bits: struct.unpack(">d", bytes.fromhex(bits))[0] for bits in RFC8785_NUMBERS}
    texts = json.dumps({bits: repr(x) for bits, x in doubles.items()})  # round-trip text
    js_numbers = page.eval(f"Object.fromEntries(Object.entries({texts}).map(([b, t]) => "
                           "[b, hurwicz.canonicalText(Number(t))]))")
    for bits, expected in RFC8785_NUMBERS.items():
        assert js_numbers[bits] == expected == canonical_bytes(doubles[bits]).decode(), bits
    # refused alike: NaN, lone surrogates, nesting deeper than 64
    for expression in ("NaN", "Infinity", "'\\ud800'", "{'\\udc00': 1}",
                       "hurwicz.parseJSON('['.repeat(65) + ']'.repeat(65))"):
        assert refused(page, f"hurwicz.canonicalText({expression})"), expression
    deep = "[" * 64 + "]" * 64
    assert js_canonical(page, deep) == canonical_bytes(loads(deep)).decode()
    # random documents: JavaScript reads the JSON text, both canonicalise, bytes and hashes agree
    texts = [json.dumps(d, ensure_ascii=bool(i % 2)) for i, d in enumerate(random_documents(300))]
    js_out = page.eval(f"Promise.all({json.dumps(texts)}.map(async (t) => {{"
                       "const c = hurwicz.canonicalText(hurwicz.parseJSON(t));"
                       "return [c, await hurwicz.documentHash(hurwicz.parseJSON(t))]; }))")
    for text, (canonical, digest) in zip(texts, js_out):
        python = canonical_bytes(loads(text))
        assert canonical.encode() == python, text
        assert digest == __import__("hashlib").sha256(python).hexdigest()
    # the page's own JSON reader: as strict as canonical.loads, and immune to a JSON.parse slip
    # seen in Chromium 150 (an escaped one-character key read as the one parsed before it)
    keys = page.eval(r"""(() => { JSON.parse(String.raw`{"\\": 1}`);
        hurwicz.parseJSON(String.raw`{"\\": 1}`);
        return Object.keys(hurwicz.parseJSON(String.raw`{"\"": 2}`)) })()""")
    assert keys == ['"']
    for text in ('{"a": 1, "a": 2}', "[NaN]", "[1e400]", "[01]", '{"a" 1}', '["\u0001"]', "[1] 2"):
        with pytest.raises(InputError):
            loads(text)
        assert refused(page, f"hurwicz.parseJSON({json.dumps(text)})"), text
    text = '{"__proto__": {"x": -0.0}, "big": 12345678901234567890}'
    assert js_canonical(page, text) == canonical_bytes(loads(text)).decode()
    # RFC 6962 roots of the Certificate Transparency leaves
    for size, root in CT_ROOTS.items():
        leaves = json.dumps([leaf.hex() for leaf in CT_LEAVES[:size]])
        got = page.eval(f"hurwicz.merkleRoot({leaves}.map(hurwicz.unhex)).then(hurwicz.hex)")
        assert got == root == merkle_root(CT_LEAVES[:size]).hex()
    for size in (0, 3, 5, 6, 7):
        leaves = json.dumps([leaf.hex() for leaf in CT_LEAVES[:size]])
        got = page.eval(f"hurwicz.merkleRoot({leaves}.map(hurwicz.unhex)).then(hurwicz.hex)")
        assert got == merkle_root(CT_LEAVES[:size]).hex()
    # RFC 8032 §7.1 TEST 1: the empty message signed with the test secret key 9d61…7f60
    rfc_secret = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
    rfc_public = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    rfc_signature = ("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
    got = page.eval(f"(async () => {{ const k = await hurwicz.importSeed('{rfc_secret}');"
                    "const empty = new Uint8Array(0); return [k.public, hurwicz.hex("
                    "await crypto.subtle.sign('Ed25519', k.privateKey, empty)),"
                    f"await hurwicz.verifyBytes('{rfc_public}', empty, '{rfc_signature}')] }})()")
    assert got == [rfc_public, rfc_signature, True]
    assert load_private(rfc_secret).sign(b"").hex() == rfc_signature
    # commitments, round ids and Ed25519 signatures (deterministic: the same bytes)
    key = generate_key()
    report = {"bid": 10.5, "note": "é😀\n"}
    got = page.eval(f"(async () => {{ const k = await hurwicz.importSeed('{private_hex(key)}');"
                    f"return [k.public, await hurwicz.commitment('r1', {json.dumps(report)}, 's'),"
                    f"await hurwicz.roundId({json.dumps(report)}),"
                    f"await hurwicz.sign(k, 'commit', {json.dumps(report)}),"
                    f"await hurwicz.verify(k.public, 'reveal', {json.dumps(report)},"
                    f"  await hurwicz.sign(k, 'commit', {json.dumps(report)}))] }})()")
    assert got == [public_hex(key), commitment("r1", report, "s"), round_id(report),
                   sign(key, "commit", report), False]
    python_signature = sign(key, "receipt", report)
    flipped = python_signature[:-2] + f"{int(python_signature[-2:], 16) ^ 1:02x}"
    assert page.eval(f"hurwicz.verify('{public_hex(key)}', 'receipt', {json.dumps(report)}, "
                     f"'{python_signature}')") is True
    assert page.eval(f"hurwicz.verify('{public_hex(key)}', 'receipt', {json.dumps(report)}, "
                     f"'{flipped}')") is False


# --- a round from the page --------------------------------------------------------------------
def test_participant_and_observer_end_to_end(chromium, page, web_server, tmp_path) -> None:
    created = create_round(web_server)
    rid, rules = created["round"], created["rules"]
    page.open(f"{web_server.url}/#round={rid}")

    # the rules, with their hash recomputed in the page
    page.wait("document.getElementById('rules-check').dataset.state === 'ok'")
    assert page.eval("document.getElementById('env-warning').hidden")  # WebCrypto Ed25519 here
    assert page.text("rules-hash") == rid[1:] == round_id(rules)[1:]
    assert json.loads(page.text("rules")) == rules

    # a key made in the browser; its file is the one `hurwicz keygen` writes
    page.click("keygen")
    public = page.wait("/^[0-9a-f]{64}$/.test(document.getElementById('public-key').textContent)"
                       " && document.getElementById('public-key').textContent")
    key_file = page.download("key-download")
    key = load_private(key_file.read_text())
    assert public_hex(key) == public

    # commit: the salt is saved in the browser before sending, and offered as a download
    page.fill("name", "alice")
    page.fill("report", "10")
    page.click("commit")
    page.wait("document.getElementById('participant-status').dataset.state === 'ok'")
    state_file = page.download("state-download")
    saved = json.loads(state_file.read_text())
    assert read_state(state_file) == saved  # a `hurwicz bid` state file
    stored = page.eval(f"hurwicz.parseJSON(localStorage.getItem('hurwicz.state.{rid}.{public}'))")
    assert stored == saved and len(saved["salt"]) == 64 and saved["report"] == 10
    expected_commit, _ = signed_commit(key, rid, "alice", 10, saved["salt"])
    assert saved["commit"] == expected_commit  # byte for byte what Python signs
    assert receipt_problems(saved["receipts"][0], rules["operator"]) == []

    # the salt is kept in the browser: a reload restores key, salt and receipt
    page.open(f"{web_server.url}/#round={rid}")
    page.wait("document.querySelectorAll('#receipts td.ok').length === 1")
    assert page.text("public-key") == public

    # an observer watches the transcript grow (verified in the page at every poll)
    page.click("watch")
    page.wait("document.getElementById('size').textContent === '2'")
    assert page.state("verdict") == "ok", page.text("verdict")

    # a second bidder, from Python
    bob = generate_key()
    bob_commit, bob_salt = signed_commit(bob, rid, "bob", 8)
    post(web_server, rid, "commit", bob_commit)
    page.wait("document.getElementById('size').textContent === '3'")

    # before the commit deadline the page refuses to reveal, sending nothing
    page.click("reveal")
    page.wait("document.getElementById('participant-status').dataset.state === 'bad'")
    assert "nothing was sent" in page.text("participant-status")
    size = httpx.get(f"{web_server.url}/v1/rounds/{rid}").json()["size"]
    assert size == 3

    left = (parse_time(rules["schedule"]["commit_deadline"]) - utc_now()).total_seconds()
    time.sleep(max(left, 0) + 0.3)
    post(web_server, rid, "reveal", signed_reveal(bob, rid, 8, bob_salt))
    page.click("reveal")
    page.wait("document.getElementById('participant-status').dataset.state === 'ok'")
    receipts = json.loads(page.download("receipts-download").read_text())["receipts"]
    assert [r["index"] for r in receipts] == [1, 4]
    assert all(receipt_problems(r, rules["operator"]) == [] for r in receipts)
    assert page.eval("[...document.querySelectorAll('#receipts td.ok')].length") == 2

    closed = httpx.post(f"{web_server.url}/v1/rounds/{rid}/close",
                        headers={"authorization": f"Bearer {web_server.token}"})
    assert closed.status_code == 200, closed.text
    assert closed.json()["outcome"]["payments"] == {"alice": 8.0, "bob": 0.0}

    # the observer: Merkle root and signatures recomputed in the page, receipts checked
    page.wait("document.getElementById('verdict').textContent.includes('round closed')")
    assert page.state("verdict") == "ok", page.text("verdict")
    transcript = httpx.get(f"{web_server.url}/v1/rounds/{rid}/transcript").json()
    assert page.text("root") == transcript["tree_head"]["root"]
    assert "2 receipt(s) of this browser checked" in page.text("verdict")
    assert page.eval("[...document.querySelectorAll('#entries td.ok')].length") == 4
    assert verify_transcript(transcript, receipts).ok  # Python agrees
    page.click("watch")  # stop polling

    # a dishonest transcript, loaded as a file: bob's bid lowered after the fact
    altered = json.loads(json.dumps(transcript))
    altered["entries"][3]["report"] = 2
    path = tmp_path / "altered.json"
    path.write_text(json.dumps(altered))
    page.choose_file("transcript-file", path)
    page.wait("document.getElementById('verdict').dataset.state === 'bad'")
    verdict = page.text("verdict")
    assert verdict.startswith("VIOLATION signature: entry #3 (reveal)"), verdict
    assert "merkle" in page.text("violations")
    assert not verify_transcript(altered).ok

    # an operator who drops alice's reveal and re-signs the shorter log: the log alone looks
    # honest (Python agrees), but the receipts this browser holds prove the censorship
    operator_key = load_private((web_server.db.parent / "server.db.key").read_text())
    forged = json.loads(json.dumps(transcript))
    forged["entries"] = forged["entries"][:4]
    leaves = [canonical_bytes(e) for e in forged["entries"]]
    forged["tree_head"] = sign_tree_head(operator_key, rid, 4, merkle_root(leaves).hex(),
                                         forged["tree_head"]["time"])
    assert verify_transcript(forged).ok
    python_kinds = [v.kind for v in verify_transcript(forged, receipts).violations]
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged))
    page.choose_file("transcript-file", path)
    page.wait("document.getElementById('verdict').textContent.includes('forged.json') || "
              "document.getElementById('checked-at').textContent.includes('forged.json')")
    verdict = page.text("verdict")
    assert verdict.startswith("VIOLATION censorship: receipt 1: entry #4 receipted"), verdict
    assert "censorship" in python_kinds

    # a browser without those receipts sees an honest-looking log, as Python does
    other = Page(chromium, tmp_path / "other")
    try:
        other.open(f"{web_server.url}/#round={rid}")
        other.choose_file("transcript-file", path)
        other.wait("document.getElementById('checked-at').textContent.includes('forged.json')")
        assert other.state("verdict") == "ok", other.text("verdict")
        # ... until alice brings her key and state files to it
        other.choose_file("key-file", key_file)
        other.wait(f"document.getElementById('public-key').textContent === '{public}'")
        other.choose_file("state-file", state_file)
        other.wait("document.querySelectorAll('#receipts td.ok').length === 1")
        # the commit receipt alone does not show the dropped reveal (Python agrees): it is the
        # reveal receipt, kept by the first browser, that proves it
        again = tmp_path / "forged-again.json"
        again.write_text(path.read_text())
        other.choose_file("transcript-file", again)
        other.wait("document.getElementById('checked-at').textContent.includes('forged-again')")
        assert "1 receipt(s) of this browser checked" in other.text("verdict")
        assert other.state("verdict") == "ok", other.text("verdict")
        assert verify_transcript(forged, receipts[:1]).ok
    finally:
        other.close()


def test_rewriting_proxy_is_caught_by_the_page(chromium, page, web_server) -> None:
    created = create_round(web_server, commit_in=60)
    rid = created["round"]
    man = Proxy(web_server.url)
    try:
        def rewrite(method: str, path: str, body: bytes) -> bytes:
            if path == f"/v1/rounds/{rid}":  # show first price for a second-price round
                return body.replace(b'"auction.second_price"', b'"auction.first_price"')
            if path == f"/v1/rounds/{rid}/transcript":  # and hide the reserve in the log
                return body.replace(b'"reserve":1.0', b'"reserve":0.0')
            return body

        man.rewrite = rewrite
        page.open(f"{man.url}/#round={rid}")
        page.wait("document.getElementById('rules-check').dataset.state === 'bad'")
        assert "do not commit" in page.text("rules-check")
        assert page.eval("document.getElementById('commit').disabled") is True
        page.click("watch")
        page.wait("document.getElementById('verdict').dataset.state === 'bad'")
        assert page.text("verdict").startswith("VIOLATION tampering: entry #0 (rules)"), \
            page.text("verdict")
        page.click("watch")
        assert not any(method == "POST" for method, _ in man.requests)
    finally:
        man.close()


# --- witnessed rounds (issue #14, section 1) ---------------------------------------------------
@pytest.fixture(scope="module")
def witnessed_server(tmp_path_factory):
    """Two real ``hurwicz witness`` processes and a server that asks them to cosign."""
    from .test_witness import WitnessProcess

    root = tmp_path_factory.mktemp("web-witnessed")
    witnesses = [WitnessProcess(root / f"w{i}.db").launch() for i in range(2)]
    try:
        for w in witnesses:
            w.wait()
        server = ServerProcess(root / "server.db",
                               args=tuple(a for w in witnesses for a in ("--witness", w.url)))
        server.start()
        try:
            yield server, witnesses
        finally:
            server.stop()
    finally:
        for w in witnesses:
            w.stop()


def _resigned(server: ServerProcess, transcript: dict[str, Any],
              entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The transcript a dishonest operator publishes: ``entries``, re-signed with its key."""
    operator = load_private((server.db.parent / "server.db.key").read_text())
    root = merkle_root([canonical_bytes(e) for e in entries]).hex()
    head = sign_tree_head(operator, transcript["round"], len(entries), root,
                          transcript["tree_head"]["time"])
    return {**transcript, "entries": entries, "tree_head": head}


def test_witnessed_round_in_the_page(chromium, page, witnessed_server, tmp_path) -> None:
    """The page reveals only once a quorum of witnesses has cosigned a head holding its commit,
    verifies the witnessed transcript as OK, and names the same violations as `hurwicz verify`
    for a forged cosignature, a last-look shill commit and a rewritten cosigned prefix."""
    from hurwicz.credible.keys import signing_bytes
    from hurwicz.credible.witness import cosignature_problems, sign_cosignature

    server, witnesses = witnessed_server
    answer = httpx.post(server.url + "/v1/rounds", headers={
        "authorization": f"Bearer {server.token}"}, json={
        "mechanism": "auction.second_price", "commit_deadline": "+4s",
        "reveal_deadline": "+60s", "witnesses": {"keys": [w.key for w in witnesses],
                                                 "quorum": 2}})
    assert answer.status_code == 201, answer.text
    rid, rules = answer.json()["round"], answer.json()["rules"]
    man = Proxy(server.url)  # the page talks to the server through it (to forge answers)
    try:
        page.open(f"{man.url}/#round={rid}")
        page.wait("document.getElementById('rules-check').dataset.state === 'ok'")
        page.click("keygen")
        page.wait("/^[0-9a-f]{64}$/.test(document.getElementById('public-key').textContent)")
        page.fill("name", "alice")
        page.fill("report", "10")
        page.click("commit")
        page.wait("document.getElementById('participant-status').dataset.state === 'ok'")
        bob = generate_key()
        bob_commit, bob_salt = signed_commit(bob, rid, "bob", 8)
        post(server, rid, "commit", bob_commit)

        left = (parse_time(rules["schedule"]["commit_deadline"]) - utc_now()).total_seconds()
        time.sleep(max(left, 0) + 0.2)

        # a proxy that alters one of the two cosignatures of the phase entry: the quorum is
        # not met, so the page sends nothing (though the server says "reveal")
        def forge(method: str, path: str, body: bytes) -> bytes:
            if path != f"/v1/rounds/{rid}/transcript":
                return body
            doc = json.loads(body)
            for e in doc["entries"]:
                if e.get("kind") == "phase":
                    sig = e["cosignatures"][0]["signature"]
                    e["cosignatures"][0]["signature"] = ("0" if sig[0] != "0" else "1") + sig[1:]
            return json.dumps(doc).encode()

        man.rewrite = forge
        page.click("reveal")
        page.wait("document.getElementById('participant-status').dataset.state === 'bad'")
        status = page.text("participant-status")
        assert "not witnessed" in status and "nothing was sent" in status, status
        assert "2 of the named witnesses must cosign, but 1 valid" in status, status
        assert not any(m == "POST" and p.endswith("/reveals") for m, p in man.requests)
        man.rewrite = None

        page.click("reveal")  # the genuine phase entry: revealed
        page.wait("document.getElementById('participant-status').dataset.state === 'ok'")
        transcript = httpx.get(f"{server.url}/v1/rounds/{rid}/transcript").json()
        kinds = [e["kind"] for e in transcript["entries"]]
        assert kinds == ["rules", "commit", "commit", "phase", "reveal"], kinds
        public = page.text("public-key")
        assert transcript["entries"][4]["participant"] == public
        post(server, rid, "reveal", signed_reveal(bob, rid, 8, bob_salt))
        closed = httpx.post(f"{server.url}/v1/rounds/{rid}/close",
                            headers={"authorization": f"Bearer {server.token}"})
        assert closed.status_code == 200, closed.text
    finally:
        man.close()

    # the observer: the witnessed transcript is OK in the page, as in Python
    transcript = httpx.get(f"{server.url}/v1/rounds/{rid}/transcript").json()
    phase = transcript["entries"][3]
    assert verify_transcript(transcript).ok

    def page_verdict(doc: dict[str, Any], name: str) -> tuple[str, str]:
        path = tmp_path / name
        path.write_text(json.dumps(doc))
        page.choose_file("transcript-file", path)
        page.wait(f"document.getElementById('checked-at').textContent.includes({name!r})")
        return page.state("verdict"), page.text("verdict")

    state, verdict = page_verdict(transcript, "witnessed.json")
    assert state == "ok", verdict
    assert page.eval("document.querySelectorAll('#entries tr')[4].cells[4].textContent") == \
        "valid"  # the phase entry's cosignatures

    # (a) one cosignature altered: the quorum of 2 is not met
    forged = json.loads(json.dumps(transcript))
    sig = forged["entries"][3]["cosignatures"][1]["signature"]
    forged["entries"][3]["cosignatures"][1]["signature"] = sig[:-1] + ("0" if sig[-1] != "0"
                                                                       else "1")
    forged = _resigned(server, transcript, forged["entries"])
    state, verdict = page_verdict(forged, "cosignature.json")
    assert verdict.startswith("VIOLATION phase: entry #3 (phase)"), verdict
    assert "does not verify" in verdict
    assert verify_transcript(forged).violations[0].kind == "phase"

    # (b) last look: having read alice's reveal, the operator logs a shill commit after it
    # (its time need not go backwards: the commit comes after the witnessed close)
    shill = generate_key()
    shill_commit, _ = signed_commit(shill, rid, "shill", 9.5)
    entries = [*transcript["entries"][:5],
               {**shill_commit, "received": transcript["entries"][4]["received"]}]
    forged = _resigned(server, transcript, entries)
    state, verdict = page_verdict(forged, "lastlook.json")
    assert verdict.startswith("VIOLATION last_look: entry #5 (commit)"), verdict
    assert "after the commit phase closed at the witnessed head of size 3" in verdict
    assert verify_transcript(forged).violations[0].kind == "last_look"

    # (c) the cosigned prefix rewritten afterwards (bob's commit restamped): every signature
    # still verifies, but the witnesses cosigned another root
    entries = json.loads(json.dumps(transcript["entries"]))
    entries[2]["received"] = entries[1]["received"]
    forged = _resigned(server, transcript, entries)
    state, verdict = page_verdict(forged, "prefix.json")
    assert verdict.startswith("VIOLATION last_look: entry #3 (phase)"), verdict
    assert [v.kind for v in verify_transcript(forged).violations] == ["last_look"]

    # cosignature bytes: the page signs and reads them exactly as hurwicz.credible.witness
    witness = generate_key()
    head = {"round": rid, "size": 3, "root": phase["root"], "time": phase["received"]}
    cos = sign_cosignature(witness, head, phase["received"])
    body = {f: cos[f] for f in ("round", "size", "root", "time")}
    assert page.eval(f"hurwicz.hex(hurwicz.signingBytes('cosignature', {json.dumps(body)}))") \
        == signing_bytes("cosignature", body).hex()
    assert signing_bytes("cosignature", body).startswith(b"hurwicz/1 cosignature\n")
    js_signature = page.eval(f"hurwicz.importSeed({json.dumps(private_hex(witness))})"
                             f".then((k) => hurwicz.sign(k, 'cosignature', {json.dumps(body)}))")
    assert js_signature == cos["signature"]  # Ed25519 is deterministic
    assert page.eval(f"hurwicz.cosignatureProblems({json.dumps(cos)}, {json.dumps(rid)}, 3, "
                     f"{json.dumps(phase['root'])})") == []
    bad = {**cos, "time": transcript["entries"][5]["received"]}  # signed for another time
    assert page.eval(f"hurwicz.cosignatureProblems({json.dumps(bad)}, {json.dumps(rid)}, 3, "
                     f"{json.dumps(phase['root'])})") == \
        cosignature_problems(bad, rid, 3, phase["root"])


def test_chromium_version_is_new_enough_for_webcrypto_ed25519(chromium) -> None:
    major = int(re.search(r"/(\d+)\.", chromium.version)[1])
    assert major >= 137, chromium.version  # Ed25519 in WebCrypto without a flag


if __name__ == "__main__":  # pragma: no cover - print the Chromium version
    exe = chromium_executable()
    with tempfile.TemporaryDirectory() as profile:
        browser = Chromium(exe, profile) if exe else None
        print(browser.version if browser else HINT)
        if browser:
            browser.close()
