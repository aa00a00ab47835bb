"""How a rule says no: a stable code the views turn into a message and tests assert."""


class Refused(Exception):
    """A rule said no; `code` is stable, `params` fill the message."""

    def __init__(self, code, **params):
        super().__init__(code)
        self.code = code
        self.params = params


class Invalid(Refused):
    """Bad input: a code per field, so a form can show each beside its field."""

    def __init__(self, errors):
        super().__init__("invalid")
        self.errors = errors  # {field: code}

    def __str__(self):
        return f"invalid {self.errors}"
