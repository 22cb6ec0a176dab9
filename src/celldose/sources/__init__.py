"""Sources turn files into plain data plus a :class:`SourceMap`; they validate nothing.

A source never raises for bad input: what it cannot read becomes a :class:`SourceProblem`
(data, with a location), and the run goes on with the next file.
"""

from celldose.sources.problems import SourceProblem
from celldose.sources.sourcemap import SourceMap
from celldose.sources.text import Loaded, read_text
from celldose.sources.yaml_source import load_yaml

__all__ = ["Loaded", "SourceMap", "SourceProblem", "load_yaml", "read_text"]
