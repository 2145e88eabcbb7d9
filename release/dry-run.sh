#!/usr/bin/env bash
# A release dry run: builds every module with sources and javadoc, signs them with a throwaway
# GPG key made here (never a real one), deploys them to target/release-repo instead of
# Central, and checks what Central requires of each deployed module (release/check-central.py).
# Not part of `mvn -B verify` (javadoc + signing + a full package take minutes).
#   release/dry-run.sh [extra maven args]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export GNUPGHOME="$(mktemp -d)"
trap 'gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"' EXIT
chmod 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key \
  'ablation release dry run <dry-run@example.invalid>' rsa2048 sign 1d
key="$(gpg --batch --list-secret-keys --with-colons | awk -F: '/^fpr:/ {print $10; exit}')"
# clean first, apart: a clean of the root module in the same run would delete the repository
# the BOM (built before it, having no parent) was already deployed to
mvn -B -q clean
mvn -B -q -Prelease-dry-run -DskipTests -Dgpg.keyname="$key" -Dgpg.homedir="$GNUPGHOME" \
  "$@" deploy
/usr/bin/python3 release/check-central.py target/release-repo --gnupghome "$GNUPGHOME"
