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
# kube-apiserver, kube-controller-manager and pulumi-resource-kubernetes: the API-server tier;
# about 45 minutes cold on 2 busy cores, nothing warm.
k8s_path=$(bash scripts/provision/kubernetes.sh)
# The pod-level suite also needs kube-scheduler, kubelet and our pause binary (and Debian's CNI
# plugins). Once the API server is built they cost little: measured 21 s and 38 s of wall time
# (87 CPU-seconds) on the shared Go build cache. They are built when cached already, or when the
# time this run has taken so far leaves room for them and the suites within CI's limit
# (NEO4J_ESTATE_CI_STARTED and NEO4J_ESTATE_CI_LIMIT_MIN from .ci/run; 30 minutes are kept for
# the node build at its slowest, the real-engine suites and a margin). Otherwise the pod-level
# suite does not run, and says so.
k8s_dir=${k8s_path%%:*}
ci_started=${NEO4J_ESTATE_CI_STARTED:-$started}
limit_min=${NEO4J_ESTATE_CI_LIMIT_MIN:-90}
elapsed_min=$(( ($(date +%s) - ci_started) / 60 ))
if [ -x "$k8s_dir/kube-scheduler" ] && [ -x "$k8s_dir/kubelet" ] && [ -x "$k8s_dir/pause" ]; then
  node=1 why="cached"
elif [ "$elapsed_min" -le $(( limit_min - 30 )) ]; then
  node=1 why="$elapsed_min of $limit_min minutes used so far"
else
  node=0 why="$elapsed_min of $limit_min minutes used so far leave no room to build them"
fi
if [ "$node" = 1 ]; then
  echo "[test-real] the pod-level suite's node binaries: building or reusing them ($why)"
  k8s_path=$(NEO4J_ESTATE_K8S_NODE=1 bash scripts/provision/kubernetes.sh)
else
  echo "[test-real] the pod-level suite WILL NOT RUN: kube-scheduler and kubelet are not built ($why)"
fi
export NEO4J_ESTATE_K8S_PATH="$k8s_path"
echo "[test-real] provisioned in $(( $(date +%s) - started )) s"
mkdir -p .neo4j-test
export JEST_SUMMARY_FILE="$PWD/.neo4j-test/real-summary.txt"
rm -f "$JEST_SUMMARY_FILE"
status=0
npx jest --config jest.real.config.js "$@" || status=$?
if [ -f "$JEST_SUMMARY_FILE" ]; then cat "$JEST_SUMMARY_FILE"; else echo "0 passed, 1 failed (jest did not finish)"; fi
exit "$status"
