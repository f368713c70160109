#!/usr/bin/env bash
# check.sh BUILD_DIR SRC_DIR - installs the build into a scratch prefix and
# builds a downstream program against it with pkg-config, shared and static.
set -euo pipefail
build=$1 src=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
cc -std=c11 "$src/tests/install/use_clv.c" $(pkg-config --cflags --libs clv) \
  -Wl,-rpath,"$prefix/lib" -lm -o "$prefix/use_shared"
"$prefix/use_shared"
cc -std=c11 "$src/tests/install/use_clv.c" $(pkg-config --cflags clv) \
  "$prefix/lib/libclv.a" $(pkg-config --static --libs-only-l clv | sed 's/-lclv//') \
  -o "$prefix/use_static"
"$prefix/use_static"
echo "install: 2 passed, 0 failed"
