"""A store's products as columns: one memory-mapped Arrow file, a `Product` built only when asked for.

A serving process of a million-product store must not hold a Python object per product (~2.3 KB
each on Icecat: 2.3 GB at 1M). The snapshot keeps the products as an uncompressed Arrow IPC file;
`ProductTable` maps it into memory (the OS pages in what is read) and is a read-only
`Mapping[str, Product]`, so the serving code reads `catalog.products[pid]` as before. Whole-catalogue
passes (filters, brands) read `column(name)` instead of building every product.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa

from shopassist.catalog.models import Product
from shopassist.files import atomic_write

FIELDS = tuple(Product.__dataclass_fields__)
SCHEMA = pa.schema([
    ("id", pa.string()), ("title", pa.string()), ("display_title", pa.string()), ("description", pa.string()),
    ("brand", pa.string()), ("category", pa.string()), ("price", pa.float64()), ("currency", pa.string()),
    ("attributes", pa.string()),  # JSON: the keys differ from product to product
    ("image_url", pa.string()), ("in_stock", pa.bool_()),
])  # fmt: skip
assert tuple(SCHEMA.names) == FIELDS, "the Arrow schema must list Product's fields in order"
BUILT_CACHE = 4096  # products built recently (a turn reads the same few again: ranking, grounding, cards)


def write_products(products: Iterable[Product], path: Path, batch: int = 100_000) -> None:
    """Write products as an uncompressed Arrow IPC file (memory-mappable), atomically.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "products.arrow"
    >>> write_products([Product("1", "MUG", "Mug", price=4.5, attributes={"colour": "red"})], path)
    >>> ProductTable.open(path)["1"].attributes
    {'colour': 'red'}
    """
    with atomic_write(path, "wb") as f, pa.ipc.new_file(f, SCHEMA) as writer:
        rows: list[Product] = []
        for product in products:
            rows.append(product)
            if len(rows) == batch:
                writer.write_batch(_batch(rows))
                rows = []
        if rows or writer.stats.num_record_batches == 0:
            writer.write_batch(_batch(rows))


def _batch(rows: list[Product]) -> pa.RecordBatch:
    columns = {name: [getattr(p, name) for p in rows] for name in FIELDS}
    columns["attributes"] = [json.dumps(a, ensure_ascii=False) if a else None for a in columns["attributes"]]
    return pa.RecordBatch.from_pydict(columns, schema=SCHEMA)


class ProductTable(Mapping[str, Product]):
    """Read-only products by id over an Arrow table; see the module docstring.

    >>> table = ProductTable(pa.Table.from_batches([_batch([Product("a", "MUG", "Mug", price=2.0)]), _batch([Product("b", "CUP", "Cup")])]))
    >>> len(table), "b" in table, table["a"].price, table["b"].title, table.column("price").tolist()
    (2, True, 2.0, 'CUP', [2.0, nan])
    """

    def __init__(self, table: pa.Table):
        # The file's record batches stay as they are (combining them would copy the mapped file into
        # memory): a row is found by its batch's first row.
        self._table = table
        self._chunks = [table.column(name).chunks for name in FIELDS]
        self._starts = np.cumsum([0, *(len(c) for c in table.column("id").chunks)])
        self._ids: list[str] = table.column("id").to_pylist()
        self._row = {pid: i for i, pid in enumerate(self._ids)}
        self._build = lru_cache(maxsize=BUILT_CACHE)(self._product_at)

    @classmethod
    def open(cls, path: Path) -> "ProductTable":
        """Map the file into memory: nothing is read until asked for, and the pages are the OS's to share and drop."""
        source = pa.memory_map(str(path), "r")  # left open: the table's buffers are views into it
        return cls(pa.ipc.open_file(source).read_all())

    def __getitem__(self, pid: str) -> Product:
        return self._build(self._row[pid])

    def __contains__(self, pid: object) -> bool:
        return pid in self._row

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def in_order(self, ids: Sequence[str]) -> bool:
        """Whether `ids` lists this table's products in its row order."""
        return list(ids) == self._ids

    def column(self, name: str) -> np.ndarray:
        """One field for every product, in row order: float64 with NaN for missing prices, bool for
        stock, else an object array of str / None."""
        values = self._table.column(name)
        if name == "price":
            return values.to_numpy().astype(np.float64) if len(values) else np.zeros(0)
        return np.array(values.to_pylist(), dtype=bool if name == "in_stock" else object)

    def titles(self, ids: Sequence[str]) -> list[str]:
        """The products' titles, without building the products (a query reads ~200 to demote
        accessories: building them took ~6 ms of a 1M-product search, reading the titles well under 1).

        >>> table = ProductTable(pa.Table.from_batches([_batch([Product("a", "MUG", "Mug")]), _batch([Product("b", "CUP", "Cup")])]))
        >>> table.titles(["b", "a"])
        ['CUP', 'MUG']
        """
        batches, locals_ = self._places(np.fromiter((self._row[pid] for pid in ids), dtype=np.int64, count=len(ids)))
        title = self._chunks[FIELDS.index("title")]
        return [title[b][r].as_py() for b, r in zip(batches.tolist(), locals_.tolist())]

    def _places(self, rows):
        """(record batch, row within it) of a row, or of each of an array of rows."""
        batches = np.searchsorted(self._starts, rows, side="right") - 1
        return batches, rows - self._starts[batches]

    def _product_at(self, row: int) -> Product:
        batch, local = map(int, self._places(row))
        values = {name: chunks[batch][local].as_py() for name, chunks in zip(FIELDS, self._chunks)}
        values["attributes"] = json.loads(values["attributes"]) if values["attributes"] else {}
        values["description"] = values["description"] or ""
        return Product(**values)


class InOrder(Sequence[Product]):
    """Products in the order of `ids` (an index's), each built when read.

    >>> shop = {"a": Product("a", "MUG", "Mug"), "b": Product("b", "CUP", "Cup")}
    >>> rows = InOrder(shop, ["b", "a"]); len(rows), rows[0].id, [p.id for p in rows[:2]]
    (2, 'b', ['b', 'a'])
    """

    def __init__(self, products: Mapping[str, Product], ids: Sequence[str]):
        self._products, self._ids = products, ids

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self._products[pid] for pid in self._ids[i]]
        return self._products[self._ids[i]]

    def titles(self, rows: Sequence[int]) -> list[str]:
        """The titles of the products at these positions; from the columns when the products are a
        `ProductTable`, so none is built.

        >>> InOrder({"a": Product("a", "MUG", "Mug"), "b": Product("b", "CUP", "Cup")}, ["b", "a"]).titles([1, 0])
        ['MUG', 'CUP']
        """
        ids = [self._ids[i] for i in rows]
        if isinstance(self._products, ProductTable):
            return self._products.titles(ids)
        return [self._products[pid].title for pid in ids]


def in_order(products: Mapping[str, Product], ids: Sequence[str]) -> bool:
    """Whether `ids` lists exactly these products, in their order.

    >>> in_order({"a": Product("a", "A", "A"), "b": Product("b", "B", "B")}, ["a", "b"]), in_order({"a": Product("a", "A", "A")}, ["b"])
    (True, False)
    """
    if isinstance(products, ProductTable):
        return products.in_order(ids)
    return list(ids) == list(products)
