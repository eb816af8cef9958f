"""The whole register in and out as CSV: the vendor-migration format.

The register file has one row per history row (:class:`~jichi.registry.models.PersonVersion`),
like the flat exports of the 中間標準レイアウト (``registry-standard.md`` §4.6, §1.8): every
data item of the person in that version, the bitemporal keys, and the columns of the
movement (異動) that wrote it, so that the register can be rebuilt row for row. Beside it
the protections file holds the DV等支援措置 and their listed offenders, as the standard
keeps them in a database of their own (§1.9). The layouts, their formats and the mapping
to the standard's items are in ``docs/registry-csv.md``; :data:`COLUMNS` and
:data:`PROTECTION_COLUMNS` are the single definitions both directions use.

- :func:`export_register` streams a municipality's register, ordered by 宛名番号 then
  履歴番号, in constant memory, and its protections. The file holds the 個人番号 in clear
  (unless ``omit_my_number``): it is 特定個人情報 and must be handled as such.
- :func:`import_register` reads such files (UTF-8 with or without BOM, or cp932) in two
  streaming passes. The first validates every row, in worker processes for a large file,
  and writes a report of every problem; if there is any, **nothing is imported**. The
  second inserts whole persons in batches, one transaction each, written by writer
  threads while the file is read. A run that dies half-way is finished by running it
  again: persons and protections already in the register (same keys, same history) are
  skipped, movements and households are found again by their natural keys.

The modules: ``layout`` (the columns, reading a cell, what both directions share),
``export`` and ``protection_file`` (the two files), and for the import ``importing``
(the run), ``reading`` (a file), ``rows`` (one row), ``splitting``, ``checking`` and
``validation`` (pass 1), ``loading``, ``inserting`` and ``writing`` (pass 2),
``protection_import`` (both passes of the protections file) and ``results`` (the result
and the report).
"""

from jichi.registry.exchange.export import ExportResult, export_register
from jichi.registry.exchange.importing import import_register
from jichi.registry.exchange.layout import COLUMNS, ENCODINGS, HEADER, Column
from jichi.registry.exchange.loading import ImportInterrupted
from jichi.registry.exchange.protection_file import (
    PROTECTION_COLUMNS,
    PROTECTION_HEADER,
    protections_path_for,
)
from jichi.registry.exchange.reading import detect_encoding
from jichi.registry.exchange.results import ImportResult

__all__ = [
    "COLUMNS",
    "ENCODINGS",
    "HEADER",
    "PROTECTION_COLUMNS",
    "PROTECTION_HEADER",
    "Column",
    "ExportResult",
    "ImportInterrupted",
    "ImportResult",
    "detect_encoding",
    "export_register",
    "import_register",
    "protections_path_for",
]
