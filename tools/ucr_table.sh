#!/bin/bash
# The README's time-series classification table: Strata's default recipe and the FCN
# recipe on each UCR/UEA set in ../shared/data/ucr-uea, one JSON line per run.
#
#   tools/ucr_table.sh [SEEDS] [SETS] > results.jsonl
#
# SEEDS defaults to "0 1 2 3 4"; SETS to all eight. A run of the default trains three
# ResNets (seeds SEED…SEED+2); on PLAID (537 series resampled to 1,344 steps, 300 epochs)
# one such ResNet took a median 37 s per epoch (about 3 hours) on one thread beside a
# second run on the other core.
set -euo pipefail
strata=${STRATA:-.build/release/strata}
data=${STRATA_SHARED:-../shared}/data/ucr-uea
seeds=${1:-0 1 2 3 4}
sets=${2:-ACSF1 ArrowHead BasicMotions GunPoint ItalyPowerDemand JapaneseVowels OSULeaf PLAID}
declare -A recipes=(
  [default]=""
  [fcn]="--model fcn --epochs 300 --batch-size 16 --validation 0 --schedule none"
)
for seed in $seeds; do
  for set in $sets; do
    for recipe in default fcn; do
      out=$(mktemp -d)
      # shellcheck disable=SC2086
      result=$("$strata" train --data "ucr:$set" --data-dir "$data" --seed "$seed" --output "$out" --json ${recipes[$recipe]})
      echo "{\"recipe\":\"$recipe\",\"set\":\"$set\",\"seed\":$seed,\"result\":$result}"
      rm -rf "$out"
    done
  done
done
