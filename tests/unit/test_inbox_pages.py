"""How the inbox reads any page: after the page above, before the page below, else at its offset."""

from __future__ import annotations

from supportdesk.ui.tickets.pages import PageMap, Plan


def rows(page: int, size: int = 3) -> list[tuple]:
    return [(f"v{page * size + i:03d}", f"id{page * size + i:03d}") for i in range(size)]


def test_a_page_is_read_from_the_nearest_key_it_has():
    m = PageMap(3, keep=2, key=lambda r: (r[0], r[1]))
    assert m.plan(0) == Plan(0)
    assert m.plan(5) == Plan(5, offset=15)  # nothing read near it: its offset
    m.put(5, rows(5))
    assert m.plan(6) == Plan(6, after=("v017", "id017"))  # after the last key of the page above
    assert m.plan(4) == Plan(4, before=("v015", "id015"))  # before the first key of the one below
    assert m.plan(8) == Plan(8, offset=24)


def test_only_the_last_pages_used_keep_their_rows_but_every_page_keeps_its_keys():
    m = PageMap(3, keep=2, key=lambda r: (r[0], r[1]))
    for page in (0, 1, 2):
        m.put(page, rows(page))
    assert len(m) == 2 and 0 not in m and m.get(1) == rows(1)
    m.put(3, rows(3))  # page 2 was used less recently than page 1 (just read)
    assert sorted(p for p, _ in m.items()) == [1, 3]
    assert m.seen(0) and m.seen(2) and not m.seen(4)
    assert m.plan(1) == Plan(1, after=("v002", "id002"))  # keys of dropped pages still count
    m.stale = {1, 3}
    m.put(1, rows(1))
    assert m.stale == {3}  # a page read again is fresh
    m.clear()
    assert len(m) == 0 and not m.seen(0) and m.plan(1) == Plan(1, offset=3)
