"""Tables of the requests capability (declared on vaspguard.store.Base; migration in store/migrations)."""
