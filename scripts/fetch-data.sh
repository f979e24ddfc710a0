#!/usr/bin/env bash
# Places the four MNIST files in assets/mnist/ (git-ignored), each checked against its SHA-256.
# Looks in $MNIST_DIR, then ../shared/data/mnist/, then downloads from the public mirrors.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/scripts/common.sh"
dest="$here/assets/mnist"
mkdir -p "$dest"
declare -A sha=(
  [train-images-idx3-ubyte.gz]=440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609
  [train-labels-idx1-ubyte.gz]=3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c
  [t10k-images-idx3-ubyte.gz]=8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6
  [t10k-labels-idx1-ubyte.gz]=f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6
)
mirrors=(https://ossci-datasets.s3.amazonaws.com/mnist https://storage.googleapis.com/cvdf-datasets/mnist)
good() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  want=${sha[$f]}
  good "$dest/$f" "$want" && continue
  placed=
  for dir in "${MNIST_DIR:-}" "$here/../shared/data/mnist"; do
    [ -n "$dir" ] && [ -f "$dir/$f" ] || continue
    if good "$dir/$f" "$want"; then cp "$dir/$f" "$dest/$f.tmp" && mv "$dest/$f.tmp" "$dest/$f"; placed=1; break; fi
    echo "warning: $dir/$f does not match its SHA-256 (corrupt or a different file); not using it" >&2
  done
  if [ -z "$placed" ]; then
    for m in "${mirrors[@]}"; do
      step "downloading $f from $m"
      if curl -fL --retry 2 --connect-timeout 15 -o "$dest/$f.tmp" "$m/$f" 2>/dev/null && good "$dest/$f.tmp" "$want"; then
        mv "$dest/$f.tmp" "$dest/$f"; placed=1; break
      fi
      rm -f "$dest/$f.tmp"
    done
  fi
  [ -n "$placed" ] || die "MNIST file $f is missing or fails its SHA-256 check.
  Put the original file in \$MNIST_DIR (or ../shared/data/mnist/), or connect to the internet so setup
  can download it, then run this command again. Expected sha256: $want"
done
