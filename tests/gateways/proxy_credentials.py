"""The credentials of the test proxy, in a module of their own: `from conftest import` can find another conftest."""

PROXY_USER, PROXY_PASSWORD = "proxyuser", "proxy-pass-123"
