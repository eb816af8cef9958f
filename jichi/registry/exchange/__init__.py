"""The whole register in and out as one CSV file: the vendor-migration format.

One row per history row (:class:`~jichi.registry.models.PersonVersion`), like the
flat exports of the 中間標準レイアウト (``registry-standard.md`` §4.6, §1.8): every data
item of the person in that version, the bitemporal keys, and the columns of the
movement (異動) that wrote it, so that the register can be rebuilt row for row. The
layout, its formats and the mapping to the standard's items are in
``docs/registry-csv.md``; :data:`COLUMNS` is the single definition both sides use.

- :func:`export_register` streams a municipality's register, ordered by 宛名番号 then
  履歴番号, in constant memory. The file holds the 個人番号 in clear (unless
  ``omit_my_number``): it is 特定個人情報 and must be handled as such.
- :func:`import_register` reads such a file (UTF-8 with or without BOM, or cp932) in
  two streaming passes. The first validates every row and writes a report of every
  problem; if there is any, **nothing is imported** (the whole file is refused).
  The second inserts whole persons in batches, one transaction each, with multi-row
  inserts (:class:`_Inserter`). A run that dies half-way is finished by running it
  again: persons already in the register (same 宛名番号, same history) are skipped,
  movements and households are found again by their natural keys (異動ID, 世帯番号).

The modules: ``layout`` (the columns, reading a cell, what both directions share),
``export``, and for the import ``importing`` (the run), ``reading`` (the file), ``rows``
(one row), ``validation`` (pass 1), ``loading`` (pass 2) and ``results`` (the result
and the report).
"""

from jichi.registry.exchange.export import ExportResult, export_register
from jichi.registry.exchange.importing import import_register
from jichi.registry.exchange.layout import COLUMNS, ENCODINGS, HEADER, Column
from jichi.registry.exchange.loading import ImportInterrupted
from jichi.registry.exchange.reading import detect_encoding
from jichi.registry.exchange.results import ImportResult

# The table writers, for the test that they write every column of their tables.
from jichi.registry.exchange.loading import (  # isort: skip
    _HOUSEHOLDS as _HOUSEHOLDS,
    _MOVEMENTS as _MOVEMENTS,
    _PERSONS as _PERSONS,
    _SUBJECTS as _SUBJECTS,
    _VERSIONS as _VERSIONS,
)

__all__ = [
    "COLUMNS",
    "ENCODINGS",
    "HEADER",
    "Column",
    "ExportResult",
    "ImportInterrupted",
    "ImportResult",
    "detect_encoding",
    "export_register",
    "import_register",
]
