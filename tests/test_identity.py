import pytest

from pipelines.identity import show_key


@pytest.mark.parametrize(("a", "b"), [
    ("Spy x Family Season 2", "SPY×FAMILY"),
    ("Jujutsu Kaisen 2nd Season", "jujutsu kaisen"),
    ("The Last of Us", "Last of Us"),
    ("Attack on Titan: The Final Season", "Attack on Titan"),
    ("Pokémon Horizons", "Pokemon Horizons"),
    ("Vinland Saga Season 2", "Vinland Saga"),
])
def test_spellings_of_one_show_share_a_key(a, b):
    assert show_key(a) == show_key(b)


def test_a_film_part_is_its_own_work():
    assert show_key("Dune: Part Two") != show_key("Dune")
