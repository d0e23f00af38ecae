#!/usr/bin/env bash
# The real-engine suite: provisions what it needs (a Docker engine with container egress refused,
# our local images, the Pulumi CLI and Node.js host, and a Kubernetes control plane with the Pulumi
# Kubernetes provider, these built from Go modules, all cached outside the repository), then runs
# tests/real with jest. The last line is the verdict.
set -euo pipefail
cd "$(dirname "$0")/.."
# The tests run on a Node.js package.json declares (the machine's, or one from the npm registry).
export PATH="$(bash scripts/provision/node.sh):$PATH"
started=$(date +%s)
bash scripts/provision/docker.sh
bash scripts/provision/images.sh >/dev/null
engine=$(bash scripts/provision/pulumi-engine.sh)
# An S3-compatible server (moto, from PyPI) for BackupVolume's copies off the host.
export NEO4J_ESTATE_S3_PYTHON="$(bash scripts/provision/s3-server.sh)"
# The dynamic-provider shim ships inside @pulumi/pulumi.
export PATH="$engine:$PWD/node_modules/@pulumi/pulumi:$PWD/node_modules/.bin:$PATH"
export PULUMI_SKIP_UPDATE_CHECK=1 PULUMI_ENGINE_DIR="$engine"
# kube-apiserver, kube-controller-manager and pulumi-resource-kubernetes (with
# NEO4J_ESTATE_K8S_NODE=1 also kube-scheduler and kubelet, for the pod-level suite); about 45
# minutes cold on 2 busy cores, nothing warm.
k8s_path=$(bash scripts/provision/kubernetes.sh)
export NEO4J_ESTATE_K8S_PATH="$k8s_path"
echo "[test-real] provisioned in $(( $(date +%s) - started )) s"
mkdir -p .neo4j-test
export JEST_SUMMARY_FILE="$PWD/.neo4j-test/real-summary.txt"
rm -f "$JEST_SUMMARY_FILE"
status=0
npx jest --config jest.real.config.js "$@" || status=$?
if [ -f "$JEST_SUMMARY_FILE" ]; then cat "$JEST_SUMMARY_FILE"; else echo "0 passed, 1 failed (jest did not finish)"; fi
exit "$status"
