#!/usr/bin/env bash
# The action's lint step: keras-lint with the workflow's arguments. Exit status as keras-lint's
# (0 clean, 1 findings, 2 usage or internal error), except that fail-on-findings: false turns a 1
# into 0, so that a SARIF upload after it runs; a 2 always fails the step.
set -uo pipefail
keras_lint="${KERAS_LINT:-${RUNNER_TEMP:?}/keras-lint/bin/keras-lint}"
read -r -a paths <<< "${INPUT_ARGS:-.}"  # split into words like a command line, no globbing
options=()
if [ -n "${INPUT_SARIF_FILE:-}" ]; then
    options+=(--format sarif --output-file "$INPUT_SARIF_FILE")
fi
if [ -n "${INPUT_CACHE_DIR:-}" ]; then
    options+=(--cache-dir "$INPUT_CACHE_DIR")
fi
status=0
"$keras_lint" ${options[@]+"${options[@]}"} ${paths[@]+"${paths[@]}"} || status=$?
{
    echo "exit-code=$status"
    echo "sarif-file=${INPUT_SARIF_FILE:-}"
} >> "${GITHUB_OUTPUT:-/dev/null}"
if [ "$status" -eq 1 ] && [ "${INPUT_FAIL_ON_FINDINGS:-true}" = "false" ]; then
    echo "keras-lint found problems; fail-on-findings is false, so the step passes"
    exit 0
fi
exit "$status"
