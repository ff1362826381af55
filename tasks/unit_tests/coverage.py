"""Line coverage from LCOV or Cobertura XML, keyed by paths relative to the service directory.

The format is detected from the content, not the file name: c8 writes `lcov.info` and
`cobertura-coverage.xml`, coverage.py writes `coverage.xml` or `coverage.lcov`, and teams rename
both. Paths differ by tool, and are normalised so they can be compared with git's changed files:

- LCOV `SF:` is absolute (istanbul/nyc, jest) or relative to the directory the tool ran in
  (c8, coverage.py).
- A Cobertura `filename` is relative to one of the `<source>` directories (c8 writes the working
  directory, coverage.py the working directory or each `source` root); coverage.py also writes an
  empty `<source>` and absolute file names when the sources lie outside its working directory.

Line hits of a file that appears more than once (merged LCOV, Java inner classes) are added up.
A report without a single file record is malformed: the tool measured nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from tasks.errors import ReportError

__all__ = [
    "CoverageData",
    "CoverageFormat",
    "detect_format",
    "merge_files",
    "normalise_paths",
    "parse_cobertura",
    "parse_lcov",
    "read_coverage",
]

CoverageFormat = Literal["lcov", "cobertura"]
LineHits = dict[int, int]

# Cobertura's per-line branch count, e.g. condition-coverage="50% (1/2)".
_CONDITION = re.compile(r"\((\d+)/(\d+)\)")


@dataclass(frozen=True)
class CoverageData:
    """Hits per line per file, with totals computed from those lines (not the tool's own summary)."""

    source: str  # the report file
    format: CoverageFormat
    files: dict[str, LineHits]
    branches_total: int | None = None  # None when the report carries no branch data
    branches_covered: int | None = None
    lines_total: int = field(init=False)
    lines_covered: int = field(init=False)

    def __post_init__(self) -> None:
        # Computed once from the merged per-line data: LF/LH or lines-valid would double count
        # a file listed twice.
        covered = sum(1 for lines in self.files.values() for hits in lines.values() if hits > 0)
        object.__setattr__(self, "lines_total", sum(len(lines) for lines in self.files.values()))
        object.__setattr__(self, "lines_covered", covered)

    @property
    def percent(self) -> float:
        """Line coverage in percent; 100.0 when no line is measurable (coverage.py's convention)."""
        return 100.0 * self.lines_covered / self.lines_total if self.lines_total else 100.0

    @property
    def branch_percent(self) -> float | None:
        if not self.branches_total:
            return None
        return 100.0 * (self.branches_covered or 0) / self.branches_total

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "lines_total": self.lines_total,
            "lines_covered": self.lines_covered,
            "percent": round(self.percent, 2),
            "branches_total": self.branches_total,
            "branches_covered": self.branches_covered,
            "files": len(self.files),
        }


def _add_hits(files: dict[str, LineHits], path: str, lines: Mapping[int, int]) -> None:
    target = files.setdefault(path, {})
    for line, hits in lines.items():
        target[line] = target.get(line, 0) + hits


def _branches(total: int, covered: int, seen: bool) -> tuple[int | None, int | None]:
    # No branch data at all, or zero branches (coverage.py without --branch says
    # branches-valid="0"): report "not available" rather than a meaningless 0 or 100%.
    return (total, covered) if seen and total > 0 else (None, None)


# --- detection -------------------------------------------------------------------------------


def detect_format(text: str, *, source: str) -> CoverageFormat:
    """Tell LCOV from Cobertura by content; anything else raises ReportError."""
    head = text.lstrip("\ufeff \t\r\n")
    if not head:
        raise ReportError("empty file: the coverage tool wrote no report", path=source)
    if head.startswith("<"):
        return "cobertura"
    for line in head.splitlines()[:50]:
        if line.startswith(("TN:", "SF:")):
            return "lcov"
    raise ReportError("neither LCOV (TN:/SF: records) nor Cobertura XML (<coverage>)", path=source)


# --- LCOV ------------------------------------------------------------------------------------


def _int(value: str, what: str, source: str, lineno: int) -> int:
    try:
        return int(value)
    except ValueError:
        try:
            return int(float(value))  # some gcov-based tools write "DA:3,1.0"
        except ValueError:
            raise ReportError(f"line {lineno}: {what} {value!r} is not a number", path=source) from None


def parse_lcov(text: str, *, source: str) -> CoverageData:
    """Parse an LCOV tracefile: SF/DA/BRF/BRH/end_of_record; other records are ignored."""
    files: dict[str, LineHits] = {}
    branches: dict[str, tuple[int, int]] = {}
    current: str | None = None
    lines: LineHits = {}
    brf = brh = 0
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line == "end_of_record":
            if current is None:
                raise ReportError(f"line {lineno}: end_of_record without an SF: record", path=source)
            _add_hits(files, current, lines)
            if brf:
                # A file twice (merged tracefiles) cannot be merged branch by branch from BRF/BRH;
                # keep the larger counts rather than adding the same branches up twice.
                old = branches.get(current, (0, 0))
                branches[current] = (max(old[0], brf), max(old[1], brh))
            current, lines, brf, brh = None, {}, 0, 0
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ReportError(f"line {lineno}: {line[:60]!r} is not an LCOV record", path=source)
        if key == "SF":
            if current is not None:
                raise ReportError(f"line {lineno}: SF:{value} starts before end_of_record of {current}", path=source)
            if not value:
                raise ReportError(f"line {lineno}: SF: without a file name", path=source)
            current = value
        elif current is None:
            # TN:/VER: headers live between records; line data there would belong to no file.
            if key == "DA":
                raise ReportError(f"line {lineno}: DA: outside of an SF: record", path=source)
        elif key == "DA":
            parts = value.split(",")
            if len(parts) < 2:
                raise ReportError(f"line {lineno}: DA:{value} needs line,hits", path=source)
            number = _int(parts[0], "line number", source, lineno)
            lines[number] = lines.get(number, 0) + max(0, _int(parts[1], "hit count", source, lineno))
        elif key == "BRF":
            brf = _int(value, "BRF", source, lineno)
        elif key == "BRH":
            brh = _int(value, "BRH", source, lineno)
    if current is not None:
        raise ReportError(f"truncated: the record of {current} has no end_of_record", path=source)
    if not files:
        raise ReportError("no SF: records: the report covers no files", path=source)
    total, covered = _branches(
        sum(b[0] for b in branches.values()), sum(b[1] for b in branches.values()), bool(branches)
    )
    return CoverageData(source, "lcov", files, total, covered)


# --- Cobertura -------------------------------------------------------------------------------


def _pick_source(filename: str, sources: list[str], base_dir: Path | None) -> str:
    """Join a relative Cobertura filename with the <source> it belongs to."""
    if os.path.isabs(filename) or not sources:
        return filename
    candidates = []
    for src in sources:
        src_path = Path(src) if os.path.isabs(src) or base_dir is None else base_dir / src
        candidates.append(src_path / filename)
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    # The report was made elsewhere (or the file is gone): prefer a source inside base_dir,
    # else keep the name relative to the directory the tool ran in.
    if base_dir is not None:
        for candidate in candidates:
            if _inside(str(candidate), base_dir) is not None:
                return str(candidate)
    return filename


def _class_lines(cls: Element, source: str) -> tuple[LineHits, int, int, bool]:
    lines: LineHits = {}
    total = covered = 0
    seen = False
    # Only the class's own <lines>: <methods><method><lines> repeats some of them.
    for lines_el in cls.findall("lines"):
        for line in lines_el.findall("line"):
            number, hits = line.get("number"), line.get("hits")
            if number is None or hits is None:
                raise ReportError(f"<line> without number/hits in class {cls.get('filename')!r}", path=source)
            try:
                n, h = int(number), int(float(hits))
            except ValueError:
                raise ReportError(
                    f"<line number={number!r} hits={hits!r}> in {cls.get('filename')!r} is not numeric",
                    path=source,
                ) from None
            lines[n] = lines.get(n, 0) + max(0, h)
            match = _CONDITION.search(line.get("condition-coverage", ""))
            if line.get("branch") == "true" and match:
                seen = True
                covered += int(match.group(1))
                total += int(match.group(2))
    return lines, total, covered, seen


def parse_cobertura(text: str | bytes, *, source: str, base_dir: Path | None = None) -> CoverageData:
    """Parse Cobertura XML; relative `<source>`s are taken relative to `base_dir` (the tool's cwd)."""
    try:
        root = SafeET.fromstring(text)
    except ParseError as exc:
        raise ReportError(f"malformed Cobertura XML ({exc})", path=source) from exc
    except DefusedXmlException as exc:
        raise ReportError(f"refused unsafe XML ({type(exc).__name__})", path=source) from exc
    if root.tag != "coverage":
        raise ReportError(f"root element <{root.tag}> is not <coverage>: not a Cobertura report", path=source)
    if root.find("project") is not None:
        raise ReportError(
            "this is Clover XML, not Cobertura; configure the tool's cobertura (or lcov) reporter",
            path=source,
        )
    sources = [(el.text or "").strip() for el in root.iter("source")]
    files: dict[str, LineHits] = {}
    b_total = b_covered = 0
    b_seen = False
    classes = 0
    for cls in root.iter("class"):
        classes += 1
        filename = cls.get("filename")
        if not filename:
            raise ReportError(f"<class name={cls.get('name')!r}> has no filename", path=source)
        lines, total, covered, seen = _class_lines(cls, source)
        _add_hits(files, _pick_source(filename, sources, base_dir), lines)
        b_total, b_covered, b_seen = b_total + total, b_covered + covered, b_seen or seen
    if not classes:
        raise ReportError("no <class> elements: the report covers no files", path=source)
    branches_total, branches_covered = _branches(b_total, b_covered, b_seen)
    return CoverageData(source, "cobertura", files, branches_total, branches_covered)


# --- paths -----------------------------------------------------------------------------------


def _inside(path: str, root: Path) -> str | None:
    """`path` relative to `root` (posix), or None when it lies outside."""
    norm = os.path.normpath(path)
    # Lexically first: resolving would follow symlinks out of the checkout (a linked
    # node_modules); then resolved, since tools report the real path of their cwd.
    for base in dict.fromkeys((os.path.normpath(str(root)), os.path.realpath(root))):
        rel = os.path.relpath(norm, base)
        if rel != ".." and not rel.startswith("../"):
            return Path(rel).as_posix()
    real = os.path.realpath(norm)
    rel = os.path.relpath(real, os.path.realpath(root))
    if rel != ".." and not rel.startswith("../"):
        return Path(rel).as_posix()
    return None


def _normalise(path: str, root: Path, tool_dir: Path) -> str:
    if not os.path.isabs(path):
        path = str(tool_dir / path)
    inside = _inside(path, root)
    # Outside root: keep the absolute path; it matches no changed file, and says where it was.
    return inside if inside is not None else PurePosixPath(os.path.normpath(path)).as_posix()


def normalise_paths(data: CoverageData, root: Path, *, tool_dir: Path | None = None) -> CoverageData:
    """Re-key `data` by paths relative to `root` (the service directory of the checkout).

    Relative report paths are taken relative to `tool_dir`, the directory the tool ran in
    (default: `root`). Files outside `root` keep their absolute path.
    """
    base = Path(os.path.abspath(tool_dir or root))
    files: dict[str, LineHits] = {}
    for path, lines in data.files.items():
        _add_hits(files, _normalise(path, root, base), lines)
    return CoverageData(data.source, data.format, files, data.branches_total, data.branches_covered)


def read_coverage(path: Path | str, *, root: Path | None = None) -> CoverageData:
    """Read an LCOV or Cobertura file; with `root`, paths come back relative to it."""
    path = Path(path)
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ReportError("missing: no coverage report was written there", path=source) from exc
    except OSError as exc:
        raise ReportError(f"unreadable coverage report ({exc.strerror or exc})", path=source) from exc
    text = raw.decode("utf-8", errors="replace")
    if detect_format(text, source=source) == "lcov":
        data = parse_lcov(text, source=source)
    else:
        # Bytes, so the parser honours the XML declaration's encoding.
        data = parse_cobertura(raw, source=source, base_dir=root)
    return normalise_paths(data, root) if root is not None else data


def merge_files(items: Iterable[Mapping[str, Mapping[int, int]]]) -> dict[str, LineHits]:
    """Add up the line hits of several coverage maps (e.g. unit and integration runs)."""
    files: dict[str, LineHits] = {}
    for item in items:
        for path, lines in item.items():
            _add_hits(files, path, lines)
    return files
