"""``python -m keras_lint``: the same as the ``keras-lint`` command."""

import sys

from keras_lint.cli import main

if __name__ == "__main__":
    sys.exit(main())
