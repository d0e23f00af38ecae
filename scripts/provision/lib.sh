# Shared by the provisioning scripts: where builds are cached (outside the repository, so a fresh
# clone reuses them) and a logger. Sourced, not run.
NEO4J_ESTATE_CACHE=${NEO4J_ESTATE_CACHE:-$HOME/.cache/neo4j-estate}
mkdir -p "$NEO4J_ESTATE_CACHE"
log() { printf '[provision %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
