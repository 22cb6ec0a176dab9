"""Read YAML through its event stream, with bounds, before anything is composed.

PyYAML's composer is unsafe for untrusted input in two measured ways: libyaml's C loader
kills the process (segfault) at about 25,000 levels of nesting, and an alias bomb loads
instantly but explodes when walked. So celldose composes the document itself from events:

* nesting deeper than :data:`MAX_DEPTH` or more than :data:`MAX_NODES` nodes stops the read;
* aliases are refused (each value of a sheet is checked where it is written);
* every scalar stays the string that was written: YAML 1.1 never turns ``1:30`` into 90,
  ``010`` into 8, ``no`` into False or ``5e7`` into a string and ``5.0e+7`` into a float;
* a duplicate key is reported at the second key (PyYAML keeps the last one silently).

The libyaml C parser is used when PyYAML has it, the pure-Python parser otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

import yaml

from celldose.diagnostics import Pointer, Span, quote
from celldose.rules import reading
from celldose.sources.lines import LineIndex
from celldose.sources.problems import SourceProblem
from celldose.sources.sourcemap import SourceMap
from celldose.sources.text import Loaded

MAX_DEPTH = 64
"""Deepest nesting read. A protocol needs three levels."""
MAX_NODES = 200_000
"""Most nodes (scalars, mappings, sequences) read from one file."""

LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)
"""libyaml's C loader when PyYAML has it, the pure-Python one otherwise: chosen once, here."""
_Loader = LOADER  # the composer's loader; tests swap it to exercise the pure-Python parser
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
)

Node = dict[str, "Node"] | list["Node"] | str | None


class _Stop(Exception):
    """Raised inside the composer to abandon a document that breaks a bound."""

    def __init__(self, problem: SourceProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def load_yaml(text: str) -> Loaded:
    """Compose ``text`` into plain data (dicts, lists, strings, None) with its source map."""
    lines = LineIndex(text)
    composer: _Composer | None = None
    try:
        composer = _Composer(text, lines)  # the pure-Python reader may already refuse the text
        data = composer.document()
    except _Stop as stop:
        return _failed(composer, stop.problem)
    except yaml.YAMLError as exc:
        return _failed(composer, _syntax_problem(exc, text, lines))
    except UnicodeEncodeError as exc:  # a lone surrogate in text that did not come from a file
        line, column = lines.locate(exc.start)
        problem = SourceProblem(
            reading.UNREADABLE_FILE,
            "not valid Unicode text: a lone surrogate character",
            Span(line, column, line, column + 1),
        )
        return _failed(composer, problem)
    finally:
        if composer is not None:
            composer.dispose()
    return Loaded(data, composer.source_map, tuple(composer.problems))


def _failed(composer: _Composer | None, problem: SourceProblem) -> Loaded:
    earlier = tuple(composer.problems) if composer is not None else ()
    return Loaded(None, SourceMap(), (*earlier, problem))


class _Composer:
    def __init__(self, text: str, lines: LineIndex) -> None:
        self._lines = lines
        self._loader = _Loader(text)
        self._get: Callable[[], yaml.Event] = self._loader.get_event  # type: ignore[assignment]
        self.source_map = SourceMap(lines)
        self.problems: list[SourceProblem] = []
        self._nodes = 0

    def dispose(self) -> None:
        self._loader.dispose()

    def document(self) -> Node:
        self._get()  # StreamStartEvent
        event = self._get()
        if isinstance(event, yaml.StreamEndEvent):
            return None
        data = self._node(self._get(), (), 0, record=True)
        self._get()  # DocumentEndEvent
        event = self._get()
        if isinstance(event, yaml.DocumentStartEvent):
            self.problems.append(
                SourceProblem(
                    reading.YAML_UNSUPPORTED,
                    "a second YAML document: a protocol file holds one document; "
                    "put each protocol in its own file",
                    self._span(event),
                )
            )
        return data

    def _node(self, event: yaml.Event, pointer: Pointer, depth: int, *, record: bool) -> Node:
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Stop(
                SourceProblem(
                    reading.INPUT_LIMIT, f"more than {MAX_NODES:,} YAML nodes", self._span(event)
                )
            )
        if type(event) is yaml.ScalarEvent:  # most events are scalars: test for them first
            if event.tag is not None:
                self._check_tag(event)
            if record:
                self.source_map.values[pointer] = _offsets(event)
            if not event.style and event.value in _NULLS:  # plain style: None (pure), "" (C)
                return None
            return str(event.value)
        if isinstance(event, yaml.AliasEvent):
            if record:
                self.source_map.values[pointer] = _offsets(event)
            self.problems.append(
                SourceProblem(
                    reading.YAML_UNSUPPORTED,
                    f"alias *{quote(event.anchor)[1:-1]} is not supported: write the value out, "
                    "so that each value is checked where it is written",
                    self._span(event),
                    pointer=pointer,
                )
            )
            return None
        self._check_tag(event)
        if depth >= MAX_DEPTH:
            raise _Stop(
                SourceProblem(
                    reading.INPUT_LIMIT,
                    f"nesting deeper than {MAX_DEPTH} levels; a protocol needs three",
                    self._span(event),
                )
            )
        if isinstance(event, yaml.SequenceStartEvent):
            return self._sequence(event, pointer, depth, record=record)
        if isinstance(event, yaml.MappingStartEvent):
            return self._mapping(event, pointer, depth, record=record)
        raise _Stop(
            SourceProblem(
                reading.YAML_SYNTAX, f"unexpected {type(event).__name__}", self._span(event)
            )
        )

    def _sequence(
        self, start: yaml.SequenceStartEvent, pointer: Pointer, depth: int, *, record: bool
    ) -> Node:
        items: list[Node] = []
        while not isinstance(event := self._get(), yaml.SequenceEndEvent):
            items.append(self._node(event, (*pointer, len(items)), depth + 1, record=record))
        if record:
            self.source_map.values[pointer] = _offsets(start, event)
        return items

    def _mapping(
        self, start: yaml.MappingStartEvent, pointer: Pointer, depth: int, *, record: bool
    ) -> Node:
        mapping: dict[str, Node] = {}
        while not isinstance(key_event := self._get(), yaml.MappingEndEvent):
            if not isinstance(key_event, yaml.ScalarEvent):
                self.problems.append(
                    SourceProblem(
                        reading.YAML_UNSUPPORTED,
                        "a key that is not plain text (a list, mapping or alias used as a key)",
                        self._span(key_event),
                    )
                )
                self._node(key_event, pointer, depth + 1, record=False)
                self._node(self._get(), pointer, depth + 1, record=False)
                continue
            if key_event.tag is not None:
                self._check_tag(key_event)
            key = str(key_event.value)
            keep = key not in mapping
            if not keep:
                first = self.source_map.key((*pointer, key)) if record else None
                where = f" (first at line {first.line})" if first else ""
                self.problems.append(
                    SourceProblem(
                        reading.DUPLICATE_KEY,
                        f"duplicate key {quote(key)}{where}: YAML loaders keep only one of the two",
                        self._span(key_event),
                        fix=f"remove one of the {quote(key)} entries",
                    )
                )
            child = (*pointer, key)
            if record and keep:
                self.source_map.keys[child] = _offsets(key_event)
            value = self._node(self._get(), child, depth + 1, record=record and keep)
            if keep:
                mapping[key] = value
        if record:
            self.source_map.values[pointer] = _offsets(start, key_event)
        return mapping

    def _span(self, start: yaml.Event, end: yaml.Event | None = None) -> Span:
        """Lines as editors count them: YAML 1.1 also breaks lines at U+0085 and U+2028."""
        return self._lines.span(*_offsets(start, end))

    def _check_tag(self, event: yaml.Event) -> None:
        tag = getattr(event, "tag", None)
        if tag is None or tag == "!" or tag in _STANDARD_TAGS:
            return
        self.problems.append(
            SourceProblem(
                reading.YAML_UNSUPPORTED,
                f"tag {quote(tag)} is not supported: celldose reads values as written",
                self._span(event),
            )
        )


def _offsets(start: yaml.Event, end: yaml.Event | None = None) -> tuple[int, int]:
    first, last = start.start_mark, (end or start).end_mark
    if first is None or last is None:  # both parsers always set marks; the stubs allow None
        return 0, 0
    return first.index, last.index


def _syntax_problem(exc: yaml.YAMLError, text: str, lines: LineIndex) -> SourceProblem:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        line, column = lines.locate(mark.index) if mark is not None else (1, 1)
        span = Span(line, column, line, column + 1)
        if "maximum nesting depth" in what:
            # libyaml 0.2.5 as bundled with PyYAML 6.0.4 stops flow nesting itself, at 1,000
            # levels, while scanning ahead: before this composer's own bound is reached.
            return SourceProblem(
                reading.INPUT_LIMIT, f"nesting deeper than {MAX_DEPTH} levels", span
            )
        return SourceProblem(reading.YAML_SYNTAX, f"invalid YAML: {what}", span)
    if isinstance(exc, yaml.reader.ReaderError):
        index = exc.position
        if exc.encoding != "unicode":  # libyaml: a byte offset into the UTF-8 encoding
            index = len(text.encode("utf-8", "surrogatepass")[:index].decode("utf-8", "ignore"))
        character = chr(exc.character) if isinstance(exc.character, int) else exc.character
        line, column = lines.locate(index)
        return SourceProblem(
            reading.YAML_SYNTAX,
            f"invalid YAML: control character {character!r} is not allowed",
            Span(line, column, line, column + 1),
        )
    return SourceProblem(reading.YAML_SYNTAX, f"invalid YAML: {exc}", Span(1, 1, 1, 2))
