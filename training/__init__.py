"""Training commands that rebuild the shipped model files from ../shared/data (not part of the package)."""
