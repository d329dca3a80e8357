#!/usr/bin/env bash
# Installs every Debian 12 package that Sculpt's build, app and tests use — only the
# missing ones (dpkg is asked first), so a second run takes a second.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  lld                                            # links a LibTorch test in 1 s where ld.bfd takes 7
  qt6-base-dev qt6-svg-dev libgl-dev libqcustomplot-dev  # the window, widgets and Qt Test; SVG export
  libtorch-dev                                   # the LibTorch bridge
  libopenblas0-pthread                           # without it LibTorch falls back to the reference BLAS (5× slower SVD)
  nlohmann-json3-dev libminizip-dev              # checkpoint headers; PyTorch's zip container
  libopenblas-dev libhdf5-dev libxxhash-dev       # spectra (LAPACK), the workspace, content hashes
  libsentencepiece-dev                           # SentencePiece tokenizers (.model)
  zlib1g-dev                                     # gzip IDX image sets (MNIST, Fashion-MNIST)
  libpng-dev                                     # PNG images and sheets (OpenCV's digits), as grey or colour
  libjpeg62-turbo-dev                            # JPEG photos (a vision-language model's images), as Pillow decodes them
  libexpat1-dev                                  # Manga109's and ACBF's XML page layouts
  libeigen3-dev                                  # the layout metrics' Fréchet distance (symmetric eigendecompositions)
  dataset-fashion-mnist                          # the Fashion-MNIST images the demo ViT trains on (sculpt-cli zoo)
  fortunes                                       # the English text the demo LLaMA trains on (sculpt-cli zoo)
  python3-numpy                                  # the spectra benchmark's baseline; the runtime tests' numpy reference
  python3-torch                                  # the evaluation benchmark's baseline (bench/llama_forward.py)
  python3-pil                                    # the image path's reference (Pillow's decoding and bicubic resize)
  clang libclang-rt-14-dev                       # fuzz targets replayed under ASan/UBSan
  slurmctld slurmd slurm-client munge            # the one-node Slurm cluster tests start themselves (tests/common/slurm_cluster.h)
  dpkg-dev file                                  # cpack -G DEB: dpkg-shlibdeps makes the Depends of the ELF files `file` finds
  help2man                                       # the man pages, made from the built binaries' own --help
  librsvg2-bin                                   # the icon's sized PNGs, rendered from packaging/icons/sculpt.svg
  lintian appstream desktop-file-utils           # test_debian_package checks the .debs, the metainfo and the .desktop entry
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
as_root=()
if [[ $(id -u) -ne 0 ]]; then
  as_root=(sudo)
fi
"${as_root[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
