#!/usr/bin/env bash
# Download the wheels that scripts/verify_gpu.sh installs on a GPU machine without network
# access: Keras and keras-lint's dependencies that an image with JAX, PyTorch, CuPy,
# scikit-learn, matplotlib, numpy and h5py lacks, for CPython 3.12 on x86-64 Linux.
#
#   scripts/download_gpu_wheels.sh [FOLDER]      # default: .whl (ignored by git)
#
# Run it on a machine with network access, then copy the folder along with the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."

folder="${1:-.whl}"
python="${PYTHON:-python3}"
python_version="${GPU_PYTHON_VERSION:-3.12}"

# name==version, one per line: what the image lacks (see scripts/README.md). The versions are
# the ones the test suite runs with; the image's numpy, h5py, ml-dtypes and packaging serve Keras.
WHEELS=(
    keras==3.15.1       # Keras 3 itself (pure Python)
    absl-py==2.5.1      # Keras
    namex==0.1.0        # Keras
    optree==0.20.0      # Keras (compiled)
    rich==15.0.0        # Keras
    markdown-it-py==4.3.0  # rich
    mdurl==0.1.2        # markdown-it-py
    pygments==2.21.0    # rich
    libcst==1.9.0       # keras-lint (compiled)
    pyyaml==6.0.4       # keras-lint, libcst (compiled)
    pathspec==1.1.1     # keras-lint
    dockerfile-parse==2.0.1  # keras-lint
)

mkdir -p "$folder"
for wheel in "${WHEELS[@]}"; do
    "$python" -m pip download --quiet --no-deps --only-binary=:all: \
        --python-version "$python_version" --implementation cp \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
        --platform manylinux2014_x86_64 --platform any \
        -d "$folder" "$wheel"
done
echo "$(ls "$folder"/*.whl | wc -l) wheels in $folder, $(du -sh "$folder" | cut -f1) in all:"
ls -l "$folder"/*.whl | awk '{printf "  %8.1f KiB  %s\n", $5 / 1024, $9}'
