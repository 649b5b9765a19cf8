"""The project's tests of the OpenAPI contract and of conformance.spec."""
