"""For streams: one JSON object per diagnostic per line, the same fields as ``json``."""

import json

from celldose.diagnostics import Report
from celldose.formatters.context import PLAIN, RenderContext
from celldose.formatters.json_format import diagnostic_dict


def render(report: Report, context: RenderContext = PLAIN) -> str:
    return "".join(
        json.dumps(diagnostic_dict(d), ensure_ascii=False) + "\n" for d in report.diagnostics
    )
