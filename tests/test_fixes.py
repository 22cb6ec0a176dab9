"""celldose check --fix / --unsafe-fixes / --diff: safe and unsafe fixes of YAML totals."""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from celldose.api import check_text
from celldose.fixes import apply, plan
from conftest import run_cli

MISSING = (
    "protocol: Knee  # the knee\n"
    "administrations:\n"
    "  # the injection\n"
    "  - route: intra-articular\n"
    "    dose: 50,000,000   # per injection\n"
    "    days: 2\n"
    "\n"
    "  - route: Myers cocktail/NAD\n"
    "    days: 1\n"
    "    total: N/A\n"
)
MISSING_FIXED = MISSING.replace("    days: 2\n", "    days: 2\n    total: 100,000,000\n", 1)
WRONG = (
    "protocol: Knee\n"
    "administrations:\n"
    "  - route: intra-articular\n"
    "    dose: 50,000,000\n"
    "    days: 2\n"
    "    total: '50,000,000'  # copied\n"
)
WRONG_FIXED = WRONG.replace("'50,000,000'", "'100,000,000'")


def _write(tmp_path: Path, name: str, text: str, *, newline: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def test_fix_fills_a_missing_total_keeping_comments(tmp_path: Path) -> None:
    path = _write(tmp_path, "knee.yaml", MISSING)
    result = run_cli("check", "--fix", "knee.yaml", cwd=tmp_path)
    assert path.read_bytes() == MISSING_FIXED.encode()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "CD303" not in result.stdout  # the report is the re-check of the fixed file
    assert "Fixed 1 finding." in result.stderr


def test_fix_keeps_crlf_line_endings(tmp_path: Path) -> None:
    path = _write(tmp_path, "knee.yaml", MISSING, newline="\r\n")
    result = run_cli("check", "--fix", "knee.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert path.read_bytes() == MISSING_FIXED.replace("\n", "\r\n").encode()


def test_unsafe_fix_needs_unsafe_fixes(tmp_path: Path) -> None:
    path = _write(tmp_path, "knee.yaml", WRONG)
    result = run_cli("check", "--fix", "knee.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert path.read_bytes() == WRONG.encode()
    assert "CD301" in result.stdout
    assert "Fixed 0 findings. 1 more with --unsafe-fixes." in result.stderr

    result = run_cli("check", "--fix", "--unsafe-fixes", "knee.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert path.read_bytes() == WRONG_FIXED.encode()
    assert "Fixed 1 finding (1 unsafe)." in result.stderr


def test_diff_shows_the_fix_and_writes_nothing(tmp_path: Path) -> None:
    missing = _write(tmp_path, "a.yaml", MISSING)
    wrong = _write(tmp_path, "b.yaml", WRONG)
    result = run_cli("check", "--diff", "a.yaml", "b.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == (
        "--- a/a.yaml\n+++ b/a.yaml\n@@ -4,6 +4,7 @@\n"
        "   - route: intra-articular\n"
        "     dose: 50,000,000   # per injection\n"
        "     days: 2\n"
        "+    total: 100,000,000\n"
        " \n"
        "   - route: Myers cocktail/NAD\n"
        "     days: 1\n"
    )
    result = run_cli("check", "--diff", "--unsafe-fixes", "b.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert "-    total: '50,000,000'  # copied\n+    total: '100,000,000'  # copied\n" in (
        result.stdout
    )
    assert missing.read_bytes() == MISSING.encode()
    assert wrong.read_bytes() == WRONG.encode()
    result = run_cli("check", "--diff", "b.yaml", cwd=tmp_path)  # only an unsafe fix
    assert (result.returncode, result.stdout) == (0, "")


def test_diff_of_standard_input_and_fix_refused(tmp_path: Path) -> None:
    result = run_cli("check", "-", "--diff", "--stdin-filename", "k.yaml", stdin=MISSING)
    assert result.returncode == 1
    assert result.stdout.startswith("--- a/k.yaml\n+++ b/k.yaml\n")
    assert "+    total: 100,000,000\n" in result.stdout
    result = run_cli("check", "-", "--fix", stdin=MISSING, cwd=tmp_path)
    assert result.returncode == 2
    assert "--fix" in result.stderr


def test_unparseable_file_is_never_written(tmp_path: Path) -> None:
    text = MISSING + "    days: 3\n"  # a duplicate key (CD0xx): a value is lost
    path = _write(tmp_path, "knee.yaml", text)
    result = run_cli("check", "--fix", "--unsafe-fixes", "knee.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert path.read_bytes() == text.encode()
    broken = _write(tmp_path, "broken.yaml", MISSING + "  - [unclosed\n")
    run_cli("check", "--fix", "broken.yaml", cwd=tmp_path)
    assert broken.read_bytes() == (MISSING + "  - [unclosed\n").encode()


def test_fix_keeps_the_file_mode(tmp_path: Path) -> None:
    path = _write(tmp_path, "knee.yaml", MISSING)
    path.chmod(0o640)
    run_cli("check", "--fix", "knee.yaml", cwd=tmp_path)
    assert path.read_bytes() == MISSING_FIXED.encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_flow_style_row_is_left_alone(tmp_path: Path) -> None:
    text = (
        "protocol: Knee\nadministrations:\n"
        '  - {route: intra-articular, dose: "50,000,000", days: 2}\n'
        '  - {route: IV, dose: "50,000,000", days: 2, total: "50,000,000"}\n'
    )
    path = _write(tmp_path, "knee.yaml", text)
    result = run_cli("check", "--fix", "--unsafe-fixes", "knee.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert path.read_bytes() == text.encode()
    assert "CD303" in result.stdout
    assert "CD301" in result.stdout


def test_bom_is_kept_and_utf16_is_not_fixed(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(codecs.BOM_UTF8 + MISSING.encode())
    assert run_cli("check", "--fix", "bom.yaml", cwd=tmp_path).returncode == 0
    assert path.read_bytes() == codecs.BOM_UTF8 + MISSING_FIXED.encode()
    wide = tmp_path / "wide.yaml"
    wide.write_bytes(MISSING.encode("utf-16"))
    assert run_cli("check", "--fix", "wide.yaml", cwd=tmp_path).returncode == 1
    assert wide.read_bytes() == MISSING.encode("utf-16")


def test_sheets_are_not_fixed(tmp_path: Path) -> None:
    text = 'Route,Dose,Days,Total\nIntradiscal,"50,000,000",2,\n'
    path = _write(tmp_path, "knee.csv", text)
    result = run_cli("check", "--fix", "--unsafe-fixes", "knee.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert path.read_bytes() == text.encode()


# The property: generated files, fixed in process, equal the original with the expected edit.

_COMMENT = st.sampled_from(["", "  # note", "   # dose x days?", " #"])
_DOSES = st.sampled_from([1_000_000, 25_000_000, 50_000_000, 120_000_000])


@st.composite
def _protocol(draw: st.DrawFn) -> tuple[str, str, str]:
    """(original, after --fix, after --fix --unsafe-fixes), each expected edit computed here."""
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    width = draw(st.sampled_from([2, 4]))
    pad = " " * width
    key = pad + "  "  # the keys of a row sit after "- "
    original: list[str] = [f"protocol: Knee{draw(_COMMENT)}", "administrations:"]
    safe, unsafe = list(original), list(original)
    for _ in range(draw(st.integers(1, 4))):
        dose, days = draw(_DOSES), draw(st.integers(1, 5))
        quote = draw(st.sampled_from(["", "'", '"']))
        grouped = draw(st.booleans())
        spell = f"{dose:,}" if grouped else str(dose)
        lines = [f"{pad}- route: intra-articular{draw(_COMMENT)}"]
        lines.append(f"{key}dose: {quote}{spell}{quote}{draw(_COMMENT)}")
        if draw(st.booleans()):
            lines.append(f"{pad}{draw(_COMMENT).strip() or '#'} a comment line")
        lines.append(f"{key}days: {days}{draw(_COMMENT)}")
        kind = draw(st.sampled_from(["missing", "right", "wrong"]))
        right, good = list(lines), list(lines)
        if kind == "missing":
            good = right = [*lines, f"{key}total: {dose * days:,}"]
        else:
            written = dose * days if kind == "right" else dose * (days + 1)
            tq = draw(st.sampled_from(["", "'", '"']))
            comment = draw(_COMMENT)
            text = f"{written:,}" if grouped else str(written)
            lines.append(f"{key}total: {tq}{text}{tq}{comment}")
            right = list(lines)
            fixed = f"{dose * days:,}" if grouped else str(dose * days)
            good = [*lines[:-1], f"{key}total: {tq}{fixed}{tq}{comment}"]
        blank = [""] if draw(st.booleans()) else []
        original += [*lines, *blank]
        safe += [*right, *blank]
        unsafe += [*good, *blank]
    return tuple(eol.join(part) + eol for part in (original, safe, unsafe))  # type: ignore[return-value]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_protocol())
def test_fix_changes_only_the_expected_characters(case: tuple[str, str, str]) -> None:
    original, expected_safe, expected_unsafe = case
    report = check_text(original, "p.yaml")
    edits = plan(original, report.diagnostics)
    assert apply(original, [e for e in edits if not e.unsafe]) == expected_safe
    assert apply(original, edits) == expected_unsafe
    after = check_text(expected_unsafe, "p.yaml")
    assert not [d for d in after.diagnostics if d.code in ("CD301", "CD303")]
    safe_after = check_text(expected_safe, "p.yaml")
    assert not [d for d in safe_after.diagnostics if d.code == "CD303"]


def test_fix_property_example_through_the_cli(tmp_path: Path) -> None:
    original = (
        "protocol: Knee  # note\r\nadministrations:\r\n"
        "    - route: intra-articular\r\n"
        '      dose: "25000000"  # note\r\n'
        "      # a comment line\r\n"
        "      days: 3\r\n\r\n"
        "    - route: intra-articular\r\n"
        "      dose: 1000000\r\n"
        "      days: 2\r\n"
        "      total: 3000000 #\r\n"
    )
    path = _write(tmp_path, "p.yaml", original, newline="\n")
    result = run_cli("check", "--fix", "--unsafe-fixes", "p.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    expected = original.replace("days: 3\r\n", "days: 3\r\n      total: 75,000,000\r\n")
    expected = expected.replace("total: 3000000 #", "total: 2000000 #")
    assert path.read_bytes() == expected.encode()
    assert "Fixed 2 findings (1 unsafe)." in result.stderr
