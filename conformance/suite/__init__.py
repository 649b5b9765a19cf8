"""The conformance tests, one module per area; every test is marked with its requirement id."""
