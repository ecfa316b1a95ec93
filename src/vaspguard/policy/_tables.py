"""Tables of the policy capability (declared on vaspguard.store.Base; migration in store/migrations)."""
