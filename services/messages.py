"""What the services package's refusal codes say to a person."""
from flask_babel import lazy_gettext as _l

MESSAGES = {
}
