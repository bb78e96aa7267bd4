#!/usr/bin/env bash
# The action's first step: keras-lint from the action's own checkout, in a virtualenv of its own
# (the workflow's Python packages are left alone). The lint step runs $RUNNER_TEMP/keras-lint/bin.
set -euo pipefail
venv="${RUNNER_TEMP:?}/keras-lint"
"${INPUT_PYTHON:-python3}" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${GITHUB_ACTION_PATH:?}"
"$venv/bin/keras-lint" --version
