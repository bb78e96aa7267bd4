"""``keras-lint verify``: the runtime harness that shows each rule's failure on real training runs.

For every rule it lints the rule's fixture pair (``fixtures/<rule-name>/``), trains the bad and the
good program in separate processes for several seeds, and judges the measured metrics against the
rule's ``criterion.toml``. Only this package's ``command`` module is imported by the ``keras-lint``
command, and only for ``keras-lint verify``; nothing here imports a Keras backend.
"""
