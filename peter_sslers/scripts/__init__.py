


def ini_settings(config_uri: str) -> dict:
    """The ``[app:main]`` settings of an ini file (what ``pyramid.paster.get_appsettings``
    answers, through plaster directly: the command line does not import Pyramid for it)."""
    import plaster

    return dict(plaster.get_loader(config_uri, protocols=["wsgi"]).get_wsgi_app_settings())


def ini_logging(config_uri: str) -> None:
    """Configure logging from the ini file's logging sections."""
    import plaster

    plaster.get_loader(config_uri, protocols=["wsgi"]).setup_logging()
