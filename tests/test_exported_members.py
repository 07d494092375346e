import servicescore


def test_all_is_sorted_and_exported() -> None:
    assert list(servicescore.__all__) == sorted(servicescore.__all__)
    for name in servicescore.__all__:
        assert hasattr(servicescore, name)


def test_documented_names(pytestconfig) -> None:  # type: ignore[no-untyped-def]
    api = (pytestconfig.rootpath / "docs" / "reference" / "api.rst").read_text()
    for name in servicescore.__all__:
        if name != "__version__":
            assert name in api, name
