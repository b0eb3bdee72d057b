"""The bounded-memory set of finished CSV order ids."""

from finalmile.mapping.csv_seen import SeenOrderIds


def test_remembers_ids_across_the_spill_to_disk() -> None:
    seen = SeenOrderIds(memory_limit=3)
    assert [seen.first_seen(f"RX-{n}", n + 2) for n in range(10)] == [None] * 10
    assert [seen.first_seen(f"RX-{n}", 99) for n in range(10)] == list(range(2, 12))
    assert seen.first_seen("RX-404", 50) is None
    assert seen.first_seen("RX-404", 60) == 50
    seen.close()
    assert seen.first_seen("RX-1", 70) is None
