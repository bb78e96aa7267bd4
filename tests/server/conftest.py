"""The LSP sessions of the server's tests (``lsp_session``)."""

from lsp_session import client, utf8_client

__all__ = ["client", "utf8_client"]
