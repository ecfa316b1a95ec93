"""Tables of the lists capability (declared on vaspguard.store.Base; migration in store/migrations)."""
