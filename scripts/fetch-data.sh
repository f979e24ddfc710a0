#!/usr/bin/env bash
# Places MNIST's four files in assets/mnist/ and Fashion-MNIST's in assets/fashion-mnist/ (both
# git-ignored), each checked against its SHA-256. Looks in $MNIST_DIR (for Fashion-MNIST:
# $FASHION_MNIST_DIR, then fashion-mnist/ beside $MNIST_DIR), then ../shared/data/mnist/ (or
# fashion-mnist/), then downloads from the public mirrors.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/scripts/common.sh"
good() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

# place <name> <dir under assets/ and ../shared/data/> <dirs to look in first (':'-separated)>
#       <mirrors (space-separated)> <file=sha256>...
place() {
  local name=$1 sub=$2 mirrors=$4 first
  IFS=: read -ra first <<<"$3"
  shift 4
  local dest="$here/assets/$sub"
  mkdir -p "$dest"
  for pair in "$@"; do
    local f=${pair%%=*} want=${pair#*=} placed=
    good "$dest/$f" "$want" && continue
    for dir in "${first[@]}" "$here/../shared/data/$sub"; do
      [ -n "$dir" ] && [ -f "$dir/$f" ] || continue
      if good "$dir/$f" "$want"; then cp "$dir/$f" "$dest/$f.tmp" && mv "$dest/$f.tmp" "$dest/$f"; placed=1; break; fi
      echo "warning: $dir/$f does not match its SHA-256 (corrupt or a different file); not using it" >&2
    done
    if [ -z "$placed" ]; then
      for m in $mirrors; do
        step "downloading $name's $f from $m"
        if curl -fL --retry 2 --connect-timeout 15 -o "$dest/$f.tmp" "$m/$f" 2>/dev/null && good "$dest/$f.tmp" "$want"; then
          mv "$dest/$f.tmp" "$dest/$f"; placed=1; break
        fi
        rm -f "$dest/$f.tmp"
      done
    fi
    [ -n "$placed" ] || die "$name file $f is missing or fails its SHA-256 check.
  Put the original file in the directory \$$( [ "$sub" = mnist ] && echo MNIST_DIR || echo FASHION_MNIST_DIR ) names (or ../shared/data/$sub/),
  or connect to the internet so setup can download it, then run this command again. Expected sha256: $want"
  done
}

place MNIST mnist "${MNIST_DIR:-}" \
  "https://ossci-datasets.s3.amazonaws.com/mnist https://storage.googleapis.com/cvdf-datasets/mnist" \
  train-images-idx3-ubyte.gz=440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609 \
  train-labels-idx1-ubyte.gz=3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c \
  t10k-images-idx3-ubyte.gz=8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6 \
  t10k-labels-idx1-ubyte.gz=f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6
place Fashion-MNIST fashion-mnist "${FASHION_MNIST_DIR:-}:${MNIST_DIR:+$MNIST_DIR/../fashion-mnist}" \
  "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com" \
  train-images-idx3-ubyte.gz=3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84 \
  train-labels-idx1-ubyte.gz=a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845 \
  t10k-images-idx3-ubyte.gz=346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073 \
  t10k-labels-idx1-ubyte.gz=67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5
