"""Root pytest configuration: paths that are not test modules."""

collect_ignore = ["src/servicescore/__main__.py", "docs/conf.py", "benchmarks", "tests/typing"]
