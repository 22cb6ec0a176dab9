"""The page's words and markup around the HTML report: the upload form, the downloads, and the
pages that have no report (the start page, a refusal).

The report itself is the registered HTML formatter's (``FORMATTERS["html"]``), given this
module's markup as its :class:`PageChrome`: one look, one code path. The words are for people
who do not use a terminal: "Drop your sheet here", "Download the corrected sheet".
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass

from celldose.convert import FORMATS as CONVERT_TARGETS
from celldose.diagnostics import Report
from celldose.formats import BY_NAME, INPUTS
from celldose.formatters import FORMATTERS, RenderContext
from celldose.formatters.context import PageChrome
from celldose.formatters.html import _STYLE as REPORT_STYLE
from celldose.formatters.html import _e

SCRIPT = "/static/drop.js"
STYLE = """
.serve { border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem;
  margin: 0 0 1.5rem; background: #f8f9fa; }
.serve h1 { font-size: 1.4rem; }
.serve p { margin: .25rem 0 .75rem; }
.serve label { display: block; font-weight: 600; margin: .75rem 0 .35rem; }
.drop { border: 2px dashed var(--muted); border-radius: 8px; padding: 1rem; background: #fff; }
.drop.dragging { border-color: var(--info); background: var(--info-bg); }
.drop label { margin-top: 0; }
textarea { width: 100%; font: .92em ui-monospace, "DejaVu Sans Mono", Menlo, monospace; }
button { font: inherit; font-weight: 600; padding: .45rem 1rem; margin: .25rem .5rem .25rem 0;
  border: 2px solid #1b1f24; border-radius: 6px; background: #fff; color: #1b1f24;
  cursor: pointer; }
button.primary { background: #1d5fa6; border-color: #1d5fa6; color: #fff; }
button:focus-visible, input:focus-visible, textarea:focus-visible, a:focus-visible {
  outline: 3px solid #8a5a00; outline-offset: 2px; }
.alert { padding: .5rem .75rem; border-left: 4px solid var(--error); background: var(--error-bg);
  font-weight: 600; }
.private { color: var(--muted); font-size: .9em; }
@media print {
  .serve, .no-print { display: none !important; }
  body { max-width: none; padding: 0; font-size: 11pt; }
  .file { break-inside: avoid-page; border-color: #888; }
  .problem, .swatch, ol.diagnostics li { -webkit-print-color-adjust: exact;
    print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
"""


_CONTROLS = dict.fromkeys((*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F), "\ufffd")


def _box(text: str) -> str:
    """Pasted text back in its box exactly, for a person to correct: HTML-escaped, with only the
    control characters HTML cannot carry replaced (the report shows them as escapes)."""
    return html.escape(text.translate(_CONTROLS), quote=False)


@dataclass(frozen=True, slots=True)
class Offer:
    """What the result page offers to download besides conversions: the corrected sheet, or
    why there is none."""

    fixed: bool
    note: str


def upload_form(message: str | None = None, pasted: str = "") -> str:
    """The form that sends a file or pasted text to ``/check``; it works without script.
    ``pasted``: the text checked last, back in its box to correct and check again."""
    accept = ",".join(suffix for form in INPUTS for suffix in form.suffixes)
    labels = [form.label for form in INPUTS]
    kinds = ", ".join(labels[:-1]) + " or " + labels[-1]
    shown = f'<p class="alert" role="alert">{_e(message)}</p>' if message else ""
    return f"""<section class="serve" aria-labelledby="serve-title">
<h1 id="serve-title">Check a protocol sheet</h1>
{shown}<form method="post" action="/check" enctype="multipart/form-data">
<div class="drop" id="drop">
<label for="file">Drop your sheet here, or choose it from your computer</label>
<input type="file" id="file" name="file" accept="{_e(accept)}">
<p class="private">It can be a {_e(kinds)} file.</p>
</div>
<label for="pasted">Or paste the table here (copied from a web page, Word or Excel)</label>
<textarea id="pasted" name="pasted" rows="6">
{_box(pasted)}</textarea>
<p><button type="submit" class="primary">Check the sheet</button></p>
</form>
<p class="private">Your sheet stays on this computer: it is checked here and is not kept
after the answer is shown. To check it again after a correction, drop it here again.</p>
</section>"""


def downloads(name: str, raw: bytes, offer: Offer) -> str:
    """One form holding the checked file (no state is kept on the server: the file travels
    with the page), with a button for each thing to take away."""
    data = base64.b64encode(raw).decode("ascii")
    fixed = (
        '<button type="submit" name="as" value="fixed" class="primary">'
        "Download the corrected sheet</button>"
        if offer.fixed
        else ""
    )
    converts = "".join(
        f'<button type="submit" name="as" value="{_e(target)}">'
        f"Download as {_e(_label(target))}</button>"
        for target in CONVERT_TARGETS
    )
    return f"""<section class="serve" aria-labelledby="take-title">
<h2 id="take-title">Take the result away</h2>
<p>{_e(offer.note)}</p>
<form method="post" action="/download" enctype="multipart/form-data">
<input type="hidden" name="name" value="{_e(name)}">
<input type="hidden" name="data" value="{data}">
<p>{fixed}</p>
<p>{converts}</p>
</form>
<p>To keep a paper copy, print this page: the form and the buttons are left out.</p>
</section>"""


def _label(target: str) -> str:
    form = BY_NAME.get(target)
    return form.label if form is not None else target.upper()


def report_page(report: Report, name: str, raw: bytes, offer: Offer, pasted: str = "") -> str:
    """The result: the upload form (with the pasted text, if any) and the downloads above the
    HTML report."""
    before = upload_form(pasted=pasted) + "\n" + downloads(name, raw, offer)
    chrome = PageChrome(style=STYLE, script=SCRIPT, before=before)
    return FORMATTERS["html"].render(report, RenderContext(page=chrome))


def plain_page(title: str, message: str | None = None) -> str:
    """A page without a report: the start page, or the form again with why a request failed."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
<style>{REPORT_STYLE}{STYLE}</style>
<script src="{SCRIPT}" defer></script>
</head>
<body>
<main>
{upload_form(message)}
</main>
</body>
</html>
"""


def refusal_page(title: str, message: str) -> str:
    """A refused request (no token, a foreign Host or Origin): words only, no form."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{_e(title)}</title><style>{REPORT_STYLE}</style></head>
<body><main><h1>{_e(title)}</h1><p>{_e(message)}</p></main></body>
</html>
"""
