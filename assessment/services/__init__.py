"""Use cases: the only code that commits a transaction.

Each module holds one area: `accounts`, `rounds`, `assessments`, `export`, `demo_data`;
`errors` holds what they refuse with and `permissions` who may do what.
"""
