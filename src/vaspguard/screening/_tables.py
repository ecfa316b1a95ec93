"""Tables of the screening capability (declared on vaspguard.store.Base; migration in store/migrations)."""
