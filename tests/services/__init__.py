# A package, so that these modules may share their names with the modules they mirror elsewhere
# in tests/ (services/test_scores.py and cli/test_scores.py, services/test_interchange.py and
# domain/test_interchange.py): outside a package pytest needs every test file name to be unique.
