"""``celldose serve`` over plain HTTP: the locks (token, Host, Origin), the bounds (413, 400),
the headers, and a clinic's round trip: upload a sheet, see the report, download the result."""

from __future__ import annotations

import base64
import html
import io
import json
import re
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from celldose.cli import main
from celldose.serve import Server, address_of
from celldose.sources.text import MAX_BYTES
from serving import Answer, form, port_of, post, request, running
from test_hostile_input import billion_laughs
from test_xlsx_reader import bomb
from test_xlsx_sheets import HEADER, workbook

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "001_d151a2e68ff4a36b.txt"
NO_TOTAL_CSV = (
    b"Route of Administration,Dose,Time (Days),Total Cells\nIntra-articular/per side,50000000,2,\n"
)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running() as started:
        yield started


def wrong_total_xlsx(tmp_path: Path) -> bytes:
    rows = [HEADER, ["Intra-articular/per side", "50,000,000", 1, "150,000,000"]]
    return workbook(tmp_path / "knee.xlsx", ("Protocol", rows)).read_bytes()


def hidden(answer: Answer, name: str) -> str:
    found = re.search(f'name="{name}" value="([^"]*)"', answer.text)
    assert found is not None, f"no hidden field {name!r}"
    return found.group(1)


# --- the locks ---------------------------------------------------------------------------------


def test_a_request_without_the_token_is_refused(server: Server) -> None:
    answer = request(server, "GET", "/", token=False)
    assert answer.status == 403
    assert "Open the address celldose serve printed" in answer.text
    assert request(server, "GET", "/?token=wrong", token=False).status == 403
    wrong_cookie = {"Cookie": f"{server.guard.cookie_name}=wrong"}
    assert request(server, "GET", "/", headers=wrong_cookie, token=False).status == 403


def test_the_printed_address_sets_the_cookie_and_drops_the_token(server: Server) -> None:
    path = address_of(server).split(str(port_of(server)), 1)[1]
    answer = request(server, "GET", path, token=False)
    assert answer.status == 303
    assert answer.headers["Location"] == "/"
    cookie = answer.headers["Set-Cookie"]
    assert f"celldose-token-{port_of(server)}={server.guard.token}" in cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = request(server, "GET", "/", headers={"Cookie": cookie.split(";")[0]}, token=False)
    assert page.status == 200
    assert "Drop your sheet here" in page.text


@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1:1", "localhost", None])
def test_a_foreign_host_header_is_refused(server: Server, host: str | None) -> None:
    """DNS rebinding: a foreign name resolved to 127.0.0.1 still says its own name."""
    headers = {"Host": host.format(port=port_of(server))} if host else {"Host": ""}
    answer = request(server, "GET", "/", headers=headers)
    assert answer.status == 421
    assert "answers only at the address" in answer.text


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST"])
def test_loopback_names_are_accepted(server: Server, host: str) -> None:
    answer = request(server, "GET", "/", headers={"Host": f"{host}:{port_of(server)}"})
    assert answer.status == 200


def test_a_post_from_another_site_is_refused(server: Server) -> None:
    body, headers = form(("pasted", None, b"protocol: x\n"))
    for origin in ("https://evil.example", "null", f"http://localhost:{port_of(server)}"):
        answer = request(server, "POST", "/check", body, {**headers, "Origin": origin})
        assert answer.status == 403, origin
        assert "another web site" in answer.text
    cross_site = {"Origin": "null", "Sec-Fetch-Site": "cross-site"}
    assert request(server, "POST", "/check", body, {**headers, **cross_site}).status == 403
    own = f"http://127.0.0.1:{port_of(server)}"
    assert request(server, "POST", "/check", body, {**headers, "Origin": own}).status == 200
    # the page's own form under Referrer-Policy: no-referrer, as Chromium sends it
    same = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    assert request(server, "POST", "/check", body, {**headers, **same}).status == 200
    spoofed = {"Origin": "https://evil.example", "Sec-Fetch-Site": "same-origin"}
    assert request(server, "POST", "/check", body, {**headers, **spoofed}).status == 403


def test_every_answer_carries_the_security_headers(server: Server) -> None:
    for answer in (request(server, "GET", "/"), request(server, "GET", "/", token=False)):
        policy = answer.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "http" not in policy  # nothing from anywhere else
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
        assert answer.headers["X-Frame-Options"] == "DENY"


def test_the_page_loads_nothing_from_elsewhere(server: Server) -> None:
    page = request(server, "GET", "/").text
    assert re.findall(r'(?:src|href)="([^"]*)"', page) == ["/static/drop.js"]
    script = request(server, "GET", "/static/drop.js")
    assert script.status == 200
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert request(server, "GET", "/static/drop.js", token=False).status == 403


# --- the bounds --------------------------------------------------------------------------------


def test_an_oversized_body_gets_413_with_a_message(server: Server) -> None:
    body, headers = form(("file", "big.csv", b"x" * (MAX_BYTES * 2)))
    answer = request(server, "POST", "/check", body, headers)
    assert answer.status == 413
    assert "larger than 10 MB" in answer.text


def test_an_oversized_file_in_a_body_within_bounds_gets_413(server: Server) -> None:
    answer = post(server, "/check", ("file", "big.csv", b"x" * (MAX_BYTES + 1)))
    assert answer.status == 413
    assert "larger than 10 MB" in answer.text
    assert "Drop your sheet here" in answer.text  # the form again, to try another


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"not a form", "multipart/form-data; boundary=b"),
        (
            b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\nno end',
            "multipart/form-data; boundary=b",
        ),
        (b"--b\r\nno headers end--b--\r\n", "multipart/form-data; boundary=b"),
        (b"--b\r\n\r\n\r\n--b--\r\n", "multipart/form-data; boundary=b"),
        (b"a=b", "application/x-www-form-urlencoded"),
        (b"--b--\r\n", "multipart/form-data"),
        (b"\xff" * 100, "multipart/form-data; boundary=\xff"),
    ],
)
def test_a_malformed_form_gets_400_not_a_traceback(
    server: Server, body: bytes, content_type: str
) -> None:
    answer = request(server, "POST", "/check", body, {"Content-Type": content_type})
    assert answer.status == 400
    assert "Traceback" not in answer.text
    assert "Not understood" in answer.text


def test_an_empty_form_asks_for_a_sheet(server: Server) -> None:
    answer = post(server, "/check", ("file", "", b""), ("pasted", None, b"  \r\n"))
    assert answer.status == 400
    assert "Choose a file, drop one here, or paste a table" in answer.text
    empty_file = post(server, "/check", ("file", "empty.csv", b""))
    assert empty_file.status == 200  # an empty file is checked, as the CLI checks it
    assert "CD006" in empty_file.text


# --- a clinic's round trip ---------------------------------------------------------------------


def test_an_uploaded_workbook_with_a_wrong_total_shows_the_cell_and_cd301(
    server: Server, tmp_path: Path
) -> None:
    raw = wrong_total_xlsx(tmp_path)  # saved once: a workbook holds the time it was saved
    answer = post(server, "/check", ("file", "knee.xlsx", raw))
    assert answer.status == 200
    page = answer.text
    cell = re.search(r'<td class="total problem sev-error"[^>]* title="([^"]*)"', page)
    assert cell is not None, "no highlighted total cell"
    assert "CD301" in cell.group(1)
    assert "knee.xlsx" in page and "CD301" in page
    assert "Checked 1 file: 1 error" in page
    assert "Take the result away" in page
    assert "@media print" in page  # the paper copy leaves the form out
    assert "cannot write corrections into an XLSX file" in page  # said, not offered
    assert 'value="fixed"' not in page
    assert base64.b64decode(hidden(answer, "data")) == raw  # it travels with the page


def test_the_corrected_sheet_downloads_fixed(server: Server, tmp_path: Path) -> None:
    checked = post(server, "/check", ("file", "knee.csv", NO_TOTAL_CSV))
    assert "Download the corrected sheet" in checked.text
    fields = (
        ("name", None, hidden(checked, "name").encode()),
        ("data", None, hidden(checked, "data").encode()),
        ("as", None, b"fixed"),
    )
    answer = post(server, "/download", *fields)
    assert answer.status == 200
    assert 'filename="knee.csv"' in answer.headers["Content-Disposition"]
    assert answer.body == NO_TOTAL_CSV.replace(b"2,\n", b"2,100000000\n")
    fixed = tmp_path / "knee.csv"
    fixed.write_bytes(answer.body)
    assert main(["check", str(fixed)]) == 0  # fixed: it checks clean


def test_the_sheet_downloads_converted(server: Server, tmp_path: Path) -> None:
    raw = wrong_total_xlsx(tmp_path)
    data = base64.b64encode(raw)
    yaml_answer = post(
        server,
        "/download",
        ("name", None, b"knee.xlsx"),
        ("data", None, data),
        ("as", None, b"yaml"),
    )
    assert yaml_answer.status == 200
    assert 'filename="knee.yaml"' in yaml_answer.headers["Content-Disposition"]
    assert b"total: 150,000,000" in yaml_answer.body
    csv_data = base64.b64encode(NO_TOTAL_CSV.replace(b"2,\n", b"2,100000000\n"))
    xlsx = post(
        server,
        "/download",
        ("name", None, b"knee.csv"),
        ("data", None, csv_data),
        ("as", None, b"xlsx"),
    )
    assert 'filename="knee.xlsx"' in xlsx.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.body)).active
    assert sheet is not None
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["Intra-articular/per side", 50000000, 2, 100000000] in rows
    fhir = post(
        server,
        "/download",
        ("name", None, b"knee.csv"),
        ("data", None, csv_data),
        ("as", None, b"fhir"),
    )
    assert fhir.status == 200 and b'"PlanDefinition"' in fhir.body
    refused = post(
        server,
        "/download",
        ("name", None, b"knee.xlsx"),
        ("data", None, data),
        ("as", None, b"fhir"),
    )
    assert refused.status == 422
    assert "cannot be converted" in refused.text


def test_pasted_text_is_checked_as_pasted_txt_and_kept_in_its_box(server: Server) -> None:
    pasted = b"\nprotocol: <Knee>\nadministrations: []\n"
    answer = post(server, "/check", ("pasted", None, pasted))
    assert answer.status == 200
    assert "<code>pasted.txt</code>" in answer.text
    box = re.search(
        r'<textarea id="pasted" name="pasted" rows="6">\n(.*?)</textarea>', answer.text, re.S
    )
    assert box is not None and html.unescape(box.group(1)) == pasted.decode()


def test_the_seeds_pasted_text_gives_its_two_recovered_rows(server: Server) -> None:
    """The web page copied as text, columns run together: read as the CLI reads it."""
    answer = post(server, "/check", ("pasted", None, SEED.read_bytes()))
    assert answer.status == 200
    routes = re.findall(
        r'<tr id="file-1-protocol-1-row-\d+">.*?<td class="route">([^<]*)<', answer.text
    )
    assert routes == ["Myers cocktail/NAD", "Intra-articular/per side"]
    messages = re.findall(r'<span class="message">([^<]*)</span>', answer.text)
    assert [m for m in messages if m.startswith("columns ran together")] == [
        "columns ran together; read as route &#x27;Myers cocktail/NAD&#x27; | dose 50,000,000 "
        "| days 1 | total N/A",
        "columns ran together; read as route &#x27;Intra-articular/per side&#x27; | dose "
        "50,000,000 | days 1 | total 50,000,000",
    ]
    assert "Checked 1 file: 3 info." in answer.text


def hostile_files(tmp_path: Path) -> list[tuple[str, bytes]]:
    return [
        ("broken.yaml", b"protocol: [unclosed\n\x00\xff"),
        ("laughs.yaml", billion_laughs().encode()),
        ("deep.yaml", b"[" * 30_000),
        ("tag.yaml", b"protocol: !!python/object/apply:os.system ['echo pwned']\n"),
        ("latin1.csv", "Route,Dose,Days,Total\nIV,5\xa0000,1,5\n".encode("latin-1")),
        ("bomb.xlsx", bomb(tmp_path / "bomb.xlsx", 100).read_bytes()),
        ("notazip.xlsx", b"PK\x03\x04 not really a zip"),
    ]


def test_hostile_uploads_get_the_clis_diagnostics(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the CLI survives, the server survives, and answers with the same findings."""
    for name, hostile in hostile_files(tmp_path):
        answer = post(server, "/check", ("file", name, hostile))
        assert answer.status == 200, name
        path = tmp_path / name
        path.write_bytes(hostile)
        shown = re.findall(
            r'class="code"[^>]*>(CD\d+)<.*?<span class="message">([^<]*)</span>', answer.text
        )
        assert shown, name
        assert main(["check", str(path), "--format", "json"]) == 1
        found = json.loads(capsys.readouterr().out)["diagnostics"]
        assert [(code, html.unescape(message)) for code, message in shown] == [
            (d["code"], d["message"]) for d in found
        ], name
    assert request(server, "GET", "/").status == 200  # still serving


def test_concurrent_checks_from_several_tabs(server: Server, tmp_path: Path) -> None:
    raw = wrong_total_xlsx(tmp_path)
    answers: list[Answer] = []
    lock = threading.Lock()

    def one() -> None:
        answer = post(server, "/check", ("file", "knee.xlsx", raw))
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(answers) == 8
    assert all(a.status == 200 and "CD301" in a.text for a in answers)


def test_http_servers_own_refusals_carry_the_headers(server: Server) -> None:
    answer = request(server, "PUT", "/")
    assert answer.status == 501
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=30) as raw:
        raw.sendall(b"GARBAGE\r\n\r\n")
        reply = raw.recv(65536)
    # an HTTP/0.9-style line gets no status line, as http.server answers it; our words, though
    assert b"Bad request syntax" in reply and b"Error response" not in reply
    too_long = b"GET / HTTP/1.1\r\nX: " + b"x" * 70_000 + b"\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=30) as raw:
        raw.sendall(too_long)
        reply = raw.recv(65536)
    assert reply.startswith(b"HTTP/1.0 431") and b"Content-Security-Policy" in reply


def test_an_unknown_page_is_404(server: Server) -> None:
    assert request(server, "GET", "/etc/passwd").status == 404
    assert post(server, "/elsewhere", ("pasted", None, b"x")).status == 404


# --- the command -------------------------------------------------------------------------------


def stop_at_once(self: Server) -> None:
    raise KeyboardInterrupt


def test_serve_prints_its_address_with_the_token_on_a_line_of_its_own(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(Server, "serve_forever", stop_at_once)
    assert main(["serve"]) == 0
    out, err = capsys.readouterr()
    addresses = [line for line in out.splitlines() if line.startswith("http")]
    assert len(addresses) == 1
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]{32}", addresses[0])
    assert err == ""  # loopback: no warning


def test_serve_on_another_host_warns_and_opens_the_browser_when_asked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(Server, "serve_forever", stop_at_once)
    opened = threading.Event()
    seen: list[str] = []

    def fake_open(url: str) -> bool:
        seen.append(url)
        opened.set()
        return True

    monkeypatch.setattr("webbrowser.open", fake_open)
    assert main(["serve", "--host", "0.0.0.0", "--port", "0", "--open"]) == 0  # noqa: S104
    out, err = capsys.readouterr()
    assert "warning: listening on 0.0.0.0" in err and "anyone on the" in err
    assert opened.wait(10)
    assert seen[0] in out.splitlines()  # the printed address, opened on loopback
    assert seen[0].startswith("http://127.0.0.1:")


def test_serve_with_a_bad_port_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--port", "70000"])
    assert exited.value.code == 2
    assert "expected a port number" in capsys.readouterr().err
    with running() as busy:
        assert main(["serve", "--port", str(port_of(busy))]) == 2
    assert "cannot listen on 127.0.0.1" in capsys.readouterr().err


def test_the_command_serves_the_page(tmp_path: Path) -> None:
    """One process smoke test: the installed command, its printed address, the page."""
    process = subprocess.Popen(
        [sys.executable, "-m", "celldose", "serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(2)]
        address = lines[1].strip()
        assert address.startswith("http://127.0.0.1:"), lines
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with browser.open(address, timeout=60) as page:
            text = page.read().decode("utf-8")
            assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert "Drop your sheet here" in text  # followed the redirect with the cookie
    finally:
        process.terminate()
        process.wait(30)
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        process.stderr.close()
