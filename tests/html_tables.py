"""Reading a server-rendered page the way a test needs it: the text of table rows and of
elements found by id, with the standard library's HTML parser (tags stripped, spaces collapsed)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.by_id: dict[str, list[str]] = {}
        self.rows: list[dict] = []       # every <tr>: {"id", "class", "cells": [text], "tags": [th/td]}
        self._open_ids: list[tuple[int, str]] = []
        self._cell: list[str] | None = None
        self._row: dict | None = None
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("svg", "script", "style"):
            self.skip += 1
        if tag in VOID:
            return
        self.stack.append((tag, attrs))
        if attrs.get("id"):
            self.by_id[attrs["id"]] = []
            self._open_ids.append((len(self.stack), attrs["id"]))
        if tag == "tr":
            self._row = {"id": attrs.get("id"), "class": attrs.get("class", ""), "cells": [], "tags": [],
                         "attrs": []}
            self.rows.append(self._row)
        if tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._row["tags"].append(tag)
            self._row["attrs"].append(attrs)

    def handle_endtag(self, tag):
        if tag in ("svg", "script", "style"):
            self.skip -= 1
        if tag in VOID:
            return
        while self.stack:
            open_tag, _ = self.stack.pop()
            depth = len(self.stack) + 1
            while self._open_ids and self._open_ids[-1][0] == depth:
                self._open_ids.pop()
            if open_tag in ("td", "th") and self._cell is not None and self._row is not None:
                self._row["cells"].append(_clean("".join(self._cell)))
                self._cell = None
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.skip:
            return
        for _, element_id in self._open_ids:
            self.by_id[element_id].append(data)
        if self._cell is not None:
            self._cell.append(data)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class Page:
    def __init__(self, html: str):
        self.html = html
        reader = _Reader()
        reader.feed(html)
        reader.close()
        self._reader = reader

    def text(self, element_id: str) -> str:
        assert element_id in self._reader.by_id, f"no element #{element_id}"
        return _clean("".join(self._reader.by_id[element_id]))

    def row(self, row_id: str) -> list[str]:
        """The cells of <tr id=row_id> as text."""
        found = [r for r in self._reader.rows if r["id"] == row_id]
        assert len(found) == 1, f"{len(found)} rows #{row_id}"
        return found[0]["cells"]

    def row_attrs(self, row_id: str) -> list[dict]:
        return next(r["attrs"] for r in self._reader.rows if r["id"] == row_id)

    def row_ids(self, prefix: str = "") -> list[str]:
        """The ids of rows in document order."""
        return [r["id"] for r in self._reader.rows if r["id"] and r["id"].startswith(prefix)]

    def has(self, element_id: str) -> bool:
        return element_id in self._reader.by_id
