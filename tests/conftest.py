"""Shared test setup. Each suite's conftest sets the environment before chalicelib is imported
(PynamoDB reads settings at class definition)."""
