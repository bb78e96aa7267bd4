#!/usr/bin/env bash
# `keras-lint verify` on a GPU machine without network access whose Python (3.12, x86-64) has
# JAX, PyTorch, scikit-learn, matplotlib, numpy and h5py but neither TensorFlow nor Keras: one
# command that installs the carried wheels, then trains the fixtures on the GPU with the JAX
# backend and then the PyTorch backend, each under a time limit, and keeps the reports.
#
#   scripts/verify_gpu.sh [OUTPUT]
#
# OUTPUT: where the reports go (default: $OUT when set, else ./verify-gpu): verify-BACKEND.txt
# (the table), verify-BACKEND.json, plots-BACKEND/, summary.txt. Settings (environment):
#   PYTHON          the interpreter (default python3)
#   WHEELS          the folder of wheels from scripts/download_gpu_wheels.sh (default .whl)
#   VERIFY_DEVICE   gpu (default), or cpu: the same steps on the CPU, to try the script anywhere
#   VERIFY_BACKENDS the backends in turn (default "jax torch")
#   VERIFY_SEEDS    seeds per program (default 2)
#   VERIFY_RUN_TIMEOUT      seconds per fixture run (default 120)
#   VERIFY_BACKEND_TIMEOUT  seconds per backend, all its runs (default 190)
# More arguments after OUTPUT go to every `keras-lint verify` (e.g. --rule KER303).
# Exit status: 0 when every backend's verify exited 0, else 1.
set -uo pipefail
cd "$(dirname "$0")/.."

out="${1:-${OUT:-verify-gpu}}"
shift || true
python="${PYTHON:-python3}"
wheels="${WHEELS:-.whl}"
device="${VERIFY_DEVICE:-gpu}"
read -r -a backends <<< "${VERIFY_BACKENDS-jax torch}"
seeds="${VERIFY_SEEDS:-2}"
run_timeout="${VERIFY_RUN_TIMEOUT:-120}"
backend_timeout="${VERIFY_BACKEND_TIMEOUT:-190}"
me="verify_gpu.sh"

mkdir -p "$out"
summary="$out/summary.txt"
: > "$summary"
say() { echo "$me: $*" | tee -a "$summary"; }

# The report of a backend that could not run at all: each rule an error, with the reason.
error_report() {
    local backend="$1" reason="$2" codes
    codes=$(sed -n 's/^rule = "\(KER[0-9]*\)".*/\1/p' fixtures/*/criterion.toml | sort -u)
    REASON="$reason" BACKEND="$backend" CODES="$codes" "$python" -c '
import json, os
rules = [{"code": code, "verdict": "error", "reason": os.environ["REASON"]}
         for code in os.environ["CODES"].split()]
print(json.dumps({"backend": os.environ["BACKEND"], "passed": False,
                  "error": os.environ["REASON"], "rules": rules}, indent=2))
' > "$out/verify-$backend.json"
}
error_reports() {
    local backend
    for backend in "${backends[@]}"; do
        error_report "$backend" "$1"
    done
}

if ! command -v "$python" > /dev/null; then
    say "error: no Python interpreter $python"
    exit 1
fi

# 1. The carried wheels the image lacks, into a folder of their own (nothing else is touched).
site="${TMPDIR:-/tmp}/keras-lint-gpu-site"
rm -rf "$site" && mkdir -p "$site"
to_install=()
for wheel in "$wheels"/*.whl; do
    [ -e "$wheel" ] || continue
    name=$(basename "$wheel" | cut -d- -f1)
    if "$python" -c 'import importlib.metadata as m, sys; m.version(sys.argv[1])' "$name" \
        2> /dev/null; then
        continue  # the image's own copy serves
    fi
    to_install+=("$wheel")
done
if [ "${#to_install[@]}" -gt 0 ]; then
    if ! "$python" -m pip install --quiet --no-index --no-deps --target "$site" \
        "${to_install[@]}" >> "$summary" 2>&1; then
        say "error: pip could not install the wheels of $wheels (see $summary)"
        error_reports "pip could not install the wheels of $wheels"
        exit 1
    fi
fi
export PYTHONPATH="$PWD:$site${PYTHONPATH:+:$PYTHONPATH}"
say "installed ${#to_install[@]} wheels from $wheels into $site"

# 2. What keras-lint and Keras import, named when missing: neither in the image nor carried.
missing=$("$python" -c '
import importlib.util
modules = ["libcst", "yaml", "pathspec", "dockerfile_parse", "keras", "absl", "namex",
           "optree", "rich", "numpy", "h5py", "ml_dtypes", "packaging", "sklearn", "matplotlib"]
print(" ".join(m for m in modules if importlib.util.find_spec(m) is None))
')
if [ -n "$missing" ]; then
    say "error: missing from the image and from $wheels: ${missing// /, }"
    for module in libcst yaml pathspec dockerfile_parse; do
        if [[ " $missing " == *" $module "* ]]; then  # keras-lint itself cannot start
            error_reports "missing from the image and from $wheels: ${missing// /, }"
            exit 1
        fi
    done
fi

# 3. The GPU as nvidia-smi sees it (keras-lint verify says so when it cannot read it).
if [ "$device" = gpu ]; then
    gpu=$(timeout 20 nvidia-smi --query-gpu=name,memory.used,memory.total \
        --format=csv,noheader 2>&1 | head -1) || gpu="nvidia-smi cannot read the GPU: $gpu"
    say "GPU 0: $gpu"
fi

# 4. Each backend in turn, under its time limit: Ctrl-C first (the report of what finished is
# still written), then a kill.
status=0
for backend in "${backends[@]}"; do
    started=$SECONDS
    timeout --signal=INT --kill-after=20 "$backend_timeout" \
        "$python" -m keras_lint verify --device "$device" --backend "$backend" \
        --seeds "$seeds" --timeout "$run_timeout" --json "$out/verify-$backend.json" \
        --plots "$out/plots-$backend" "$@" > "$out/verify-$backend.txt" 2>&1
    code=$?
    cat "$out/verify-$backend.txt"
    case $code in
        0) result="verified" ;;
        124 | 130 | 137) result="stopped at the $backend_timeout s limit" ;;
        *) result="not verified (exit status $code)" ;;
    esac
    say "$backend: $result in $((SECONDS - started)) s; $out/verify-$backend.json"
    if [ "$code" -ne 0 ]; then
        status=1
        if [ ! -s "$out/verify-$backend.json" ]; then
            error_report "$backend" \
                "keras-lint verify ended without a report: $(tail -1 "$out/verify-$backend.txt")"
        fi
    fi
done
exit "$status"
