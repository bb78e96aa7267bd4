"""``keras-lint server``: a Language Server (stdio) that lints what an editor has open.

Needs the ``server`` extra (pygls and lsprotocol): ``pip install "keras-lint[server]"``.
"""
