#!/usr/bin/env bash
# Both membership benchmarks on one CUDA GPU, in one command (about 8 minutes on an H100; nothing is
# downloaded: the 8B speed model has random weights, the AUC model is pre-trained here from a config).
#
#   bash benchmarks/gpu.sh            (SKIP_SPEED=1: the AUC benchmark only)
#
# Results: benchmarks/results/membership_speed_cuda.json and membership_auc_cuda.json with their logs;
# each is also copied into $OUT as soon as its stage ends, when $OUT is set (the device runner returns it).
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
results=benchmarks/results
mkdir -p "$results"
logs=${OUT:-$results}

# curate's logging library may be missing on a bare GPU image: stand in the standard library's.
if ! python -c "import loguru" 2>/dev/null; then
  shim=$(mktemp -d)
  mkdir -p "$shim/loguru"
  printf 'import logging\nlogging.basicConfig(level=logging.INFO)\nlogger = logging.getLogger("curate")\n' \
    > "$shim/loguru/__init__.py"
  export PYTHONPATH="$PYTHONPATH:$shim"
fi

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
python -c "import torch, transformers; print('torch', torch.__version__, 'transformers', transformers.__version__)"

status=0
[ -n "${SKIP_SPEED:-}" ] || timeout 300 python benchmarks/membership_speed.py --device cuda --docs 300 --repeats 1 \
  --batch-tokens 16384,32768 --compile --out "$results/membership_speed_cuda.json" 2>&1 | tee "$logs/membership_speed_cuda.log" || status=1
[ -n "${OUT:-}" ] && [ -z "${SKIP_SPEED:-}" ] && cp "$results/membership_speed_cuda.json" "$OUT"/ 2>/dev/null

timeout 400 python benchmarks/membership_auc.py --device cuda --model pretrain:300m --pretrain-seconds 100 \
  --n 200 --population 100 --known 50 --held-back 100 --min-chars 200 --max-chars 800 --train-layers 0 --lr 1e-4 --batch 16 --batch-tokens 65536 \
  --out "$results/membership_auc_cuda.json" 2>&1 | tee "$logs/membership_auc_cuda.log" || status=1
[ -n "${OUT:-}" ] && cp "$results/membership_auc_cuda.json" "$OUT"/ 2>/dev/null

exit $status
