"""Schemathesis against the app's own OpenAPI document: every operation, with every role's token, positive
and negative examples; checks: no server error, every answer conforms to the documented schema (problem
details included), and no answer takes longer than Schemathesis' default bound (10 s: a hang, not a timing).

Bounded for CI (``EXAMPLES`` per operation and mode, derandomised so a run is repeatable): marked ``slow``,
so ``make test`` and CI run it and ``make test-fast`` leaves it out.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import max_response_time, not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from vaspguard.api import Role, create_app, create_token
from vaspguard.store import Store

EXAMPLES = 8
CHECKS = [not_a_server_error, response_schema_conformance, max_response_time]


@pytest.mark.slow
@pytest.mark.parametrize("role", list(Role))
def test_every_operation_conforms_for_every_role(seeded_store: Store, role: Role) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(seeded_store))
    headers = {"Authorization": f"Bearer {create_token(seeded_store, name='fuzz', role=role)}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []
    calls = 0
    for operation in operations:
        for mode in GenerationMode:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                nonlocal calls
                calls += 1
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:  # nothing to make invalid (GET /healthz takes no input)
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as exc:  # Schemathesis groups the failures it found
                failures.append(f"{operation.label} ({mode}): {str(exc)[:2000]}")
    assert len(operations) >= 30 and calls >= len(operations) * 2
    assert not failures, f"{len(failures)} operation(s) failed:\n\n" + "\n\n".join(failures)
