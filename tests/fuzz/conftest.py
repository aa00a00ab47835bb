"""The fuzz suite says how many requests it sent (tests/fuzz/test_no_5xx.py counts)."""


def pytest_terminal_summary(terminalreporter):
    from tests.fuzz import test_no_5xx
    if test_no_5xx.SENT:
        terminalreporter.write_line(
            f"fuzz: {sum(test_no_5xx.SENT.values())} generated requests "
            f"({', '.join(f'{role} {n}' for role, n in test_no_5xx.SENT.items())}), "
            f"{test_no_5xx.EXAMPLES} examples per endpoint and role; "
            f"{sum(test_no_5xx.FAILED.values())} answered 5xx")
