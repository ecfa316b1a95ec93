"""Tables of the audit capability (declared on vaspguard.store.Base; migration in store/migrations)."""
