# make test's undefined-behaviour check (scripts/miri.sh): Miri, a component of the
# nightly toolchain, installed for that alone. The product builds with the pinned
# stable toolchain (rust-toolchain.toml); nothing else uses nightly.
if ! rustup toolchain list | grep -q '^nightly-'; then
    rustup toolchain install nightly --profile minimal --component miri,rust-src
fi
rustup component list --toolchain nightly --installed | grep -q '^miri' \
    || rustup component add --toolchain nightly miri rust-src
