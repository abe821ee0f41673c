#!/usr/bin/env bash
# Builds an OCI image of Vigil with umoci, from files on this machine only
# (no Docker engine, no registry): the vigil binary, the shipped modules, the
# shared libraries ldd says they need (Swift runtime and Debian libs, copied
# from the host), and the DaemonSet configuration in deploy/image/.
#
#   scripts/build-image.sh [--tag TAG] [--layout DIR] [--strip-debug] BUILD_DIR OUTPUT.tar
#
# BUILD_DIR holds the products of `swift build` (.build/debug or
# .build/release). OUTPUT.tar is an OCI archive for
# `ctr images import --base-name REPO OUTPUT.tar` (the tag comes from --tag,
# default "latest"); --layout also keeps the OCI layout folder;
# --strip-debug removes the DWARF and .swift_ast (debugger-only) sections of vigil and the modules (symbols
# stay, so backtraces keep their names), which a debug build mostly is. Prints the
# image size. Needs root (umoci unpack/repack keep file owners, and the
# modules must be root-owned inside the image).
set -euo pipefail
# ldconfig lives in /sbin; a test runner's PATH may not have it.
export PATH="$PATH:/usr/sbin:/sbin"

tag=latest
layout_out=""
strip_debug=0
while (($#)); do
    case "$1" in
        --tag) tag="$2"; shift 2 ;;
        --layout) layout_out="$2"; shift 2 ;;
        --strip-debug) strip_debug=1; shift ;;
        -h|--help) sed -n "2,16p" "$0"; exit 0 ;;
        -*) echo "build-image: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
if (($# != 2)); then
    echo "usage: $0 [--tag TAG] [--layout DIR] [--strip-debug] BUILD_DIR OUTPUT.tar" >&2
    exit 2
fi
build_dir=$(cd "$1" && pwd -P)
output=$(realpath -m "$2")
repo_root=$(cd "$(dirname "$0")/.." && pwd -P)
config_src="$repo_root/deploy/image"

# The modules a DaemonSet runs; the example module is for module authors only.
modules=(libvigil-cgroup.so libvigil-network.so libvigil-containerd.so libvigil-sbom.so libvigil-kubernetes.so libvigil-autoscaling.so)
for product in vigil "${modules[@]}"; do
    [[ -f "$build_dir/$product" ]] || { echo "build-image: $build_dir/$product is missing (swift build first)" >&2; exit 1; }
done
for tool in umoci ldd ldconfig readelf strip tar; do
    command -v "$tool" >/dev/null || { echo "build-image: $tool is not installed" >&2; exit 1; }
done

work=$(mktemp -d /tmp/vigil-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
layout="$work/layout"
bundle="$work/bundle"
rootfs="$bundle/rootfs"
ref="$layout:$tag"

umoci init --layout "$layout"
umoci new --image "$ref"
umoci unpack --image "$ref" "$bundle"

# Modes are set explicitly, not left to the caller's umask: the loader only
# trusts module folders that are root-owned and not group/world-writable all
# the way up to /.
umask 022
install -d -m 0755 -o root -g root \
    "$rootfs/usr/bin" "$rootfs/usr/lib/x86_64-linux-gnu" "$rootfs/usr/lib64" \
    "$rootfs/usr/lib/vigil/modules" "$rootfs/usr/lib/swift/linux" \
    "$rootfs/etc/vigil" "$rootfs/etc/ld.so.conf.d" "$rootfs/etc/ssl/certs" \
    "$rootfs/host/proc" "$rootfs/host/sys/fs/cgroup" "$rootfs/run/containerd" \
    "$rootfs/var/run/datadog" "$rootfs/var/lib/vigil" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
install -d -m 1777 "$rootfs/tmp"
chown root:root "$rootfs" "$rootfs/usr" "$rootfs/usr/lib" "$rootfs/usr/lib/vigil"
chmod 0755 "$rootfs" "$rootfs/usr" "$rootfs/usr/lib" "$rootfs/usr/lib/vigil"
# Debian's merged /usr: the loader path in every ELF header is /lib64/...
ln -s usr/lib "$rootfs/lib"
ln -s usr/lib64 "$rootfs/lib64"

install -m 0755 -o root -g root "$build_dir/vigil" "$rootfs/usr/bin/vigil"
for module in "${modules[@]}"; do
    install -m 0644 -o root -g root "$build_dir/$module" "$rootfs/usr/lib/vigil/modules/$module"
done
if ((strip_debug)); then
    strip --strip-debug --remove-section=.swift_ast "$rootfs/usr/bin/vigil" "${modules[@]/#/$rootfs/usr/lib/vigil/modules/}"
fi

# Every shared library the binary and the modules load, as ldd resolves them
# on this machine. Swift's runtime goes to /usr/lib/swift/linux, the rest to
# the multiarch folder; ld.so.cache (built below) finds them there whatever
# RUNPATH the build wrote.
declare -A copied=()
copy_library() {
    local path=$1 real name dest
    real=$(readlink -f "$path")
    name=$(basename "$path")
    case "$real" in
        */lib/swift/linux/*) dest="$rootfs/usr/lib/swift/linux" ;;
        "$build_dir"/*) dest="$rootfs/usr/lib/vigil/lib" ;;
        *) dest="$rootfs/usr/lib/x86_64-linux-gnu" ;;
    esac
    [[ -n "${copied[$dest/$name]:-}" ]] && return 0
    install -d -m 0755 "$dest"
    install -m 0644 -o root -g root "$real" "$dest/$name"
    # The build's own libraries (libvigil-shared.so) get the same stripping as vigil and the modules.
    if [[ "$dest" == "$rootfs/usr/lib/vigil/lib" && $strip_debug == 1 ]]; then
        strip --strip-debug --remove-section=.swift_ast "$dest/$name"
    fi
    copied[$dest/$name]=1
}
for elf in "$build_dir/vigil" "${modules[@]/#/$build_dir/}"; do
    if ldd "$elf" | grep -q 'not found'; then
        echo "build-image: $elf has unresolved libraries:" >&2
        ldd "$elf" | grep 'not found' >&2
        exit 1
    fi
    # "libfoo.so.1 => /path/libfoo.so.1 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"
    while read -r path; do
        copy_library "$path"
    done < <(ldd "$elf" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
done
interpreter=$(readelf -l "$build_dir/vigil" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
install -m 0755 "$(readlink -f "$interpreter")" "$rootfs/usr/lib64/$(basename "$interpreter")"

printf '%s\n' /usr/lib/swift/linux /usr/lib/vigil/lib /usr/lib/x86_64-linux-gnu > "$rootfs/etc/ld.so.conf.d/vigil.conf"
echo 'include /etc/ld.so.conf.d/*.conf' > "$rootfs/etc/ld.so.conf"
ldconfig -r "$rootfs"

# What glibc and TLS need at run time: users for "root", name service order
# for dd_url lookups, the CA bundle for https destinations.
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
    install -m 0644 /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
fi

# The DaemonSet configuration: /host/... roots, the shared socket folder, the
# private run folder.
cp -r "$config_src/etc/vigil/." "$rootfs/etc/vigil/"
# The Kubernetes collectors are opt-in, as in conf.d: their examples ship, renamed on use.
for check in kubernetes autoscaling; do
    install -d "$rootfs/etc/vigil/conf.d/$check.d"
    cp "$repo_root/conf.d/$check.d/conf.yaml.example" "$rootfs/etc/vigil/conf.d/$check.d/"
done
chown -R root:root "$rootfs/etc/vigil"
find "$rootfs/etc/vigil" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +

version=$("$build_dir/vigil" version 2>/dev/null | head -1 || true)
umoci repack --image "$ref" --history.created_by "scripts/build-image.sh $(basename "$build_dir")" "$bundle"
umoci config --image "$ref" \
    --config.entrypoint /usr/bin/vigil \
    --config.cmd run --config.cmd -c --config.cmd /etc/vigil/vigil.yaml \
    --config.env PATH=/usr/bin \
    --config.workingdir / \
    --config.user 0:0 \
    --config.stopsignal SIGTERM \
    --config.label "org.opencontainers.image.title=vigil" \
    --config.label "org.opencontainers.image.description=Vigil container-monitoring agent" \
    --config.label "org.opencontainers.image.version=${version:-unknown}" \
    --config.label "org.opencontainers.image.revision=$(git -C "$repo_root" rev-parse HEAD 2>/dev/null || echo unknown)"
umoci gc --layout "$layout"

mkdir -p "$(dirname "$output")"
tar -C "$layout" -cf "$output" .
if [[ -n "$layout_out" ]]; then
    rm -rf "$layout_out"
    cp -r "$layout" "$layout_out"
fi

rootfs_bytes=$(du -sb "$rootfs" | cut -f1)
archive_bytes=$(stat -c %s "$output")
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo "image: $output (tag $tag)"
echo "image size: $(mib "$archive_bytes") compressed (OCI archive), $(mib "$rootfs_bytes") unpacked"
