#!/bin/sh
# Regenerates the Swift gRPC client stubs for the parts of containerd's API the module uses.
# The output in Generated/ is committed; CI never runs this.
#
# Needs: protobuf-compiler, golang-github-containerd-containerd-dev (the .proto files),
# golang-github-gogo-protobuf-dev (gogo.proto, imported by them) and the grpc-swift-protobuf
# checkout SwiftPM resolved into .build/checkouts (its generator plugins are built in a temp dir).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
gocode=/usr/share/gocode/src
api=github.com/containerd/containerd/api
out="$here/Generated"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$root/.build/checkouts/grpc-swift-protobuf" "$work/src"
(cd "$work/src" && swift build -c release --product protoc-gen-grpc-swift-2 >/dev/null \
    && swift build -c release --product protoc-gen-swift >/dev/null)
bin="$work/src/.build/release"

services="$api/services/containers/v1/containers.proto
$api/services/images/v1/images.proto
$api/services/tasks/v1/tasks.proto
$api/services/events/v1/events.proto
$api/services/content/v1/content.proto
$api/services/namespaces/v1/namespace.proto"
messages="$api/types/descriptor.proto
$api/types/mount.proto
$api/types/metrics.proto
$api/types/task/task.proto
$api/events/container.proto
$api/events/image.proto
$api/events/task.proto"

rm -rf "$out"
mkdir -p "$out"
includes="-I $gocode -I $gocode/github.com/gogo/protobuf -I /usr/include"
# shellcheck disable=SC2086
protoc $includes \
    --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
    --swift_out="$out" --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
    $services $messages
# shellcheck disable=SC2086
protoc $includes \
    --plugin=protoc-gen-grpc-swift-2="$bin/protoc-gen-grpc-swift-2" \
    --grpc-swift-2_out="$out" \
    --grpc-swift-2_opt=Visibility=Public,Client=true,Server=false,FileNaming=PathToUnderscores \
    $services
echo "generated $(ls "$out" | wc -l) files in $out"
