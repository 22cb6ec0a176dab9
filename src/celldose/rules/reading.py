"""Codes for files that cannot be read as a protocol (CD0xx). Emitted by sources."""

from celldose.diagnostics import Severity
from celldose.rules.base import Rule, Workbook

_GOOD = (
    "protocol: Knee\nadministrations:\n  - route: intra-articular\n    dose: 10 million\n"
    "    days: 1\n    total: 10 million\n"
)

UNREADABLE_FILE = Rule(
    code="CD001",
    name="unreadable-file",
    severity=Severity.ERROR,
    summary="The file cannot be read as text.",
    explanation=(
        "celldose reads UTF-8 (with or without a byte-order mark) and UTF-16/32 with a "
        "byte-order mark. A file with a NUL byte is binary; a byte that is not UTF-8 is "
        "reported at its line and column instead of being replaced by a guess."
    ),
    fix="Save the file as UTF-8 text.",
    bad=b"protocol: Caf\xe9 knee\n" + _GOOD.removeprefix("protocol: Knee\n").encode(),
    good="protocol: Caf\u00e9 knee\n" + _GOOD.removeprefix("protocol: Knee\n"),
)

YAML_SYNTAX = Rule(
    code="CD002",
    name="yaml-syntax",
    severity=Severity.ERROR,
    summary="The file is not valid YAML.",
    explanation=(
        "The YAML parser stopped at the reported position. Nothing else in the file is "
        "checked until it parses. Tabs cannot indent YAML."
    ),
    fix="Correct the YAML at the reported position.",
    bad="protocol: Knee\nadministrations:\n  - route: [intra-articular\n",
    good=(
        "protocol: Knee\nadministrations:\n  - route: intra-articular\n    dose: 10 million\n"
        "    days: 1\n    total: 10 million\n"
    ),
)

YAML_UNSUPPORTED = Rule(
    code="CD003",
    name="yaml-unsupported",
    severity=Severity.ERROR,
    summary="A YAML feature protocols may not use: aliases, tags, complex keys, several documents.",
    explanation=(
        "Every value of a protocol is checked where it is written, so aliases (*name) are "
        "refused: they hide where a number came from, and alias bombs make loaders explode. "
        "Custom tags (!!python/object) are refused because celldose reads values as written. "
        "A file holds one protocol, so one YAML document."
    ),
    fix="Write the value out in place; put each protocol in its own file.",
    bad=(
        "protocol: Knee\nadministrations:\n  - route: &r intra-articular\n    dose: 10 million\n"
        "    days: 1\n    total: 10 million\n    notes: *r\n"
    ),
    good=(
        "protocol: Knee\nadministrations:\n  - route: intra-articular\n    dose: 10 million\n"
        "    days: 1\n    total: 10 million\n"
    ),
)

INPUT_LIMIT = Rule(
    code="CD004",
    name="input-limit",
    severity=Severity.ERROR,
    summary="The file exceeds a safety limit (size, nesting depth or number of values).",
    explanation=(
        "celldose refuses files larger than 10 MiB, nested deeper than 64 levels, or holding "
        "more than 200,000 YAML values, before composing them; in a sheet it reads at most 64 "
        "columns, and a workbook may inflate to at most 64 MiB of XML; tables nest at most 16 "
        "deep in a web page. These bounds keep a "
        "hostile file from crashing or exhausting the checker; a real protocol is far below "
        "each."
    ),
    fix="Check that this is the file you meant; split a very large file.",
    bad=_GOOD + "notes: " + "[" * 65 + "]" * 65 + "\n",
    good=_GOOD,
)

DUPLICATE_KEY = Rule(
    code="CD005",
    name="duplicate-key",
    severity=Severity.ERROR,
    summary="A key appears twice in one mapping.",
    explanation=(
        "YAML loaders keep one of the two values without a word (PyYAML keeps the last), so "
        "one of the two numbers is lost. celldose reports the second key and checks the first "
        "value."
    ),
    fix="Remove one of the two entries.",
    bad=(
        "protocol: Knee\nadministrations:\n  - route: intra-articular\n    dose: 10 million\n"
        "    days: 1\n    total: 10 million\n    total: 20 million\n"
    ),
    good=(
        "protocol: Knee\nadministrations:\n  - route: intra-articular\n    dose: 10 million\n"
        "    days: 1\n    total: 10 million\n"
    ),
)

NOT_A_PROTOCOL = Rule(
    code="CD006",
    name="not-a-protocol",
    severity=Severity.ERROR,
    summary="The file is empty or its top level is not a mapping of protocol fields.",
    explanation=(
        "A protocol file is a YAML mapping with at least `protocol` and `administrations`. "
        "An empty file, a list or a lone value at the top level is not a protocol. A sheet "
        "(CSV, XLSX worksheet, Markdown file named on the command line) must have a header row "
        "with a route column within its first 50 rows."
    ),
    fix="Start the file with `protocol: NAME` and an `administrations:` list.",
    bad="- route: intra-articular\n  dose: 10 million\n",
    good=(
        "protocol: Knee\nadministrations:\n  - route: intra-articular\n    dose: 10 million\n"
        "    days: 1\n    total: 10 million\n"
    ),
)

SHEET_SYNTAX = Rule(
    code="CD007",
    name="sheet-syntax",
    severity=Severity.ERROR,
    summary="A CSV file or workbook cannot be parsed from the reported position.",
    explanation=(
        "A CSV quote that is opened and never closed would swallow every later row into one "
        "cell, so celldose stops there instead (the csv module's strict mode). A workbook that "
        "is not a valid XLSX archive, declares XML entities, or would inflate past its safety "
        "limit is refused before anything in it is read."
    ),
    fix="Close the quote, or save the workbook again from a spreadsheet program.",
    bad='Route,Dose,Days,Total\nintra-articular,10 million,1,"10 million\n',
    good='Route,Dose,Days,Total\nintra-articular,10 million,1,"10 million"\n',
    example_suffix=".csv",
)

UNREADABLE_CELL = Rule(
    code="CD008",
    name="unreadable-cell",
    severity=Severity.ERROR,
    summary="A workbook cell holds no number celldose can read as written.",
    explanation=(
        "What a spreadsheet shows and what its file stores can differ. A formula saved by a "
        "program that does not calculate has no value in the file; a merged cell stores its "
        "value only in its first cell; a number formatted as a date is shown as a date; an "
        "error value (#DIV/0!, #REF!) is no number. celldose reports each such cell instead of "
        "reading it as empty or as a wrong number. A formula with a saved value is read by "
        "that value, and messages about it say that it is a formula. In a web page's or Word "
        "document's table, a position covered by a cell spanning rows or columns, and a cell "
        "holding a table of its own, are reported the same way: never shifted, never copied."
    ),
    fix="Type the value into the cell, or save the workbook from a program that calculates.",
    bad=Workbook(
        "Knee",
        (("Route", "Dose", "Days", "Total"), ("intra-articular", 10_000_000, 2, "=B2*C2")),
    ),
    good=Workbook(
        "Knee",
        (("Route", "Dose", "Days", "Total"), ("intra-articular", 10_000_000, 2, 20_000_000)),
    ),
    example_suffix=".xlsx",
)

UNUSED_SUPPRESSION = Rule(
    code="CD009",
    name="unused-suppression",
    severity=Severity.WARNING,
    summary="A `celldose: ignore[...]` suppression that suppresses nothing.",
    explanation=(
        "A YAML comment `# celldose: ignore[CD301] reason` suppresses the named codes on its "
        "line, and a sheet's Notes cell `celldose: ignore[CD301] reason` on its row. When no "
        "such finding is reported there (the value was corrected, the finding moved to another "
        "line, or the code is misspelt), the suppression is reported, so that it cannot hide a "
        "later finding nobody has looked at. Suppressions are read by `celldose check`, not by "
        "`celldose.check()`."
    ),
    fix="Remove the suppression, or the codes in it that suppress nothing.",
    bad=_GOOD.replace("total: 10 million", "total: 10 million  # celldose: ignore[CD301] as given"),
    good=_GOOD.replace(
        "total: 10 million", "total: 20 million  # celldose: ignore[CD301] as the trial gave it"
    ),
)

HIDDEN_CONTENT = Rule(
    code="CD010",
    name="hidden-content",
    severity=Severity.WARNING,
    summary="A workbook row or sheet that a spreadsheet hides holds protocol data celldose reads.",
    explanation=(
        "A spreadsheet program does not show a hidden row, a hidden sheet, or a very hidden "
        "sheet (one only a macro or the file's XML can show), but the file stores them and "
        "celldose reads them like any other: a hidden administration row is checked and its "
        "cells count toward the totals, and a hidden Total cells row states the protocol's "
        "total. So a workbook whose visible rows add up to 50 million cells can carry a hidden "
        "row of another 50 million and agree with a total of 100 million that nobody looking "
        "at it would believe. celldose warns at the first cell of each hidden row it reads "
        "(the header, a protocol field above the table, or an administration) and of each "
        "hidden sheet it reads as a protocol, and every other message about a cell there says "
        "that it is hidden. Hidden columns are not detected."
    ),
    fix="Unhide the row or sheet, or delete it if it is not part of the protocol.",
    bad=Workbook(
        "Knee",
        (
            ("Total cells", 100_000_000),
            ("Route", "Dose", "Days", "Total"),
            ("intra-articular", 50_000_000, 1, 50_000_000),
            ("intravenous", 50_000_000, 1, 50_000_000),
        ),
        hidden_rows=(4,),
    ),
    good=Workbook(
        "Knee",
        (
            ("Total cells", 100_000_000),
            ("Route", "Dose", "Days", "Total"),
            ("intra-articular", 50_000_000, 1, 50_000_000),
            ("intravenous", 50_000_000, 1, 50_000_000),
        ),
    ),
    example_suffix=".xlsx",
)

DISPLAYED_VALUE_DIFFERS = Rule(
    code="CD011",
    name="displayed-value-differs",
    severity=Severity.WARNING,
    summary="A workbook cell's number format shows a different number from the one it stores.",
    explanation=(
        "celldose reads the number a workbook stores; a person reads what the number format "
        "shows. They differ when the format shows literal text instead of the number "
        '(`"50,000,000"`, `"N/A"`), puts digits beside it (`0" (of 50,000,000)"`), scales it '
        '(each comma after the last digit divides by 1,000: `0,,"M"` shows 100,000,000 as '
        "100M; `%` multiplies by 100), rounds it (`0` shows 2.5 as 3; `0.0E+00` shows "
        "123,456,789 as 1.2E+08), or gives negative numbers or zero a section of text "
        '(`0;"none"`). celldose recognises these cases in the cells it reads; it is not a '
        "whole format engine, and says nothing about General (which turns to scientific "
        "notation past 11 digits), sections with conditions (`[>1000]`) and fractions "
        "(`# ?/?`). A number formatted as a date is an unreadable cell (CD008)."
    ),
    fix="Format the cell as a plain number (General, 0 or #,##0): it shows the number it stores.",
    bad=Workbook(
        "Knee",
        (("Route", "Dose", "Days", "Total"), ("intra-articular", 50_000_000, 2, 100_000_000)),
        formats=(("D2", '"50,000,000"'),),
    ),
    good=Workbook(
        "Knee",
        (("Route", "Dose", "Days", "Total"), ("intra-articular", 50_000_000, 2, 100_000_000)),
        formats=(("D2", "#,##0"),),
    ),
    example_suffix=".xlsx",
)

_RUN_HEADER = "Sacroiliitis\n\nRoute of AdministrationDoseTime (Days)Total Cells\n"
_TABS = "Sacroiliitis\n\nRoute of Administration\tDose\tTime (Days)\tTotal Cells\n"

RECOVERED_ROW = Rule(
    code="CD015",
    name="recovered-row",
    severity=Severity.INFO,
    summary="A row of pasted text whose columns ran together, and how it was read.",
    explanation=(
        "A web page copied as text may lose the separators between a table's cells "
        "(`Intra-articular/per side50,000,000150,000,000`). celldose finds the header by the "
        "column names it knows, reads the route's text, and splits the numbers after it by "
        "the two things the copy kept: thousands grouping (`50,000,000 | 15 | 0,000,000` is "
        "not valid grouping) and arithmetic (total = dose x days, per side on a per-side "
        "row). The info says how the row was read, so that the recovery is never silent. "
        "When no split makes the arithmetic true, the closest is read, the other readings are "
        "named, and CD301 reports the mismatch. At most 48 characters of run-together "
        "numbers are split in a row (every split is tried); a longer run is CD004."
    ),
    fix="Separate the cells with tabs (or paste the table into a spreadsheet and save CSV).",
    bad=_RUN_HEADER + "Intra-articular50,000,000150,000,000\n",
    good=_TABS + "Intra-articular\t50,000,000\t1\t50,000,000\n",
    example_suffix=".txt",
)

AMBIGUOUS_ROW = Rule(
    code="CD016",
    name="ambiguous-row",
    severity=Severity.ERROR,
    summary="A run-together row of pasted text that more than one reading fits.",
    explanation=(
        "When several splits of a run-together row have valid thousands grouping and make "
        "total = dose x days (or state no total to check), nothing tells them apart. celldose "
        "lists the readings and does not read the row, instead of guessing a dose."
    ),
    fix="Separate the cells with tabs, or write the numbers with thousands separators.",
    bad=_RUN_HEADER + "Intra-articular1011N/A\n",
    good=_TABS + "Intra-articular\t10\t11\t110\n",
    example_suffix=".txt",
)

UNSPLIT_ROW = Rule(
    code="CD017",
    name="unsplit-row",
    severity=Severity.ERROR,
    summary="A row of pasted text that cannot be split into its columns.",
    explanation=(
        "A run-together row whose numbers have no split with valid thousands grouping "
        "(`5,00,00`), or a row of space-aligned text whose cells do not stand under distinct "
        "columns of the header, cannot be read without shifting a value into another column. "
        "celldose reports the row and leaves it out."
    ),
    fix="Separate the cells with tabs, or align each cell under its column.",
    bad=_RUN_HEADER + "Intra-articular5,00,00\n",
    good=_TABS + "Intra-articular\t50,000\t1\t50,000\n",
    example_suffix=".txt",
)

RULES = (
    UNREADABLE_FILE,
    YAML_SYNTAX,
    YAML_UNSUPPORTED,
    INPUT_LIMIT,
    DUPLICATE_KEY,
    NOT_A_PROTOCOL,
    SHEET_SYNTAX,
    UNREADABLE_CELL,
    UNUSED_SUPPRESSION,
    HIDDEN_CONTENT,
    DISPLAYED_VALUE_DIFFERS,
    RECOVERED_ROW,
    AMBIGUOUS_ROW,
    UNSPLIT_ROW,
)
