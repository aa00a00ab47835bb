"""The Flask extensions, unbound: `app.create_app()` binds them to an app.

Every package takes `db` (and the others) from here, never from `app`, so
importing a package's models or rules never loads the web application.
"""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
login_manager.login_view = "community.login"
login_manager.login_message = None
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)

LANGUAGES = ("zh", "en")
