"""The GraphQL API (strawberry): one module per type family, a thin schema module."""
