"""The public names: exported, unique and documented."""

import servicescore
import servicescore.distributed
import servicescore.scorers


def test_all_is_unique_and_exported() -> None:
    """Every name in __all__ exists once (ruff's RUF022 keeps the list sorted)."""
    for module in (servicescore, servicescore.scorers, servicescore.distributed):
        assert len(set(module.__all__)) == len(module.__all__)
        for name in module.__all__:
            assert hasattr(module, name)


def test_documented_names(pytestconfig) -> None:  # type: ignore[no-untyped-def]
    """Every public name appears in the hand-written API reference (one page per area)."""
    pages = sorted((pytestconfig.rootpath / "docs" / "reference").glob("*.rst"))
    assert pages
    api = "\n".join(page.read_text() for page in pages)
    for name in servicescore.__all__:
        if name != "__version__":
            assert name in api, name
    for module in (servicescore.scorers, servicescore.distributed):
        for name in module.__all__:
            assert f"{module.__name__}.{name}" in api, name
