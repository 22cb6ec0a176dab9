"""A Markdown table inside an HTML comment is not shown, so it is not checked (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from celldose.cli import main

GOOD = (
    "| Route | Dose | Days | Total |\n|---|---|---|---|\n"
    "| Intra-articular | 10,000,000 | 2 | 20,000,000 |\n"
)
WRONG = (
    "| Route | Dose | Days | Total |\n|---|---|---|---|\n"
    "| Intra-articular | 10,000,000 | 2 | 99,000,000 |\n"
)


def _check(tmp_path: Path, capsys: pytest.CaptureFixture[str], page: str) -> tuple[int, str]:
    path = tmp_path / "knee.md"
    path.write_text(page, encoding="utf-8")
    status = main(["check", str(path)])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


@pytest.mark.parametrize(
    "page",
    [
        f"# Knee\n\n<!--\n{WRONG}-->\n\n{GOOD}",  # a comment over several lines
        f"# Knee\n\n<!-- an old draft:\n\n{WRONG}\nkept for the record -->\n{GOOD}",
        f"# Knee\n\n{GOOD}\n<!-- {WRONG}",  # an unclosed comment runs to the end
        f"# Knee\n\n<!-- old --> <!--\n{WRONG}--> \n\n{GOOD}",  # two comments on one line
    ],
    ids=["multi-line", "with-prose", "unclosed", "two-on-a-line"],
)
def test_a_table_inside_a_comment_is_not_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], page: str
) -> None:
    status, out = _check(tmp_path, capsys, page)
    assert status == 0, out
    assert "99,000,000" not in out and "CD301" not in out


def test_a_table_after_a_closed_comment_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = _check(tmp_path, capsys, f"# Knee\n\n<!-- a note -->\n\n{WRONG}")
    assert status == 1 and "CD301" in out
    assert ":7:" in out or "line 7" in out or "knee.md:7" in out, out  # lines still count


def test_a_comment_inside_a_code_fence_is_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = _check(tmp_path, capsys, f"# Knee\n\n```\n<!--\n```\n\n{WRONG}")
    assert status == 1 and "CD301" in out
