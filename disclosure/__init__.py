"""disclosure — 政府信息公开申请办理系统."""
from __future__ import annotations

import os

from flask import Flask

TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "templates")


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory: config → extensions → blueprints → errors → commands."""
    from . import cli, config, database, extensions, i18n, security
    from .web import register_blueprints
    from .web.errors import register_error_handlers

    instance_path = (test_config or {}).get("INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, template_folder=TEMPLATES,
                instance_path=instance_path)
    config.load(app, test_config)
    _open_settings_scope(app)
    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=os.path.join(
        os.path.dirname(TEMPLATES), "migrations"))
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    database.configure(app)
    register_blueprints(app)
    register_error_handlers(app)
    cli.register(app)
    if app.config.get("PROXY_FIX_X_FOR"):
        # Behind nginx: trust that many X-Forwarded-For hops, so rate limits key on the client.
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_FIX_X_FOR"]),
                                x_proto=int(app.config["PROXY_FIX_X_FOR"]))
    return app


def _open_settings_scope(app: Flask) -> None:
    """Every app context (request, CLI command, job run) runs its services in a settings scope
    (``disclosure.settings``): the services read configuration from there, never from Flask."""
    from flask import appcontext_pushed, g

    from . import settings

    view = settings.Settings.of(app.config, app.instance_path)

    def opened(sender, **_kw):
        g._settings_token = settings.enter(view)

    def closed(_exc=None):
        token = g.pop("_settings_token", None)
        if token is not None:
            try:
                settings.leave(token)
            except ValueError:  # closed from another context (a copied context): let it lapse
                pass

    appcontext_pushed.connect(opened, app, weak=False)
    app.teardown_appcontext(closed)
